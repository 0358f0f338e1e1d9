package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments"
	"github.com/naas-go/naas/experiments/targets"
	"github.com/naas-go/naas/graph"
	"github.com/naas-go/naas/objectives"
	"gorgonia.org/tensor"
)

// Options selects what to time. Zero sizes take the experiment's defaults.
type Options struct {
	Exp     string // experiment name (default "mos50")
	Paths   int    // B, paths per roll-out and per epoch
	Steps   int    // K, Euler steps of the annealed stage
	Updates int    // Adam steps per epoch
	Batch   int    // minibatch rows of each Adam step
	Width   int    // hidden units per layer
	Depth   int    // hidden layers
	Dtype   string // network dtype: "float32" or "float64"
	// Engines are the graph engines to time side by side (default: native only).
	Engines []graph.Engine
	// Reps is the number of timed repetitions of every phase (default 5); the median is
	// reported.
	Reps int
	// Phases restricts the run to these phase names (see PhaseNames); nil runs all.
	Phases []string
	// PeakSize is the m = n = k of the GEMM-peak measurement (default 1024).
	PeakSize int
	// PeakTime is the minimum duration of each GEMM-rate measurement (default 500 ms).
	PeakTime time.Duration
}

// Phase names, in the order they run.
const (
	PhaseForward  = "forward"
	PhaseRollout  = "rollout"
	PhaseAdjoint  = "adjoint"
	PhaseAMStep   = "am-step"
	PhaseRAMStep  = "ram-step"
	PhaseAMEpoch  = "am-epoch"
	PhaseRAMEpoch = "ram-epoch"
)

// PhaseNames lists the phases in the order they run.
func PhaseNames() []string {
	return []string{PhaseForward, PhaseRollout, PhaseAdjoint, PhaseAMStep, PhaseRAMStep, PhaseAMEpoch, PhaseRAMEpoch}
}

// Settings returns the experiment settings the options describe (defaults overridden by the
// non-zero options), with an alternating schedule of one AM and one RAM epoch per round.
func (o Options) Settings() (experiments.Settings, error) {
	name := o.Exp
	if name == "" {
		name = "mos50"
	}
	exp, err := experiments.Lookup(name)
	if err != nil {
		return experiments.Settings{}, err
	}
	s := exp.Defaults()
	for _, f := range []struct {
		name string
		v    int
		dst  *int
	}{
		{"paths", o.Paths, &s.Train.Paths}, {"steps", o.Steps, &s.Process.Steps}, {"updates", o.Updates, &s.Train.Updates},
		{"batch", o.Batch, &s.Train.Batch}, {"width", o.Width, &s.Net.Width}, {"depth", o.Depth, &s.Net.Depth},
	} {
		if f.v < 0 {
			return s, fmt.Errorf("bench: %s = %d must be positive (0: the experiment's default)", f.name, f.v)
		}
		if f.v > 0 {
			*f.dst = f.v
		}
	}
	if o.Dtype != "" {
		s.Net.Dtype = o.Dtype
	}
	s.Train.Rounds, s.Train.AMEpochs, s.Train.RAMEpochs = 1<<20, 1, 1
	s.Basin.Paths = 0 // the basin prior is fitted after training; it has no part in an epoch
	// time the method as specified (and as the PyTorch reference runs it): the control acts
	// at every step, whatever the experiment's default
	s.Process.ControlFrom = 0
	return s, s.Validate()
}

// engines returns the engines to time, checked, in order.
func (o Options) engines() ([]graph.Engine, error) {
	if len(o.Engines) == 0 {
		return []graph.Engine{graph.EngineNative}, nil
	}
	for _, e := range o.Engines {
		if !slices.Contains(graph.Engines(), string(e)) {
			return nil, fmt.Errorf("bench: unknown engine %q; known: %v", e, graph.Engines())
		}
	}
	return o.Engines, nil
}

// sampler is one engine's complete NAAS sampler with fixed phase inputs.
type sampler struct {
	engine graph.Engine
	proc   *dynamics.Process
	u, v   *graph.Net
	tr     *dynamics.Trainer
	x0     []float64 // roll-out start points [B, d]
	fx, ft []float64 // forward-pass inputs [B, d], [B]
	path   *dynamics.Path
	// training minibatch: x, t, y [Batch rows], w nil (all ones)
	mx, mt, my []float64
	out        []float64
}

