package targets

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// TestGaussSampler: sample mean within 4 SE of μ, sample variances within 4 SE of σ²
// (SE = σ²√(2/n)) and covariances within 4 SE of 0 (SE = σᵢσⱼ/√n); n = 40000, d = 3.
func TestGaussSampler(t *testing.T) {
	mean, vars := []float64{1, -2, 0.5}, []float64{0.25, 4, 1}
	g, err := NewGauss("g", mean, vars)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40000
	x := g.Sample(newRNG(21), n)
	for i := 0; i < 3; i++ {
		ci := column(x, 3, i)
		m, _ := meanSE(ci)
		if se := math.Sqrt(vars[i] / n); math.Abs(m-mean[i]) > 4*se {
			t.Errorf("coord %d: mean %.4f, want %.4f ± %.4f", i, m, mean[i], 4*se)
		}
		for j := i; j < 3; j++ {
			cj := column(x, 3, j)
			s := 0.0
			for b := range ci {
				s += (ci[b] - mean[i]) * (cj[b] - mean[j])
			}
			s /= n
			want, se := 0.0, math.Sqrt(vars[i]*vars[j]/n)
			if i == j {
				want, se = vars[i], vars[i]*math.Sqrt(2.0/n)
			}
			if math.Abs(s-want) > 4*se {
				t.Errorf("cov[%d][%d] = %.4f, want %.4f ± %.4f", i, j, s, want, 4*se)
			}
		}
	}
}

// TestGMM40Sampler: with m = mean of the 40 means and Σ = I + (1/K)Σ_k(μ_k − m)(μ_k − m)ᵀ,
// every coordinate of the sample mean is within 4.5 SE of m (50 tests) and every entry of
// the second moment about m within 5 SE of Σ (1275 tests; SE estimated from the products),
// n = 20000. Also the component frequencies are within 4 SE of 1/40.
func TestGMM40Sampler(t *testing.T) {
	m := mustGMM40(t)
	const d, n = 50, 20000
	mu := m.Means()
	k := m.NModes()
	mbar := make([]float64, d)
	for c := 0; c < k; c++ {
		for j := 0; j < d; j++ {
			mbar[j] += mu[c*d+j] / float64(k)
		}
	}
	sigma := make([]float64, d*d)
	for i := 0; i < d; i++ {
		sigma[i*d+i] = 1
		for j := 0; j < d; j++ {
			for c := 0; c < k; c++ {
				sigma[i*d+j] += (mu[c*d+i] - mbar[i]) * (mu[c*d+j] - mbar[j]) / float64(k)
			}
		}
	}
	x, labels := m.SampleLabeled(newRNG(22), n)
	checkCounts(t, "gmm40", labels, k)
	worstMean, worstCov := 0.0, 0.0
	for i := 0; i < d; i++ {
		s := 0.0
		for b := 0; b < n; b++ {
			s += x[b*d+i]
		}
		z := math.Abs(s/n-mbar[i]) / math.Sqrt(sigma[i*d+i]/n)
		worstMean = math.Max(worstMean, z)
		for j := i; j < d; j++ {
			s1, s2 := 0.0, 0.0
			for b := 0; b < n; b++ {
				p := (x[b*d+i] - mbar[i]) * (x[b*d+j] - mbar[j])
				s1 += p
				s2 += p * p
			}
			mean := s1 / n
			se := math.Sqrt((s2/n - mean*mean) / n)
			worstCov = math.Max(worstCov, math.Abs(mean-sigma[i*d+j])/se)
		}
	}
	if worstMean > 4.5 {
		t.Errorf("gmm40 sample mean: worst |z| = %.2f > 4.5", worstMean)
	}
	if worstCov > 5 {
		t.Errorf("gmm40 sample covariance: worst |z| = %.2f > 5", worstCov)
	}
	t.Logf("gmm40: worst mean |z| %.2f, worst covariance |z| %.2f", worstMean, worstCov)
}

// studentT2CDF is the closed-form CDF of Student-t with 2 degrees of freedom.
func studentT2CDF(t float64) float64 { return 0.5 + t/(2*math.Sqrt(2+t*t)) }

