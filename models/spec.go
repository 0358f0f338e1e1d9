package models

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Architecture names accepted in Spec.Arch.
const (
	// ArchFourierMLP concatenates the normalised x with Fourier features of t
	// (sin and cos of NFreq fixed frequencies, see FourierFrequencies), then applies Depth
	// hidden layers of Width units with the activation and a zero-initialised linear output.
	ArchFourierMLP = "fourier-mlp"
	// ArchMLP concatenates the normalised x with the raw time t (one column), then applies
	// Depth hidden layers of Width units and a zero-initialised linear output.
	ArchMLP = "mlp"
	// ArchResMLP projects [normalised x, Fourier features of t] linearly to Width units, then
	// applies Depth pre-activation residual blocks h ← h + L₂(act(L₁(act(h)))) of Width
	// units, then act and a zero-initialised linear output.
	ArchResMLP = "resmlp"
)

// Activation names accepted in Spec.Act.
const (
	ActSiLU     = "silu"     // x·sigmoid(x), composed from two graph ops (Gorgonia has no SiLU op)
	ActTanh     = "tanh"     // tanh(x)
	ActReLU     = "relu"     // max(x, 0)
	ActSoftplus = "softplus" // log(1 + eˣ)
)

// Defaults used by DefaultSpec.
const (
	DefaultArch  = ArchFourierMLP
	DefaultWidth = 128
	DefaultDepth = 4
	DefaultAct   = ActSiLU
	DefaultNFreq = 16
)

// Spec selects and sizes an architecture. All fields are required (use DefaultSpec for the
// defaults); Validate says which one is wrong.
type Spec struct {
	// Arch is the architecture name: one of Architectures().
	Arch string
	// Dim is d, the dimension of x and of the output.
	Dim int
	// Width is the number of units of every hidden layer.
	Width int
	// Depth is the number of hidden layers (fourier-mlp, mlp) or of residual blocks (resmlp).
	Depth int
	// Act is the activation name: one of Activations().
	Act string
	// NFreq is the number of Fourier frequencies of the time embedding (fourier-mlp, resmlp;
	// the embedding has 2·NFreq columns). Ignored by mlp.
	NFreq int
	// InShift, if non-nil, has length Dim and is subtracted from x before the network
	// (in the units of x; typically the prior mean m). nil means no shift.
	InShift []float64
	// InScale divides x after the shift (in the units of x; typically the prior scale s), so
	// that the network sees inputs of order one even when targets live at scales 1–100.
	// Must be positive; 1 means no scaling.
	InScale float64
	// Prefix is prepended to every node name the model creates ("u" gives "u_l0_W"), so that
	// two networks never share names (Gorgonia silently merges same-named nodes of a graph).
	// It may be empty, and may contain letters, digits and underscores only.
	Prefix string
}

// DefaultSpec returns the default specification for dimension dim and name prefix prefix:
// fourier-mlp, width 128, depth 4, silu, 16 frequencies, no input shift, input scale 1.
func DefaultSpec(dim int, prefix string) Spec {
	return Spec{
		Arch: DefaultArch, Dim: dim, Width: DefaultWidth, Depth: DefaultDepth,
		Act: DefaultAct, NFreq: DefaultNFreq, InScale: 1, Prefix: prefix,
	}
}

// Architectures returns the known architecture names, sorted.
func Architectures() []string { return sortedKeys(archBuilders) }

// Activations returns the known activation names, sorted.
func Activations() []string { return sortedKeys(activations) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// usesFourier reports whether the architecture embeds t with Fourier features.
func (s Spec) usesFourier() bool { return s.Arch == ArchFourierMLP || s.Arch == ArchResMLP }

// Validate returns an error naming the first invalid field and its value, or nil.
func (s Spec) Validate() error {
	if _, ok := archBuilders[s.Arch]; !ok {
		return fmt.Errorf("models: unknown architecture %q; known: %s", s.Arch, strings.Join(Architectures(), ", "))
	}
	if _, ok := activations[s.Act]; !ok {
		return fmt.Errorf("models: unknown activation %q; known: %s", s.Act, strings.Join(Activations(), ", "))
	}
	if s.Dim <= 0 {
		return fmt.Errorf("models: dimension %d must be positive", s.Dim)
	}
	if s.Width <= 0 {
		return fmt.Errorf("models: width %d must be positive", s.Width)
	}
	if s.Depth <= 0 {
		return fmt.Errorf("models: depth %d must be positive", s.Depth)
	}
	if s.usesFourier() && s.NFreq <= 0 {
		return fmt.Errorf("models: %s needs a positive number of Fourier frequencies, got %d", s.Arch, s.NFreq)
	}
	if s.InShift != nil {
		if len(s.InShift) != s.Dim {
			return fmt.Errorf("models: input shift has length %d, want dimension %d", len(s.InShift), s.Dim)
		}
		for i, v := range s.InShift {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("models: input shift[%d] = %v is not finite", i, v)
			}
		}
	}
	if !(s.InScale > 0) || math.IsInf(s.InScale, 0) {
		return fmt.Errorf("models: input scale %v must be positive and finite", s.InScale)
	}
	for _, r := range s.Prefix {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("models: prefix %q may contain only letters, digits and underscores", s.Prefix)
		}
	}
	return nil
}

// Equal reports whether two specs describe the same function family with the same names
// (every field equal, InShift element-wise; a nil InShift equals an all-zero one).
func (s Spec) Equal(o Spec) bool {
	if s.Arch != o.Arch || s.Dim != o.Dim || s.Width != o.Width || s.Depth != o.Depth ||
		s.Act != o.Act || s.InScale != o.InScale || s.Prefix != o.Prefix {
		return false
	}
	if s.usesFourier() && s.NFreq != o.NFreq {
		return false
	}
	for i := 0; i < s.Dim; i++ {
		if shiftAt(s.InShift, i) != shiftAt(o.InShift, i) {
			return false
		}
	}
	return true
}

func shiftAt(s []float64, i int) float64 {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// String formats the spec compactly for logs, e.g. "fourier-mlp d=50 4×128 silu nfreq=16 prefix=u".
func (s Spec) String() string {
	str := fmt.Sprintf("%s d=%d %d×%d %s", s.Arch, s.Dim, s.Depth, s.Width, s.Act)
	if s.usesFourier() {
		str += fmt.Sprintf(" nfreq=%d", s.NFreq)
	}
	if s.InScale != 1 {
		str += fmt.Sprintf(" inscale=%g", s.InScale)
	}
	if hasShift(s.InShift) {
		str += " shifted"
	}
	return str + fmt.Sprintf(" prefix=%q", s.Prefix)
}

func hasShift(s []float64) bool {
	for _, v := range s {
		if v != 0 {
			return true
		}
	}
	return false
}
