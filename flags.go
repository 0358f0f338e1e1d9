package main

import (
	"fmt"
	"strings"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments"
	"github.com/naas-go/naas/models"
	"github.com/urfave/cli/v2"
)

// setting binds one command-line flag to one field of experiments.Settings.
type setting struct {
	flag  cli.Flag
	apply func(c *cli.Context, s *experiments.Settings)
}

func intSetting(name, usage string, field func(*experiments.Settings) *int) setting {
	return setting{&cli.IntFlag{Name: name, Usage: usage, Category: "hyper-parameters", DefaultText: "the experiment's"},
		func(c *cli.Context, s *experiments.Settings) { *field(s) = c.Int(name) }}
}

func floatSetting(name, usage string, field func(*experiments.Settings) *float64) setting {
	return setting{&cli.Float64Flag{Name: name, Usage: usage, Category: "hyper-parameters", DefaultText: "the experiment's"},
		func(c *cli.Context, s *experiments.Settings) { *field(s) = c.Float64(name) }}
}

func stringSetting(name, usage string, field func(*experiments.Settings) *string) setting {
	return setting{&cli.StringFlag{Name: name, Usage: usage, Category: "hyper-parameters", DefaultText: "the experiment's"},
		func(c *cli.Context, s *experiments.Settings) { *field(s) = c.String(name) }}
}

func boolSetting(name, usage string, field func(*experiments.Settings) *bool) setting {
	return setting{&cli.BoolFlag{Name: name, Usage: usage, Category: "hyper-parameters", DefaultText: "the experiment's"},
		func(c *cli.Context, s *experiments.Settings) { *field(s) = c.Bool(name) }}
}

