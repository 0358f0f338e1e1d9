package experiments

import (
	"fmt"
	"math/rand/v2"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/targets"
	"github.com/naas-go/naas/graph"
	"github.com/naas-go/naas/objectives"
	"gorgonia.org/tensor"
)

// Sampler is a NAAS sampler built from Settings: the target, the annealed process, the two
// control networks (u for the annealed stage, v for the prior stage) and their trainer.
type Sampler struct {
	Settings Settings
	Target   targets.Target
	Proc     *dynamics.Process
	U, V     *graph.Net
	// UEMA is the moving average of U that serves as RAM's target when
	// Settings.Train.RAMTargetEMA > 0 (nil otherwise).
	UEMA    *graph.Net
	Trainer *dynamics.Trainer
	// Basin, when set, replaces the prior stage (V) as the start law of NAAS's samples
	// (see BasinPrior); nil uses the prior stage.
	Basin *BasinPrior
}

// SampleNAAS draws n samples of the trained sampler, in chunks of Settings.Eval.Chunk paths:
// the prior stage under V (or the basin prior when Basin is set), then the annealed stage
// under U. All randomness comes from rng.
func (s *Sampler) SampleNAAS(n int, rng *rand.Rand) (*dynamics.Samples, error) {
	if s.Basin != nil {
		return s.Basin.Sample(s.Proc, n, s.Settings.Eval.Chunk, s.U, rng)
	}
	return s.Proc.Sample(n, s.Settings.Eval.Chunk, s.U, s.V, rng)
}

// emaControl is a graph.Net averaged towards src.
type emaControl struct{ ema, src *graph.Net }

func (e emaControl) Apply(x, t, out []float64) error { return e.ema.Apply(x, t, out) }
func (e emaControl) Update(decay float64) error      { return e.ema.UpdateEMA(e.src, decay) }

// Build validates s and constructs the sampler for its experiment. Weights and the training
// stream are seeded from s.Seed, so the same settings give the same run.
func Build(s Settings) (*Sampler, error) {
	exp, err := Lookup(s.Experiment)
	if err != nil {
		return nil, err
	}
	tgt, err := exp.Target()
	if err != nil {
		return nil, err
	}
	return BuildFor(tgt, s)
}

// BuildFor is Build with an explicit target (for targets outside the registry, such as the
// Gaussian test problems).
func BuildFor(tgt targets.Target, s Settings) (*Sampler, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	proc, err := dynamics.NewProcess(tgt, s.Process)
	if err != nil {
		return nil, err
	}
	dt := tensor.Float32
	if s.Net.Dtype == "float64" {
		dt = tensor.Float64
	}
	mk := func(name, obj string, lr float64, seed uint64) (*graph.Net, error) {
		cfg := graph.DefaultConfig(s.Spec(name, proc.D, proc.M))
		cfg.Dtype = dt
		cfg.Batch = s.Train.Batch
		cfg.LearnRate = lr
		cfg.ClipNorm = s.Net.ClipNorm
		cfg.Engine = graph.Engine(s.Net.Engine)
		cfg.Objective = obj
		cfg.Seed = seed
		n, err := graph.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("network %s: %w", name, err)
		}
		return n, nil
	}
	u, err := mk("u", objectives.NameAM, s.Train.LearnRateU, s.Seed*2+1)
	if err != nil {
		return nil, err
	}
	v, err := mk("v", objectives.NameRAM, s.Train.LearnRateV, s.Seed*2+2)
	if err != nil {
		u.Close()
		return nil, err
	}
	tr, err := dynamics.NewTrainer(proc, u, v, s.Train, s.Seed)
	if err != nil {
		u.Close()
		v.Close()
		return nil, err
	}
	smp := &Sampler{Settings: s, Target: tgt, Proc: proc, U: u, V: v, Trainer: tr}
	if s.Train.RAMTargetEMA > 0 {
		ema, err := mk("u", objectives.NameAM, s.Train.LearnRateU, s.Seed*2+1)
		if err == nil {
			err = ema.CopyFrom(u)
		}
		if err != nil {
			smp.Close()
			return nil, fmt.Errorf("moving average of u: %w", err)
		}
		smp.UEMA = ema
		tr.UTarget = emaControl{ema: ema, src: u}
	}
	return smp, nil
}

// Close releases the networks' machines.
func (s *Sampler) Close() {
	s.U.Close()
	s.V.Close()
	if s.UEMA != nil {
		s.UEMA.Close()
	}
}
