package targets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/integrate/quad"
)

// ManyWell is the factorised many-well of the SCLD benchmark (targets/many_well.py,
// ManyWell2 with m = d, δ = 4) on R^d:
//
//	E(x) = Σᵢ (xᵢ² − 4)²,
//
// with 2^d modes near (±2, …, ±2). It is not normalised: log Z = d·log z₁,
// z₁ = ∫ exp(−(t² − 4)²) dt, computed at construction by composite Gauss–Legendre
// quadrature. manywell5 is NewManyWell(5).
type ManyWell struct {
	name  string
	d     int
	logZ1 float64 // log z₁
	// Rejection sampler for one coordinate: proposal q = ½N(2, s²) + ½N(−2, s²) with
	// s = manyWellPropStd, envelope exp(−(t²−4)²) ≤ exp(logM)·q(t).
	logM float64
}

// manyWellPropStd is the standard deviation s of the proposal components. It must be large
// enough for q to cover the barrier at 0 (density e^{−16} there; s = 0.3 fails, needing an
// envelope e^{5.9}) and small enough to follow the wells (curvature 32 at ±2). With
// s = 0.35 the envelope is e^{0.562} and the acceptance rate z₁/M ≈ 0.51
// (TestManyWellAcceptance).
const manyWellPropStd = 0.35

// manyWellHalfWidth bounds the support used for quadrature and the envelope search:
// exp(−(t² − 4)²) < e^{−1000} (zero in float64) for |t| ≥ 6.
const manyWellHalfWidth = 6.0

// NewManyWell returns the many-well in dimension 1 ≤ d ≤ 30 (so that its 2^d modes are
// indexed by int labels).
func NewManyWell(d int) (*ManyWell, error) {
	if d < 1 || d > 30 {
		return nil, fmt.Errorf("targets: many-well dimension d = %d, want 1 ≤ d ≤ 30", d)
	}
	return &ManyWell{
		name:  fmt.Sprintf("manywell%d", d),
		d:     d,
		logZ1: math.Log(manyWellZ1(20, 96)),
		logM:  manyWellLogEnvelope(),
	}, nil
}

// manyWellZ1 returns z₁ = ∫_{−6}^{6} exp(−(t² − 4)²) dt by an order-`order` Gauss–Legendre
// rule on each of `panels` equal panels (nodes and weights from gonum). With order 20 and 96
// panels of width 0.125 the rule is exact to rounding for this entire integrand; halving the
// order changes z₁ by < 1e-15 (TestManyWellLogZ).
func manyWellZ1(order, panels int) float64 {
	x := make([]float64, order)
	w := make([]float64, order)
	h := 2 * manyWellHalfWidth / float64(panels)
	sum := 0.0
	for p := 0; p < panels; p++ {
		a := -manyWellHalfWidth + float64(p)*h
		quad.Legendre{}.FixedLocations(x, w, a, a+h)
		for i, t := range x {
			u := t*t - 4
			sum += w[i] * math.Exp(-u*u)
		}
	}
	return sum
}

// manyWellLogQ is log q(t) for the proposal ½N(2, s²) + ½N(−2, s²).
func manyWellLogQ(t float64) float64 {
	const s = manyWellPropStd
	a := (t - 2) / s
	b := (t + 2) / s
	la, lb := -0.5*a*a, -0.5*b*b
	hi, lo := math.Max(la, lb), math.Min(la, lb)
	return hi + math.Log1p(math.Exp(lo-hi)) - math.Log(2*s*math.Sqrt(2*math.Pi))
}

// manyWellLogEnvelope returns log M with exp(−(t²−4)²) ≤ M·q(t) for all t: the maximum of
// the log ratio f = −(t²−4)² − log q on a grid of step 1e-3 over [−6, 6], plus 1e-4. f has
// its global maxima at t = ±2 (f ≈ 0.562, f” ≈ −24) and a lower local maximum at 0
// (f ≈ 0.19, f” ≈ −240), so the grid misses the maximum by at most ½·|f”|·(5e-4)² < 1e-5;
// outside [−6, 6], f < −900.
func manyWellLogEnvelope() float64 {
	const step = 1e-3
	n := int(math.Round(2 * manyWellHalfWidth / step))
	best := math.Inf(-1)
	for i := 0; i <= n; i++ {
		t := -manyWellHalfWidth + float64(i)*step
		u := t*t - 4
		best = math.Max(best, -u*u-manyWellLogQ(t))
	}
	return best + 1e-4
}

