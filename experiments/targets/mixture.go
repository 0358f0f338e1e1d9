package targets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// respCutoff: components whose responsibility r_k is below it are left out of the gradient
// and Hessian–vector-product sums (never out of the energy). A dropped term changes ∇E by at
// most r_k·|∇E_k| < 1e-18·|∇E_k| and ∇²E·v likewise, far below float64 resolution of the
// result, and it saves most of the work away from the boundaries between modes.
const respCutoff = 1e-18

// logSumExpResp turns the component energies a_k (up to a shared constant) held in r into
// responsibilities r_k = exp(−a_k)/Σ_l exp(−a_l) in place and returns −log Σ_k exp(−a_k),
// computed stably around the smallest a_k. It returns the index of that smallest a_k, the
// component of largest responsibility (first one on ties).
func logSumExpResp(r []float64) (negLSE float64, best int) {
	amin := r[0]
	for k, a := range r {
		if a < amin {
			amin, best = a, k
		}
	}
	if math.IsInf(amin, 1) { // every component infinitely far (x infinite): E = +∞
		for k := range r {
			r[k] = 1 / float64(len(r))
		}
		return amin, best
	}
	s := 0.0
	for k, a := range r {
		w := math.Exp(amin - a)
		r[k] = w
		s += w
	}
	inv := 1 / s
	for k := range r {
		r[k] *= inv
	}
	return amin - math.Log(s), best
}

// GaussMixture is an equal-weight mixture of K isotropic Gaussians N(μ_k, σ²I) on R^d, with
//
//	E(x) = −log (1/K) Σ_k N(x; μ_k, σ²I).
//
// gmm40 is the instance NewGMM40.
type GaussMixture struct {
	name   string
	d, k   int
	sigma  float64
	invVar float64   // 1/σ²
	means  []float64 // K×d, row-major
	c      float64   // log K + (d/2) log(2πσ²)
}

// NewGaussMixture returns the equal-weight mixture of the K = len(means)/d Gaussians
// N(μ_k, σ²I), μ_k = means[k·d:(k+1)·d] (copied), σ = std > 0.
func NewGaussMixture(name string, means []float64, d int, std float64) (*GaussMixture, error) {
	if d < 1 {
		return nil, fmt.Errorf("targets: mixture dimension d = %d, want d ≥ 1", d)
	}
	if len(means) == 0 || len(means)%d != 0 {
		return nil, fmt.Errorf("targets: len(means) = %d, want a positive multiple of d = %d", len(means), d)
	}
	if !(std > 0) || math.IsInf(std, 0) {
		return nil, fmt.Errorf("targets: mixture std = %g, want a finite std > 0", std)
	}
	for i, m := range means {
		if math.IsNaN(m) || math.IsInf(m, 0) {
			return nil, fmt.Errorf("targets: means[%d] = %g, want a finite value", i, m)
		}
	}
	k := len(means) / d
	return &GaussMixture{
		name:   name,
		d:      d,
		k:      k,
		sigma:  std,
		invVar: 1 / (std * std),
		means:  append([]float64(nil), means...),
		c:      math.Log(float64(k)) + 0.5*float64(d)*math.Log(2*math.Pi*std*std),
	}, nil
}

// Name returns the name given at construction.
func (m *GaussMixture) Name() string { return m.name }

// Dim returns d.
func (m *GaussMixture) Dim() int { return m.d }

// NModes returns the number of components K.
func (m *GaussMixture) NModes() int { return m.k }

// Std returns the common standard deviation σ of the components.
func (m *GaussMixture) Std() float64 { return m.sigma }

// Means returns a copy of the component means as a K×d row-major slice.
func (m *GaussMixture) Means() []float64 { return append([]float64(nil), m.means...) }

// ModeCentres returns the component means (targets.Centred).
func (m *GaussMixture) ModeCentres() []float64 { return m.Means() }

// LogZ returns (0, true): E is normalised.
func (m *GaussMixture) LogZ() (float64, bool) { return 0, true }

