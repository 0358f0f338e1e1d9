package dynamics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// TrainConfig sets the alternating AM/RAM schedule of naas.md §6.
type TrainConfig struct {
	Rounds    int `json:"rounds"`     // number of (AM stage, RAM stage) rounds
	AMEpochs  int `json:"am_epochs"`  // N_u, epochs per AM stage
	RAMEpochs int `json:"ram_epochs"` // N_v, epochs per RAM stage (0: no prior stage training)
	// WarmupAM is a number of AM epochs run before the first round (a warm-up of u before
	// the first RAM stage trusts −u(·, 0) as its target); 0: none.
	WarmupAM int `json:"warmup_am,omitempty"`
	Paths    int `json:"paths"`   // B, paths simulated per epoch
	Updates  int `json:"updates"` // M, optimiser steps per epoch
	Batch    int `json:"batch"`   // minibatch size of each optimiser step
	// TimesPerPath is how many distinct grid times k of each path enter the u buffer per
	// epoch (choice, naas.md §6); with KeepT0 one of them is always k = 0.
	TimesPerPath int  `json:"times_per_path"`
	KeepT0       bool `json:"keep_t0"`
	BufferU      int  `json:"buffer_u"` // capacity (rows) of the (t, x, a) buffer
	BufferV      int  `json:"buffer_v"` // capacity (rows) of the (Y₁, ∇g̃) buffer
	// LearnRateU and LearnRateV are the Adam learning rates at the start; they decay
	// exponentially with the epoch to LRFinal times their value at the last epoch
	// (LRFinal = 1: constant).
	LearnRateU float64 `json:"lr_u"`
	LearnRateV float64 `json:"lr_v"`
	LRFinal    float64 `json:"lr_final"`
	// Weighting of the AM loss over time: "uniform" (naas.md §4) or "sigma2", weight
	// σ_k²/mean_k σ_k² (the standard adjoint-matching parameterisation, drift b + σũ).
	Weighting string `json:"weighting"`
	// RAMGate, if > 0, skips the epochs of a RAM stage when the held-out R² of u(·, 0) as a
	// predictor of the adjoint a₀, measured on the fresh paths of the stage's last AM epoch
	// before training on them, is below RAMGate: RAM's target is −u(·, 0), so it is only
	// trusted where u(·, 0) demonstrably explains a₀ (naas.md §9). 0 = always run RAM.
	RAMGate float64 `json:"ram_gate,omitempty"`
	// ISTemper α ≥ 0 importance-weights the AM regression: every row of an epoch's path b
	// gets the extra loss weight w_b ∝ exp(α·logw_b), self-normalised to mean 1 over the
	// epoch's finite paths, where logw_b is the discrete-time log-weight of naas.md §7 of the
	// whole path (prior stage and annealed stage, as in Sample). α = 1 is the exact
	// self-normalised estimate of the AM targets under the optimally controlled path law
	// (so of ∇V_t, naas.md §9); α < 1 tempers it. 0 = off (no weights computed, bit-identical
	// to the unweighted method).
	ISTemper float64 `json:"is_temper,omitempty"`
	// RAMTargetEMA, if > 0, makes RAM's target −ū(·, 0) come from an exponential moving
	// average ū of u (Trainer.UTarget), updated after every AM optimiser step by
	// θ̄ ← decay·θ̄ + (1 − decay)·θ_u, instead of from u itself. 0 = off (RAM uses u).
	RAMTargetEMA float64 `json:"ram_target_ema,omitempty"`
}

// AveragedControl is a moving-average copy of a learned control: Update moves its parameters
// towards the source's, θ̄ ← decay·θ̄ + (1 − decay)·θ.
type AveragedControl interface {
	Control
	Update(decay float64) error
}

// Weightings lists the accepted AM loss weightings.
func Weightings() []string { return []string{"sigma2", "uniform"} }

