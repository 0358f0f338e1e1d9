// Package md runs Langevin molecular dynamics of alanine dipeptide on the aldp force field,
// optionally as replica exchange over a temperature ladder (parallel tempering), to make the
// reference samples of the evaluation.
//
// Integrator: BAOAB (Leimkuhler & Matthews, Appl. Math. Res. Express 2013): half kick (B),
// half drift (A), exact Ornstein–Uhlenbeck velocity update (O) with c1 = exp(−γ dt),
// half drift, force evaluation, half kick. Its configurational sampling error is O(dt²) with
// a small constant (exact for harmonic potentials), which is what a reference set of
// positions needs. No constraints, no centre-of-mass removal (the energy is translation
// invariant; the centre of mass performs free Brownian motion).
//
// Units: positions nm, velocities nm/ps, time ps, masses amu (g/mol), energies kJ/mol,
// forces kJ/mol/nm, temperatures K; 1 kJ/mol/amu = 1 nm²/ps², so F/m is directly in nm/ps².
//
// Replica exchange: slot k runs at Temperatures[k] with its own random stream. Every
// ExchangeEvery steps, neighbouring slots (k, k+1) exchange configurations with the
// Metropolis probability min(1, exp((β_k − β_{k+1})(E_k − E_{k+1}))), alternating between the
// even pairs (0-1, 2-3, …) and the odd pairs (1-2, …); velocities are rescaled by
// sqrt(T_new/T_old). Slot 0 (the lowest temperature) is the sampled ensemble; its frames
// (torsions and potential energy) are recorded every SaveEvery steps after Equilibrate steps.
//
// Determinism and resumability: every random number comes from math/rand/v2 PCG streams
// derived from Seed (one per slot, one for the exchanges). A slot's trajectory depends only
// on its own stream and the exchange decisions, so results do not depend on Workers or on
// scheduling. The complete state (positions, velocities, stream states, step, recorded
// frames, statistics) is written atomically to a checkpoint file; a run resumed from a
// checkpoint continues bit-identically. There is no global mutable state.
package md

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/refdata"
)

// Config defines a simulation. Fields that change results are recorded in checkpoints and
// must match on resume; Workers does not change results.
type Config struct {
	// Solvent of the force field (aldp.Implicit for the benchmark).
	Solvent aldp.Solvent
	// Temperatures is the ladder in K, strictly increasing; Temperatures[0] is the sampled
	// ensemble. One temperature means plain Langevin dynamics.
	Temperatures []float64
	// KB is the gas constant in kJ/mol/K (default aldp.KBoltzmann).
	KB float64
	// Dt is the time step in ps (default 0.001).
	Dt float64
	// Friction γ in 1/ps (default 1; 0 gives velocity Verlet, energy conserving).
	Friction float64
	// ExchangeEvery is the number of steps between exchange attempts (default 500; ignored
	// with one temperature).
	ExchangeEvery int
	// SaveEvery is the number of steps between recorded frames of slot 0 (default 1000).
	SaveEvery int
	// Equilibrate is the number of initial steps during which nothing is recorded and no
	// statistics are accumulated (default 0).
	Equilibrate int64
	// Seed selects the random streams.
	Seed uint64
	// Workers is the number of goroutines stepping replicas (default min(2, replicas));
	// each replica is stepped by one goroutine.
	Workers int
}