// newSampler builds the sampler of settings s for engine e (weights and random streams from
// s.Seed: every engine starts identical) and runs one warm-up AM and RAM epoch.
func newSampler(tgt targets.Target, s experiments.Settings, e graph.Engine) (*sampler, error) {
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
		cfg.Dtype, cfg.Batch, cfg.LearnRate, cfg.ClipNorm = dt, s.Train.Batch, lr, s.Net.ClipNorm
		cfg.Objective, cfg.Seed, cfg.Engine = obj, seed, e
		return graph.New(cfg)
	}
	smp := &sampler{engine: e, proc: proc}
	if smp.u, err = mk("u", objectives.NameAM, s.Train.LearnRateU, s.Seed*2+1); err != nil {
		return nil, err
	}
	if smp.v, err = mk("v", objectives.NameRAM, s.Train.LearnRateV, s.Seed*2+2); err != nil {
		smp.close()
		return nil, err
	}
	if smp.tr, err = dynamics.NewTrainer(proc, smp.u, smp.v, s.Train, s.Seed); err != nil {
		smp.close()
		return nil, err
	}
	for range 2 { // warm-up: one AM and one RAM epoch (trains the networks off zero, fills buffers)
		if _, err := smp.tr.Step(); err != nil {
			smp.close()
			return nil, fmt.Errorf("bench: warm-up epoch (%s engine): %w", e, err)
		}
	}
	d, B, mb := proc.D, s.Train.Paths, s.Train.Batch
	rng := rand.New(rand.NewPCG(s.Seed, 0xbe9c4))
	if smp.x0, _, err = proc.SampleY(B, smp.v, rng, false); err != nil {
		smp.close()
		return nil, err
	}
	smp.fx, smp.ft, smp.out = make([]float64, B*d), make([]float64, B), make([]float64, B*d)
	for i := range smp.fx {
		smp.fx[i] = proc.M[i%d] + proc.S*rng.NormFloat64()
	}
	for b := range smp.ft {
		smp.ft[b] = rng.Float64()
	}
	smp.mx, smp.mt, smp.my = make([]float64, mb*d), make([]float64, mb), make([]float64, mb*d)
	for i := range smp.mx {
		smp.mx[i] = proc.M[i%d] + proc.S*rng.NormFloat64()
		smp.my[i] = rng.NormFloat64()
	}
	for b := range smp.mt {
		smp.mt[b] = rng.Float64()
	}
	return smp, nil
}

func (s *sampler) close() {
	if s.u != nil {
		s.u.Close()
	}
	if s.v != nil {
		s.v.Close()
	}
}

// prepare does the untimed set-up of one repetition of phase: the roll-out of the adjoint's
// path if there is none yet, and one epoch of the other stage when the trainer's next epoch is
// not of the phase's stage (the schedule alternates AM and RAM epochs).
func (s *sampler) prepare(phase string) error {
	switch phase {
	case PhaseAdjoint:
		if s.path == nil {
			path, err := s.proc.Rollout(s.x0, s.u, rand.New(rand.NewPCG(7, 7)), dynamics.RolloutOptions{Keep: true})
			if err != nil {
				return err
			}
			s.path = path
		}
	case PhaseAMEpoch, PhaseRAMEpoch:
		want := dynamics.StageAM
		if phase == PhaseRAMEpoch {
			want = dynamics.StageRAM
		}
		if _, st := s.tr.StageOf(s.tr.Epoch); st != want {
			if _, err := s.tr.Step(); err != nil {
				return err
			}
		}
	}
	return nil
}

// run executes one repetition of phase (after prepare) and returns the epoch breakdown for
// epoch phases.
func (s *sampler) run(phase string) (*dynamics.EpochInfo, error) {
	switch phase {
	case PhaseForward:
		return nil, s.u.Apply(s.fx, s.ft, s.out)
	case PhaseRollout:
		// the same start points and noise every repetition: identical work
		path, err := s.proc.Rollout(s.x0, s.u, rand.New(rand.NewPCG(7, 7)), dynamics.RolloutOptions{Keep: true})
		s.path = path
		return nil, err
	case PhaseAdjoint:
		_, _, err := s.proc.Adjoint(s.path)
		return nil, err
	case PhaseAMStep:
		_, err := s.u.Step(s.mx, s.mt, s.my, nil)
		return nil, err
	case PhaseRAMStep:
		_, err := s.v.Step(s.mx, s.mt, s.my, nil)
		return nil, err
	case PhaseAMEpoch, PhaseRAMEpoch:
		info, err := s.tr.Step()
		return &info, err
	}
	return nil, fmt.Errorf("bench: unknown phase %q; known: %v", phase, PhaseNames())
}

