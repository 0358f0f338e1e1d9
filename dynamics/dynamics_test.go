package dynamics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestGridSchedules(t *testing.T) {
	for _, beta := range BetaNames() {
		for _, sig := range SigmaNames() {
			g, err := NewGrid(50, beta, sig, 8, 2)
			if err != nil {
				t.Fatal(err)
			}
			if g.Beta[0] != 0 || g.Beta[50] != 1 {
				t.Errorf("%s: beta ends %v %v", beta, g.Beta[0], g.Beta[50])
			}
			var sum float64
			for k, db := range g.DBeta {
				sum += db
				if db < 0 {
					t.Errorf("%s: beta decreases at k=%d", beta, k)
				}
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("%s: Σ Δβ = %v, want 1", beta, sum)
			}
			want := 2.0
			if sig == "constant" {
				want = 8
			}
			if g.Sigma[0] != 8 || math.Abs(g.Sigma[50]-want) > 1e-12 {
				t.Errorf("%s: sigma ends %v %v", sig, g.Sigma[0], g.Sigma[50])
			}
		}
	}
	g, _ := NewGrid(4, "quadratic", "geometric", 16, 1)
	if math.Abs(g.Beta[1]-1.0/16) > 1e-15 || math.Abs(g.Sigma[2]-4) > 1e-12 {
		t.Errorf("quadratic/geometric midpoints: β(1/4) = %v σ(1/2) = %v", g.Beta[1], g.Sigma[2])
	}
	if _, err := NewGrid(10, "lin", "constant", 1, 1); err == nil || !strings.Contains(err.Error(), "known: cosine, linear, quadratic") {
		t.Errorf("unknown beta error = %v", err)
	}
	if _, err := NewGrid(0, "linear", "constant", 1, 1); err == nil {
		t.Error("K = 0 accepted")
	}
	if _, err := NewGrid(10, "linear", "geometric", 1, 0); err == nil {
		t.Error("geometric σ_min = 0 accepted")
	}
}

func TestMeterParallelMatchesSerialAndCounts(t *testing.T) {
	e := wells{d: 5, c: 0.3}
	m := NewMeter(e)
	m.Workers = 2
	rng := rand.New(rand.NewPCG(1, 2))
	n := 37
	x, v := randn(rng, n*5, 1.2), randn(rng, n*5, 1)
	g1, g2 := make([]float64, n*5), make([]float64, n*5)
	e.Grad(x, g1)
	m.Grad(x, g2)
	h1, h2 := make([]float64, n*5), make([]float64, n*5)
	e.HVP(x, v, h1)
	m.HVP(x, v, h2)
	e1, e2 := make([]float64, n), make([]float64, n)
	e.Energy(x, e1)
	m.Energy(x, e2)
	for i := range g1 {
		if g1[i] != g2[i] || h1[i] != h2[i] {
			t.Fatalf("parallel result differs at %d", i)
		}
	}
	for i := range e1 {
		if e1[i] != e2[i] {
			t.Fatalf("parallel energy differs at %d", i)
		}
	}
	if c := m.Calls(); c != (Calls{Energy: int64(n), Grad: int64(n), HVP: int64(n)}) {
		t.Errorf("calls = %+v, want %d each", c, n)
	}
}

func randn(rng *rand.Rand, n int, s float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = s * rng.NormFloat64()
	}
	return out
}