func settings() []setting {
	type S = experiments.Settings
	return []setting{
		intSetting("steps", "K, Euler steps of the annealed stage", func(s *S) *int { return &s.Process.Steps }),
		floatSetting("prior-std", "s, std of the prior N(m, s²I)", func(s *S) *float64 { return &s.Process.PriorStd }),
		stringSetting("beta", "β schedule: "+strings.Join(dynamics.BetaNames(), ", "), func(s *S) *string { return &s.Process.Beta }),
		stringSetting("sigma", "σ schedule: "+strings.Join(dynamics.SigmaNames(), ", "), func(s *S) *string { return &s.Process.Sigma }),
		floatSetting("sigma-max", "σ at t = 0 (the constant schedule's value)", func(s *S) *float64 { return &s.Process.SigmaMax }),
		floatSetting("sigma-min", "σ at t = 1", func(s *S) *float64 { return &s.Process.SigmaMin }),
		floatSetting("prior-sigma", "σ̃ of the prior stage (0: s)", func(s *S) *float64 { return &s.Process.PriorSigma }),
		intSetting("prior-steps", "Euler steps of the prior stage", func(s *S) *int { return &s.Process.PriorSteps }),
		floatSetting("grad-clip", "per-sample cap on |∇E| (0: off)", func(s *S) *float64 { return &s.Process.GradClip }),
		floatSetting("adjoint-clip", "per-path cap on |a_k| (0: off)", func(s *S) *float64 { return &s.Process.AdjointClip }),
		floatSetting("control-from", "t₀: u acts only for t ≥ t₀ (0: everywhere, as specified)", func(s *S) *float64 { return &s.Process.ControlFrom }),
		boolSetting("mean-free", "treat x as particles in 3-D and keep their centroid fixed (noise and controls projected; needs d divisible by 3)", func(s *S) *bool { return &s.Process.MeanFree }),
		intSetting("rounds", "alternating AM/RAM rounds", func(s *S) *int { return &s.Train.Rounds }),
		intSetting("am-epochs", "AM epochs per round (N_u)", func(s *S) *int { return &s.Train.AMEpochs }),
		intSetting("ram-epochs", "RAM epochs per round (N_v)", func(s *S) *int { return &s.Train.RAMEpochs }),
		intSetting("warmup-am", "AM epochs before the first round (warm-up of u before the first RAM stage)", func(s *S) *int { return &s.Train.WarmupAM }),
		intSetting("paths", "paths simulated per epoch", func(s *S) *int { return &s.Train.Paths }),
		intSetting("updates", "Adam steps per epoch (M)", func(s *S) *int { return &s.Train.Updates }),
		intSetting("batch", "minibatch size of each Adam step", func(s *S) *int { return &s.Train.Batch }),
		intSetting("times-per-path", "grid times stored per path in the u buffer", func(s *S) *int { return &s.Train.TimesPerPath }),
		boolSetting("keep-t0", "always store t = 0 among a path's buffer times (--keep-t0=false to turn off)", func(s *S) *bool { return &s.Train.KeepT0 }),
		intSetting("buffer-u", "capacity of the u replay buffer (rows)", func(s *S) *int { return &s.Train.BufferU }),
		intSetting("buffer-v", "capacity of the v replay buffer (rows)", func(s *S) *int { return &s.Train.BufferV }),
		floatSetting("lr-u", "Adam learning rate of u", func(s *S) *float64 { return &s.Train.LearnRateU }),
		floatSetting("lr-v", "Adam learning rate of v", func(s *S) *float64 { return &s.Train.LearnRateV }),
		floatSetting("lr-final", "final learning rate as a fraction of the initial one", func(s *S) *float64 { return &s.Train.LRFinal }),
		floatSetting("ram-gate", "skip a RAM stage when the held-out R² of u(·,0) against a₀ is below this (0: never skip)", func(s *S) *float64 { return &s.Train.RAMGate }),
		floatSetting("is-temper", "α: weight each AM path by exp(α·log w), self-normalised (1: exact importance weights; 0: off)", func(s *S) *float64 { return &s.Train.ISTemper }),
		floatSetting("ram-target-ema", "EMA decay of the copy of u whose −u(·,0) is RAM's target, updated every AM step (0: RAM uses u itself)", func(s *S) *float64 { return &s.Train.RAMTargetEMA }),
		intSetting("basin-paths", "fit a basin prior with this many paths after training and start NAAS from it instead of the prior stage (needs --ram-epochs 0; 0: off)", func(s *S) *int { return &s.Basin.Paths }),
		stringSetting("basin-mass", "basin-mass estimator of the basin prior: "+strings.Join(experiments.MassEstimators(), ", "), func(s *S) *string { return &s.Basin.Mass }),
		intSetting("basin-descents", "end points descended to find the basins (0: all)", func(s *S) *int { return &s.Basin.Descents }),
		intSetting("basin-draws", "importance draws (--basin-mass is) or particles (--basin-mass ais) per basin", func(s *S) *int { return &s.Basin.Draws }),
		intSetting("basin-temps", "annealing levels per basin (--basin-mass ais)", func(s *S) *int { return &s.Basin.Temps }),
		floatSetting("basin-inflate", "proposal std / end-point std of the importance sampling (--basin-mass is)", func(s *S) *float64 { return &s.Basin.Inflate }),
		floatSetting("basin-max-alpha", "cap of a basin weight relative to the prior mean", func(s *S) *float64 { return &s.Basin.MaxAlpha }),
		stringSetting("weighting", "AM loss weighting over time: "+strings.Join(dynamics.Weightings(), ", "), func(s *S) *string { return &s.Train.Weighting }),
		stringSetting("arch", "network architecture: "+strings.Join(models.Architectures(), ", "), func(s *S) *string { return &s.Net.Arch }),
		intSetting("width", "hidden units per layer", func(s *S) *int { return &s.Net.Width }),
		intSetting("depth", "hidden layers (residual blocks for resmlp)", func(s *S) *int { return &s.Net.Depth }),
		stringSetting("act", "activation: "+strings.Join(models.Activations(), ", "), func(s *S) *string { return &s.Net.Act }),
		intSetting("nfreq", "Fourier frequencies of the time embedding", func(s *S) *int { return &s.Net.NFreq }),
		stringSetting("dtype", "network precision: float32, float64", func(s *S) *string { return &s.Net.Dtype }),
		stringSetting("engine", "network engine: native (default), gorgonia (bit-identical reference)", func(s *S) *string { return &s.Net.Engine }),
		floatSetting("clip-norm", "global gradient-norm clip of each Adam step (0: off)", func(s *S) *float64 { return &s.Net.ClipNorm }),
		intSetting("eval-n", "samples per evaluation set", func(s *S) *int { return &s.Eval.N }),
		floatSetting("eps-frac", "Sinkhorn ε as a fraction of the mean squared distance between exact sets", func(s *S) *float64 { return &s.Eval.EpsFrac }),
	}
}

