package targets

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// normalLogPDF is log N(x; μ, σ²).
func normalLogPDF(x, mu, sigma float64) float64 {
	z := (x - mu) / sigma
	return -0.5*z*z - math.Log(sigma) - 0.5*math.Log(2*math.Pi)
}

// t2LogPDF is the log density of Student-t with 2 degrees of freedom, (2 + t²)^(−3/2), the
// derivative of its closed-form CDF 1/2 + t/(2√(2 + t²)).
func t2LogPDF(t float64) float64 { return -1.5 * math.Log(2+t*t) }

// relClose reports |a − b| ≤ tol·(1 + |b|).
func relClose(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// testPoints returns exact samples followed by uniform points in [−lim, lim]^d.
func testPoints(t Target, seed uint64, nSample, nBox int, lim float64) []float64 {
	rng := newRNG(seed)
	x := t.Sample(rng, nSample)
	for i := 0; i < nBox*t.Dim(); i++ {
		x = append(x, lim*(2*rng.Float64()-1))
	}
	return x
}

// TestGaussNormalised: E = −Σ log N(xᵢ; μᵢ, σᵢ²) (textbook density), to 1e-12 relative;
// log Z = 0 closed form.
func TestGaussNormalised(t *testing.T) {
	mean, vars := []float64{1, -2, 0.5}, []float64{0.25, 4, 1}
	g, err := NewGauss("g", mean, vars)
	if err != nil {
		t.Fatal(err)
	}
	x := testPoints(g, 31, 20, 20, 10)
	e := make([]float64, len(x)/3)
	g.Energy(x, e)
	for b := range e {
		want := 0.0
		for i := 0; i < 3; i++ {
			want -= normalLogPDF(x[b*3+i], mean[i], math.Sqrt(vars[i]))
		}
		if !relClose(e[b], want, 1e-12) {
			t.Errorf("point %d: E = %.15g, want %.15g", b, e[b], want)
		}
	}
	if lz, ok := g.LogZ(); lz != 0 || !ok {
		t.Errorf("LogZ = %v, %v", lz, ok)
	}
}

// TestMixturesMatchReference: gmm40's and mos50's E equal −log (1/K)Σ_k Π_j p(x_j) built from
// independent 1-D log densities (the normal's textbook form; the t₂ density as the
// derivative of its closed-form CDF) and gonum's floats.LogSumExp, to 1e-10 relative, at
// exact samples and at points between the modes. This checks the normalising constants in
// d = 50.
func TestMixturesMatchReference(t *testing.T) {
	gmm := mustGMM40(t)
	mos := mustMoS50(t)
	cases := []struct {
		t       Target
		centres []float64
		logp    func(z float64) float64
	}{
		{gmm, gmm.Means(), func(z float64) float64 { return normalLogPDF(z, 0, 1) }},
		{mos, mos.Locations(), t2LogPDF},
	}
	for _, c := range cases {
		d := c.t.Dim()
		k := len(c.centres) / d
		x := testPoints(c.t, 32, 10, 10, 45)
		e := make([]float64, len(x)/d)
		c.t.Energy(x, e)
		lp := make([]float64, k)
		for b := range e {
			for kk := 0; kk < k; kk++ {
				s := 0.0
				for j := 0; j < d; j++ {
					s += c.logp(x[b*d+j] - c.centres[kk*d+j])
				}
				lp[kk] = s
			}
			want := -(floats.LogSumExp(lp) - math.Log(float64(k)))
			if !relClose(e[b], want, 1e-10) {
				t.Errorf("%s point %d: E = %.15g, want %.15g", c.t.Name(), b, e[b], want)
			}
		}
	}
}

// TestFunnelMatchesReference: E = −log N(x₀; 0, 9) − Σ log N(xᵢ; 0, e^{x₀}), 1e-12.
func TestFunnelMatchesReference(t *testing.T) {
	f, err := NewFunnel(10, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := testPoints(f, 33, 20, 20, 8)
	e := make([]float64, len(x)/10)
	f.Energy(x, e)
	for b := range e {
		x0 := x[b*10]
		want := -normalLogPDF(x0, 0, 3)
		for i := 1; i < 10; i++ {
			want -= normalLogPDF(x[b*10+i], 0, math.Exp(x0/2))
		}
		if !relClose(e[b], want, 1e-12) {
			t.Errorf("point %d: E = %.15g, want %.15g", b, e[b], want)
		}
	}
}

// gridIntegral2D integrates exp(−E) over [lo, hi]² with the trapezoid rule on n×n nodes,
// evaluating E through the batched interface.
func gridIntegral2D(tg Target, lo, hi float64, n int, jac func(u float64) (x, w float64)) float64 {
	h := (hi - lo) / float64(n-1)
	xs, ws := make([]float64, n), make([]float64, n)
	for i := range xs {
		u := lo + float64(i)*h
		xs[i], ws[i] = jac(u)
		if i == 0 || i == n-1 {
			ws[i] *= 0.5
		}
		ws[i] *= h
	}
	row := make([]float64, 2*n)
	e := make([]float64, n)
	sum := 0.0
	for i := range xs {
		for j := range xs {
			row[2*j], row[2*j+1] = xs[i], xs[j]
		}
		tg.Energy(row, e)
		for j := range xs {
			sum += ws[i] * ws[j] * math.Exp(-e[j])
		}
	}
	return sum
}

// TestMixtureNormalised2D: the mixture code, instantiated in d = 2 with K = 3 and
// overlapping components, integrates to 1 on a grid: the Gaussian mixture by the trapezoid
// rule on [−14, 16]² (step 0.02; tolerance 1e-9), the Student-t mixture after the
// substitution x = 4 tan u, u ∈ (−π/2, π/2), which maps the heavy tails onto a bounded
// interval (midpoint rule with 3000 nodes per axis; tolerance 1e-6, its observed error being
// 1e-8). In d = 1 (K = 3, 400000 nodes) the same check holds to 1e-9.
func TestMixtureNormalised2D(t *testing.T) {
	centres := []float64{0, 0, 3, -1, -2, 4}
	gm, err := NewGaussMixture("g2", centres, 2, 1.3)
	if err != nil {
		t.Fatal(err)
	}
	id := func(u float64) (float64, float64) { return u, 1 }
	if z := gridIntegral2D(gm, -14, 16, 1501, id); math.Abs(z-1) > 1e-9 {
		t.Errorf("Gaussian mixture d=2: ∫exp(−E) = %.12f, want 1", z)
	}
	tm, err := NewStudentTMixture("t2", centres, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	h := math.Pi / n
	tan := func(u float64) (float64, float64) {
		c := math.Cos(u)
		return 4 * math.Tan(u), 4 / (c * c)
	}
	z := midpointIntegral2D(tm, -math.Pi/2, h, n, tan)
	if math.Abs(z-1) > 1e-6 {
		t.Errorf("Student-t mixture d=2: ∫exp(−E) = %.9f, want 1", z)
	}
	t.Logf("Student-t mixture d=2: |∫exp(−E) − 1| = %.2g", math.Abs(z-1))
	// d = 1, K = 3, finer: checks the 1-D normaliser to 1e-9.
	t1, err := NewStudentTMixture("t1", []float64{-3, 0.5, 7}, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	const n1 = 400000
	h1 := math.Pi / n1
	x1, w1 := make([]float64, n1), make([]float64, n1)
	for i := range x1 {
		x1[i], w1[i] = tan(-math.Pi/2 + (float64(i)+0.5)*h1)
	}
	e1 := make([]float64, n1)
	t1.Energy(x1, e1)
	z1 := 0.0
	for i := range e1 {
		z1 += h1 * w1[i] * math.Exp(-e1[i])
	}
	if math.Abs(z1-1) > 1e-9 {
		t.Errorf("Student-t mixture d=1: ∫exp(−E) = %.12f, want 1", z1)
	}
}

// midpointIntegral2D integrates exp(−E(x(u), x(v)))·x'(u)·x'(v) with the midpoint rule on
// n×n nodes u_i = lo + (i+½)h.
func midpointIntegral2D(tg Target, lo, h float64, n int, sub func(u float64) (x, w float64)) float64 {
	xs, ws := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ws[i] = sub(lo + (float64(i)+0.5)*h)
		ws[i] *= h
	}
	row := make([]float64, 2*n)
	e := make([]float64, n)
	sum := 0.0
	for i := range xs {
		for j := range xs {
			row[2*j], row[2*j+1] = xs[i], xs[j]
		}
		tg.Energy(row, e)
		for j := range xs {
			sum += ws[i] * ws[j] * math.Exp(-e[j])
		}
	}
	return sum
}

// TestManyWellLogZ: z₁ by the constructor's Gauss–Legendre rule (order 20) equals the
// order-10 rule and an independent trapezoid rule (step 1e-3 on [−6, 6], spectrally accurate
// for this smooth, rapidly decaying integrand) to 1e-13 relative; log Z = 5·log z₁; and it
// agrees with the PyTorch peer's scipy value quoted in docs/naas.md (−0.54, two digits).
func TestManyWellLogZ(t *testing.T) {
	w, err := NewManyWell(5)
	if err != nil {
		t.Fatal(err)
	}
	z := manyWellZ1(20, 96)
	if z10 := manyWellZ1(10, 96); math.Abs(z10-z) > 1e-13*z {
		t.Errorf("z₁: order 20 %.16g vs order 10 %.16g", z, z10)
	}
	const h = 1e-3
	trap := 0.0
	for i := 0; i <= 12000; i++ {
		x := -6 + float64(i)*h
		u := x*x - 4
		wt := h
		if i == 0 || i == 12000 {
			wt = h / 2
		}
		trap += wt * math.Exp(-u*u)
	}
	if math.Abs(trap-z) > 1e-13*z {
		t.Errorf("z₁: Gauss–Legendre %.16g vs trapezoid %.16g", z, trap)
	}
	lz, ok := w.LogZ()
	if !ok || math.Abs(lz-5*math.Log(z)) > 1e-14 {
		t.Errorf("LogZ = %.16g, %v; want %.16g", lz, ok, 5*math.Log(z))
	}
	if math.Abs(lz-(-0.54)) > 0.005 {
		t.Errorf("LogZ = %.6f, docs/naas.md quotes −0.54", lz)
	}
	t.Logf("manywell5: z₁ = %.16g, log Z = %.16g", z, lz)
}

// TestMoSFarField: the energy stays finite and accurate far from the locations, where the
// running product in StudentTMixture.resp would overflow without its guards (factors up to
// 1e320 and products of many 1e30 factors), against a reference using
// log(2 + t²) = 2log|t| + log1p(2/t²). Tolerance 1e-12 relative.
func TestMoSFarField(t *testing.T) {
	m, err := NewStudentTMixture("far", []float64{0, 0, 0, 0, 1, -1, 2, 0.5}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(x []float64) float64 {
		locs := m.Locations()
		lp := make([]float64, 2)
		for k := range lp {
			for j, xj := range x {
				z := xj - locs[k*4+j]
				// log t₂(z) = log(1/(2√2)) − 1.5 log(1 + z²/2); with (2 + z²)^(−3/2) and
				// the normaliser folded in: log t₂(z) = −1.5 log(2 + z²).
				lp[k] -= 1.5 * (2*math.Log(math.Abs(z)) + math.Log1p(2/(z*z)))
			}
		}
		return -(floats.LogSumExp(lp) - math.Log(2))
	}
	for _, x := range [][]float64{
		{1e30, 1e30, -1e30, 1e30},
		{1e160, 3, -2, 1},
		{1e60, -1e60, 1e80, 1e90},
	} {
		e := make([]float64, 1)
		m.Energy(x, e)
		if want := ref(x); !relClose(e[0], want, 1e-12) || math.IsInf(e[0], 0) {
			t.Errorf("E(%v) = %.15g, want %.15g", x, e[0], want)
		}
	}
}