// Validate checks the configuration and names the first bad value.
func (c TrainConfig) Validate() error {
	pos := []struct {
		name string
		v    int
	}{{"paths", c.Paths}, {"updates", c.Updates}, {"batch", c.Batch},
		{"times per path", c.TimesPerPath}, {"u buffer", c.BufferU}, {"v buffer", c.BufferV}}
	for _, f := range pos {
		if f.v < 1 {
			return fmt.Errorf("%s = %d: must be at least 1", f.name, f.v)
		}
	}
	if c.Rounds < 0 {
		return fmt.Errorf("rounds = %d: must be ≥ 0 (0: no training, the sampler is the reference)", c.Rounds)
	}
	if c.AMEpochs < 0 || c.RAMEpochs < 0 || c.AMEpochs+c.RAMEpochs == 0 {
		return fmt.Errorf("epochs per stage AM = %d, RAM = %d: must be ≥ 0 and not both 0", c.AMEpochs, c.RAMEpochs)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"lr_u", c.LearnRateU}, {"lr_v", c.LearnRateV}, {"lr_final", c.LRFinal}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s = %v: must be positive and finite", f.name, f.v)
		}
	}
	if c.WarmupAM < 0 {
		return fmt.Errorf("warm-up AM epochs = %d: must be ≥ 0", c.WarmupAM)
	}
	if !(c.RAMGate >= 0) || math.IsInf(c.RAMGate, 0) {
		return fmt.Errorf("ram gate = %v: must be finite and ≥ 0 (0 = off)", c.RAMGate)
	}
	if !(c.ISTemper >= 0) || math.IsInf(c.ISTemper, 0) {
		return fmt.Errorf("importance temper α = %v: must be finite and ≥ 0 (0 = off)", c.ISTemper)
	}
	if !(c.RAMTargetEMA >= 0 && c.RAMTargetEMA < 1) {
		return fmt.Errorf("RAM target EMA decay = %v: must be in [0, 1) (0 = off)", c.RAMTargetEMA)
	}
	if c.Weighting != "uniform" && c.Weighting != "sigma2" {
		return fmt.Errorf("unknown AM weighting %q; known: %s", c.Weighting, strings.Join(Weightings(), ", "))
	}
	return nil
}

// TotalEpochs is WarmupAM + Rounds·(AMEpochs + RAMEpochs).
func (c TrainConfig) TotalEpochs() int { return c.WarmupAM + c.Rounds*(c.AMEpochs+c.RAMEpochs) }

// Stage names.
const (
	StageAM  = "AM"
	StageRAM = "RAM"
)

// EpochInfo reports one finished epoch.
type EpochInfo struct {
	Epoch   int     `json:"epoch"` // 0-based global epoch index
	Round   int     `json:"round"`
	Stage   string  `json:"stage"`   // StageAM or StageRAM
	Loss    float64 `json:"loss"`    // mean training loss over the epoch's updates
	LR      float64 `json:"lr"`      // learning rate used
	Calls   Calls   `json:"calls"`   // energy calls made in this epoch
	Seconds float64 `json:"seconds"` // wall time of the epoch
	// AM diagnostics.
	A0Norm    float64 `json:"a0_norm,omitempty"`    // mean |a_0|
	AMaxNorm  float64 `json:"a_max_norm,omitempty"` // max |a_k|
	Dropped   int     `json:"dropped,omitempty"`    // non-finite paths dropped
	Clipped   int     `json:"grad_clipped,omitempty"`
	AdjCapped int     `json:"adjoint_capped,omitempty"`
	// R2T0 is the held-out R² of u(x₀, 0) against −a₀ on the epoch's fresh paths, before
	// training on them: 1 − mean|u + a₀|² / mean|a₀ − ā₀|² (≤ 0: u(·, 0) explains nothing).
	R2T0 float64 `json:"r2_t0,omitempty"`
	// ISESS is, with ISTemper > 0, the effective sample size fraction (Σw)²/(NΣw²) of the
	// tempered path weights of the epoch (1: all paths count equally).
	ISESS float64 `json:"is_ess,omitempty"`
	// Skipped marks a RAM epoch skipped by the RAM gate.
	Skipped bool `json:"skipped,omitempty"`
	// Time split of the epoch in seconds.
	RolloutSec float64 `json:"rollout_s"`
	AdjointSec float64 `json:"adjoint_s,omitempty"`
	TrainSec   float64 `json:"train_s"`
}

// ErrNonFinite is wrapped by the trainer's error when a loss becomes NaN or infinite.
var ErrNonFinite = errors.New("non-finite loss")

// Trainer runs the alternating AM/RAM training of naas.md §6 for a Process, an annealed-stage
// Learner U and a prior-stage Learner V. It owns the replay buffers and the random stream;
// Epoch is the next epoch to run, so a Trainer can be stopped between epochs and resumed.
type Trainer struct {
	P     *Process
	U, V  Learner
	Cfg   TrainConfig
	BufU  *Buffer // fields: t [1], x [d], a [d], w [1]
	BufV  *Buffer // fields: Y₁ [d], ∇g̃ [d]
	Epoch int
	// UTarget is the moving average of U that RAM uses as its target when
	// Cfg.RAMTargetEMA > 0 (required then; unused otherwise).
	UTarget AveragedControl
	Src     *rand.PCG // the random stream (serialisable with MarshalBinary)
	rng     *rand.Rand

	wK []float64 // AM weight per grid index
	// lastR2 is R2T0 of the last AM epoch (NaN before the first).
	lastR2 float64
	// minibatch buffers
	mt, mx, my, mw []float64
}

