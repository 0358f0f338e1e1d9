package targets

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func mustGMM40(t testing.TB) *GaussMixture {
	t.Helper()
	m, err := NewGMM40()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustMoS50(t testing.TB) *StudentTMixture {
	t.Helper()
	m, err := NewMoS50()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// energyAt evaluates E at one point.
func energyAt(t Target, x []float64) float64 {
	e := make([]float64, 1)
	t.Energy(x, e)
	return e[0]
}

// fivePoint is the fourth-order central difference
// f'(0) ≈ [8(f(h) − f(−h)) − (f(2h) − f(−2h))]/(12h), applied to a vector-valued f.
func fivePoint(f func(s float64, out []float64), h float64, n int) []float64 {
	p1, m1, p2, m2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	f(h, p1)
	f(-h, m1)
	f(2*h, p2)
	f(-2*h, m2)
	out := make([]float64, n)
	for i := range out {
		out[i] = (8*(p1[i]-m1[i]) - (p2[i] - m2[i])) / (12 * h)
	}
	return out
}

// fdGrad is the five-point finite-difference gradient of E at one point x.
func fdGrad(t Target, x []float64, h float64) []float64 {
	d := len(x)
	g := make([]float64, d)
	y := make([]float64, d)
	for j := 0; j < d; j++ {
		dj := fivePoint(func(s float64, out []float64) {
			copy(y, x)
			y[j] += s
			out[0] = energyAt(t, y)
		}, h, 1)
		g[j] = dj[0]
	}
	return g
}

// fdHVP is the five-point finite difference of ∇E along v at one point x.
func fdHVP(t Target, x, v []float64, h float64) []float64 {
	d := len(x)
	y := make([]float64, d)
	return fivePoint(func(s float64, out []float64) {
		for j := range y {
			y[j] = x[j] + s*v[j]
		}
		t.Grad(y, out)
	}, h, d)
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// ksStat returns the Kolmogorov–Smirnov statistic sup|F_n − F| of the samples (sorted in
// place) against the CDF F.
func ksStat(samples []float64, cdf func(float64) float64) float64 {
	sort.Float64s(samples)
	n := float64(len(samples))
	d := 0.0
	for i, x := range samples {
		f := cdf(x)
		d = math.Max(d, math.Max(f-float64(i)/n, float64(i+1)/n-f))
	}
	return d
}

// ksCritical is the asymptotic KS critical value for n samples at significance 6e-5, about
// the two-sided 4σ level: P(√n·D > 2.28) ≈ 2e^{−2·2.28²} ≈ 6e-5.
func ksCritical(n int) float64 { return 2.28 / math.Sqrt(float64(n)) }

// meanSE returns the sample mean and its standard error.
func meanSE(v []float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// column returns coordinate j of the n×d row-major x.
func column(x []float64, d, j int) []float64 {
	n := len(x) / d
	c := make([]float64, n)
	for b := range c {
		c[b] = x[b*d+j]
	}
	return c
}

// checkCounts asserts that each of the K label counts of n draws is within 4 standard errors
// of n·p with p = 1/K.
func checkCounts(t *testing.T, what string, labels []int, k int) {
	t.Helper()
	counts := make([]int, k)
	for _, l := range labels {
		counts[l]++
	}
	n := float64(len(labels))
	p := 1 / float64(k)
	se := math.Sqrt(n * p * (1 - p))
	for i, c := range counts {
		if math.Abs(float64(c)-n*p) > 4*se {
			t.Errorf("%s: mode %d drawn %d times of %.0f, want %.1f ± %.1f (4 SE)", what, i, c, n, n*p, 4*se)
		}
	}
}
