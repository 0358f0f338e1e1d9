package experiments

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/naas-go/naas/dynamics"
)

// wellMix is E(x) = −log Σ_k w_k N(x; μ_k, s_k² I) in d dimensions, a test energy whose
// basins have unequal masses w_k and unequal widths s_k (the benchmark mixtures have equal
// ones). With the means far apart, each basin's mass is w_k up to exp(−separation²) terms.
type wellMix struct {
	d     int
	w, s  []float64
	means []float64 // K·d
}

func (m wellMix) Dim() int { return m.d }

// terms writes ℓ_k(x) = log w_k − |x − μ_k|²/(2s_k²) − (d/2) log 2πs_k² into l and returns
// log Σ exp(ℓ_k).
func (m wellMix) terms(x, l []float64) float64 {
	mx := math.Inf(-1)
	for k := range m.w {
		var r2 float64
		for i, v := range x {
			z := v - m.means[k*m.d+i]
			r2 += z * z
		}
		l[k] = math.Log(m.w[k]) - r2/(2*m.s[k]*m.s[k]) - 0.5*float64(m.d)*math.Log(2*math.Pi*m.s[k]*m.s[k])
		mx = math.Max(mx, l[k])
	}
	var t float64
	for _, v := range l {
		t += math.Exp(v - mx)
	}
	return mx + math.Log(t)
}

func (m wellMix) Energy(x, e []float64) {
	l := make([]float64, len(m.w))
	for b := range e {
		e[b] = -m.terms(x[b*m.d:(b+1)*m.d], l)
	}
}

// gradAt returns the responsibilities r_k, a_k = (x − μ_k)/s_k² (K·d) and ∇E = Σ r_k a_k.
func (m wellMix) gradAt(x []float64) (r, a, g []float64) {
	K, d := len(m.w), m.d
	r = make([]float64, K)
	lse := m.terms(x, r)
	a, g = make([]float64, K*d), make([]float64, d)
	for k := range r {
		r[k] = math.Exp(r[k] - lse)
		for i := 0; i < d; i++ {
			a[k*d+i] = (x[i] - m.means[k*d+i]) / (m.s[k] * m.s[k])
			g[i] += r[k] * a[k*d+i]
		}
	}
	return r, a, g
}

func (m wellMix) Grad(x, g []float64) {
	for b := 0; b < len(x)/m.d; b++ {
		_, _, gb := m.gradAt(x[b*m.d : (b+1)*m.d])
		copy(g[b*m.d:], gb)
	}
}

// HVP: ∇²E = Σ r_k I/s_k² − Σ r_k a_k a_kᵀ + g gᵀ.
func (m wellMix) HVP(x, v, hv []float64) {
	d := m.d
	for b := 0; b < len(x)/d; b++ {
		r, a, g := m.gradAt(x[b*d : (b+1)*d])
		vb, out := v[b*d:(b+1)*d], hv[b*d:(b+1)*d]
		var gv float64
		for i := range g {
			gv += g[i] * vb[i]
		}
		for i := range out {
			out[i] = g[i] * gv
		}
		for k := range r {
			var av float64
			for i := 0; i < d; i++ {
				av += a[k*d+i] * vb[i]
			}
			for i := 0; i < d; i++ {
				out[i] += r[k] * (vb[i]/(m.s[k]*m.s[k]) - a[k*d+i]*av)
			}
		}
	}
}

// sample draws n points of component k.
func (m wellMix) sample(rng *rand.Rand, k, n int) []float64 {
	x := make([]float64, n*m.d)
	for i := range x {
		x[i] = m.means[k*m.d+i%m.d] + m.s[k]*rng.NormFloat64()
	}
	return x
}

func testWellMix() wellMix {
	return wellMix{d: 3, w: []float64{0.2, 0.5, 0.3}, s: []float64{0.5, 1, 2},
		means: []float64{-30, 0, 0, 0, 30, 0, 30, 0, 10}}
}

