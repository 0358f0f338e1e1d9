package targets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// FunnelClip is the bound of the benchmark's funnel10 reference samples: SCLD's
// configs/target/funnel.yaml sets sample_bounds [−30, 30], and targets/funnel.py clips the
// whole sample, jnp.hstack([x₀, x₁..x₉]).clip(−30, 30), i.e. every coordinate, x₀
// included.
const FunnelClip = 30

// Funnel is Neal's funnel on R^d: x₀ ~ N(0, 3²) and, given x₀, x₁..x_{d−1} ~ N(0, e^{x₀})
// independently:
//
//	E(x) = x₀²/18 + (d−1)x₀/2 + e^{−x₀} Σ_{i≥1} xᵢ²/2 + ½log(2π·9) + (d−1)/2·log(2π).
//
// funnel10 is NewFunnel(10, FunnelClip).
type Funnel struct {
	name string
	d    int
	clip float64 // 0: no clipping
	c    float64
}

// NewFunnel returns the funnel in dimension d ≥ 2. Its exact samples are clipped
// coordinate-wise to [−clip, clip] if clip > 0 (as the benchmark's reference samples are,
// with clip = FunnelClip), and left exact if clip = 0. The energy is never clipped.
func NewFunnel(d int, clip float64) (*Funnel, error) {
	if d < 2 {
		return nil, fmt.Errorf("targets: funnel dimension d = %d, want d ≥ 2", d)
	}
	if !(clip >= 0) {
		return nil, fmt.Errorf("targets: funnel clip = %g, want clip ≥ 0 (0 for none)", clip)
	}
	name := fmt.Sprintf("funnel%d", d)
	return &Funnel{
		name: name,
		d:    d,
		clip: clip,
		c:    0.5*math.Log(2*math.Pi*9) + 0.5*float64(d-1)*math.Log(2*math.Pi),
	}, nil
}

// Name returns "funnel<d>", e.g. "funnel10".
func (f *Funnel) Name() string { return f.name }

// Dim returns d.
func (f *Funnel) Dim() int { return f.d }

// Clip returns the sample clipping bound (0 for none).
func (f *Funnel) Clip() float64 { return f.clip }

// LogZ returns (0, true): E is normalised (of the unclipped funnel).
func (f *Funnel) LogZ() (float64, bool) { return 0, true }

// Energy writes E(x_b) into e[b].
func (f *Funnel) Energy(x, e []float64) {
	checkEnergy(x, e, f.d)
	d := f.d
	for b := range e {
		xb := x[b*d : (b+1)*d]
		x0 := xb[0]
		s := 0.0
		for _, xi := range xb[1:] {
			s += xi * xi
		}
		e[b] = x0*x0/18 + 0.5*float64(d-1)*x0 + 0.5*s*math.Exp(-x0) + f.c
	}
}

// Grad writes ∇E(x_b) into g: ∂₀E = x₀/9 + (d−1)/2 − e^{−x₀}Σxᵢ²/2, ∂ᵢE = e^{−x₀}xᵢ.
func (f *Funnel) Grad(x, g []float64) {
	f.EnergyGrad(x, nil, g)
}

// EnergyGrad writes E(x_b) into e (if e is non-nil) and ∇E(x_b) into g.
func (f *Funnel) EnergyGrad(x, e, g []float64) {
	d := f.d
	n := rows(x, d)
	if e != nil {
		checkEnergy(x, e, d)
	}
	checkSame(x, g, "g")
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		gb := g[b*d : (b+1)*d]
		x0 := xb[0]
		w := math.Exp(-x0)
		s := 0.0
		for i := 1; i < d; i++ {
			s += xb[i] * xb[i]
			gb[i] = w * xb[i]
		}
		gb[0] = x0/9 + 0.5*float64(d-1) - 0.5*w*s
		if e != nil {
			e[b] = x0*x0/18 + 0.5*float64(d-1)*x0 + 0.5*s*w + f.c
		}
	}
}

// HVP writes ∇²E(x_b)·v_b into hv, with ∂₀₀E = 1/9 + e^{−x₀}Σxᵢ²/2, ∂₀ᵢE = −e^{−x₀}xᵢ,
// ∂ᵢᵢE = e^{−x₀} and no other non-zero entries.
func (f *Funnel) HVP(x, v, hv []float64) {
	d := f.d
	n := rows(x, d)
	checkSame(x, v, "v")
	checkSame(x, hv, "hv")
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		vb := v[b*d : (b+1)*d]
		hb := hv[b*d : (b+1)*d]
		x0, v0 := xb[0], vb[0]
		w := math.Exp(-x0)
		s, xv := 0.0, 0.0
		for i := 1; i < d; i++ {
			s += xb[i] * xb[i]
			xv += xb[i] * vb[i]
			hb[i] = w * (vb[i] - xb[i]*v0)
		}
		hb[0] = (1.0/9+0.5*w*s)*v0 - w*xv
	}
}

// Sample returns n samples (n×d row-major): x₀ = 3Z₀, xᵢ = e^{x₀/2}Zᵢ, then, if the funnel
// has a clip bound, every coordinate clipped to [−clip, clip] as in the benchmark. At
// clip = 30 this moves 1.0% of the xᵢ, i ≥ 1 (P(|xᵢ| > 30) = 0.01002 by quadrature; rows
// with large x₀) and, in practice, never x₀ (P(|x₀| > 30) = 2Φ(−10) ≈ 1.5e-23); clipped
// samples are not exact draws from exp(−E).
func (f *Funnel) Sample(rng *rand.Rand, n int) []float64 {
	d := f.d
	x := make([]float64, n*d)
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		xb[0] = 3 * rng.NormFloat64()
		s := math.Exp(0.5 * xb[0])
		for i := 1; i < d; i++ {
			xb[i] = s * rng.NormFloat64()
		}
		if f.clip > 0 {
			for i, xi := range xb {
				xb[i] = math.Max(-f.clip, math.Min(f.clip, xi))
			}
		}
	}
	return x
}