func newProc(t *testing.T, e Energy, cfg Config) *Process {
	t.Helper()
	if cfg.PriorSteps == 0 {
		cfg.PriorSteps = 10
	}
	p, err := NewProcess(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAdjointIsGradientOfDiscreteWork checks naas.md §4: the lean adjoint a_k equals the
// central finite-difference gradient with respect to x_k of the discrete work
// Σ_{j≥k} Δβ_j (E − U₀)(x_j) along the uncontrolled Euler chain with the same noise.
func TestAdjointIsGradientOfDiscreteWork(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"linear-constant", Config{PriorStd: 1.5, Steps: 20, Beta: "linear", Sigma: "constant", SigmaMax: 1.1}},
		{"quadratic-geometric", Config{PriorStd: 2, PriorMean: []float64{0.5, -0.3, 0.2, 0}, Steps: 25, Beta: "quadratic", Sigma: "geometric", SigmaMax: 3, SigmaMin: 0.7}},
		{"cosine-linear-clipped", Config{PriorStd: 1.5, Steps: 20, Beta: "cosine", Sigma: "linear", SigmaMax: 2, SigmaMin: 0.8, GradClip: 3}},
	}
	e := wells{d: 4, c: 0.4}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newProc(t, e, tc.cfg)
			rng := rand.New(rand.NewPCG(7, 8))
			B, d, K := 3, 4, p.Grid.K
			x0 := randn(rng, B*d, 1.3)
			path, err := p.Rollout(x0, nil, rng, RolloutOptions{Keep: true})
			if err != nil {
				t.Fatal(err)
			}
			if tc.cfg.GradClip > 0 && path.Clipped == 0 {
				t.Fatal("clipping case never clipped: test would not cover it")
			}
			A, _, err := p.Adjoint(path)
			if err != nil {
				t.Fatal(err)
			}
			// independent drift and noise recovery
			drift := func(k int, x []float64) []float64 {
				g := make([]float64, len(x))
				e.Grad(x, g)
				out := make([]float64, len(x))
				for b := 0; b < len(x)/d; b++ {
					if c := tc.cfg.GradClip; c > 0 {
						n := norm(g[b*d : (b+1)*d])
						if n > c {
							for i := 0; i < d; i++ {
								g[b*d+i] *= c / n
							}
						}
					}
					for i := 0; i < d; i++ {
						j := b*d + i
						s := p.Grid.Sigma[k]
						out[j] = -0.5 * s * s * ((1-p.Grid.Beta[k])*(x[j]-p.M[i])/(p.S*p.S) + p.Grid.Beta[k]*g[j])
					}
				}
				return out
			}
			xi := make([][]float64, K)
			for k := 0; k < K; k++ {
				b := drift(k, path.X[k])
				xi[k] = make([]float64, B*d)
				sq := p.Grid.Sigma[k] * math.Sqrt(p.Grid.H)
				for j := range xi[k] {
					xi[k][j] = (path.X[k+1][j] - path.X[k][j] - b[j]*p.Grid.H) / sq
				}
			}
			// work of row b from state xk at step k
			work := func(k, b int, xk []float64) float64 {
				x := append([]float64(nil), xk...)
				var w float64
				en := make([]float64, 1)
				for j := k; j < K; j++ {
					e.Energy(x, en)
					w += p.Grid.DBeta[j] * (en[0] - p.U0(x))
					dr := drift(j, x)
					sq := p.Grid.Sigma[j] * math.Sqrt(p.Grid.H)
					for i := range x {
						x[i] += dr[i]*p.Grid.H + sq*xi[j][b*d+i]
					}
				}
				return w
			}
			worst := 0.0
			for _, k := range []int{0, K / 2, K - 2, K - 1} {
				for b := 0; b < B; b++ {
					xk := path.X[k][b*d : (b+1)*d]
					fd := make([]float64, d)
					for i := 0; i < d; i++ {
						h := 1e-5
						xp := append([]float64(nil), xk...)
						xm := append([]float64(nil), xk...)
						xp[i] += h
						xm[i] -= h
						fd[i] = (work(k, b, xp) - work(k, b, xm)) / (2 * h)
					}
					var diff, ref float64
					for i := range fd {
						diff += (A[k][b*d+i] - fd[i]) * (A[k][b*d+i] - fd[i])
						ref += fd[i] * fd[i]
					}
					rel := math.Sqrt(diff) / math.Max(math.Sqrt(ref), 1e-8)
					worst = math.Max(worst, rel)
				}
			}
			if worst > 1e-6 {
				t.Errorf("adjoint vs finite differences: worst relative error %.2e > 1e-6", worst)
			}
		})
	}
}

