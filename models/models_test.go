package models_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/naas-go/naas/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func spec(arch, act string) models.Spec {
	return models.Spec{Arch: arch, Dim: 3, Width: 5, Depth: 2, Act: act, NFreq: 4,
		InShift: []float64{1, -2, 0.5}, InScale: 4, Prefix: "u"}
}

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func TestValidate(t *testing.T) {
	ok := spec(models.ArchFourierMLP, models.ActSiLU)
	cases := []struct {
		mod  func(*models.Spec)
		want string
	}{
		{func(s *models.Spec) { s.Arch = "mlpp" }, `models: unknown architecture "mlpp"; known: fourier-mlp, mlp, resmlp`},
		{func(s *models.Spec) { s.Act = "gelu" }, `models: unknown activation "gelu"; known: relu, silu, softplus, tanh`},
		{func(s *models.Spec) { s.Dim = 0 }, "models: dimension 0 must be positive"},
		{func(s *models.Spec) { s.Width = -3 }, "models: width -3 must be positive"},
		{func(s *models.Spec) { s.Depth = 0 }, "models: depth 0 must be positive"},
		{func(s *models.Spec) { s.NFreq = 0 }, "fourier-mlp needs a positive number of Fourier frequencies, got 0"},
		{func(s *models.Spec) { s.InShift = []float64{1} }, "input shift has length 1, want dimension 3"},
		{func(s *models.Spec) { s.InShift[1] = math.NaN() }, "input shift[1] = NaN is not finite"},
		{func(s *models.Spec) { s.InScale = 0 }, "input scale 0 must be positive"},
		{func(s *models.Spec) { s.Prefix = "u/v" }, `prefix "u/v" may contain only`},
	}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		s := spec(models.ArchFourierMLP, models.ActSiLU)
		c.mod(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
		if _, err := models.New(G.NewGraph(), tensor.Float64, s, rng(1)); err == nil {
			t.Errorf("New accepted an invalid spec (%q)", c.want)
		}
	}
	m := spec(models.ArchMLP, models.ActTanh)
	m.NFreq = 0 // unused by mlp
	if err := m.Validate(); err != nil {
		t.Errorf("mlp with NFreq 0: %v", err)
	}
	if d := models.DefaultSpec(50, "u"); d.Arch != "fourier-mlp" || d.Width != 128 || d.Depth != 4 || d.Act != "silu" || d.NFreq != 16 || d.Validate() != nil {
		t.Errorf("DefaultSpec = %+v", d)
	}
	if _, err := models.New(G.NewGraph(), tensor.Int, spec("mlp", "silu"), rng(1)); err == nil || !strings.Contains(err.Error(), "dtype int not supported") {
		t.Errorf("int dtype: %v", err)
	}
}

// TestParamCounts checks the parameter shapes against hand-counted totals for d = 3, width 5,
// depth 2, 4 frequencies.
func TestParamCounts(t *testing.T) {
	want := map[string]int{
		// (3+8)·5+5 + 5·5+5 + 5·3+3
		models.ArchFourierMLP: 60 + 30 + 18,
		// (3+1)·5+5 + 5·5+5 + 5·3+3
		models.ArchMLP: 25 + 30 + 18,
		// in (3+8)·5+5, 2 blocks × 2 × (5·5+5), out 5·3+3
		models.ArchResMLP: 60 + 4*30 + 18,
	}
	for arch, w := range want {
		m, err := models.New(G.NewGraph(), tensor.Float32, spec(arch, models.ActSiLU), rng(1))
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, p := range m.Learnables() {
			if p.Dims() != 2 {
				t.Errorf("%s: parameter %s has %d dims", arch, p.Name(), p.Dims())
			}
			total += p.Shape().TotalSize()
		}
		if total != w {
			t.Errorf("%s: %d parameters, want %d", arch, total, w)
		}
	}
}

// values returns the parameters of m by name as float64 slices with their column counts.
func values(m models.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, p := range m.Learnables() {
		name := strings.TrimPrefix(p.Name(), "u_")
		out[name] = append([]float64(nil), p.Value().Data().([]float64)...)
	}
	return out
}

// affine returns h·W + b for one row h, W stored row-major [len(h), len(b)].
func affine(h, W, b []float64) []float64 {
	out := append([]float64(nil), b...)
	for i, hi := range h {
		for j := range out {
			out[j] += hi * W[i*len(b)+j]
		}
	}
	return out
}

func apply(act string, h []float64) []float64 {
	out := make([]float64, len(h))
	for i, z := range h {
		switch act {
		case "silu":
			out[i] = z / (1 + math.Exp(-z))
		case "tanh":
			out[i] = math.Tanh(z)
		case "relu":
			out[i] = math.Max(z, 0)
		case "softplus":
			out[i] = math.Log1p(math.Exp(z))
		}
	}
	return out
}