// Name returns "manywell<d>", e.g. "manywell5".
func (w *ManyWell) Name() string { return w.name }

// Dim returns d.
func (w *ManyWell) Dim() int { return w.d }

// NModes returns 2^d.
func (w *ManyWell) NModes() int { return 1 << w.d }

// LogZ returns (d·log z₁, true).
func (w *ManyWell) LogZ() (float64, bool) { return float64(w.d) * w.logZ1, true }

// Energy writes E(x_b) = Σᵢ (x_bi² − 4)² into e[b].
func (w *ManyWell) Energy(x, e []float64) {
	checkEnergy(x, e, w.d)
	d := w.d
	for b := range e {
		s := 0.0
		for _, t := range x[b*d : (b+1)*d] {
			u := t*t - 4
			s += u * u
		}
		e[b] = s
	}
}

// Grad writes ∇E(x) = 4x(x² − 4) (element-wise) into g.
func (w *ManyWell) Grad(x, g []float64) {
	rows(x, w.d)
	checkSame(x, g, "g")
	for i, t := range x {
		g[i] = 4 * t * (t*t - 4)
	}
}

// EnergyGrad writes E(x_b) into e (if e is non-nil) and ∇E(x_b) into g.
func (w *ManyWell) EnergyGrad(x, e, g []float64) {
	if e != nil {
		w.Energy(x, e)
	}
	w.Grad(x, g)
}

// HVP writes ∇²E(x)·v = (12x² − 16)·v (element-wise; the Hessian is diagonal) into hv.
func (w *ManyWell) HVP(x, v, hv []float64) {
	rows(x, w.d)
	checkSame(x, v, "v")
	checkSame(x, hv, "hv")
	for i, t := range x {
		hv[i] = (12*t*t - 16) * v[i]
	}
}

// Modes writes the sign pattern of each row into labels: label = Σᵢ [x_i > 0]·2^i.
func (w *ManyWell) Modes(x []float64, labels []int) {
	checkLabels(x, labels, w.d)
	d := w.d
	for b := range labels {
		l := 0
		for i, t := range x[b*d : (b+1)*d] {
			if t > 0 {
				l |= 1 << i
			}
		}
		labels[b] = l
	}
}

// ModeCentres returns the 2^d minima of E (targets.Centred): mode l is the point whose
// coordinate i is +2 when bit i of l is set and −2 otherwise, the labelling of Modes.
func (w *ManyWell) ModeCentres() []float64 {
	k, d := w.NModes(), w.d
	c := make([]float64, k*d)
	for l := 0; l < k; l++ {
		for i := 0; i < d; i++ {
			c[l*d+i] = -2
			if l>>i&1 == 1 {
				c[l*d+i] = 2
			}
		}
	}
	return c
}

// Sample returns n exact samples (n×d row-major), each coordinate drawn independently by
// rejection from the proposal ½N(2, s²) + ½N(−2, s²), s = 0.35.
func (w *ManyWell) Sample(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n*w.d)
	for i := range x {
		x[i] = w.sampleCoord(rng)
	}
	return x
}

// sampleCoord draws one coordinate from exp(−(t² − 4)²)/z₁.
func (w *ManyWell) sampleCoord(rng *rand.Rand) float64 {
	for {
		t := manyWellPropStd * rng.NormFloat64()
		if rng.Uint64()&1 == 0 {
			t += 2
		} else {
			t -= 2
		}
		u := t*t - 4
		logAcc := -u*u - manyWellLogQ(t) - w.logM
		// Accept with probability exp(logAcc) ≤ 1; 1 − Float64() lies in (0, 1].
		if math.Log(1-rng.Float64()) <= logAcc {
			return t
		}
	}
}