// resp writes the responsibilities of row x into r (len K) and returns E(x) and the index of
// the nearest mean.
func (m *GaussMixture) resp(x, r []float64) (float64, int) {
	d := m.d
	half := 0.5 * m.invVar
	for k := range r {
		mu := m.means[k*d : (k+1)*d]
		s := 0.0
		for j, xj := range x {
			z := xj - mu[j]
			s += z * z
		}
		r[k] = half * s
	}
	negLSE, best := logSumExpResp(r)
	return m.c + negLSE, best
}

// meanResp writes μ̄ = Σ_k r_k μ_k (over the components kept by respCutoff) into mbar.
func (m *GaussMixture) meanResp(r, mbar []float64) {
	d := m.d
	clear(mbar)
	for k, rk := range r {
		if rk < respCutoff {
			continue
		}
		mu := m.means[k*d : (k+1)*d]
		for j := range mbar {
			mbar[j] += rk * mu[j]
		}
	}
}

// Energy writes E(x_b) into e[b] for the len(e) rows of x.
func (m *GaussMixture) Energy(x, e []float64) {
	checkEnergy(x, e, m.d)
	r := make([]float64, m.k)
	for b := range e {
		e[b], _ = m.resp(x[b*m.d:(b+1)*m.d], r)
	}
}

// Grad writes ∇E(x_b) = (x_b − Σ_k r_k μ_k)/σ² into g.
func (m *GaussMixture) Grad(x, g []float64) {
	checkSame(x, g, "g")
	m.EnergyGrad(x, nil, g)
}

// EnergyGrad writes E(x_b) into e (if e is non-nil) and ∇E(x_b) into g in one pass.
func (m *GaussMixture) EnergyGrad(x, e, g []float64) {
	d := m.d
	n := rows(x, d)
	if e != nil {
		checkEnergy(x, e, d)
	}
	checkSame(x, g, "g")
	r := make([]float64, m.k)
	mbar := make([]float64, d)
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		eb, _ := m.resp(xb, r)
		if e != nil {
			e[b] = eb
		}
		m.meanResp(r, mbar)
		gb := g[b*d : (b+1)*d]
		for j, xj := range xb {
			gb[j] = (xj - mbar[j]) * m.invVar
		}
	}
}

// HVP writes ∇²E(x_b)·v_b into hv. For equal isotropic components the Hessian is
//
//	∇²E = I/σ² − Cov_r(μ)/σ⁴,  Cov_r(μ) = Σ_k r_k (μ_k − μ̄)(μ_k − μ̄)ᵀ,
//
// which is Σ_k r_k H_k − Σ_k r_k g_k g_kᵀ + g gᵀ (g_k = (x − μ_k)/σ², H_k = I/σ²) rewritten
// without the cancellation between its last two terms.
func (m *GaussMixture) HVP(x, v, hv []float64) {
	d := m.d
	n := rows(x, d)
	checkSame(x, v, "v")
	checkSame(x, hv, "hv")
	r := make([]float64, m.k)
	mbar := make([]float64, d)
	iv, iv2 := m.invVar, m.invVar*m.invVar
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		vb := v[b*d : (b+1)*d]
		hb := hv[b*d : (b+1)*d]
		m.resp(xb, r)
		m.meanResp(r, mbar)
		for j, vj := range vb {
			hb[j] = vj * iv
		}
		for k, rk := range r {
			if rk < respCutoff {
				continue
			}
			mu := m.means[k*d : (k+1)*d]
			s := 0.0
			for j, vj := range vb {
				s += (mu[j] - mbar[j]) * vj
			}
			f := rk * s * iv2
			if f == 0 {
				continue
			}
			for j := range hb {
				hb[j] -= f * (mu[j] - mbar[j])
			}
		}
	}
}