// plainForward evaluates the documented architectures for one row in plain Go.
func plainForward(s models.Spec, p map[string][]float64, x []float64, t float64) []float64 {
	h := make([]float64, 0)
	for i, xi := range x {
		h = append(h, (xi-s.InShift[i])/s.InScale)
	}
	if s.Arch == models.ArchMLP {
		h = append(h, t)
	} else {
		f := models.FourierFrequencies(s.NFreq)
		for _, fj := range f {
			h = append(h, math.Sin(fj*t))
		}
		for _, fj := range f {
			h = append(h, math.Cos(fj*t))
		}
	}
	if s.Arch == models.ArchResMLP {
		h = affine(h, p["in_W"], p["in_b"])
		for i := 0; i < s.Depth; i++ {
			r := apply(s.Act, h)
			r = apply(s.Act, affine(r, p[fmt.Sprintf("r%d_a_W", i)], p[fmt.Sprintf("r%d_a_b", i)]))
			r = affine(r, p[fmt.Sprintf("r%d_b_W", i)], p[fmt.Sprintf("r%d_b_b", i)])
			for j := range h {
				h[j] += r[j]
			}
		}
		h = apply(s.Act, h)
	} else {
		for i := 0; i < s.Depth; i++ {
			h = apply(s.Act, affine(h, p[fmt.Sprintf("l%d_W", i)], p[fmt.Sprintf("l%d_b", i)]))
		}
	}
	return affine(h, p["out_W"], p["out_b"])
}

// TestForwardMatchesPlainGo evaluates every architecture and activation (float64, with the
// zero output layer replaced by random values) on a batch of 4 and compares with a plain-Go
// evaluation of the documented formulas; tolerance 1e-12 absolute.
func TestForwardMatchesPlainGo(t *testing.T) {
	for _, arch := range models.Architectures() {
		for _, act := range models.Activations() {
			s := spec(arch, act)
			g := G.NewGraph()
			m, err := models.New(g, tensor.Float64, s, rng(2))
			if err != nil {
				t.Fatal(err)
			}
			r := rng(3)
			for _, p := range m.Learnables() { // make the zero output layer non-zero
				if strings.HasPrefix(p.Name(), "u_out") {
					d := p.Value().Data().([]float64)
					for i := range d {
						d[i] = r.NormFloat64()
					}
				}
			}
			const B = 4
			xv, tv := make([]float64, B*3), make([]float64, B)
			for i := range xv {
				xv[i] = 5 * r.NormFloat64()
			}
			for i := range tv {
				tv[i] = r.Float64()
			}
			x := G.NewMatrix(g, tensor.Float64, G.WithShape(B, 3), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(B, 3), tensor.WithBacking(xv))))
			tt := G.NewMatrix(g, tensor.Float64, G.WithShape(B, 1), G.WithName("t"), G.WithValue(tensor.New(tensor.WithShape(B, 1), tensor.WithBacking(tv))))
			u, err := m.Forward(x, tt)
			if err != nil {
				t.Fatal(err)
			}
			if !u.Shape().Eq(tensor.Shape{B, 3}) {
				t.Fatalf("%s: output shape %v", arch, u.Shape())
			}
			uv := new(G.Value)
			G.Read(u, uv)
			vm := G.NewTapeMachine(g)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			vm.Close()
			got := (*uv).Data().([]float64)
			p := values(m)
			for b := 0; b < B; b++ {
				want := plainForward(s, p, xv[b*3:b*3+3], tv[b])
				for i := range want {
					if math.Abs(got[b*3+i]-want[i]) > 1e-12 {
						t.Errorf("%s/%s row %d: u[%d] = %.15g, plain Go %.15g", arch, act, b, i, got[b*3+i], want[i])
					}
				}
			}
		}
	}
}

// TestInitialisation checks: the output layer is exactly zero, hidden weights are not, the
// same seed gives bit-identical parameters and another seed different ones, and a float32
// model draws the same numbers rounded to float32.
func TestInitialisation(t *testing.T) {
	for _, arch := range models.Architectures() {
		s := spec(arch, models.ActSiLU)
		a, _ := models.New(G.NewGraph(), tensor.Float64, s, rng(5))
		b, _ := models.New(G.NewGraph(), tensor.Float64, s, rng(5))
		c, _ := models.New(G.NewGraph(), tensor.Float64, s, rng(6))
		f, _ := models.New(G.NewGraph(), tensor.Float32, s, rng(5))
		same, diff := true, false
		for i, p := range a.Learnables() {
			pa := p.Value().Data().([]float64)
			pb := b.Learnables()[i].Value().Data().([]float64)
			pc := c.Learnables()[i].Value().Data().([]float64)
			pf := f.Learnables()[i].Value().Data().([]float32)
			nonzero := false
			for j := range pa {
				same = same && pa[j] == pb[j] && float32(pa[j]) == pf[j]
				diff = diff || pa[j] != pc[j]
				nonzero = nonzero || pa[j] != 0
			}
			isOut := strings.HasPrefix(p.Name(), "u_out")
			isW := strings.HasSuffix(p.Name(), "_W")
			if isOut && nonzero {
				t.Errorf("%s: output parameter %s is not zero", arch, p.Name())
			}
			if !isOut && isW && !nonzero {
				t.Errorf("%s: hidden weight %s is all zero", arch, p.Name())
			}
		}
		if !same || !diff {
			t.Errorf("%s: same seed identical %v, other seed different %v", arch, same, diff)
		}
	}
}