// NewTrainer makes a trainer whose random stream is seeded by seed.
func NewTrainer(p *Process, u, v Learner, cfg TrainConfig, seed uint64) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := p.D
	bu, err := NewBuffer(cfg.BufferU, 1, d, d, 1)
	if err != nil {
		return nil, err
	}
	bv, err := NewBuffer(cfg.BufferV, d, d)
	if err != nil {
		return nil, err
	}
	src := rand.NewPCG(seed, 0x6e616173) // "naas"
	t := &Trainer{P: p, U: u, V: v, Cfg: cfg, BufU: bu, BufV: bv, Src: src, rng: rand.New(src), lastR2: math.NaN()}
	K := p.Grid.K
	t.wK = make([]float64, K)
	var mean float64
	for k := 0; k < K; k++ {
		s := p.Grid.Sigma[k]
		t.wK[k] = s * s
		mean += s * s / float64(K)
	}
	for k := range t.wK {
		if cfg.Weighting == "sigma2" {
			t.wK[k] /= mean
		} else {
			t.wK[k] = 1
		}
	}
	n := cfg.Batch
	t.mt, t.mx, t.my, t.mw = make([]float64, n), make([]float64, n*d), make([]float64, n*d), make([]float64, n)
	return t, nil
}

// Rand is the trainer's random source (for callers that must draw from the same stream).
func (t *Trainer) Rand() *rand.Rand { return t.rng }

// StageOf returns the round and stage of global epoch e (the warm-up epochs are AM epochs
// of round 0).
func (t *Trainer) StageOf(e int) (round int, stage string) {
	if e < t.Cfg.WarmupAM {
		return 0, StageAM
	}
	e -= t.Cfg.WarmupAM
	per := t.Cfg.AMEpochs + t.Cfg.RAMEpochs
	round = e / per
	if e%per < t.Cfg.AMEpochs {
		return round, StageAM
	}
	return round, StageRAM
}

// Done reports whether all epochs have run.
func (t *Trainer) Done() bool { return t.Epoch >= t.Cfg.TotalEpochs() }

// lrFactor is LRFinal^(e/total).
func (t *Trainer) lrFactor(e int) float64 {
	return math.Pow(t.Cfg.LRFinal, float64(e)/float64(t.Cfg.TotalEpochs()))
}

// Run runs the remaining epochs, calling after (if not nil) when each one ends; it stops
// early, between epochs, when ctx is cancelled (returning ctx.Err()) or after returns an
// error. A non-finite loss stops training with an error that wraps ErrNonFinite and names
// the stage and epoch.
func (t *Trainer) Run(ctx context.Context, after func(EpochInfo) error) error {
	for !t.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := t.Step()
		if err != nil {
			return err
		}
		if after != nil {
			if err := after(info); err != nil {
				return err
			}
		}
	}
	return nil
}

// Step runs the next epoch (AM or RAM, by the schedule) and advances Epoch. A failed epoch
// does not advance Epoch.
func (t *Trainer) Step() (EpochInfo, error) {
	if t.Cfg.RAMTargetEMA > 0 && t.UTarget == nil {
		return EpochInfo{}, errors.New("RAM target EMA is on but the trainer has no averaged copy of u (UTarget)")
	}
	e := t.Epoch
	round, stage := t.StageOf(e)
	info := EpochInfo{Epoch: e, Round: round, Stage: stage}
	f := t.lrFactor(e)
	c0 := t.P.E.Calls()
	start := time.Now()
	var err error
	if stage == StageAM {
		info.LR = t.Cfg.LearnRateU * f
		t.U.SetLearnRate(info.LR)
		err = t.amEpoch(&info)
	} else {
		info.LR = t.Cfg.LearnRateV * f
		t.V.SetLearnRate(info.LR)
		err = t.ramEpoch(&info)
	}
	info.Seconds = time.Since(start).Seconds()
	info.Calls = t.P.E.Calls().Sub(c0)
	if err != nil {
		return info, fmt.Errorf("%s stage, epoch %d: %w", stage, e, err)
	}
	if math.IsNaN(info.Loss) || math.IsInf(info.Loss, 0) {
		return info, fmt.Errorf("%s stage, epoch %d: loss %v: %w", stage, e, info.Loss, ErrNonFinite)
	}
	t.Epoch++
	return info, nil
}