// Modes writes the index of the nearest mean (the component of largest responsibility,
// the weights and variances being equal) of each row of x into labels.
func (m *GaussMixture) Modes(x []float64, labels []int) {
	checkLabels(x, labels, m.d)
	d := m.d
	for b := range labels {
		xb := x[b*d : (b+1)*d]
		best, bestD := 0, math.Inf(1)
		for k := 0; k < m.k; k++ {
			mu := m.means[k*d : (k+1)*d]
			s := 0.0
			for j, xj := range xb {
				z := xj - mu[j]
				s += z * z
			}
			if s < bestD {
				best, bestD = k, s
			}
		}
		labels[b] = best
	}
}

// Sample returns n exact samples (n×d row-major).
func (m *GaussMixture) Sample(rng *rand.Rand, n int) []float64 {
	x, _ := m.SampleLabeled(rng, n)
	return x
}

// SampleLabeled returns n exact samples (n×d row-major) and the component each was drawn
// from: a uniform component k, then μ_k + σ·N(0, I).
func (m *GaussMixture) SampleLabeled(rng *rand.Rand, n int) ([]float64, []int) {
	d := m.d
	x := make([]float64, n*d)
	labels := make([]int, n)
	for b := 0; b < n; b++ {
		k := rng.IntN(m.k)
		labels[b] = k
		mu := m.means[k*d : (k+1)*d]
		for j := 0; j < d; j++ {
			x[b*d+j] = mu[j] + m.sigma*rng.NormFloat64()
		}
	}
	return x, labels
}

// StudentTMixture is an equal-weight mixture of K products of d independent 1-D Student-t
// distributions with ν degrees of freedom, unit scale and locations ℓ_k:
//
//	E(x) = −log (1/K) Σ_k Π_j t_ν(x_j − ℓ_kj),  t_ν(s) = Γ((ν+1)/2)/(Γ(ν/2)√(νπ)) (1 + s²/ν)^(−(ν+1)/2).
//
// mos50 is the instance NewMoS50.
type StudentTMixture struct {
	name string
	d, k int
	nu   float64
	locs []float64 // K×d, row-major
	c    float64   // log K − d·log t-normaliser
}

// NewStudentTMixture returns the equal-weight mixture of the K = len(locs)/d products of
// Student-t(df) at locations ℓ_k = locs[k·d:(k+1)·d] (copied), df > 0.
func NewStudentTMixture(name string, locs []float64, d int, df float64) (*StudentTMixture, error) {
	if d < 1 {
		return nil, fmt.Errorf("targets: mixture dimension d = %d, want d ≥ 1", d)
	}
	if len(locs) == 0 || len(locs)%d != 0 {
		return nil, fmt.Errorf("targets: len(locs) = %d, want a positive multiple of d = %d", len(locs), d)
	}
	if !(df > 0) || math.IsInf(df, 0) {
		return nil, fmt.Errorf("targets: Student-t df = %g, want a finite df > 0", df)
	}
	for i, l := range locs {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("targets: locs[%d] = %g, want a finite value", i, l)
		}
	}
	k := len(locs) / d
	lgA, _ := math.Lgamma((df + 1) / 2)
	lgB, _ := math.Lgamma(df / 2)
	logNorm := lgA - lgB - 0.5*math.Log(df*math.Pi)
	return &StudentTMixture{
		name: name,
		d:    d,
		k:    k,
		nu:   df,
		locs: append([]float64(nil), locs...),
		c:    math.Log(float64(k)) - float64(d)*logNorm,
	}, nil
}

// Name returns the name given at construction.
func (m *StudentTMixture) Name() string { return m.name }

// Dim returns d.
func (m *StudentTMixture) Dim() int { return m.d }

// NModes returns the number of components K.
func (m *StudentTMixture) NModes() int { return m.k }

// DF returns the degrees of freedom ν.
func (m *StudentTMixture) DF() float64 { return m.nu }

// Locations returns a copy of the component locations as a K×d row-major slice.
func (m *StudentTMixture) Locations() []float64 { return append([]float64(nil), m.locs...) }

