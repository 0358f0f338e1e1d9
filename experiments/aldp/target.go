package aldp

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/naas-go/naas/dynamics"
)

// Gas constants in kJ/mol/K.
const (
	// KBoltzmann is OpenMM's (CODATA 2018) molar gas constant, used by the fixtures'
	// "reduced" column: k_B·300 K = 2.494339 kJ/mol.
	KBoltzmann = 0.00831446261815324
	// KBoltzgen is the rounded value of boltzgen/FAB (k_B·300 K = 2.4942 kJ/mol); use it only
	// when log-densities must match FAB numerically.
	KBoltzgen = 8.314e-3
)

// Target defaults.
const (
	// DefaultTemperature is the benchmark temperature in K.
	DefaultTemperature = 300.0
	// DefaultCap is the reduced energy (units of k_B T) above which the target grows only
	// logarithmically, as boltzgen's regularize_energy does.
	DefaultCap = 1e8
	// nonFiniteExcess is added to the cap for geometries whose energy is NaN or ±Inf
	// (coincident atoms); it exceeds log(MaxFloat64) ≈ 709.8, the most a finite energy can
	// add beyond the cap.
	nonFiniteExcess = 710
)

// TargetConfig configures a Target. Zero fields take their defaults.
type TargetConfig struct {
	// Temperature T in K (default 300).
	Temperature float64
	// KB is the gas constant in kJ/mol/K (default KBoltzmann).
	KB float64
	// LengthScale is the number of nm per sampler length unit: the force field sees
	// pos = LengthScale·x. Default 1: the sampler works in nm, the force field's and
	// OpenMM's unit, so the fixtures apply unchanged, and a unit-variance Gaussian prior
	// spans about the size of the molecule (≈1 nm; the stiffest modes, C–H bonds, fluctuate
	// by ≈3e-3 nm at 300 K). 0.1 makes the sampler work in Å (gradients ×0.1, HVPs ×0.01).
	LengthScale float64
	// Cap is the soft cap c on the reduced energy u, in k_B T (default DefaultCap; +Inf
	// disables it): the target is u for u ≤ c and c + log(1 + u − c) above, which is C¹ and
	// monotone, with gradient and HVP of the capped function.
	Cap float64
	// Workers is the number of goroutines a batch call may use (default GOMAXPROCS). Rows are
	// split in contiguous chunks of at least 8.
	Workers int
}

// Target is the alanine-dipeptide Boltzmann target for the samplers: the reduced energy
// U(x) = φ(E(LengthScale·x)/(k_B T)) with the soft cap φ, on flat batches of B×3N
// coordinates (B×66, prmtop atom order; see the package doc). It implements dynamics.Energy,
// is immutable and safe for concurrent use on disjoint output slices, and splits each batch
// over its Workers.
//
// The energy is invariant under translations and rotations, so exp(−U) is not normalisable
// over R^66: the sampler must work in the zero-centre-of-mass subspace (the gradients and
// HVPs here already have zero net translation, up to rounding). Mirror images (D-alanine)
// have the same energy; see Chirality.
//
// Geometries whose energy is NaN or ±Inf (coincident atoms) get U = Cap + 710 and zero
// gradient and HVP.
type Target struct {
	ff      *ForceField
	kT      float64 // kJ/mol
	scale   float64 // nm per sampler unit
	cap     float64 // k_B T
	workers int
}

var _ dynamics.Energy = (*Target)(nil)

// NewTarget wraps ff as a reduced-energy target.
func NewTarget(ff *ForceField, cfg TargetConfig) (*Target, error) {
	if ff == nil {
		return nil, fmt.Errorf("aldp: NewTarget: nil ForceField")
	}
	if cfg.Temperature == 0 {
		cfg.Temperature = DefaultTemperature
	}
	if cfg.KB == 0 {
		cfg.KB = KBoltzmann
	}
	if cfg.LengthScale == 0 {
		cfg.LengthScale = 1
	}
	if cfg.Cap == 0 {
		cfg.Cap = DefaultCap
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case !(cfg.Temperature > 0) || math.IsInf(cfg.Temperature, 0):
		return nil, fmt.Errorf("aldp: NewTarget: temperature %g K, want finite > 0", cfg.Temperature)
	case !(cfg.KB > 0) || math.IsInf(cfg.KB, 0):
		return nil, fmt.Errorf("aldp: NewTarget: k_B %g kJ/mol/K, want finite > 0", cfg.KB)
	case !(cfg.LengthScale > 0) || math.IsInf(cfg.LengthScale, 0):
		return nil, fmt.Errorf("aldp: NewTarget: length scale %g nm, want finite > 0", cfg.LengthScale)
	case math.IsNaN(cfg.Cap) || math.IsInf(cfg.Cap, -1):
		return nil, fmt.Errorf("aldp: NewTarget: cap %g k_B T, want a number or +Inf", cfg.Cap)
	case cfg.Workers < 0:
		return nil, fmt.Errorf("aldp: NewTarget: %d workers, want ≥ 0", cfg.Workers)
	}
	return &Target{ff: ff, kT: cfg.KB * cfg.Temperature, scale: cfg.LengthScale, cap: cfg.Cap, workers: cfg.Workers}, nil
}

// MustTarget is NewTarget(MustDefault(s), cfg) that panics on error.
func MustTarget(s Solvent, cfg TargetConfig) *Target {
	t, err := NewTarget(MustDefault(s), cfg)
	if err != nil {
		panic(err)
	}
	return t
}

// ForceField returns the underlying force field.
func (t *Target) ForceField() *ForceField { return t.ff }

// KT is k_B T in kJ/mol.
func (t *Target) KT() float64 { return t.kT }

// LengthScale is the number of nm per sampler length unit.
func (t *Target) LengthScale() float64 { return t.scale }