// Row is the result of one phase for one engine.
type Row struct {
	Phase  string
	Engine graph.Engine
	// Wall and CPU are the medians over the repetitions of the wall-clock time and of the
	// process CPU time (user + system, all threads; −1 where unavailable). MinWall is the
	// fastest repetition.
	Wall, CPU, MinWall time.Duration
	Calls              dynamics.Calls // energy calls of one repetition
	Flops              float64        // matrix-product flops of one repetition (0: not counted)
	// Rollout, Adjoint, Train are the medians of an epoch's time split (epoch phases only).
	Rollout, Adjoint, Train time.Duration
}

// GFLOPS is the achieved rate of the matrix products at the median wall time (0 if not
// counted).
func (r Row) GFLOPS() float64 {
	if r.Flops == 0 || r.Wall <= 0 {
		return 0
	}
	return r.Flops / r.Wall.Seconds() / 1e9
}

// Report is the result of Run.
type Report struct {
	Settings   experiments.Settings
	BLAS       string  // graph.BLASName()
	GOMAXPROCS int     // runtime.GOMAXPROCS(0)
	PeakGFLOPS float64 // GEMM peak of the BLAS at PeakSize³ in the network dtype
	PeakSize   int
	// LayerGFLOPS is the GEMM rate at the shape of one hidden layer's forward product
	// (B × Width × Width).
	LayerGFLOPS float64
	// NativePeakGFLOPS and NativeLayerGFLOPS are the same rates for the product the native
	// engine uses (graph.NativeGEMMRate: equal to the BLAS's except with gonum on AVX-512,
	// where the engine uses a bit-identical vectorised replica of gonum's Sgemm).
	NativePeakGFLOPS, NativeLayerGFLOPS float64
	ParamsW                             int // entries of u's weight matrices (P_W)
	Reps                                int
	Rows                                []Row
	Torch                               *TorchResult // nil unless RunTorch was used
}