// ModeCentres returns the component locations (targets.Centred).
func (m *StudentTMixture) ModeCentres() []float64 { return m.Locations() }

// LogZ returns (0, true): E is normalised.
func (m *StudentTMixture) LogZ() (float64, bool) { return 0, true }

// resp writes the responsibilities of row x into r (len K) and returns E(x) and the
// component of largest responsibility.
//
// Σ_j log(1 + z_j²/ν) is evaluated as the log of the running product of the factors, with
// one logarithm per component instead of one per coordinate (≈ 8× faster for d = 50). A
// coordinate with z²/ν > 1e100 (or |z| > 1e50) is logged on its own as
// 2log|z| + log(1/ν + 1/z²); the other factors are ≤ 1 + 1e100 and the product is folded
// into the sum whenever it exceeds 1e200, so nothing overflows for finite x. Forming
// 1 + z²/ν rounds it to a relative 1.1e-16, i.e. an absolute error ≤ 1.1e-16 per coordinate
// in the log, the same order as log1p's own rounding: the energy is accurate to ~d·1e-16
// absolute.
func (m *StudentTMixture) resp(x, r []float64) (float64, int) {
	d := m.d
	invNu := 1 / m.nu
	half := 0.5 * (m.nu + 1)
	for k := range r {
		l := m.locs[k*d : (k+1)*d]
		p, acc := 1.0, 0.0
		for j, xj := range x {
			z := xj - l[j]
			if math.Abs(z) > 1e50 || z*z*invNu > 1e100 {
				// log(1 + z²/ν) = 2log|z| + log(1/ν + 1/z²), without forming z².
				acc += 2*math.Log(math.Abs(z)) + math.Log(invNu+1/z/z)
				continue
			}
			p *= 1 + z*z*invNu
			if p > 1e200 {
				acc += math.Log(p)
				p = 1
			}
		}
		r[k] = half * (acc + math.Log(p))
	}
	negLSE, best := logSumExpResp(r)
	return m.c + negLSE, best
}

// Energy writes E(x_b) into e[b] for the len(e) rows of x.
func (m *StudentTMixture) Energy(x, e []float64) {
	checkEnergy(x, e, m.d)
	r := make([]float64, m.k)
	for b := range e {
		e[b], _ = m.resp(x[b*m.d:(b+1)*m.d], r)
	}
}

// Grad writes ∇E(x_b) = Σ_k r_k g_k into g, g_kj = (ν+1) z_kj/(ν + z_kj²), z_k = x − ℓ_k.
func (m *StudentTMixture) Grad(x, g []float64) {
	checkSame(x, g, "g")
	m.EnergyGrad(x, nil, g)
}

// EnergyGrad writes E(x_b) into e (if e is non-nil) and ∇E(x_b) into g in one pass.
func (m *StudentTMixture) EnergyGrad(x, e, g []float64) {
	d := m.d
	n := rows(x, d)
	if e != nil {
		checkEnergy(x, e, d)
	}
	checkSame(x, g, "g")
	r := make([]float64, m.k)
	nu, nu1 := m.nu, m.nu+1
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		eb, _ := m.resp(xb, r)
		if e != nil {
			e[b] = eb
		}
		gb := g[b*d : (b+1)*d]
		clear(gb)
		for k, rk := range r {
			if rk < respCutoff {
				continue
			}
			l := m.locs[k*d : (k+1)*d]
			f := rk * nu1
			for j, xj := range xb {
				z := xj - l[j]
				gb[j] += f * z / (nu + z*z)
			}
		}
	}
}