func (t *Trainer) amEpoch(info *EpochInfo) error {
	p, cfg := t.P, t.Cfg
	t0 := time.Now()
	weighted := cfg.ISTemper > 0
	x0, lwy, err := p.SampleY(cfg.Paths, t.V, t.rng, weighted)
	if err != nil {
		return err
	}
	path, err := p.Rollout(x0, t.U, t.rng, RolloutOptions{Keep: true, LogW: weighted})
	if err != nil {
		return err
	}
	info.Clipped = path.Clipped
	var pw []float64 // per-path loss weights (nil: all 1)
	if weighted {
		p.addAnnealedLogW(lwy, x0, path)
		pw, info.ISESS = TemperedWeights(lwy, cfg.ISTemper)
	}
	t1 := time.Now()
	info.RolloutSec = t1.Sub(t0).Seconds()
	A, st, err := p.Adjoint(path)
	if err != nil {
		return err
	}
	info.AdjointSec = time.Since(t1).Seconds()
	info.A0Norm, info.AMaxNorm, info.AdjCapped = st.A0Norm, st.MaxNorm, st.Capped
	if p.FirstControlled() == 0 {
		if info.R2T0, err = t.heldOutR2(path.X[0], A[0]); err != nil {
			return err
		}
		t.lastR2 = info.R2T0
	}
	if err := t.pushAM(path, A, pw, info); err != nil {
		return err
	}
	t2 := time.Now()
	info.Loss, err = t.train(t.U, t.BufU, true)
	info.TrainSec = time.Since(t2).Seconds()
	return err
}