// TestWellMixHVP checks the test energy's gradient and Hessian–vector product against
// central differences, so that the Laplace masses below rest on correct curvature.
func TestWellMixHVP(t *testing.T) {
	m := testWellMix()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 6; trial++ {
		x := m.sample(rng, trial%3, 1)
		for i := range x {
			x[i] += 3 * rng.NormFloat64()
		}
		v := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		g, hv := make([]float64, 3), make([]float64, 3)
		m.Grad(x, g)
		m.HVP(x, v, hv)
		const h = 1e-5
		xp, xm := make([]float64, 3), make([]float64, 3)
		gp, gm := make([]float64, 3), make([]float64, 3)
		ep, em := make([]float64, 1), make([]float64, 1)
		for i := range x {
			xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
		}
		m.Grad(xp, gp)
		m.Grad(xm, gm)
		m.Energy(xp, ep)
		m.Energy(xm, em)
		var gv float64
		for i := range g {
			gv += g[i] * v[i]
			if fd := (gp[i] - gm[i]) / (2 * h); math.Abs(fd-hv[i]) > 1e-5*(1+math.Abs(fd)) {
				t.Errorf("HVP[%d] at %v: %g, finite difference %g", i, x, hv[i], fd)
			}
		}
		if fd := (ep[0] - em[0]) / (2 * h); math.Abs(fd-gv) > 1e-5*(1+math.Abs(fd)) {
			t.Errorf("∇E·v at %v: %g, finite difference %g", x, gv, fd)
		}
	}
}

// TestBasinMasses: descent from points scattered around the three components finds exactly
// their means as three basins, and both mass estimators recover the unequal weights
// (0.2, 0.5, 0.3) of basins with unequal widths: the Laplace one to 1e-9 (exact for Gaussian
// basins), importance sampling from Gaussians fitted to exact samples of each basin within
// four of its own standard errors.
func TestBasinMasses(t *testing.T) {
	m := testWellMix()
	d := m.d
	rng := rand.New(rand.NewPCG(3, 4))
	var ends []float64
	for k := range m.w {
		ends = append(ends, m.sample(rng, k, 400)...)
	}
	mins := append([]float64(nil), ends...)
	descend(m, mins, d, 2000)
	bp := &BasinPrior{D: d, Centres: clusterMinima(ends, mins, d)}
	if k := len(bp.Centres) / d; k != 3 {
		t.Fatalf("%d basins found, want 3: %v", k, bp.Centres)
	}
	bp.Alpha = make([]float64, 3)
	order := make([]int, 3) // basin j is component order[j]
	for j := 0; j < 3; j++ {
		order[j] = -1
		for k := range m.w {
			var r2 float64
			for i := 0; i < d; i++ {
				z := bp.Centres[j*d+i] - m.means[k*d+i]
				r2 += z * z
			}
			if math.Sqrt(r2) < 1e-6 {
				order[j] = k
			}
		}
		if order[j] < 0 {
			t.Fatalf("centre %d = %v is no component mean", j, bp.Centres[j*d:(j+1)*d])
		}
	}
	lap, err := bp.laplaceMasses(m)
	if err != nil {
		t.Fatal(err)
	}
	for j, p := range softmax(lap) {
		if math.Abs(p-m.w[order[j]]) > 1e-9 {
			t.Errorf("Laplace mass of basin %d: %.12f, want %g", j, p, m.w[order[j]])
		}
	}
	le := make([]int, len(ends)/d)
	bp.Label(ends, le)
	o := DefaultBasinOptions()
	o.Mass, o.Draws = MassIS, 4000
	lz, se := bp.masses(m, ends, le, o, rand.New(rand.NewPCG(5, 6)))
	for j := range lz {
		want := math.Log(m.w[order[j]])
		if math.Abs(lz[j]-want) > 4*se[j] || !(se[j] < 0.05) {
			t.Errorf("IS log mass of basin %d: %.4f ± %.4f, want %.4f", j, lz[j], se[j], want)
		}
	}
	// One basin of a single-well energy has a positive definite Hessian; a saddle does not.
	flat := &BasinPrior{D: d, Centres: []float64{0, 0, 0}, Alpha: []float64{1}}
	if _, err := flat.laplaceMasses(wellMix{d: 3, w: []float64{0.5, 0.5}, s: []float64{1, 1},
		means: []float64{-1, 0, 0, 1, 0, 0}}); err == nil || !strings.Contains(err.Error(), "not positive definite") {
		t.Errorf("Laplace mass at a saddle: %v, want a positive-definiteness error", err)
	}
}