// HVP writes ∇²E(x_b)·v_b into hv, using
//
//	∇²E = Σ_k r_k H_k − Σ_k r_k (g_k − g)(g_k − g)ᵀ,  g = Σ_k r_k g_k,
//
// (equal to Σ r_k H_k − Σ r_k g_k g_kᵀ + g gᵀ) with the diagonal component Hessians
// H_kjj = (ν+1)(ν − z_kj²)/(ν + z_kj²)².
func (m *StudentTMixture) HVP(x, v, hv []float64) {
	d := m.d
	n := rows(x, d)
	checkSame(x, v, "v")
	checkSame(x, hv, "hv")
	r := make([]float64, m.k)
	gk := make([]float64, m.k*d) // component gradients of the current row
	g := make([]float64, d)
	nu, nu1 := m.nu, m.nu+1
	for b := 0; b < n; b++ {
		xb := x[b*d : (b+1)*d]
		vb := v[b*d : (b+1)*d]
		hb := hv[b*d : (b+1)*d]
		m.resp(xb, r)
		clear(g)
		clear(hb)
		for k, rk := range r {
			if rk < respCutoff {
				continue
			}
			l := m.locs[k*d : (k+1)*d]
			gkk := gk[k*d : (k+1)*d]
			for j, xj := range xb {
				z := xj - l[j]
				z2 := z * z
				q := 1 / (nu + z2)
				gkk[j] = nu1 * z * q
				g[j] += rk * gkk[j]
				hb[j] += rk * nu1 * (nu - z2) * q * q * vb[j]
			}
		}
		for k, rk := range r {
			if rk < respCutoff {
				continue
			}
			gkk := gk[k*d : (k+1)*d]
			s := 0.0
			for j, vj := range vb {
				s += (gkk[j] - g[j]) * vj
			}
			f := rk * s
			if f == 0 {
				continue
			}
			for j := range hb {
				hb[j] -= f * (gkk[j] - g[j])
			}
		}
	}
}

// Modes writes the component of largest responsibility of each row of x into labels.
func (m *StudentTMixture) Modes(x []float64, labels []int) {
	checkLabels(x, labels, m.d)
	r := make([]float64, m.k)
	for b := range labels {
		_, labels[b] = m.resp(x[b*m.d:(b+1)*m.d], r)
	}
}

// Sample returns n exact samples (n×d row-major).
func (m *StudentTMixture) Sample(rng *rand.Rand, n int) []float64 {
	x, _ := m.SampleLabeled(rng, n)
	return x
}

// SampleLabeled returns n exact samples (n×d row-major) and the component each was drawn
// from: a uniform component k, then ℓ_k + T with independent coordinates
// T_j = Z_j/√(G_j/ν), Z_j ~ N(0, 1), G_j ~ χ²_ν.
func (m *StudentTMixture) SampleLabeled(rng *rand.Rand, n int) ([]float64, []int) {
	d := m.d
	x := make([]float64, n*d)
	labels := make([]int, n)
	for b := 0; b < n; b++ {
		k := rng.IntN(m.k)
		labels[b] = k
		l := m.locs[k*d : (k+1)*d]
		for j := 0; j < d; j++ {
			x[b*d+j] = l[j] + studentT(rng, m.nu)
		}
	}
	return x, labels
}

// studentT draws a standard Student-t variate with ν degrees of freedom as Z/√(G/ν) with
// G = 2·Gamma(ν/2) ~ χ²_ν. For ν = 2 the χ² is 2·Exp(1), so T = Z/√Exp(1).
func studentT(rng *rand.Rand, nu float64) float64 {
	z := rng.NormFloat64()
	var w float64 // G/ν
	if nu == 2 {
		w = rng.ExpFloat64()
	} else {
		w = 2 * gammaVariate(rng, nu/2) / nu
	}
	return z / math.Sqrt(w)
}

// gammaVariate draws from Gamma(shape a, scale 1) by Marsaglia and Tsang (2000), with the
// usual U^(1/a) boost for a < 1.
func gammaVariate(rng *rand.Rand, a float64) float64 {
	if a < 1 {
		u := rng.Float64()
		for u == 0 {
			u = rng.Float64()
		}
		return gammaVariate(rng, a+1) * math.Pow(u, 1/a)
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		z := rng.NormFloat64()
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*z*z*z*z {
			return d * v
		}
		if u > 0 && math.Log(u) < 0.5*z*z+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