func TestClippedHVPIsTransposeJacobianOfClippedGradient(t *testing.T) {
	e := wells{d: 3, c: 0.2}
	p := newProc(t, e, Config{PriorStd: 1, Steps: 4, Beta: "linear", Sigma: "constant", SigmaMax: 1, GradClip: 2})
	rng := rand.New(rand.NewPCG(3, 3))
	B, d := 6, 3
	x := randn(rng, B*d, 0.9)
	a := randn(rng, B*d, 1)
	g, c := make([]float64, B*d), make([]float64, B)
	clipped := p.clippedGrad(x, g, c)
	if clipped == 0 || clipped == B {
		t.Fatalf("%d of %d rows clipped: pick points on both sides of the cap", clipped, B)
	}
	out, scratch := make([]float64, B*d), make([]float64, B*d)
	p.clippedHVP(x, g, c, a, out, scratch)
	// finite differences of φ(x) = a·G(x) with G the clipped gradient map, per row
	for b := 0; b < B; b++ {
		phi := func(xr []float64) float64 {
			gr, cr := make([]float64, d), make([]float64, 1)
			p.clippedGrad(xr, gr, cr)
			s := 0.0
			for i := range gr {
				s += gr[i] * a[b*d+i]
			}
			return s
		}
		for i := 0; i < d; i++ {
			xp := append([]float64(nil), x[b*d:(b+1)*d]...)
			xm := append([]float64(nil), xp...)
			xp[i] += 1e-6
			xm[i] -= 1e-6
			fd := (phi(xp) - phi(xm)) / 2e-6
			if math.Abs(fd-out[b*d+i]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("row %d (clip %.3f) coord %d: Jᵀa = %v, finite differences %v", b, c[b], i, out[b*d+i], fd)
			}
		}
	}
}

func TestBridgeMoments(t *testing.T) {
	p := newProc(t, gauss{mu: []float64{0, 0}, tau: 1}, Config{PriorStd: 2, PriorMean: []float64{1, -1}, Steps: 4, Beta: "linear", Sigma: "constant", SigmaMax: 1})
	rng := rand.New(rand.NewPCG(11, 12))
	n := 40000
	y1 := make([]float64, 2*n)
	s := make([]float64, n)
	for b := 0; b < n; b++ {
		y1[2*b], y1[2*b+1] = 3, 5
		s[b] = 0.3
	}
	out := make([]float64, 2*n)
	p.Bridge(y1, s, rng, out)
	for i, want := range []float64{1 + 0.3*(3-1), -1 + 0.3*(5+1)} {
		var m, v float64
		for b := 0; b < n; b++ {
			m += out[2*b+i] / float64(n)
		}
		for b := 0; b < n; b++ {
			z := out[2*b+i] - m
			v += z * z / float64(n-1)
		}
		wantVar := 0.3 * 0.7 * 4
		se := math.Sqrt(wantVar / float64(n))
		if math.Abs(m-want) > 4*se {
			t.Errorf("coord %d: bridge mean %v, want %v (±%v)", i, m, want, 4*se)
		}
		if math.Abs(v-wantVar) > 4*wantVar*math.Sqrt(2/float64(n)) {
			t.Errorf("coord %d: bridge variance %v, want %v", i, v, wantVar)
		}
	}
}

