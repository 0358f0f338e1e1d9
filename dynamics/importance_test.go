package dynamics

import (
	"math"
	"strings"
	"testing"
)

// TestTemperedWeights checks the self-normalisation against hand-computed values.
func TestTemperedWeights(t *testing.T) {
	// logw = (0, log 3): α = 1 gives w ∝ (1, 3), mean 1 → (0.5, 1.5), ESS 2²/(2·(0.25 + 2.25)) = 0.8
	w, ess := TemperedWeights([]float64{0, math.Log(3)}, 1)
	if math.Abs(w[0]-0.5) > 1e-14 || math.Abs(w[1]-1.5) > 1e-14 || math.Abs(ess-0.8) > 1e-14 {
		t.Errorf("α = 1: w %v ess %v, want (0.5, 1.5), 0.8", w, ess)
	}
	// α = ½: w ∝ (1, √3); a huge common offset must not overflow; NaN gets weight 0
	w, _ = TemperedWeights([]float64{1000, 1000 + math.Log(3), math.NaN()}, 0.5)
	r := math.Sqrt(3)
	if want0 := 2 / (1 + r); math.Abs(w[0]-want0) > 1e-12 || math.Abs(w[1]-want0*r) > 1e-12 || w[2] != 0 {
		t.Errorf("α = ½: w %v, want (%v, %v, 0)", w, want0, want0*r)
	}
	// α = 0: all ones, ESS 1
	w, ess = TemperedWeights([]float64{-5, 3, 7}, 0)
	if w[0] != 1 || w[1] != 1 || w[2] != 1 || ess != 1 {
		t.Errorf("α = 0: w %v ess %v", w, ess)
	}
	if _, ess = TemperedWeights([]float64{math.Inf(-1)}, 1); !math.IsNaN(ess) {
		t.Errorf("no finite weight: ess %v, want NaN", ess)
	}
}