func runFlags() []cli.Flag {
	fl := []cli.Flag{
		&cli.StringFlag{Name: "exp", Value: "mos50", Usage: "experiment: " + strings.Join(experiments.Names(), ", ")},
		&cli.Uint64Flag{Name: "seed", Usage: "seed of weights, training and evaluation (default: the experiment's)"},
		&cli.StringFlag{Name: "config", Usage: "JSON settings file (as written to a run's config.json \"settings\"); flags override it"},
		&cli.StringFlag{Name: "out", Value: "runs", Usage: "parent folder of run folders"},
		&cli.StringFlag{Name: "name", Usage: "run folder name (default: EXP-seedN-TIMESTAMP); an existing folder is never overwritten"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the results table"},
		&cli.BoolFlag{Name: "no-w2", Usage: "skip the exact W2 (an O(n³) assignment)"},
		&cli.IntFlag{Name: "checkpoint-every", Value: 10, Usage: "write a checkpoint (networks, optimisers, buffers, random state) every N epochs (0: only at the end and on Ctrl-C)"},
		&cli.IntFlag{Name: "validate-every", Usage: "every N epochs, score a fixed validation draw by its ELBO or ESS (--select-by; no ground truth) and keep the best networks in best/; ground-truth metrics of the same draw go to validation.jsonl beside it (0: off)"},
		&cli.IntFlag{Name: "validate-n", Value: 500, Usage: "samples of the validation draw"},
		&cli.StringFlag{Name: "select-by", Value: experiments.SelectELBO, Usage: "criterion of best/ with --validate-every: " + strings.Join(experiments.SelectionCriteria(), ", ") + " (highest wins; recorded in config.json and validation.jsonl; a resumed run keeps its own)"},
		&cli.StringFlag{Name: "resume", Usage: "continue the interrupted run in this folder from its last checkpoint (its settings are used; other flags are ignored)"},
	}
	for _, s := range settings() {
		fl = append(fl, s.flag)
	}
	return fl
}

// resolveSettings builds the run's settings: the experiment's defaults, then the config
// file, then every flag that was set.
func resolveSettings(c *cli.Context) (experiments.Settings, error) {
	exp, err := experiments.Lookup(c.String("exp"))
	if err != nil {
		return experiments.Settings{}, err
	}
	s := exp.Defaults()
	if p := c.String("config"); p != "" {
		if s, err = experiments.LoadSettingsFile(p, s); err != nil {
			return s, err
		}
		if s.Experiment != exp.Name {
			return s, fmt.Errorf("config file %s is for experiment %q but --exp is %q", p, s.Experiment, exp.Name)
		}
	}
	if c.IsSet("seed") {
		s.Seed = c.Uint64("seed")
	}
	if c.Bool("no-w2") {
		s.Eval.W2 = false
	}
	for _, st := range settings() {
		if c.IsSet(st.flag.Names()[0]) {
			st.apply(c, &s)
		}
	}
	return s, s.Validate()
}