// pushAM stores TimesPerPath distinct grid points of every finite path in the u buffer, with
// loss weight wK[k]·pw[b] (pw nil: wK[k]).
func (t *Trainer) pushAM(path *Path, A [][]float64, pw []float64, info *EpochInfo) error {
	p, cfg, d := t.P, t.Cfg, t.P.D
	K := p.Grid.K
	k0 := p.FirstControlled()
	nt := min(cfg.TimesPerPath, K-k0)
	var tt, xx, aa, ww []float64
	perm := make([]int, K-k0)
	for b := 0; b < path.B; b++ {
		if !finiteRow(path, A, b, d) {
			info.Dropped++
			continue
		}
		for i := range perm {
			perm[i] = k0 + i
		}
		// partial Fisher–Yates: the first nt entries are distinct uniform indices
		for i := 0; i < nt; i++ {
			j := i + t.rng.IntN(len(perm)-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		if cfg.KeepT0 && k0 == 0 {
			has0 := false
			for i := 0; i < nt; i++ {
				has0 = has0 || perm[i] == 0
			}
			if !has0 {
				perm[nt-1] = 0
			}
		}
		for i := 0; i < nt; i++ {
			k := perm[i]
			tt = append(tt, p.Grid.T(k))
			xx = append(xx, path.X[k][b*d:(b+1)*d]...)
			aa = append(aa, A[k][b*d:(b+1)*d]...)
			w := t.wK[k]
			if pw != nil {
				w *= pw[b]
			}
			ww = append(ww, w)
		}
	}
	if len(tt) == 0 {
		return fmt.Errorf("all %d paths were non-finite", path.B)
	}
	return t.BufU.Push(len(tt), tt, xx, aa, ww)
}

// finiteRow reports whether path row b and its adjoint are finite at every grid point.
func finiteRow(path *Path, A [][]float64, b, d int) bool {
	for _, x := range path.X {
		if !finite(x[b*d : (b+1)*d]) {
			return false
		}
	}
	for _, a := range A {
		if !finite(a[b*d : (b+1)*d]) {
			return false
		}
	}
	return true
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// heldOutR2 is 1 − mean|u(x₀, 0) + a₀|² / mean|a₀ − ā₀|² over the finite rows.
func (t *Trainer) heldOutR2(x0, a0 []float64) (float64, error) {
	d := t.P.D
	n := len(x0) / d
	u0 := make([]float64, len(x0))
	if err := t.U.Apply(x0, make([]float64, n), u0); err != nil {
		return 0, err
	}
	t.P.project(u0)
	mean := make([]float64, d)
	rows := 0
	for b := 0; b < n; b++ {
		if !finite(a0[b*d:(b+1)*d]) || !finite(u0[b*d:(b+1)*d]) {
			continue
		}
		rows++
		for i := 0; i < d; i++ {
			mean[i] += a0[b*d+i]
		}
	}
	if rows == 0 {
		return math.NaN(), nil
	}
	var res, tot float64
	for b := 0; b < n; b++ {
		if !finite(a0[b*d:(b+1)*d]) || !finite(u0[b*d:(b+1)*d]) {
			continue
		}
		for i := 0; i < d; i++ {
			r := u0[b*d+i] + a0[b*d+i]
			z := a0[b*d+i] - mean[i]/float64(rows)
			res += r * r
			tot += z * z
		}
	}
	if tot == 0 {
		return math.NaN(), nil
	}
	return 1 - res/tot, nil
}

func (t *Trainer) ramEpoch(info *EpochInfo) error {
	if g := t.Cfg.RAMGate; g > 0 && !(t.lastR2 >= g) && !math.IsNaN(t.lastR2) {
		info.Skipped = true
		info.R2T0 = t.lastR2
		return nil
	}
	p, cfg, d := t.P, t.Cfg, t.P.D
	t0 := time.Now()
	y1, _, err := p.SampleY(cfg.Paths, t.V, t.rng, false)
	if err != nil {
		return err
	}
	gg := make([]float64, len(y1))
	var target Control = t.U
	if cfg.RAMTargetEMA > 0 {
		target = t.UTarget // non-nil: checked by Step
	}
	if err := p.TerminalGrad(y1, target, gg); err != nil {
		return err
	}
	// drop non-finite rows
	keep := 0
	for b := 0; b < cfg.Paths; b++ {
		if !finite(y1[b*d:(b+1)*d]) || !finite(gg[b*d:(b+1)*d]) {
			info.Dropped++
			continue
		}
		copy(y1[keep*d:(keep+1)*d], y1[b*d:(b+1)*d])
		copy(gg[keep*d:(keep+1)*d], gg[b*d:(b+1)*d])
		keep++
	}
	if keep == 0 {
		return fmt.Errorf("all %d prior-stage paths were non-finite", cfg.Paths)
	}
	if err := t.BufV.Push(keep, y1[:keep*d], gg[:keep*d]); err != nil {
		return err
	}
	info.RolloutSec = time.Since(t0).Seconds()
	t1 := time.Now()
	info.Loss, err = t.train(t.V, t.BufV, false)
	info.TrainSec = time.Since(t1).Seconds()
	return err
}

// train takes Updates optimiser steps on minibatches from buf and returns the mean loss.
// For the u buffer the rows are (t, x, a, w); for the v buffer (Y₁, ∇g̃), and the inputs
// are fresh Brownian-bridge points at fresh uniform times (naas.md §5).
func (t *Trainer) train(l Learner, buf *Buffer, am bool) (float64, error) {
	var sum float64
	for s := 0; s < t.Cfg.Updates; s++ {
		var err error
		var loss float64
		if am {
			if err = buf.Sample(t.rng, t.mt, t.mx, t.my, t.mw); err != nil {
				return 0, err
			}
			loss, err = l.Step(t.mx, t.mt, t.my, t.mw)
			if err == nil && t.Cfg.RAMTargetEMA > 0 {
				err = t.UTarget.Update(t.Cfg.RAMTargetEMA)
			}
		} else {
			// t.mw holds nothing here; reuse mx for Y₁ and my for ∇g̃, then bridge into mx.
			if err = buf.Sample(t.rng, t.mx, t.my); err != nil {
				return 0, err
			}
			for i := range t.mt {
				t.mt[i] = t.rng.Float64()
			}
			t.P.Bridge(t.mx, t.mt, t.rng, t.mx)
			loss, err = l.Step(t.mx, t.mt, t.my, nil)
		}
		if err != nil {
			return 0, err
		}
		sum += loss
	}
	return sum / float64(t.Cfg.Updates), nil
}

// TemperedWeights returns self-normalised tempered importance weights w_b ∝ exp(α·logw_b)
// with mean 1 over the finite entries of logw (non-finite entries get weight 0), and their
// effective sample size fraction (Σw)²/(N Σw²) over the N finite entries. With no finite
// entry every weight is 0 and the ESS is NaN.
func TemperedWeights(logw []float64, alpha float64) (w []float64, ess float64) {
	w = make([]float64, len(logw))
	mx := math.Inf(-1)
	n := 0
	for _, l := range logw {
		if !math.IsNaN(l) && !math.IsInf(l, 0) {
			mx = max(mx, alpha*l)
			n++
		}
	}
	if n == 0 {
		return w, math.NaN()
	}
	var sum float64
	for b, l := range logw {
		if !math.IsNaN(l) && !math.IsInf(l, 0) {
			w[b] = math.Exp(alpha*l - mx)
			sum += w[b]
		}
	}
	var s2 float64
	for b := range w {
		w[b] *= float64(n) / sum
		s2 += w[b] * w[b]
	}
	return w, float64(n) / s2 // Σw = N, so (Σw)²/(N Σw²) = N/Σw²
}