// withDefaults fills zero fields and validates.
func (c Config) withDefaults() (Config, error) {
	c.Temperatures = slices.Clone(c.Temperatures)
	if c.KB == 0 {
		c.KB = aldp.KBoltzmann
	}
	if c.Dt == 0 {
		c.Dt = 0.001
	}
	if c.ExchangeEvery == 0 {
		c.ExchangeEvery = 500
	}
	if c.SaveEvery == 0 {
		c.SaveEvery = 1000
	}
	if c.Workers == 0 {
		c.Workers = min(2, len(c.Temperatures))
	}
	switch {
	case c.Solvent != aldp.Implicit && c.Solvent != aldp.Vacuum:
		return c, fmt.Errorf("md: unknown solvent %v", c.Solvent)
	case len(c.Temperatures) == 0:
		return c, errors.New("md: no temperatures")
	case !(c.KB > 0) || math.IsInf(c.KB, 0):
		return c, fmt.Errorf("md: k_B = %g kJ/mol/K, want finite > 0", c.KB)
	case !(c.Dt > 0) || c.Dt > 0.01:
		return c, fmt.Errorf("md: time step %g ps, want in (0, 0.01]", c.Dt)
	case !(c.Friction >= 0) || math.IsInf(c.Friction, 0):
		return c, fmt.Errorf("md: friction %g 1/ps, want finite ≥ 0", c.Friction)
	case c.ExchangeEvery < 1:
		return c, fmt.Errorf("md: ExchangeEvery = %d steps, want ≥ 1", c.ExchangeEvery)
	case c.SaveEvery < 1:
		return c, fmt.Errorf("md: SaveEvery = %d steps, want ≥ 1", c.SaveEvery)
	case c.Equilibrate < 0:
		return c, fmt.Errorf("md: Equilibrate = %d steps, want ≥ 0", c.Equilibrate)
	case c.Workers < 1:
		return c, fmt.Errorf("md: %d workers, want ≥ 1", c.Workers)
	}
	for k, t := range c.Temperatures {
		if !(t > 0) || math.IsInf(t, 0) {
			return c, fmt.Errorf("md: temperature %d = %g K, want finite > 0", k, t)
		}
		if k > 0 && !(t > c.Temperatures[k-1]) {
			return c, fmt.Errorf("md: temperatures must increase strictly: T[%d] = %g K after T[%d] = %g K", k, t, k-1, c.Temperatures[k-1])
		}
	}
	return c, nil
}

// sameRun reports whether a and b (both with defaults) produce the same trajectory.
func sameRun(a, b Config) bool {
	a.Workers, b.Workers = 0, 0
	return slices.Equal(a.Temperatures, b.Temperatures) && a.Solvent == b.Solvent && a.KB == b.KB &&
		a.Dt == b.Dt && a.Friction == b.Friction && a.ExchangeEvery == b.ExchangeEvery &&
		a.SaveEvery == b.SaveEvery && a.Equilibrate == b.Equilibrate && a.Seed == b.Seed
}

// GeometricLadder returns n temperatures from tMin to tMax (K) in geometric progression
// (the spacing that gives roughly uniform exchange acceptance for a constant heat capacity).
func GeometricLadder(tMin, tMax float64, n int) []float64 {
	if n == 1 {
		return []float64{tMin}
	}
	out := make([]float64, n)
	for k := range n {
		out[k] = tMin * math.Pow(tMax/tMin, float64(k)/float64(n-1))
	}
	out[n-1] = tMax
	return out
}

// replica is the dynamical state of one temperature slot.
type replica struct {
	pos, vel, force []float64 // nm, nm/ps, kJ/mol/nm; length 66
	energy          float64   // kJ/mol at pos
	walker          int       // identity of the configuration (its starting slot)
	src             *rand.PCG // the slot's stream (stays with the slot)
	rng             *rand.Rand
}

// Stats are running statistics accumulated after equilibration.
type Stats struct {
	// Steps is the number of steps accumulated into the per-slot sums.
	Steps int64
	// SumE and SumE2 are per-slot sums of the potential energy (kJ/mol) and its square over
	// all accumulated steps.
	SumE, SumE2 []float64
	// SumKinT is the per-slot sum of the instantaneous kinetic temperature 2K/(N_f k_B)
	// (K; N_f = 66) at the end of each step.
	SumKinT []float64
	// CisSteps[k] counts accumulated steps of slot k with a cis peptide bond (either ω,
	// CH3–C–N–CA of ACE or CA–C–N–CH3 of NME, within 90° of 0); DSteps[k] counts steps
	// whose alanine is the D enantiomer (aldp.Chirality < 0). Both are diagnostics.
	CisSteps, DSteps []int64
	// Attempts and Accepts count exchange attempts between slots k and k+1 (length
	// replicas−1), including those during equilibration.
	Attempts, Accepts []int64
	// RoundTrips counts completed bottom → top → bottom trips of walkers (a walker is a
	// configuration followed through its exchanges, labelled by its starting slot).
	RoundTrips int64
	// WalkerState[w] is 0 before walker w first reaches slot 0, 1 after it was last at
	// slot 0, 2 after it went on from slot 0 to the top slot.
	WalkerState []int8
}

// MeanEnergy returns the mean potential energy (kJ/mol) of slot k over the accumulated steps.
func (s Stats) MeanEnergy(k int) float64 { return s.SumE[k] / float64(s.Steps) }

// StdEnergy returns the standard deviation of the potential energy (kJ/mol) of slot k.
func (s Stats) StdEnergy(k int) float64 {
	m := s.MeanEnergy(k)
	return math.Sqrt(max(0, s.SumE2[k]/float64(s.Steps)-m*m))
}