// TestBasinPriorDraw: a hand-made basin prior on gauss2 (basins x₀ < 0 and x₀ > 0 of the
// prior N(0, I), weights α = (0.5, 1.5), whose prior mean is 1) draws start points whose
// basin fraction is α₁·½ = 0.75, with log densities log N(x; 0, I) + log α_b; and the
// annealed stage started from it keeps unbiased weights: mean exp(LogW) estimates Z = 1.
func TestBasinPriorDraw(t *testing.T) {
	e, err := Lookup("gauss2")
	if err != nil {
		t.Fatal(err)
	}
	smp, err := Build(e.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	p := smp.Proc
	if p.SV != 1 || p.M[0] != 0 {
		t.Fatalf("gauss2's reference prior is N(%v, %g²I); the test assumes N(0, I)", p.M, p.SV)
	}
	bp := &BasinPrior{D: 2, Centres: []float64{-1, 0, 1, 0}, Alpha: []float64{0.5, 1.5}, Start: []float64{0.5, 0.5}}
	if err := bp.Check(2); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	x0, logq, err := bp.Draw(p, n, rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	var right float64
	for b := 0; b < n; b++ {
		row := x0[2*b : 2*b+2]
		j := 0
		if row[0] > 0 {
			j, right = 1, right+1
		}
		if want := p.LogPriorRef(row) + math.Log(bp.Alpha[j]); math.Abs(logq[b]-want) > 1e-12 {
			t.Fatalf("log density of start %d: %g, want %g", b, logq[b], want)
		}
	}
	if f, se := right/n, math.Sqrt(0.75*0.25/n); math.Abs(f-0.75) > 4*se {
		t.Errorf("fraction of starts in basin x₀ > 0: %.4f, want 0.75 ± %.4f", f, se)
	}
	out, err := bp.Sample(p, n, 4000, nil, rand.New(rand.NewPCG(9, 10)))
	if err != nil {
		t.Fatal(err)
	}
	var s, s2 float64
	for _, lw := range out.LogW {
		w := math.Exp(lw)
		s += w
		s2 += w * w
	}
	mean := s / n
	se := math.Sqrt((s2/n - mean*mean) / n)
	if math.Abs(mean-1) > 4*se || !(se < 0.1) {
		t.Errorf("mean path weight from the basin prior: %.4f ± %.4f, want Z = 1", mean, se)
	}
	for _, bad := range []*BasinPrior{
		{D: 3, Centres: bp.Centres, Alpha: bp.Alpha, Start: bp.Start},
		{D: 2, Centres: bp.Centres, Alpha: []float64{0, 0}, Start: bp.Start},
		{D: 2, Centres: bp.Centres, Alpha: []float64{1, math.NaN()}, Start: bp.Start},
	} {
		if bad.Check(2) == nil {
			t.Errorf("Check accepted %+v", bad)
		}
	}
}

// TestBasinPriorCorrectsShiftedManyWell: on the many-well with low noise (σ 1 → 0.5) and a
// prior shifted along x₀, most reference paths stay in the orthant they start in, so their
// mode weights follow the prior's orthant masses and favour x₀ > 0. A basin prior fitted to
// it (Laplace masses: the 32 wells are mirror images, so the masses are exactly equal) must
// find all 32 wells, predict the true weights, and remove most of the bias of fresh paths.
// (With the default σ 10 → 2 paths forget their start, stay ≈ 1/32, and no start law can
// move the weights.)
func TestBasinPriorCorrectsShiftedManyWell(t *testing.T) {
	e, _ := Lookup("manywell5")
	st := e.Defaults()
	st.Net.Width, st.Net.Depth = 16, 2
	st.Process.Steps, st.Process.SigmaMax, st.Process.SigmaMin = 50, 1, 0.5
	st.Process.PriorMean = []float64{1, 0, 0, 0, 0}
	smp, err := Build(st)
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	o := DefaultBasinOptions()
	o.Paths = 8000
	r, err := smp.modeWeights(ModeWeightsOptions{N: 8000, Seed: 11, Basin: &o}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := r.Basin
	if b == nil || b.K != 32 || b.Modes != 32 || b.MassTV > 1e-9 || b.PredictedTV > 1e-3 {
		t.Fatalf("basin fit: %+v; want 32 basins on 32 modes with exact masses and predicted weights", b)
	}
	t.Logf("shifted many-well: reference TV %.4f, basin prior TV %.4f, noise %.4f, stay %.2f, log α range %.2f",
		r.TVReference, r.TVNAAS, r.NoiseTV, b.Stay, b.LogAlphaRange)
	if r.TVReference < 3*r.NoiseTV || r.TVNAAS > r.TVReference/2 {
		t.Errorf("reference TV %.4f (noise %.4f), basin-prior TV %.4f; want the bias at least halved", r.TVReference, r.NoiseTV, r.TVNAAS)
	}
}

// TestBasinSettings: the basin prior replaces the prior stage, so it refuses RAM epochs, and
// bad options name the value.
func TestBasinSettings(t *testing.T) {
	e, _ := Lookup("manywell5")
	s := e.Defaults()
	s.Basin.Paths = 1000
	if err := s.Validate(); err != nil {
		t.Errorf("manywell5 defaults with a basin prior: %v", err)
	}
	for name, tc := range map[string]struct {
		edit func(*Settings)
		want string
	}{
		"ram":      {func(s *Settings) { s.Train.RAMEpochs = 2 }, "RAM epochs"},
		"mass":     {func(s *Settings) { s.Basin.Mass = "hsa" }, `unknown mass estimator "hsa"; known: laplace, is`},
		"paths":    {func(s *Settings) { s.Basin.Paths = 5 }, "paths = 5"},
		"inflate":  {func(s *Settings) { s.Basin.Inflate = 0.5 }, "inflate = 0.5"},
		"alpha":    {func(s *Settings) { s.Basin.MaxAlpha = 1 }, "max alpha = 1"},
		"meanfree": {func(s *Settings) { s.Process.MeanFree = true }, "mean-free"},
	} {
		c := s
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", name, err, tc.want)
		}
	}
}

// TestBasinCount: a descent that finds no minimum, more than maxBasins or more than half as
// many minima as end points is refused with the counts named.
func TestBasinCount(t *testing.T) {
	for _, tc := range []struct {
		k, n int
		ok   bool
	}{{40, 4000, true}, {0, 4000, false}, {maxBasins + 1, 100000, false}, {501, 1000, false}, {500, 1000, true}, {maxBasins, 100000, true}} {
		err := checkBasinCount(tc.k, tc.n)
		if (err == nil) != tc.ok || (err != nil && tc.k > 0 && !strings.Contains(err.Error(), fmt.Sprint(tc.k))) {
			t.Errorf("k = %d of n = %d: %v (want ok = %v)", tc.k, tc.n, err, tc.ok)
		}
	}
}

// wellTarget makes wellMix a targets.Target with an exact sampler (component by weight).
type wellTarget struct{ wellMix }

func (w wellTarget) Name() string          { return "wellmix" }
func (w wellTarget) LogZ() (float64, bool) { return 0, true }
func (w wellTarget) Sample(rng *rand.Rand, n int) []float64 {
	x := make([]float64, 0, n*w.d)
	for b := 0; b < n; b++ {
		u, k := rng.Float64(), 0
		for k < len(w.w)-1 && u >= w.w[k] {
			u -= w.w[k]
			k++
		}
		x = append(x, w.sample(rng, k, 1)...)
	}
	return x
}

// TestBasinPriorUnequalMasses: a 2-d mixture with unequal weights (0.2, 0.5, 0.3) and widths
// (0.5, 1, 1.5), sampled by a low-noise process whose paths keep the basin they start in, so
// the reference's weights are the prior's masses of the basins, far from the truth. The basin
// prior fitted under the reference must estimate the masses exactly (Gaussian basins) and
// bring fresh paths to the true weights within sampling noise.
func TestBasinPriorUnequalMasses(t *testing.T) {
	tgt := wellTarget{wellMix{d: 2, w: []float64{0.2, 0.5, 0.3}, s: []float64{0.5, 1, 1.5},
		means: []float64{-8, -4, 8, -4, 0, 8}}}
	e, _ := Lookup("gauss2")
	st := e.Defaults()
	st.Process = dynamics.Config{PriorStd: 6, Steps: 100, Beta: "linear", Sigma: "geometric", SigmaMax: 1, SigmaMin: 0.5, PriorSteps: 10}
	st.Net.Width, st.Net.Depth = 8, 1
	st.Train.RAMEpochs = 0
	smp, err := BuildFor(tgt, st)
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	o := DefaultBasinOptions()
	o.Paths = 6000
	bp, err := smp.FitBasinPrior(o, nil, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bp.K() != 3 {
		t.Fatalf("%d basins, want 3", bp.K())
	}
	// basin.json round trip: the same draws from the decoded prior
	js, err := json.Marshal(bp)
	if err != nil {
		t.Fatal(err)
	}
	var back BasinPrior
	if err := json.Unmarshal(js, &back); err != nil || back.Check(2) != nil {
		t.Fatalf("decoding the basin prior: %v, %v", err, back.Check(2))
	}
	x1, l1, _ := bp.Draw(smp.Proc, 50, rand.New(rand.NewPCG(1, 1)))
	x2, l2, _ := back.Draw(smp.Proc, 50, rand.New(rand.NewPCG(1, 1)))
	for i := range x1 {
		if x1[i] != x2[i] || l1[i/2] != l2[i/2] {
			t.Fatalf("draw %d differs after a JSON round trip: %v vs %v", i/2, x1[i], x2[i])
		}
	}
	// basin → component by centre
	comp := make([]int, 3)
	for j := range comp {
		best := math.Inf(1)
		for k := 0; k < 3; k++ {
			dx, dy := bp.Centres[2*j]-tgt.means[2*k], bp.Centres[2*j+1]-tgt.means[2*k+1]
			if r := dx*dx + dy*dy; r < best {
				best, comp[j] = r, k
			}
		}
		if math.Abs(bp.Mass[j]-tgt.w[comp[j]]) > 1e-6 {
			t.Errorf("estimated mass of the basin of component %d: %.6f, want %g", comp[j], bp.Mass[j], tgt.w[comp[j]])
		}
	}
	const n = 12000
	weights := func(x []float64) []float64 {
		l := make([]int, n)
		bp.Label(x, l)
		w := make([]float64, 3)
		for _, j := range l {
			if j >= 0 {
				w[comp[j]] += 1.0 / n
			}
		}
		return w
	}
	ref, err := smp.Proc.Sample(n, 4000, nil, nil, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := bp.Sample(smp.Proc, n, 4000, nil, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	wr, wf := weights(ref.X), weights(fixed.X)
	tr, tf := tv(wr, tgt.w), tv(wf, tgt.w)
	t.Logf("reference weights %.3f (TV %.4f); from the basin prior %.3f (TV %.4f); stay %.2f", wr, tr, wf, tf, bp.Stay)
	// sampling noise of a 3-bin histogram of 12000 draws: TV ≈ 0.006
	if tr < 0.1 || tf > 0.02 {
		t.Errorf("reference TV %.4f (want a clear bias ≥ 0.1), basin-prior TV %.4f (want ≤ 0.02)", tr, tf)
	}
}

// tMix is E(x) = −log Σ_k w_k Π_i t_{ν_k}(x_i − μ_ki) in d dimensions: basins of different
// anharmonic shape (heavy-tailed ν = 2 against near-Gaussian ν = 30), for which the harmonic
// approximation of the basin masses is wrong. The HVP is a central difference of the
// gradient (accurate to ~1e-8, enough for the Laplace Gaussians).
type tMix struct {
	d     int
	w, nu []float64
	means []float64
}

func (m tMix) Dim() int { return m.d }

func (m tMix) terms(x, l []float64) float64 {
	mx := math.Inf(-1)
	for k := range m.w {
		nu := m.nu[k]
		lg1, _ := math.Lgamma((nu + 1) / 2)
		lg2, _ := math.Lgamma(nu / 2)
		l[k] = math.Log(m.w[k])
		for i, v := range x {
			z := v - m.means[k*m.d+i]
			l[k] += lg1 - lg2 - 0.5*math.Log(nu*math.Pi) - (nu+1)/2*math.Log1p(z*z/nu)
		}
		mx = math.Max(mx, l[k])
	}
	var t float64
	for _, v := range l {
		t += math.Exp(v - mx)
	}
	return mx + math.Log(t)
}

func (m tMix) Energy(x, e []float64) {
	l := make([]float64, len(m.w))
	for b := range e {
		e[b] = -m.terms(x[b*m.d:(b+1)*m.d], l)
	}
}

func (m tMix) Grad(x, g []float64) {
	l := make([]float64, len(m.w))
	for b := 0; b < len(x)/m.d; b++ {
		row, gb := x[b*m.d:(b+1)*m.d], g[b*m.d:(b+1)*m.d]
		lse := m.terms(row, l)
		clear(gb)
		for k := range m.w {
			r := math.Exp(l[k] - lse)
			for i, v := range row {
				z := v - m.means[k*m.d+i]
				gb[i] += r * (m.nu[k] + 1) * z / (m.nu[k] + z*z)
			}
		}
	}
}

func (m tMix) HVP(x, v, hv []float64) {
	const h = 1e-5
	xp, xm := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
	}
	gp, gm := make([]float64, len(x)), make([]float64, len(x))
	m.Grad(xp, gp)
	m.Grad(xm, gm)
	for i := range hv {
		hv[i] = (gp[i] - gm[i]) / (2 * h)
	}
}

// TestBasinMassesAIS: on Gaussian basins (testWellMix) annealed importance sampling recovers
// the weights (0.2, 0.5, 0.3) within four standard errors; on two equal-weight basins of
// different shape (Student-t ν = 2 and ν = 30, d = 2) the harmonic approximation is off
// (masses 0.355 : 0.645 by the closed form of the t densities at the mode) and AIS recovers
// 0.5 : 0.5 to within 0.03.
func TestBasinMassesAIS(t *testing.T) {
	o := DefaultBasinOptions()
	o.Mass, o.Draws, o.Temps = MassAIS, 2000, 100
	m := testWellMix()
	bp := &BasinPrior{D: 3, Centres: append([]float64(nil), m.means...), Alpha: make([]float64, 3)}
	lz, se, err := bp.aisMasses(m, o, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	for j := range lz {
		if want := math.Log(m.w[j]); math.Abs(lz[j]-want) > 4*se[j]+1e-3 || !(se[j] < 0.05) {
			t.Errorf("AIS log mass of Gaussian basin %d: %.4f ± %.4f, want %.4f", j, lz[j], se[j], want)
		}
	}
	tm := tMix{d: 2, w: []float64{0.5, 0.5}, nu: []float64{2, 30}, means: []float64{-30, 0, 30, 0}}
	bt := &BasinPrior{D: 2, Centres: append([]float64(nil), tm.means...), Alpha: make([]float64, 2)}
	lap, err := bt.laplaceMasses(tm)
	if err != nil {
		t.Fatal(err)
	}
	pl := softmax(lap)
	if math.Abs(pl[0]-0.355) > 0.01 {
		t.Errorf("harmonic masses %v; the closed form gives 0.355 : 0.645", pl)
	}
	la, sa, err := bt.aisMasses(tm, o, rand.New(rand.NewPCG(8, 8)))
	if err != nil {
		t.Fatal(err)
	}
	pa := softmax(la)
	t.Logf("t basins (ν = 2, 30): harmonic %.3f, AIS %.3f (log-mass SE %.3f, %.3f)", pl, pa, sa[0], sa[1])
	if math.Abs(pa[0]-0.5) > 0.03 {
		t.Errorf("AIS masses %v, want 0.5 : 0.5", pa)
	}
}