// TestMoS50Sampler: each coordinate minus its component's location follows Student-t(2):
// KS against F(t) = 1/2 + t/(2√(2+t²)) for the pooled 50·4000 values and for each coordinate
// separately (critical value at the ≈4σ level, 6e-5); component frequencies within 4 SE of
// 1/10.
func TestMoS50Sampler(t *testing.T) {
	m := mustMoS50(t)
	const d, n = 50, 4000
	loc := m.Locations()
	x, labels := m.SampleLabeled(newRNG(23), n)
	checkCounts(t, "mos50", labels, m.NModes())
	pooled := make([]float64, 0, n*d)
	worst := 0.0
	for j := 0; j < d; j++ {
		c := make([]float64, n)
		for b := 0; b < n; b++ {
			c[b] = x[b*d+j] - loc[labels[b]*d+j]
		}
		pooled = append(pooled, c...)
		worst = math.Max(worst, ksStat(c, studentT2CDF)/ksCritical(n))
	}
	if worst > 1 {
		t.Errorf("mos50 per-coordinate KS: worst D/critical = %.2f > 1", worst)
	}
	if D := ksStat(pooled, studentT2CDF); D > ksCritical(len(pooled)) {
		t.Errorf("mos50 pooled KS D = %.4g > critical %.4g", D, ksCritical(len(pooled)))
	}
}