func TestSampleYLawAndPathRatio(t *testing.T) {
	d := 2
	p := newProc(t, gauss{mu: make([]float64, d), tau: 1}, Config{PriorStd: 1.5, PriorMean: []float64{0.5, -1}, Steps: 4, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 20})
	rng := rand.New(rand.NewPCG(5, 6))
	n := 40000
	// reference: Y₁ ~ N(m, s²)
	y, _, err := p.SampleY(n, nil, rng, false)
	if err != nil {
		t.Fatal(err)
	}
	m, v := meanVar(y, d)
	for i := 0; i < d; i++ {
		if math.Abs(m[i]-p.M[i]) > 4*1.5/math.Sqrt(float64(n)) || math.Abs(v[i]-2.25) > 4*2.25*math.Sqrt(2/float64(n)) {
			t.Errorf("reference Y₁ coord %d: mean %v var %v, want %v, 2.25", i, m[i], v[i], p.M[i])
		}
	}
	// constant control v = c: Y₁ ~ N(m + σ̃² c, σ̃²); the path ratio reweights it back to the reference
	ctl := &linearControl{d: d, offset: 0.4}
	y, lw, err := p.SampleY(n, ctl, rng, true)
	if err != nil {
		t.Fatal(err)
	}
	m, _ = meanVar(y, d)
	for i := 0; i < d; i++ {
		want := p.M[i] + 2.25*0.4
		if math.Abs(m[i]-want) > 4*1.5/math.Sqrt(float64(n)) {
			t.Errorf("controlled Y₁ coord %d: mean %v, want %v", i, m[i], want)
		}
	}
	wm := weightedMean(y, lw, d)
	for i := 0; i < d; i++ {
		if math.Abs(wm[i]-p.M[i]) > 0.05 {
			t.Errorf("reweighted Y₁ coord %d: mean %v, want the reference mean %v", i, wm[i], p.M[i])
		}
	}
}

func meanVar(x []float64, d int) (m, v []float64) {
	n := len(x) / d
	m, v = make([]float64, d), make([]float64, d)
	for b := 0; b < n; b++ {
		for i := 0; i < d; i++ {
			m[i] += x[b*d+i] / float64(n)
		}
	}
	for b := 0; b < n; b++ {
		for i := 0; i < d; i++ {
			z := x[b*d+i] - m[i]
			v[i] += z * z / float64(n-1)
		}
	}
	return m, v
}

func weightedMean(x, lw []float64, d int) []float64 {
	mx := math.Inf(-1)
	for _, l := range lw {
		mx = math.Max(mx, l)
	}
	out := make([]float64, d)
	var z float64
	for b, l := range lw {
		w := math.Exp(l - mx)
		z += w
		for i := 0; i < d; i++ {
			out[i] += w * x[b*d+i]
		}
	}
	for i := range out {
		out[i] /= z
	}
	return out
}

func logMeanExp(lw []float64) float64 {
	mx := math.Inf(-1)
	for _, l := range lw {
		mx = math.Max(mx, l)
	}
	var s float64
	for _, l := range lw {
		s += math.Exp(l - mx)
	}
	return mx + math.Log(s/float64(len(lw)))
}

// TestLogWeightIsUnbiased checks naas.md §7: with the discrete-time weight, mean(w) = Z₁
// exactly at any K, for the reference and for arbitrary (here linear) controls, so the
// log-mean-exp of the weights of a normalised Gaussian target is 0 up to Monte Carlo error,
// and self-normalised weights recover the target mean even though the coarse chain (K = 8)
// is biased.
func TestLogWeightIsUnbiased(t *testing.T) {
	target, cfg := coarseGaussProblem()
	for _, tc := range referenceAndLinearControls() {
		t.Run(tc.name, func(t *testing.T) {
			p := newProc(t, target, cfg)
			rng := rand.New(rand.NewPCG(21, 22))
			s, err := p.Sample(40000, 10000, tc.u, tc.v, rng)
			if err != nil {
				t.Fatal(err)
			}
			lz := logMeanExp(s.LogW)
			if math.Abs(lz) > 0.02 {
				t.Errorf("log Z estimate %v, want 0 ± 0.02", lz)
			}
			wm := weightedMean(s.X, s.LogW, 2)
			for i, mu := range target.mu {
				if math.Abs(wm[i]-mu) > 0.03 {
					t.Errorf("weighted mean coord %d = %v, want %v", i, wm[i], mu)
				}
			}
		})
	}
}