// Run builds one sampler per engine, measures the GEMM peak, and times every phase Reps
// times, engines interleaved. progress, if not nil, receives one line per finished phase.
func Run(o Options, progress func(string)) (*Report, error) {
	s, err := o.Settings()
	if err != nil {
		return nil, err
	}
	engines, err := o.engines()
	if err != nil {
		return nil, err
	}
	phases := PhaseNames()
	if o.Phases != nil {
		for _, p := range o.Phases {
			if !slices.Contains(phases, p) {
				return nil, fmt.Errorf("bench: unknown phase %q; known: %v", p, phases)
			}
		}
		phases = o.Phases
	}
	reps := o.Reps
	if reps == 0 {
		reps = 5
	}
	if reps < 0 {
		return nil, fmt.Errorf("bench: repetitions %d must be positive", reps)
	}
	peakN := o.PeakSize
	if peakN == 0 {
		peakN = 1024
	}
	if peakN < 0 {
		return nil, fmt.Errorf("bench: GEMM peak size %d must be positive", peakN)
	}
	exp, err := experiments.Lookup(s.Experiment)
	if err != nil {
		return nil, err
	}
	tgt, err := exp.Target()
	if err != nil {
		return nil, err
	}
	say := func(format string, a ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, a...))
		}
	}
	rep := &Report{Settings: s, BLAS: graph.BLASName(), GOMAXPROCS: runtime.GOMAXPROCS(0), PeakSize: peakN, Reps: reps}
	dt := tensor.Float32
	if s.Net.Dtype == "float64" {
		dt = tensor.Float64
	}
	peakT := o.PeakTime
	if peakT <= 0 {
		peakT = 500 * time.Millisecond
	}
	if rep.PeakGFLOPS, err = graph.GEMMRate(dt, peakN, peakN, peakN, peakT); err != nil {
		return nil, err
	}
	if rep.LayerGFLOPS, err = graph.GEMMRate(dt, s.Train.Paths, s.Net.Width, s.Net.Width, peakT); err != nil {
		return nil, err
	}
	if rep.NativePeakGFLOPS, err = graph.NativeGEMMRate(dt, peakN, peakN, peakN, peakT); err != nil {
		return nil, err
	}
	if rep.NativeLayerGFLOPS, err = graph.NativeGEMMRate(dt, s.Train.Paths, s.Net.Width, s.Net.Width, peakT); err != nil {
		return nil, err
	}
	say("GEMM peak %.1f GFLOP/s (%d³), layer GEMM %.1f GFLOP/s; native engine's GEMM %.1f / %.1f GFLOP/s; building %d sampler(s)",
		rep.PeakGFLOPS, peakN, rep.LayerGFLOPS, rep.NativePeakGFLOPS, rep.NativeLayerGFLOPS, len(engines))

	var smps []*sampler
	defer func() {
		for _, sm := range smps {
			sm.close()
		}
	}()
	for _, e := range engines {
		sm, err := newSampler(tgt, s, e)
		if err != nil {
			return nil, err
		}
		smps = append(smps, sm)
	}
	for _, shp := range smps[0].u.ParamShapes() {
		if shp[0] > 1 {
			rep.ParamsW += shp[0] * shp[1]
		}
	}
	pw := float64(rep.ParamsW)
	B, K, mb := float64(s.Train.Paths), float64(s.Process.Steps), float64(s.Train.Batch)
	flops := map[string]float64{
		PhaseForward: 2 * B * pw,
		PhaseRollout: 2 * B * pw * K,
		PhaseAMStep:  6 * mb * pw,
		PhaseRAMStep: 6 * mb * pw,
	}
	for _, ph := range phases {
		type obs struct {
			wall, cpu time.Duration
			calls     dynamics.Calls
			info      *dynamics.EpochInfo
		}
		res := make([][]obs, len(smps))
		for r := -1; r < reps; r++ { // r = −1: warm-up
			for i, sm := range smps {
				if err := sm.prepare(ph); err != nil {
					return nil, fmt.Errorf("bench: preparing %s (%s engine): %w", ph, sm.engine, err)
				}
				runtime.GC()
				c0, w0, cpu0 := sm.proc.E.Calls(), time.Now(), cpuTime()
				info, err := sm.run(ph)
				w, cpu := time.Since(w0), cpuTime()-cpu0
				if err != nil {
					return nil, fmt.Errorf("bench: %s (%s engine): %w", ph, sm.engine, err)
				}
				if cpu0 < 0 {
					cpu = -1
				}
				if r >= 0 {
					res[i] = append(res[i], obs{w, cpu, sm.proc.E.Calls().Sub(c0), info})
				}
			}
		}
		for i, sm := range smps {
			row := Row{Phase: ph, Engine: sm.engine, Calls: res[i][0].calls, Flops: flops[ph]}
			pick := func(f func(obs) time.Duration) time.Duration {
				v := make([]time.Duration, len(res[i]))
				for j, o := range res[i] {
					v[j] = f(o)
				}
				return median(v)
			}
			row.Wall = pick(func(o obs) time.Duration { return o.wall })
			row.CPU = pick(func(o obs) time.Duration { return o.cpu })
			row.MinWall = slices.Min(func() []time.Duration {
				v := make([]time.Duration, len(res[i]))
				for j, o := range res[i] {
					v[j] = o.wall
				}
				return v
			}())
			if res[i][0].info != nil {
				sec := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
				row.Rollout = pick(func(o obs) time.Duration { return sec(o.info.RolloutSec) })
				row.Adjoint = pick(func(o obs) time.Duration { return sec(o.info.AdjointSec) })
				row.Train = pick(func(o obs) time.Duration { return sec(o.info.TrainSec) })
			}
			rep.Rows = append(rep.Rows, row)
			say("%-9s %-8s %9.2f ms", ph, sm.engine, float64(row.Wall.Microseconds())/1e3)
		}
	}
	return rep, nil
}

// median returns the median of v (the mean of the middle two for an even count).
func median(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Find returns the row of phase and engine, if present.
func (r *Report) Find(phase string, e graph.Engine) (Row, bool) {
	for _, row := range r.Rows {
		if row.Phase == phase && row.Engine == e {
			return row, true
		}
	}
	return Row{}, false
}
