package targets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Gauss is the diagonal Gaussian N(μ, diag(σ²)) on R^d, normalised:
//
//	E(x) = Σᵢ (xᵢ − μᵢ)²/(2σᵢ²) + ½ Σᵢ log(2πσᵢ²).
//
// It is the target of Gaussian-to-Gaussian tests, where the optimal sampler is known.
type Gauss struct {
	name     string
	mean     []float64
	variance []float64
	std      []float64
	invVar   []float64
	c        float64
}

// NewGauss returns N(mean, diag(variance)); mean and variance (copied) have the same length
// d ≥ 1, finite means and finite variances > 0.
func NewGauss(name string, mean, variance []float64) (*Gauss, error) {
	if len(mean) == 0 || len(mean) != len(variance) {
		return nil, fmt.Errorf("targets: Gauss with len(mean) = %d, len(variance) = %d, want equal lengths ≥ 1", len(mean), len(variance))
	}
	g := &Gauss{
		name:     name,
		mean:     append([]float64(nil), mean...),
		variance: append([]float64(nil), variance...),
		std:      make([]float64, len(mean)),
		invVar:   make([]float64, len(mean)),
	}
	for i, v := range variance {
		if math.IsNaN(mean[i]) || math.IsInf(mean[i], 0) {
			return nil, fmt.Errorf("targets: Gauss mean[%d] = %g, want a finite value", i, mean[i])
		}
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("targets: Gauss variance[%d] = %g, want a finite variance > 0", i, v)
		}
		g.std[i] = math.Sqrt(v)
		g.invVar[i] = 1 / v
		g.c += 0.5 * math.Log(2*math.Pi*v)
	}
	return g, nil
}

// Name returns the name given at construction.
func (g *Gauss) Name() string { return g.name }

// Dim returns d.
func (g *Gauss) Dim() int { return len(g.mean) }

// Mean returns a copy of μ.
func (g *Gauss) Mean() []float64 { return append([]float64(nil), g.mean...) }

// Variance returns a copy of σ² (the diagonal of the covariance).
func (g *Gauss) Variance() []float64 { return append([]float64(nil), g.variance...) }

// LogZ returns (0, true): E is normalised.
func (g *Gauss) LogZ() (float64, bool) { return 0, true }

// Energy writes E(x_b) into e[b].
func (g *Gauss) Energy(x, e []float64) {
	d := len(g.mean)
	checkEnergy(x, e, d)
	for b := range e {
		s := 0.0
		for i, xi := range x[b*d : (b+1)*d] {
			z := xi - g.mean[i]
			s += z * z * g.invVar[i]
		}
		e[b] = 0.5*s + g.c
	}
}

// Grad writes ∇E(x) = (x − μ)/σ² into g.
func (g *Gauss) Grad(x, gr []float64) {
	d := len(g.mean)
	rows(x, d)
	checkSame(x, gr, "g")
	for i, xi := range x {
		j := i % d
		gr[i] = (xi - g.mean[j]) * g.invVar[j]
	}
}

// EnergyGrad writes E(x_b) into e (if e is non-nil) and ∇E(x_b) into g.
func (g *Gauss) EnergyGrad(x, e, gr []float64) {
	if e != nil {
		g.Energy(x, e)
	}
	g.Grad(x, gr)
}

// HVP writes ∇²E·v = v/σ² into hv.
func (g *Gauss) HVP(x, v, hv []float64) {
	d := len(g.mean)
	rows(x, d)
	checkSame(x, v, "v")
	checkSame(x, hv, "hv")
	for i, vi := range v {
		hv[i] = vi * g.invVar[i%d]
	}
}

// Sample returns n exact samples (n×d row-major): μ + σ·N(0, I).
func (g *Gauss) Sample(rng *rand.Rand, n int) []float64 {
	d := len(g.mean)
	x := make([]float64, n*d)
	for i := range x {
		j := i % d
		x[i] = g.mean[j] + g.std[j]*rng.NormFloat64()
	}
	return x
}