// coarseGaussProblem is a normalised 2-d Gaussian target with a coarse (K = 8) chain whose
// unweighted samples are biased.
func coarseGaussProblem() (gauss, Config) {
	return gauss{mu: []float64{1, -0.5}, tau: 0.7},
		Config{PriorStd: 1.2, Steps: 8, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 10}
}

// controlCase is a named pair of controls (nil: the uncontrolled reference).
type controlCase struct {
	name string
	u, v Control
}

// referenceAndLinearControls are the reference and an arbitrary linear control pair.
func referenceAndLinearControls() []controlCase {
	return []controlCase{
		{"reference", nil, nil},
		{"controlled", &linearControl{d: 2, slope: -0.3, center: []float64{1, -0.5}}, &linearControl{d: 2, offset: 0.2, slope: 0.1}},
	}
}

func TestTerminalGrad(t *testing.T) {
	d := 3
	for _, sv := range []float64{0, 0.8} {
		p := newProc(t, gauss{mu: make([]float64, d), tau: 1}, Config{PriorStd: 1.3, PriorMean: []float64{0.2, 0, -0.4}, PriorSigma: sv, Steps: 4, Beta: "linear", Sigma: "constant", SigmaMax: 1})
		u := &linearControl{d: d, slope: 0.7, offset: -0.2} // −∇V₀ at t = 0
		rng := rand.New(rand.NewPCG(1, 1))
		y := randn(rng, 4*d, 1)
		got := make([]float64, len(y))
		if err := p.TerminalGrad(y, u, got); err != nil {
			t.Fatal(err)
		}
		// g̃(y) = log N(y; m, σ̃²) + U₀(y) + V₀(y) with V₀(y) = −(0.35|y|² − 0.2 Σy)
		gt := func(yr []float64) float64 {
			v0 := 0.0
			for _, yi := range yr {
				v0 -= 0.35*yi*yi - 0.2*yi
			}
			return p.LogPriorRef(yr) + p.U0(yr) + v0
		}
		for b := 0; b < 4; b++ {
			for i := 0; i < d; i++ {
				yp := append([]float64(nil), y[b*d:(b+1)*d]...)
				ym := append([]float64(nil), yp...)
				yp[i] += 1e-6
				ym[i] -= 1e-6
				fd := (gt(yp) - gt(ym)) / 2e-6
				if math.Abs(fd-got[b*d+i]) > 1e-7 {
					t.Errorf("σ̃=%v row %d coord %d: ∇g̃ = %v, finite differences %v", sv, b, i, got[b*d+i], fd)
				}
			}
		}
	}
}