// TestStudentTGeneralDF checks the Gamma-based Student-t sampler used for df ≠ 2 through
// its variance ν/(ν−2) for ν = 5 (within 4 SE, with the SE of the sample variance estimated
// from the fourth moment), and its median 0.
func TestStudentTGeneralDF(t *testing.T) {
	m, err := NewStudentTMixture("t5", []float64{0}, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200000
	x := m.Sample(newRNG(24), n)
	sq := make([]float64, n)
	pos := 0
	for i, v := range x {
		sq[i] = v * v
		if v > 0 {
			pos++
		}
	}
	v, se := meanSE(sq)
	if math.Abs(v-5.0/3) > 4*se {
		t.Errorf("t(5) variance %.4f, want %.4f ± %.4f", v, 5.0/3, 4*se)
	}
	if math.Abs(float64(pos)-n/2) > 4*math.Sqrt(n/4) {
		t.Errorf("t(5): %d of %d positive", pos, n)
	}
}

// TestFunnelSampler (unclipped): x₀ has variance 9 (within 4 SE, SE = 9√(2/n)) and passes KS
// against N(0, 9); E[xᵢ² e^{−x₀}] = 1 (within 4 SE); n = 40000.
func TestFunnelSampler(t *testing.T) {
	f, err := NewFunnel(10, 0)
	if err != nil {
		t.Fatal(err)
	}
	const d, n = 10, 40000
	x := f.Sample(newRNG(25), n)
	x0 := column(x, d, 0)
	s := 0.0
	for _, v := range x0 {
		s += v * v
	}
	if v, se := s/n, 9*math.Sqrt(2.0/n); math.Abs(v-9) > 4*se {
		t.Errorf("funnel Var x0 = %.4f, want 9 ± %.4f", v, 4*se)
	}
	if D := ksStat(x0, func(v float64) float64 { return 0.5 * math.Erfc(-v/(3*math.Sqrt2)) }); D > ksCritical(n) {
		t.Errorf("funnel x0 KS D = %.4g > %.4g", D, ksCritical(n))
	}
	y := make([]float64, n)
	for b := 0; b < n; b++ {
		w := math.Exp(-x[b*d])
		for i := 1; i < d; i++ {
			y[b] += x[b*d+i] * x[b*d+i] * w / (d - 1)
		}
	}
	if m, se := meanSE(y); math.Abs(m-1) > 4*se {
		t.Errorf("funnel E[x_i² e^{-x0}] = %.4f, want 1 ± %.4f", m, 4*se)
	}
}

// funnelClipProb is P(|xᵢ| > c) for one coordinate i ≥ 1 of the funnel,
// ∫ N(x₀; 0, 9)·erfc(c e^{−x₀/2}/√2) dx₀, by composite Gauss–Legendre on [−45, 45].
func funnelClipProb(c float64) float64 {
	const panels, order = 180, 20
	x, w := make([]float64, order), make([]float64, order)
	sum := 0.0
	for p := 0; p < panels; p++ {
		a := -45 + 90*float64(p)/panels
		quad.Legendre{}.FixedLocations(x, w, a, a+90.0/panels)
		for i, x0 := range x {
			dens := math.Exp(-x0*x0/18) / (3 * math.Sqrt(2*math.Pi))
			sum += w[i] * dens * math.Erfc(c*math.Exp(-x0/2)/math.Sqrt2)
		}
	}
	return sum
}

// TestFunnelClip: with the benchmark's bound every coordinate lies in [−30, 30], and the
// fraction of clipped xᵢ (i ≥ 1) matches the quadrature probability within 4 SE (SE from
// the per-row counts, which are i.i.d.); n = 40000.
func TestFunnelClip(t *testing.T) {
	f, err := NewFunnel(10, FunnelClip)
	if err != nil {
		t.Fatal(err)
	}
	const d, n = 10, 40000
	x := f.Sample(newRNG(26), n)
	frac := make([]float64, n)
	for b := 0; b < n; b++ {
		for i := 0; i < d; i++ {
			v := x[b*d+i]
			if math.Abs(v) > FunnelClip {
				t.Fatalf("sample %d coord %d = %g outside [-30, 30]", b, i, v)
			}
			if i > 0 && math.Abs(v) == FunnelClip {
				frac[b] += 1.0 / (d - 1)
			}
		}
	}
	p := funnelClipProb(FunnelClip)
	m, se := meanSE(frac)
	if math.Abs(m-p) > 4*se {
		t.Errorf("clipped fraction %.5f, want %.5f ± %.5f", m, p, 4*se)
	}
	t.Logf("funnel10: P(|x_i| > 30) = %.5f by quadrature, %.5f in %d samples", p, m, n)
}

// manyWellCDF returns the CDF of exp(−(t² − 4)²)/z₁ by cumulative trapezoid on a grid of
// step 1e-4 over [−6, 6] (normalised by its own total), linearly interpolated: a method
// independent of the sampler and of the Gauss–Legendre z₁.
func manyWellCDF() func(float64) float64 {
	const h = 1e-4
	n := int(12 / h)
	cum := make([]float64, n+1)
	p := func(t float64) float64 { u := t*t - 4; return math.Exp(-u * u) }
	for i := 1; i <= n; i++ {
		a := -6 + float64(i-1)*h
		cum[i] = cum[i-1] + 0.5*h*(p(a)+p(a+h))
	}
	total := cum[n]
	return func(t float64) float64 {
		if t <= -6 {
			return 0
		}
		if t >= 6 {
			return 1
		}
		s := (t + 6) / h
		i := int(s)
		if i >= n {
			return 1
		}
		fr := s - float64(i)
		return (cum[i] + fr*(cum[i+1]-cum[i])) / total
	}
}

// TestManyWellSampler: the pooled coordinates (5·32000) pass KS against the quadrature CDF;
// the 32 sign patterns (Modes) each have frequency within 4 SE of 1/32.
func TestManyWellSampler(t *testing.T) {
	w, err := NewManyWell(5)
	if err != nil {
		t.Fatal(err)
	}
	const d, n = 5, 32000
	x := w.Sample(newRNG(27), n)
	labels := make([]int, n)
	w.Modes(x, labels)
	checkCounts(t, "manywell5", labels, w.NModes())
	vals := append([]float64(nil), x...)
	if D := ksStat(vals, manyWellCDF()); D > ksCritical(len(vals)) {
		t.Errorf("manywell5 marginal KS D = %.4g > %.4g", D, ksCritical(len(vals)))
	}
	// Same check per coordinate.
	cdf := manyWellCDF()
	for j := 0; j < d; j++ {
		if D := ksStat(column(x, d, j), cdf); D > ksCritical(n) {
			t.Errorf("manywell5 coord %d KS D = %.4g > %.4g", j, D, ksCritical(n))
		}
	}
}

// TestManyWellAcceptance: the rejection envelope is valid, exp(−(t²−4)²) ≤ M q(t) on a grid
// of step 1e-5 over [−7, 7], and not wasteful (acceptance z₁/M ≥ 0.5).
func TestManyWellAcceptance(t *testing.T) {
	w, err := NewManyWell(5)
	if err != nil {
		t.Fatal(err)
	}
	worst := math.Inf(-1)
	for i := 0; i <= 1400000; i++ {
		x := -7 + float64(i)*1e-5
		u := x*x - 4
		worst = math.Max(worst, -u*u-manyWellLogQ(x)-w.logM)
	}
	if worst > 0 {
		t.Errorf("envelope violated: max log(p/(Mq)) = %g > 0", worst)
	}
	acc := math.Exp(w.logZ1 - w.logM)
	if acc < 0.5 {
		t.Errorf("acceptance rate %.3f < 0.5", acc)
	}
	t.Logf("manywell rejection: acceptance %.4f, envelope slack %.2g in log", acc, -worst)
}