// MeanKineticTemperature returns the mean kinetic temperature (K) of slot k.
func (s Stats) MeanKineticTemperature(k int) float64 { return s.SumKinT[k] / float64(s.Steps) }

// Acceptance returns the exchange acceptance rate between slots k and k+1 (NaN before any
// attempt).
func (s Stats) Acceptance(k int) float64 { return float64(s.Accepts[k]) / float64(s.Attempts[k]) }

func (s Stats) clone() Stats {
	s.SumE, s.SumE2, s.SumKinT = slices.Clone(s.SumE), slices.Clone(s.SumE2), slices.Clone(s.SumKinT)
	s.Attempts, s.Accepts, s.WalkerState = slices.Clone(s.Attempts), slices.Clone(s.Accepts), slices.Clone(s.WalkerState)
	s.CisSteps, s.DSteps = slices.Clone(s.CisSteps), slices.Clone(s.DSteps)
	return s
}

// Sim is a (replica-exchange) Langevin simulation. It is not safe for concurrent use; it
// uses up to Config.Workers goroutines internally.
type Sim struct {
	cfg     Config
	ff      *aldp.ForceField
	invMass []float64 // 1/amu per coordinate (length 66)
	slots   []*replica
	exSrc   *rand.PCG
	exRNG   *rand.Rand
	step    int64
	frames  []refdata.Frame
	stats   Stats
}

// stream ids for the PCG second seed word.
const (
	streamExchange = 0x9e3779b97f4a7c15
	streamSlot     = 0x632be59bd9b4e019
)

// New starts a simulation with every slot at pos0 (nm, length 66, prmtop order) and
// Maxwell–Boltzmann velocities at the slot's temperature.
func New(cfg Config, pos0 []float64) (*Sim, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ff, err := aldp.NewDefault(cfg.Solvent)
	if err != nil {
		return nil, err
	}
	if len(pos0) != ff.Dim() {
		return nil, fmt.Errorf("md: len(pos0) = %d, want %d", len(pos0), ff.Dim())
	}
	s := newSim(cfg, ff)
	for k, r := range s.slots {
		r.pos = slices.Clone(pos0)
		r.walker = k
		kT := cfg.KB * cfg.Temperatures[k]
		for i := range r.vel {
			r.vel[i] = math.Sqrt(kT*s.invMass[i]) * r.rng.NormFloat64()
		}
		if err := s.initForces(k); err != nil {
			return nil, err
		}
	}
	s.stats.WalkerState[0] = 1
	return s, nil
}

func newSim(cfg Config, ff *aldp.ForceField) *Sim {
	n := len(cfg.Temperatures)
	s := &Sim{cfg: cfg, ff: ff, invMass: make([]float64, ff.Dim()), slots: make([]*replica, n)}
	for a, m := range ff.Masses() {
		for d := range 3 {
			s.invMass[3*a+d] = 1 / m
		}
	}
	for k := range s.slots {
		src := rand.NewPCG(cfg.Seed, streamSlot+uint64(k))
		s.slots[k] = &replica{
			vel: make([]float64, ff.Dim()), force: make([]float64, ff.Dim()),
			src: src, rng: rand.New(src),
		}
	}
	s.exSrc = rand.NewPCG(cfg.Seed, streamExchange)
	s.exRNG = rand.New(s.exSrc)
	s.stats = Stats{
		SumE: make([]float64, n), SumE2: make([]float64, n), SumKinT: make([]float64, n),
		CisSteps: make([]int64, n), DSteps: make([]int64, n),
		Attempts: make([]int64, max(n-1, 0)), Accepts: make([]int64, max(n-1, 0)),
		WalkerState: make([]int8, n),
	}
	return s
}