// Cap is the soft cap on the reduced energy, in k_B T.
func (t *Target) Cap() float64 { return t.cap }

// Dim is 3N = 66.
func (t *Target) Dim() int { return t.ff.Dim() }

// soft returns φ(u), φ′(u), φ″(u) of the soft cap.
func (t *Target) soft(u float64) (phi, d1, d2 float64) {
	if u <= t.cap {
		return u, 1, 0
	}
	d1 = 1 / (1 + (u - t.cap))
	return t.cap + math.Log1p(u-t.cap), d1, -d1 * d1
}

func (t *Target) nonFinite() float64 { return t.cap + nonFiniteExcess }

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// rows checks the batch shape and returns B.
func (t *Target) rows(name string, x []float64) int {
	d := t.Dim()
	if len(x)%d != 0 {
		panic(fmt.Sprintf("aldp: Target: len(%s) = %d is not a multiple of %d", name, len(x), d))
	}
	return len(x) / d
}

func (t *Target) sameLen(name string, a []float64, n int) {
	if len(a) != n {
		panic(fmt.Sprintf("aldp: Target: len(%s) = %d, want %d", name, len(a), n))
	}
}

// parallel runs fn over contiguous row ranges of [0, b) on up to t.workers goroutines, each
// with its own scratch.
func (t *Target) parallel(b int, fn func(lo, hi int, s *scratch)) {
	const minChunk = 8
	w := min(t.workers, (b+minChunk-1)/minChunk)
	if w <= 1 {
		s := t.ff.pool.Get().(*scratch)
		fn(0, b, s)
		t.ff.pool.Put(s)
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		lo, hi := k*b/w, (k+1)*b/w
		wg.Go(func() {
			s := t.ff.pool.Get().(*scratch)
			fn(lo, hi, s)
			t.ff.pool.Put(s)
		})
	}
	wg.Wait()
}

// positions returns the row in nm (s.x, or the row itself when LengthScale is 1).
func (t *Target) positions(row []float64, s *scratch) []float64 {
	if t.scale == 1 {
		return row
	}
	for k, v := range row {
		s.x[k] = t.scale * v
	}
	return s.x
}

// Energy writes the reduced energy U(x_b) (k_B T) into e[b] for the B = len(e) rows of x
// (length B·66).
func (t *Target) Energy(x, e []float64) {
	d := t.Dim()
	t.sameLen("x", x, len(e)*d)
	t.parallel(len(e), func(lo, hi int, s *scratch) {
		for b := lo; b < hi; b++ {
			pos := t.positions(x[b*d:(b+1)*d], s)
			u := t.ff.eval(pos, s.f, s).Total / t.kT
			ok := isFinite(u)
			for _, fk := range s.f {
				ok = ok && isFinite(fk)
			}
			if !ok { // same rule as EnergyGrad
				e[b] = t.nonFinite()
				continue
			}
			e[b], _, _ = t.soft(u)
		}
	})
}

// Grad writes ∇U(x_b) = −φ′(u)·LengthScale·F/(k_B T) (per sampler length unit) into g for
// the B = len(x)/66 rows of x.
func (t *Target) Grad(x, g []float64) {
	t.EnergyGrad(x, nil, g)
}

// EnergyGrad computes the reduced energies (into e, unless e is nil) and their gradients
// (into g, same shape as x) in one pass.
func (t *Target) EnergyGrad(x, e, g []float64) {
	d := t.Dim()
	b := t.rows("x", x)
	t.sameLen("g", g, len(x))
	if e != nil {
		t.sameLen("e", e, b)
	}
	t.parallel(b, func(lo, hi int, s *scratch) {
		for r := lo; r < hi; r++ {
			pos := t.positions(x[r*d:(r+1)*d], s)
			gr := g[r*d : (r+1)*d]
			E := t.ff.eval(pos, gr, s).Total
			u := E / t.kT
			phi, d1, _ := t.soft(u)
			c := -d1 * t.scale / t.kT
			ok := isFinite(u)
			for k := range gr {
				gr[k] *= c
				ok = ok && isFinite(gr[k])
			}
			if !ok {
				clear(gr)
				phi = t.nonFinite()
			}
			if e != nil {
				e[r] = phi
			}
		}
	})
}

// HVP writes ∇²U(x_b)·v_b into hv for the B = len(x)/66 rows of x, with v and hv of the
// same shape as x, from ForceField.GradHVP (exact, ≈1.6 force evaluations per row) and,
// above the cap, the chain rule ∇²U·v = φ′(u)∇²u·v + φ″(u)(∇u·v)∇u.
func (t *Target) HVP(x, v, hv []float64) {
	d := t.Dim()
	b := t.rows("x", x)
	t.sameLen("v", v, len(x))
	t.sameLen("hv", hv, len(x))
	c := t.scale * t.scale / t.kT
	t.parallel(b, func(lo, hi int, s *scratch) {
		for r := lo; r < hi; r++ {
			pos := t.positions(x[r*d:(r+1)*d], s)
			vr, out := v[r*d:(r+1)*d], hv[r*d:(r+1)*d]
			u := t.ff.evalTangent(pos, vr, s.g, out, s).Total / t.kT
			ok := isFinite(u)
			for k := range out {
				out[k] *= c
				ok = ok && isFinite(out[k])
			}
			if !ok {
				clear(out)
				continue
			}
			if u <= t.cap {
				continue
			}
			// Soft-cap chain rule with ∇u = scale·∇E/kT.
			_, d1, d2 := t.soft(u)
			gv := 0.0
			for k, gk := range s.g {
				gv += gk * vr[k]
			}
			gs := t.scale / t.kT
			for k := range out {
				out[k] = d1*out[k] + d2*gv*gs*gs*s.g[k]
			}
		}
	})
}
