// Package targets owns the benchmark target distributions of the project (docs/benchmarks.md):
// their energies E = −log density with gradients and Hessian–vector products, batched as
// dynamics.Energy requires, their exact samplers, their normalisers log Z and, for the
// multimodal ones, their mode assignment. It also owns the regeneration of the benchmark's
// mixture parameters from JAX's threefry PRNG (via package jaxrand).
//
// Targets, by registry name:
//
//	gmm40     d = 50, 40 equal-weight N(μ_k, I), μ = 40·U(PRNGKey(0), (40, 50), −1, 1)
//	mos50     d = 50, 10 equal-weight products of 1-D Student-t (df 2, scale 1) at
//	          locations U(PRNGKey(0), (10, 50), −10, 10)
//	funnel10  d = 10, x₀ ~ N(0, 3²), x₁..₉ | x₀ ~ N(0, e^{x₀}); samples clipped to [−30, 30]
//	manywell5 d = 5, E = Σᵢ (xᵢ² − 4)², 32 modes
//
// plus Gauss, a diagonal Gaussian for Gaussian-to-Gaussian tests. E is the normalised
// negative log density (log Z = 0) for every target except manywell5, whose log Z is computed
// by quadrature. Energies are dimensionless; x has the units of the benchmark's coordinates.
//
// Batches are flat row-major []float64 as in dynamics.Energy: B points in R^d occupy B·d
// consecutive values. Every method is safe for concurrent use: targets are immutable after
// construction and all scratch memory is allocated per call. A length mismatch between the
// slices of a call is a programming error and panics with the offending lengths.
package targets

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/naas-go/naas/dynamics"
)

// Target is a benchmark distribution p(x) = exp(−E(x))/Z on R^d.
type Target interface {
	dynamics.Energy
	// Name is the registry name (e.g. "gmm40") or the name given to a constructor.
	Name() string
	// Sample returns n exact, independent samples from p as an n×d row-major slice,
	// drawing all randomness from rng. (funnel10's are clipped to [−30, 30] as the
	// benchmark's reference samples are; see Funnel.Sample.)
	Sample(rng *rand.Rand, n int) []float64
	// LogZ returns log ∫ exp(−E(x)) dx and whether it is known (0 for normalised E).
	LogZ() (logZ float64, known bool)
}

// Moded is implemented by multimodal targets whose modes can be told apart: the mixtures
// (a mode is a component) and the many-well (a mode is a sign pattern).
type Moded interface {
	// NModes is the number of modes K.
	NModes() int
	// Modes writes into labels (len B) the mode in [0, K) of each of the B rows of x
	// (len B·d): the component of largest responsibility for a mixture, the sign pattern
	// for the many-well.
	Modes(x []float64, labels []int)
}

// Centred is implemented by the moded targets whose modes have a natural centre: the
// component means or locations of the mixtures and the points (±2, …, ±2) of the many-well.
type Centred interface {
	// ModeCentres returns the K mode centres as a K×d row-major slice (a copy), in the
	// order of the labels of Modes.
	ModeCentres() []float64
}

// EnergyGrader is implemented by every target of this package: EnergyGrad writes E(x_b) into
// e (len B, or nil to skip the energies) and ∇E(x_b) into g (len B·d) for the B = len(x)/d
// rows of x in one pass, sharing the work the two have in common (for the mixtures, the
// log-sum-exp and the responsibilities; it costs about as much as Grad alone). The results
// are bit-identical to those of Energy and Grad.
type EnergyGrader interface {
	EnergyGrad(x, e, g []float64)
}

// Names returns the registry names of the benchmark targets, sorted.
func Names() []string {
	return []string{"funnel10", "gmm40", "manywell5", "mos50"}
}

// New builds the benchmark target registered under name (see Names). Parameters are
// generated afresh on every call; nothing is cached.
func New(name string) (Target, error) {
	var (
		t   Target
		err error
	)
	// Each case assigns through err first so that a failed constructor never yields a
	// non-nil interface holding a nil pointer.
	switch name {
	case "gmm40":
		var m *GaussMixture
		if m, err = NewGMM40(); err == nil {
			t = m
		}
	case "mos50":
		var m *StudentTMixture
		if m, err = NewMoS50(); err == nil {
			t = m
		}
	case "funnel10":
		var f *Funnel
		if f, err = NewFunnel(10, FunnelClip); err == nil {
			t = f
		}
	case "manywell5":
		var w *ManyWell
		if w, err = NewManyWell(5); err == nil {
			t = w
		}
	default:
		return nil, fmt.Errorf("unknown target %q; known: %s", name, strings.Join(Names(), ", "))
	}
	return t, err
}

// rows checks that x holds a whole number of d-dimensional rows and returns their number.
func rows(x []float64, d int) int {
	if len(x)%d != 0 {
		panic(fmt.Sprintf("targets: len(x) = %d is not a multiple of d = %d", len(x), d))
	}
	return len(x) / d
}

// checkEnergy panics unless len(x) = len(e)·d.
func checkEnergy(x, e []float64, d int) {
	if len(x) != len(e)*d {
		panic(fmt.Sprintf("targets: len(x) = %d, want len(e)·d = %d·%d", len(x), len(e), d))
	}
}

// checkSame panics unless len(y) = len(x); what names y in the message.
func checkSame(x, y []float64, what string) {
	if len(y) != len(x) {
		panic(fmt.Sprintf("targets: len(%s) = %d, want len(x) = %d", what, len(y), len(x)))
	}
}

// checkLabels panics unless len(x) = len(labels)·d.
func checkLabels(x []float64, labels []int, d int) {
	if len(x) != len(labels)*d {
		panic(fmt.Sprintf("targets: len(x) = %d, want len(labels)·d = %d·%d", len(x), len(labels), d))
	}
}

// Compile-time checks of the interfaces each target implements.
var (
	_ Target       = (*GaussMixture)(nil)
	_ Target       = (*StudentTMixture)(nil)
	_ Target       = (*Funnel)(nil)
	_ Target       = (*ManyWell)(nil)
	_ Target       = (*Gauss)(nil)
	_ Moded        = (*GaussMixture)(nil)
	_ Moded        = (*StudentTMixture)(nil)
	_ Moded        = (*ManyWell)(nil)
	_ Centred      = (*GaussMixture)(nil)
	_ Centred      = (*StudentTMixture)(nil)
	_ Centred      = (*ManyWell)(nil)
	_ EnergyGrader = (*GaussMixture)(nil)
	_ EnergyGrader = (*StudentTMixture)(nil)
	_ EnergyGrader = (*Funnel)(nil)
	_ EnergyGrader = (*ManyWell)(nil)
	_ EnergyGrader = (*Gauss)(nil)
)