func (s *Sim) initForces(k int) error {
	r := s.slots[k]
	r.energy = s.ff.Forces(r.pos, r.force)
	if !finite(r.energy) {
		return fmt.Errorf("md: slot %d: energy %v kJ/mol at the start is not finite", k, r.energy)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Config returns the configuration with defaults filled in.
func (s *Sim) Config() Config {
	c := s.cfg
	c.Temperatures = slices.Clone(c.Temperatures)
	return c
}

// Step returns the number of steps done.
func (s *Sim) Step() int64 { return s.step }

// Frames returns a copy of the recorded frames of slot 0, in time order.
func (s *Sim) Frames() []refdata.Frame { return slices.Clone(s.frames) }

// NumFrames returns the number of recorded frames.
func (s *Sim) NumFrames() int { return len(s.frames) }

// Stats returns a copy of the running statistics.
func (s *Sim) Stats() Stats { return s.stats.clone() }

// State returns copies of the positions (nm) and velocities (nm/ps) of slot k (length 66)
// and its potential energy (kJ/mol).
func (s *Sim) State(k int) (pos, vel []float64, energy float64) {
	r := s.slots[k]
	return slices.Clone(r.pos), slices.Clone(r.vel), r.energy
}

// SetWorkers changes the number of goroutines (results do not depend on it).
func (s *Sim) SetWorkers(w int) error {
	if w < 1 {
		return fmt.Errorf("md: %d workers, want ≥ 1", w)
	}
	s.cfg.Workers = w
	return nil
}

// advance runs n BAOAB steps of slot k starting after global step `from`, accumulating into
// the slot's own statistics (each slot's sums are touched by one goroutine only, step by
// step, so they do not depend on how the run is split into segments).
func (s *Sim) advance(k int, from int64, n int) error {
	r := s.slots[k]
	x, v, f, im := r.pos, r.vel, r.force, s.invMass
	dt := s.cfg.Dt
	hdt := 0.5 * dt
	c1 := math.Exp(-s.cfg.Friction * dt)
	kT := s.cfg.KB * s.cfg.Temperatures[k]
	nf := float64(len(x))
	// Per-coordinate noise amplitude sqrt((1−c1²) kT/m).
	var c2 [66]float64
	for i := range x {
		c2[i] = math.Sqrt((1 - c1*c1) * kT * im[i])
	}
	noise := s.cfg.Friction > 0
	record := k == 0
	for j := range n {
		for i := range v {
			v[i] += hdt * f[i] * im[i]
			x[i] += hdt * v[i]
		}
		if noise {
			for i := range v {
				v[i] = c1*v[i] + c2[i]*r.rng.NormFloat64()
			}
		}
		for i := range x {
			x[i] += hdt * v[i]
		}
		e := s.ff.Forces(x, f)
		twoK := 0.0
		for i := range v {
			v[i] += hdt * f[i] * im[i]
			twoK += v[i] * v[i] / im[i]
		}
		r.energy = e
		step := from + int64(j) + 1
		if !finite(e) || !finite(twoK) {
			return fmt.Errorf("md: slot %d (T = %g K) blew up at step %d: E = %v kJ/mol, 2K = %v kJ/mol", k, s.cfg.Temperatures[k], step, e, twoK)
		}
		if step > s.cfg.Equilibrate {
			s.stats.SumE[k] += e
			s.stats.SumE2[k] += e * e
			s.stats.SumKinT[k] += twoK / (nf * s.cfg.KB)
			if isCis(x) {
				s.stats.CisSteps[k]++
			}
			if aldp.Chirality(x) < 0 {
				s.stats.DSteps[k]++
			}
			if record && step%int64(s.cfg.SaveEvery) == 0 {
				s.frames = append(s.frames, refdata.FrameOf(x, e))
			}
		}
	}
	return nil
}

// isCis reports whether either peptide bond of pos is cis (|ω| < 90°), with the ω torsions
// CH3–C–N–CA (ACE, atoms 1, 4, 6, 8) and CA–C–N–CH3 (NME, atoms 8, 14, 16, 18).
func isCis(pos []float64) bool {
	for _, a := range [2][4]int{{1, 4, 6, 8}, {8, 14, 16, 18}} {
		if math.Abs(aldp.Dihedral(pos, a[0], a[1], a[2], a[3])) < math.Pi/2 {
			return true
		}
	}
	return false
}

// segment advances every slot by n steps on the workers.
func (s *Sim) segment(n int) error {
	nr := len(s.slots)
	errs := make([]error, nr)
	w := min(s.cfg.Workers, nr)
	if w <= 1 {
		for k := range nr {
			errs[k] = s.advance(k, s.step, n)
		}
	} else {
		var wg sync.WaitGroup
		for g := range w {
			wg.Go(func() {
				for k := g; k < nr; k += w {
					errs[k] = s.advance(k, s.step, n)
				}
			})
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Steps after equilibration in this segment.
	s.stats.Steps += max(0, s.step+int64(n)-max(s.step, s.cfg.Equilibrate))
	s.step += int64(n)
	return nil
}

// exchange attempts swaps between neighbouring slots; called when step is a multiple of
// ExchangeEvery.
func (s *Sim) exchange() {
	nr := len(s.slots)
	if nr < 2 {
		return
	}
	parity := int((s.step / int64(s.cfg.ExchangeEvery)) % 2)
	for k := parity; k+1 < nr; k += 2 {
		a, b := s.slots[k], s.slots[k+1]
		ta, tb := s.cfg.Temperatures[k], s.cfg.Temperatures[k+1]
		delta := (1/(s.cfg.KB*ta) - 1/(s.cfg.KB*tb)) * (a.energy - b.energy)
		u := s.exRNG.Float64() // always drawn: the stream advances identically
		s.stats.Attempts[k]++
		if delta < 0 && u >= math.Exp(delta) {
			continue
		}
		s.stats.Accepts[k]++
		a.pos, b.pos = b.pos, a.pos
		a.vel, b.vel = b.vel, a.vel
		a.force, b.force = b.force, a.force
		a.energy, b.energy = b.energy, a.energy
		a.walker, b.walker = b.walker, a.walker
		sa, sb := math.Sqrt(ta/tb), math.Sqrt(tb/ta) // a now holds b's old velocities
		for i := range a.vel {
			a.vel[i] *= sa
			b.vel[i] *= sb
		}
	}
	// Round trips: bottom → top → bottom.
	ws := s.stats.WalkerState
	if w := s.slots[0].walker; ws[w] == 2 {
		s.stats.RoundTrips++
	}
	ws[s.slots[0].walker] = 1
	if w := s.slots[nr-1].walker; ws[w] == 1 {
		ws[w] = 2
	}
}

// Progress is reported by Run.
type Progress struct {
	Step, Until int64
	Frames      int
	Elapsed     time.Duration // since Run started
	StepsPerSec float64       // per replica, since Run started
	Stats       Stats
}

// RunOptions controls Run.
type RunOptions struct {
	// Checkpoint is the path of the checkpoint file ("" = none). It is written atomically
	// every CheckpointEvery steps, at the end, and when the context is cancelled.
	Checkpoint string
	// CheckpointEvery is the number of steps between checkpoints (default 100000).
	CheckpointEvery int64
	// ProgressEvery is the number of steps between Progress calls (default CheckpointEvery).
	ProgressEvery int64
	// Progress, if not nil, receives progress reports.
	Progress func(Progress)
}

// Run advances the simulation until Step() = until (a no-op if it is already there). If ctx
// is cancelled it stops at the next segment boundary (at most ExchangeEvery steps later),
// writes the checkpoint and returns ctx.Err().
func (s *Sim) Run(ctx context.Context, until int64, opt RunOptions) error {
	if opt.CheckpointEvery == 0 {
		opt.CheckpointEvery = 100000
	}
	if opt.ProgressEvery == 0 {
		opt.ProgressEvery = opt.CheckpointEvery
	}
	if opt.CheckpointEvery < 0 || opt.ProgressEvery < 0 {
		return fmt.Errorf("md: CheckpointEvery = %d, ProgressEvery = %d steps, want ≥ 0", opt.CheckpointEvery, opt.ProgressEvery)
	}
	start, step0 := time.Now(), s.step
	save := func() error {
		if opt.Checkpoint == "" {
			return nil
		}
		return s.SaveCheckpoint(opt.Checkpoint)
	}
	report := func() {
		if opt.Progress == nil {
			return
		}
		el := time.Since(start)
		opt.Progress(Progress{Step: s.step, Until: until, Frames: len(s.frames), Elapsed: el,
			StepsPerSec: float64(s.step-step0) / el.Seconds(), Stats: s.stats.clone()})
	}
	ex := int64(s.cfg.ExchangeEvery)
	reported := false
	for s.step < until {
		if err := ctx.Err(); err != nil {
			if serr := save(); serr != nil {
				return errors.Join(err, serr)
			}
			return err
		}
		next := min(until, nextMultiple(s.step, ex), nextMultiple(s.step, opt.CheckpointEvery), nextMultiple(s.step, opt.ProgressEvery))
		if err := s.segment(int(next - s.step)); err != nil {
			return err
		}
		if s.step%ex == 0 {
			s.exchange()
		}
		if s.step%opt.CheckpointEvery == 0 {
			if err := save(); err != nil {
				return err
			}
		}
		reported = s.step%opt.ProgressEvery == 0
		if reported {
			report()
		}
	}
	if err := save(); err != nil {
		return err
	}
	if !reported {
		report()
	}
	return nil
}

// nextMultiple returns the smallest multiple of m greater than s.
func nextMultiple(s, m int64) int64 { return (s/m + 1) * m }