// TestNamesAndSharing checks that two models with prefixes u and v in one graph have unique,
// disjoint parameter nodes, that a repeated prefix is refused (instead of silently merging
// nodes), and that NewShared binds the very same tensors in another graph.
func TestNamesAndSharing(t *testing.T) {
	g := G.NewGraph()
	su, sv := spec(models.ArchResMLP, models.ActSiLU), spec(models.ArchResMLP, models.ActSiLU)
	sv.Prefix = "v"
	u, err := models.New(g, tensor.Float32, su, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	v, err := models.New(g, tensor.Float32, sv, rng(1))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range append(u.Learnables(), v.Learnables()...) {
		if names[p.Name()] {
			t.Errorf("duplicate parameter name %q", p.Name())
		}
		names[p.Name()] = true
	}
	inputs := map[string]int{}
	for _, n := range g.Inputs() {
		inputs[n.Name()]++
	}
	for name, k := range inputs {
		if k != 1 {
			t.Errorf("%d input nodes named %q in one graph", k, name)
		}
	}
	if len(names) != 2*len(u.Learnables()) {
		t.Errorf("%d distinct names for 2×%d parameters", len(names), len(u.Learnables()))
	}
	if _, err := models.New(g, tensor.Float32, su, rng(1)); err == nil || !strings.Contains(err.Error(), `"u_in_shift" already exists`) {
		t.Errorf("repeated prefix: error %v", err)
	}

	g2 := G.NewGraph()
	sh, err := models.NewShared(g2, tensor.Float32, su, u)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range sh.Learnables() {
		q := u.Learnables()[i]
		if p.Value().(*tensor.Dense) != q.Value().(*tensor.Dense) || p.Name() != q.Name() || p == q {
			t.Errorf("shared parameter %s is not bound to the source tensor", p.Name())
		}
	}
	wide := su
	wide.Width = 6
	if _, err := models.NewShared(G.NewGraph(), tensor.Float32, wide, u); err == nil || !strings.Contains(err.Error(), "2×6 silu nfreq=4 inscale=4 shifted prefix=\"u\" differs from the source model's resmlp d=3 2×5") {
		t.Errorf("mismatched width: error %v", err)
	}
	if _, err := models.NewShared(G.NewGraph(), tensor.Float64, su, u); err == nil {
		t.Error("mismatched dtype accepted")
	}
	if _, err := models.NewShared(G.NewGraph(), tensor.Float32, sv, u); err == nil || !strings.Contains(err.Error(), "differs from the source model's") {
		t.Errorf("mismatched prefix: error %v", err)
	}
	shifted := su
	shifted.InShift = []float64{1, -2, 0.75}
	if _, err := models.NewShared(G.NewGraph(), tensor.Float32, shifted, u); err == nil {
		t.Error("mismatched input shift accepted")
	}
}

func TestFourierFrequencies(t *testing.T) {
	f := models.FourierFrequencies(16)
	if f[0] != 1 || math.Abs(f[15]-100) > 1e-12 {
		t.Errorf("frequencies run from %v to %v, want 1 to 100", f[0], f[15])
	}
	ratio := f[1] / f[0]
	for j := 1; j < len(f); j++ {
		if math.Abs(f[j]/f[j-1]-ratio) > 1e-12 {
			t.Errorf("not geometric at %d", j)
		}
	}
	if g := models.FourierFrequencies(1); len(g) != 1 || g[0] != 1 {
		t.Errorf("FourierFrequencies(1) = %v", g)
	}
}

func TestForwardShapeErrors(t *testing.T) {
	g := G.NewGraph()
	m, err := models.New(g, tensor.Float64, spec(models.ArchMLP, models.ActSiLU), rng(1))
	if err != nil {
		t.Fatal(err)
	}
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("x"))
	tt := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 1), G.WithName("t"))
	if _, err := m.Forward(x, tt); err == nil || !strings.Contains(err.Error(), "x has shape (4, 2), want (B, 3)") {
		t.Errorf("error %v", err)
	}
	x3 := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("x3"))
	t5 := G.NewMatrix(g, tensor.Float64, G.WithShape(5, 1), G.WithName("t5"))
	if _, err := m.Forward(x3, t5); err == nil || !strings.Contains(err.Error(), "want (4, 1)") {
		t.Errorf("error %v", err)
	}
}