func TestBufferFIFO(t *testing.T) {
	b, err := NewBuffer(3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Push(2, []float64{1, 2}, []float64{10, 11, 20, 21}); err != nil {
		t.Fatal(err)
	}
	if err := b.Push(3, []float64{3, 4, 5}, []float64{30, 31, 40, 41, 50, 51}); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 {
		t.Fatalf("len %d, want 3", b.Len())
	}
	for i, want := range []float64{3, 4, 5} {
		r := b.Row(i)
		if r[0][0] != want || r[1][0] != 10*want || r[1][1] != 10*want+1 {
			t.Errorf("row %d = %v, want oldest-first %v", i, r, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	ts, xs := make([]float64, 200), make([]float64, 400)
	if err := b.Sample(rng, ts, xs); err != nil {
		t.Fatal(err)
	}
	seen := map[float64]int{}
	for i, v := range ts {
		seen[v]++
		if xs[2*i] != 10*v {
			t.Fatalf("sampled fields misaligned: t %v x %v", v, xs[2*i])
		}
	}
	if len(seen) != 3 || seen[1] != 0 || seen[2] != 0 {
		t.Errorf("sampled rows %v: want only 3, 4, 5", seen)
	}
	if err := b.Push(1, []float64{1}, []float64{1}); err == nil {
		t.Error("short field accepted")
	}
	if err := b.Push(12, make([]float64, 12), make([]float64, 24)); err != nil || b.Len() != 3 {
		t.Errorf("oversized push: err %v len %d", err, b.Len())
	}
}

// fakeLearner records the minibatches it is trained on.
type fakeLearner struct {
	linearControl
	steps  int
	lr     []float64
	loss   float64
	ts     []float64
	weight []float64
}

func (f *fakeLearner) Step(x, t, y, w []float64) (float64, error) {
	f.steps++
	f.ts = append(f.ts, t...)
	if w != nil {
		f.weight = append(f.weight, w...)
	}
	return f.loss, nil
}

func (f *fakeLearner) SetLearnRate(lr float64) { f.lr = append(f.lr, lr) }

func TestTrainerSchedule(t *testing.T) {
	e := wells{d: 2, c: 0.1}
	p := newProc(t, e, Config{PriorStd: 1, Steps: 10, Beta: "linear", Sigma: "geometric", SigmaMax: 2, SigmaMin: 0.5, PriorSteps: 5})
	u := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
	v := &fakeLearner{linearControl: linearControl{d: 2}, loss: 2}
	cfg := TrainConfig{Rounds: 2, AMEpochs: 3, RAMEpochs: 2, Paths: 16, Updates: 4, Batch: 8, TimesPerPath: 3, KeepT0: true,
		BufferU: 1000, BufferV: 100, LearnRateU: 1e-3, LearnRateV: 2e-3, LRFinal: 0.1, Weighting: "sigma2"}
	tr, err := NewTrainer(p, u, v, cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	err = tr.Run(context.Background(), func(info EpochInfo) error {
		stages = append(stages, info.Stage)
		if info.Stage == StageAM && info.Calls.HVP == 0 {
			t.Errorf("epoch %d: AM epoch made no HVP calls", info.Epoch)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(stages, ","); got != "AM,AM,AM,RAM,RAM,AM,AM,AM,RAM,RAM" {
		t.Errorf("stage order %s", got)
	}
	if u.steps != 6*4 || v.steps != 4*4 {
		t.Errorf("optimiser steps u %d v %d, want 24 and 16", u.steps, v.steps)
	}
	if tr.BufU.Len() != 6*16*3 || tr.BufV.Len() != 4*16 {
		t.Errorf("buffer sizes %d %d", tr.BufU.Len(), tr.BufV.Len())
	}
	if math.Abs(u.lr[0]-1e-3) > 1e-15 || math.Abs(u.lr[len(u.lr)-1]-1e-3*math.Pow(0.1, 7.0/10)) > 1e-12 {
		t.Errorf("u learning rates %v", u.lr)
	}
	var zeros int
	for i := 0; i < tr.BufU.Len(); i++ {
		tk := tr.BufU.Row(i)[0][0]
		k := tk * 10
		if math.Abs(k-math.Round(k)) > 1e-9 || k < 0 || k > 9 {
			t.Fatalf("buffer time %v not on the grid t_k, k < K", tk)
		}
		if tk == 0 {
			zeros++
		}
	}
	if zeros != 6*16 {
		t.Errorf("%d buffer rows at t = 0; KeepT0 wants one per path (%d)", zeros, 6*16)
	}
	for _, tv := range v.ts {
		if tv < 0 || tv >= 1 {
			t.Fatalf("bridge time %v outside [0, 1)", tv)
		}
	}
	// σ² weights average to 1 over the grid
	var mw float64
	for _, w := range tr.wK {
		mw += w / float64(len(tr.wK))
	}
	if math.Abs(mw-1) > 1e-12 || tr.wK[0] <= tr.wK[9] {
		t.Errorf("sigma2 weights %v", tr.wK)
	}

	// a NaN loss stops training with the stage and epoch named
	u.loss = math.NaN()
	tr2, _ := NewTrainer(p, u, v, cfg, 1)
	err = tr2.Run(context.Background(), nil)
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "AM stage, epoch 0") || tr2.Epoch != 0 {
		t.Errorf("NaN loss: err %v, epoch %d", err, tr2.Epoch)
	}
	// a warm-up of 2 AM epochs comes before the first round and counts in the total
	wcfg := cfg
	wcfg.WarmupAM = 2
	u.loss = 1
	tr4, _ := NewTrainer(p, u, v, wcfg, 1)
	var wst []string
	var rounds []int
	if err := tr4.Run(context.Background(), func(info EpochInfo) error {
		wst = append(wst, info.Stage)
		rounds = append(rounds, info.Round)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(wst, ","); got != "AM,AM,AM,AM,AM,RAM,RAM,AM,AM,AM,RAM,RAM" || wcfg.TotalEpochs() != 12 || fmt.Sprint(rounds) != "[0 0 0 0 0 0 0 1 1 1 1 1]" {
		t.Errorf("warm-up 2: stages %s, rounds %v, total %d", got, rounds, wcfg.TotalEpochs())
	}
	// cancellation stops between epochs
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u.loss = 1
	tr3, _ := NewTrainer(p, u, v, cfg, 1)
	if err := tr3.Run(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}

func TestTrainConfigValidate(t *testing.T) {
	good := TrainConfig{Rounds: 1, AMEpochs: 1, RAMEpochs: 1, Paths: 1, Updates: 1, Batch: 1, TimesPerPath: 1, BufferU: 1, BufferV: 1, LearnRateU: 1e-3, LearnRateV: 1e-3, LRFinal: 1, Weighting: "uniform"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Batch = 0
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "batch = 0") {
		t.Errorf("batch 0: %v", err)
	}
	bad = good
	bad.LearnRateU = math.NaN()
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "lr_u") {
		t.Errorf("NaN lr: %v", err)
	}
	bad = good
	bad.Weighting = "sigma"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "known: sigma2, uniform") {
		t.Errorf("weighting: %v", err)
	}
	bad = good
	bad.WarmupAM = -1
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "warm-up AM epochs = -1") {
		t.Errorf("warm-up -1: %v", err)
	}
}

func TestRolloutReproducible(t *testing.T) {
	p := newProc(t, wells{d: 3, c: 0.2}, Config{PriorStd: 1, Steps: 10, Beta: "cosine", Sigma: "constant", SigmaMax: 1})
	x0 := randn(rand.New(rand.NewPCG(1, 1)), 12, 1)
	a, _ := p.Rollout(x0, nil, rand.New(rand.NewPCG(9, 9)), RolloutOptions{LogW: true})
	b, _ := p.Rollout(x0, nil, rand.New(rand.NewPCG(9, 9)), RolloutOptions{Keep: true, LogW: true})
	for i := range a.Final {
		if a.Final[i] != b.Final[i] || a.Final[i] != b.X[10][i] {
			t.Fatal("same seed gave different paths (kept vs not kept)")
		}
	}
	for i := range a.LogW {
		if a.LogW[i] != b.LogW[i] {
			t.Fatal("log-weights differ")
		}
	}
}

func TestControlFrom(t *testing.T) {
	e := wells{d: 2, c: 0.1}
	p := newProc(t, e, Config{PriorStd: 1, Steps: 10, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 5, ControlFrom: 0.5})
	if k0 := p.FirstControlled(); k0 != 5 {
		t.Fatalf("first controlled index %d, want 5", k0)
	}
	x0 := randn(rand.New(rand.NewPCG(1, 1)), 8, 1)
	ref, _ := p.Rollout(x0, nil, rand.New(rand.NewPCG(2, 2)), RolloutOptions{Keep: true})
	ctl, _ := p.Rollout(x0, &linearControl{d: 2, offset: 5}, rand.New(rand.NewPCG(2, 2)), RolloutOptions{Keep: true})
	for k := 0; k <= 10; k++ {
		same := true
		for i := range ref.X[k] {
			same = same && ref.X[k][i] == ctl.X[k][i]
		}
		if same != (k <= 5) {
			t.Errorf("step %d: controlled path equal to the reference = %v; u should act from t = 0.5 only", k, same)
		}
	}
	u := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
	v := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
	cfg := TrainConfig{Rounds: 1, AMEpochs: 1, RAMEpochs: 0, Paths: 8, Updates: 1, Batch: 4, TimesPerPath: 3, KeepT0: true,
		BufferU: 100, BufferV: 10, LearnRateU: 1e-3, LearnRateV: 1e-3, LRFinal: 1, Weighting: "uniform"}
	tr, err := NewTrainer(p, u, v, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < tr.BufU.Len(); i++ {
		if tk := tr.BufU.Row(i)[0][0]; tk < 0.5 {
			t.Fatalf("buffer time %v < t0 = 0.5", tk)
		}
	}
	if _, err := NewProcess(e, Config{PriorStd: 1, Steps: 10, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 5, ControlFrom: 1}); err == nil {
		t.Error("control from t0 = 1 accepted")
	}
}

func TestRAMGate(t *testing.T) {
	e := wells{d: 2, c: 0.1}
	p := newProc(t, e, Config{PriorStd: 1, Steps: 10, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 5})
	for _, gate := range []float64{0, 0.1} {
		u := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1} // u ≡ 0: explains nothing, R² ≤ 0
		v := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
		cfg := TrainConfig{Rounds: 1, AMEpochs: 2, RAMEpochs: 2, Paths: 64, Updates: 2, Batch: 8, TimesPerPath: 2,
			BufferU: 1000, BufferV: 100, LearnRateU: 1e-3, LearnRateV: 1e-3, LRFinal: 1, Weighting: "uniform", RAMGate: gate}
		tr, err := NewTrainer(p, u, v, cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		var r2 []float64
		skipped := 0
		if err := tr.Run(context.Background(), func(info EpochInfo) error {
			if info.Stage == StageAM {
				r2 = append(r2, info.R2T0)
			}
			if info.Skipped {
				skipped++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, r := range r2 {
			if !(r <= 0) {
				t.Errorf("R² of the zero control = %v; want ≤ 0", r)
			}
		}
		if gate == 0 && (skipped != 0 || v.steps != 4) {
			t.Errorf("no gate: %d RAM epochs skipped, %d v steps", skipped, v.steps)
		}
		if gate > 0 && (skipped != 2 || v.steps != 0) {
			t.Errorf("gate %v: %d RAM epochs skipped, %d v steps; want all skipped", gate, skipped, v.steps)
		}
	}
}

// nanWells returns NaN gradients: every path becomes non-finite.
type nanWells struct{ wells }

func (n nanWells) Grad(x, g []float64) {
	for i := range g {
		g[i] = math.NaN()
	}
}

func TestNonFiniteEnergyStopsWithStageAndEpoch(t *testing.T) {
	p := newProc(t, nanWells{wells{d: 2}}, Config{PriorStd: 1, Steps: 5, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 3})
	u := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
	v := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
	cfg := TrainConfig{Rounds: 1, AMEpochs: 1, RAMEpochs: 1, Paths: 8, Updates: 1, Batch: 4, TimesPerPath: 2,
		BufferU: 100, BufferV: 10, LearnRateU: 1e-3, LearnRateV: 1e-3, LRFinal: 1, Weighting: "uniform"}
	tr, err := NewTrainer(p, u, v, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "AM stage, epoch 0") || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("NaN gradients: error %v; want the stage, the epoch and 'non-finite'", err)
	}
	if u.steps != 0 {
		t.Errorf("u took %d steps on non-finite data", u.steps)
	}
}