// isTrainer runs one AM epoch with TimesPerPath 1 and KeepT0, so that every path stores
// exactly its (t = 0, x₀, a₀, w) row, with non-trivial controls u and v.
func isTrainer(t *testing.T, alpha float64, paths int) *Trainer {
	t.Helper()
	target := gauss{mu: []float64{1, -0.5}, tau: 0.7}
	p := newProc(t, target, Config{PriorStd: 1.2, Steps: 8, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 10})
	u := &fakeLearner{linearControl: linearControl{d: 2, slope: -0.3, center: []float64{1, -0.5}}, loss: 1}
	v := &fakeLearner{linearControl: linearControl{d: 2, offset: 0.2, slope: 0.1}, loss: 1}
	cfg := TrainConfig{Rounds: 1, AMEpochs: 1, RAMEpochs: 0, Paths: paths, Updates: 1, Batch: 4, TimesPerPath: 1, KeepT0: true,
		BufferU: paths, BufferV: 10, LearnRateU: 1e-3, LearnRateV: 1e-3, LRFinal: 1, Weighting: "uniform", ISTemper: alpha}
	tr, err := NewTrainer(p, u, v, cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestISWeightedAMTargets checks the importance-weighted AM targets. (1) Weighting changes
// nothing but the weights: the stored (t, x, a) rows are bit-identical with and without it
// (same noise, and the kept ∇E(x_{K−1}) is not overwritten by the log-weight's ∇E(x_K)), and
// α = 0 gives weight 1 everywhere. (2) With α = 1 the weighted mean of the stored x₀ and a₀
// is their mean under the target path law (ν at t = 1, the reference kernels run backwards),
// which for a Gaussian target is computed independently: the backward chain's mean path
// m_{k−1} = m_k + h b̄_k(m_k) from m_K = μ, and, since the adjoint recursion is affine in the
// path with constant coefficients, E[a₀] is the adjoint of that mean path.
func TestISWeightedAMTargets(t *testing.T) {
	const n = 40000
	plain := isTrainer(t, 0, n)
	weighted := isTrainer(t, 1, n)
	d := 2
	var sw float64
	wx, wa := make([]float64, d), make([]float64, d)
	ux, ua := make([]float64, d), make([]float64, d)
	for i := 0; i < n; i++ {
		r0, r1 := plain.BufU.Row(i), weighted.BufU.Row(i)
		for f := 0; f < 3; f++ {
			for j := range r0[f] {
				if r0[f][j] != r1[f][j] {
					t.Fatalf("row %d field %d differs with weighting: %v vs %v", i, f, r0[f], r1[f])
				}
			}
		}
		if r0[0][0] != 0 || r0[3][0] != 1 {
			t.Fatalf("α = 0 row %d: t %v weight %v, want 0 and 1", i, r0[0][0], r0[3][0])
		}
		w := r1[3][0]
		sw += w
		for j := 0; j < d; j++ {
			wx[j] += w * r1[1][j]
			wa[j] += w * r1[2][j]
			ux[j] += r1[1][j] / n
			ua[j] += r1[2][j] / n
		}
	}
	if math.Abs(sw/n-1) > 1e-9 {
		t.Errorf("weights have mean %v, want 1", sw/n)
	}
	// independent truth: backward chain mean path from μ and its adjoint
	p := weighted.P
	g := p.Grid
	K := g.K
	target := gauss{mu: []float64{1, -0.5}, tau: 0.7}
	mp := make([][]float64, K+1)
	mp[K] = append([]float64(nil), target.mu...)
	for k := K; k > 0; k-- {
		sp, bk := g.Sigma[k-1], g.Beta[k]
		mp[k-1] = make([]float64, d)
		for j := 0; j < d; j++ {
			x := mp[k][j]
			bbar := -0.5 * sp * sp * ((1-bk)*(x-p.M[j])/(p.S*p.S) + bk*(x-target.mu[j])/(target.tau*target.tau))
			mp[k-1][j] = x + bbar*g.H
		}
	}
	path := &Path{B: 1, X: mp, G: make([][]float64, K)}
	for k := 0; k < K; k++ {
		path.G[k] = make([]float64, d)
		target.Grad(mp[k], path.G[k])
	}
	A, _, err := p.Adjoint(path)
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < d; j++ {
		gx, ga := wx[j]/sw, wa[j]/sw
		if math.Abs(gx-mp[0][j]) > 0.03 || math.Abs(ga-A[0][j]) > 0.03 {
			t.Errorf("coord %d: weighted mean x₀ %v a₀ %v, want %v %v", j, gx, ga, mp[0][j], A[0][j])
		}
		t.Logf("coord %d: weighted x₀ %.4f a₀ %.4f, unweighted %.4f %.4f, truth %.4f %.4f", j, gx, ga, ux[j], ua[j], mp[0][j], A[0][j])
	}
	// the check has power: the unweighted means are off the truth by well over the tolerance
	if math.Abs(ux[0]-mp[0][0])+math.Abs(ua[0]-A[0][0]) < 0.1 {
		t.Errorf("unweighted means (%v, %v) already match the truth (%v, %v): the test cannot tell weighting apart", ux[0], ua[0], mp[0][0], A[0][0])
	}
}

// constControl is c(x, t) = v everywhere, counting Update calls (an AveragedControl).
type constControl struct {
	v       []float64
	updates []float64
}

func (c *constControl) Apply(x, t, out []float64) error {
	for b := range t {
		copy(out[b*len(c.v):(b+1)*len(c.v)], c.v)
	}
	return nil
}

func (c *constControl) Update(decay float64) error {
	c.updates = append(c.updates, decay)
	return nil
}

// TestRAMTargetEMA checks that with RAMTargetEMA the averaged copy is updated once per AM
// optimiser step with the configured decay and that RAM's stored targets ∇g̃(Y₁) are
// −ū(Y₁, 0) of the averaged copy (σ̃ = s), not −u(Y₁, 0); without it, they come from u.
func TestRAMTargetEMA(t *testing.T) {
	p := newProc(t, gauss{mu: []float64{1, -0.5}, tau: 0.7}, Config{PriorStd: 1, Steps: 6, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 5})
	for _, decay := range []float64{0, 0.99} {
		u := &fakeLearner{linearControl: linearControl{d: 2, offset: 0.5}, loss: 1}
		v := &fakeLearner{linearControl: linearControl{d: 2}, loss: 1}
		ema := &constControl{v: []float64{-2, 3}}
		cfg := TrainConfig{Rounds: 1, AMEpochs: 2, RAMEpochs: 1, Paths: 8, Updates: 5, Batch: 4, TimesPerPath: 2, KeepT0: true,
			BufferU: 100, BufferV: 100, LearnRateU: 1e-3, LearnRateV: 1e-3, LRFinal: 1, Weighting: "uniform", RAMTargetEMA: decay}
		tr, err := NewTrainer(p, u, v, cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		tr.UTarget = ema
		if err := tr.Run(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		want := []float64{-0.5, -0.5} // −u(·, 0) = −offset
		wantUpdates := 0
		if decay > 0 {
			want = []float64{2, -3}
			wantUpdates = 2 * 5
		}
		if len(ema.updates) != wantUpdates || (wantUpdates > 0 && ema.updates[0] != decay) {
			t.Errorf("decay %v: %d EMA updates %v, want %d with decay %v", decay, len(ema.updates), ema.updates, wantUpdates, decay)
		}
		if tr.BufV.Len() != 8 {
			t.Fatalf("decay %v: v buffer has %d rows, want 8", decay, tr.BufV.Len())
		}
		for i := 0; i < tr.BufV.Len(); i++ {
			g := tr.BufV.Row(i)[1]
			if math.Abs(g[0]-want[0]) > 1e-12 || math.Abs(g[1]-want[1]) > 1e-12 {
				t.Fatalf("decay %v: RAM target row %d = %v, want %v", decay, i, g, want)
			}
		}
	}
	bad := TrainConfig{Rounds: 1, AMEpochs: 1, Paths: 1, Updates: 1, Batch: 1, TimesPerPath: 1, BufferU: 1, BufferV: 1,
		LearnRateU: 1, LearnRateV: 1, LRFinal: 1, Weighting: "uniform"}
	for _, c := range []struct {
		ema, alpha float64
		msg        string
	}{{1, 0, "EMA decay"}, {-0.1, 0, "EMA decay"}, {0, -1, "temper"}, {0, math.Inf(1), "temper"}} {
		b := bad
		b.RAMTargetEMA, b.ISTemper = c.ema, c.alpha
		if err := b.Validate(); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ema %v α %v: %v, want an error naming %q", c.ema, c.alpha, err, c.msg)
		}
	}
}
