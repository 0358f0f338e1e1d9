package experiments

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/aldpeval"
	"github.com/naas-go/naas/experiments/aldp/refdata"
	"github.com/naas-go/naas/experiments/metrics"
	"github.com/naas-go/naas/experiments/targets"
)

// mdEvaluated supplies the targets.Target methods shared by the alanine-dipeptide adapters:
// there is no exact sampler (Sample panics; the aldp experiments route their evaluation
// through Experiment.Evaluate, model and baseline samples against the embedded MD reference
// torsions, refdata.Default) and log Z is unknown.
type mdEvaluated struct{ name string }

// Name is the registry name.
func (m mdEvaluated) Name() string { return m.name }

// Sample panics: there is no exact sampler for alanine dipeptide.
func (m mdEvaluated) Sample(*rand.Rand, int) []float64 {
	panic("experiments: " + m.name + " has no exact sampler; it is evaluated against the MD reference (Experiment.Evaluate)")
}

// LogZ is unknown.
func (mdEvaluated) LogZ() (float64, bool) { return 0, false }

// NoExactSampler marks targets whose Sample must not be called.
func (mdEvaluated) NoExactSampler() {}

// noExact is implemented by targets without an exact sampler.
type noExact interface{ NoExactSampler() }

// aldpCoords is an alanine-dipeptide target in some sampler coordinates.
type aldpCoords interface {
	targets.Target
	ForceField() *aldp.ForceField
	// PositionsNM maps B rows of sampler coordinates to B × 66 Cartesian positions in nm.
	PositionsNM(x []float64) []float64
}

// ALDPTarget adapts the alanine-dipeptide target (reduced energy E/k_BT, Cartesian
// coordinates in nm, flat 66 values per geometry) to targets.Target, for the aldp-cartesian
// experiment. exp(−U) is not normalisable over R^66 (translation invariance), so LogZ is
// unknown.
type ALDPTarget struct {
	*aldp.Target
	mdEvaluated
}

// PositionsNM scales x by the target's length scale (a copy when it is not 1).
func (t ALDPTarget) PositionsNM(x []float64) []float64 {
	if t.LengthScale() == 1 {
		return x
	}
	pos := append([]float64(nil), x...)
	toNM(pos, t.LengthScale())
	return pos
}

// toNM multiplies positions in sampler length units by sc, the nm per unit, in place.
func toNM(x []float64, sc float64) {
	if sc == 1 {
		return
	}
	for i := range x {
		x[i] *= sc
	}
}

var _ aldpCoords = ALDPTarget{}

// ALDPReport is the alanine-dipeptide part of a Report: NAAS and the annealed Langevin
// baseline scored by aldpeval against the 300 K MD reference (each Metrics also holds the
// floor: a second, independent MD set scored the same way).
type ALDPReport struct {
	Reference string           `json:"reference"`
	NAAS      aldpeval.Metrics `json:"naas"`
	Baseline  aldpeval.Metrics `json:"baseline"`
	// Frames for plotting (not serialised).
	NAASFrames, BaselineFrames, RefFrames []refdata.Frame `json:"-"`
}

// aldpCartesianExp is alanine dipeptide in Cartesian coordinates (nm), the setting aldp.md
// asks for first: the prior is N(m, s²I) with s = 0.085 nm and m the LEaP build geometry
// turned to the textbook β-strand backbone (φ, ψ) = (−120°, 120°) and centred; the atoms'
// centroid is held fixed (MeanFree); β follows the cosine schedule and σ falls geometrically
// from 0.2 to 0.03 nm on K = 400 steps, the largest that keep σ_t²·Δt·β_t·H/2 below 2 for
// the stiffest bonds (H ≈ 2e5 nm⁻² in reduced units). With one mobility for all Cartesian
// coordinates the stiff bonds cap the step and the torsions move only ~15° over the whole
// annealing, so αR stays empty (README; every setting tried: docs/aldp_tuning.md). The aldp
// experiment (internal coordinates) removes that limit.
func aldpCartesianExp() Experiment {
	return Experiment{
		Name:    "aldp-cartesian",
		Summary: "alanine dipeptide, implicit solvent, 300 K, Cartesian (nm), centroid fixed; evaluated on torsions against MD (about 5 minutes)",
		Target: func() (targets.Target, error) {
			ff, err := aldp.NewDefault(aldp.Implicit)
			if err != nil {
				return nil, err
			}
			t, err := aldp.NewTarget(ff, aldp.TargetConfig{})
			if err != nil {
				return nil, err
			}
			return ALDPTarget{t, mdEvaluated{"aldp-cartesian"}}, nil
		},
		Defaults: func() Settings {
			m := aldp.InitialPositions()
			aldp.SetBackbone(m, -120*math.Pi/180, 120*math.Pi/180)
			aldp.Center(m)
			return Settings{
				Experiment: "aldp-cartesian", Seed: 1,
				Process: dynamics.Config{PriorMean: m, PriorStd: 0.085, Steps: 400, Beta: "cosine", Sigma: "geometric",
					SigmaMax: 0.2, SigmaMin: 0.03, PriorSteps: 25, GradClip: 1e5, AdjointClip: 1e4, MeanFree: true},
				Train: dynamics.TrainConfig{Rounds: 4, AMEpochs: 15, RAMEpochs: 4, Paths: 128, Updates: 40, Batch: 512,
					TimesPerPath: 8, KeepT0: true, BufferU: 100000, BufferV: 10000, LearnRateU: 3e-4, LearnRateV: 3e-4,
					LRFinal: 0.1, Weighting: "uniform"},
				Net:  NetSettings{Arch: "fourier-mlp", Width: 64, Depth: 3, Act: "silu", NFreq: 8, Dtype: "float32", ClipNorm: 10},
				Eval: EvalSettings{N: 1000, EpsFrac: 0.05, Chunk: 500},
			}
		},
		Evaluate: evaluateALDP,
	}
}

// ALDPInternalTarget is alanine dipeptide in scaled internal coordinates
// (aldp.InternalTarget), for the aldp experiment.
type ALDPInternalTarget struct {
	*aldp.InternalTarget
	mdEvaluated
}

// ForceField is the underlying force field.
func (t ALDPInternalTarget) ForceField() *aldp.ForceField { return t.T.ForceField() }

// PositionsNM maps B rows of scaled internal coordinates to B × 66 positions in nm.
func (t ALDPInternalTarget) PositionsNM(z []float64) []float64 {
	x := make([]float64, len(z)/aldp.NumInternal*66)
	t.Positions(z, x)
	toNM(x, t.T.LengthScale())
	return x
}

var _ aldpCoords = ALDPInternalTarget{}

// Window softness (radians) of the dihedral windows and the largest coordinate scale of the
// aldp experiment's internal coordinates (aldp.NewInternalTarget).
const (
	aldpWindow   = 0.5
	aldpMaxScale = 1.0
	// aldpRotorScale is the smallest scale (radians per unit) of the three methyl torsions.
	aldpRotorScale = 0.7
)

// aldpExp is alanine dipeptide (ACE-ALA-NME) in implicit solvent (OBC GBSA) at 300 K, sampled
// in scaled internal coordinates z (aldp.InternalTarget: the 60 bond lengths, angles and
// dihedrals of a Z-matrix, each divided by its thermal width at the centre, with the exact
// volume factor of the map and windows that make every dihedral, taken modulo 2π, exactly
// Boltzmann-distributed). The centre is the energy minimum next to the β-strand build
// geometry, (φ, ψ) ≈ (−146°, 161°). The prior is N(0, s²I) in z, i.e. s thermal widths in
// every coordinate at the centre; the rigid motions are absent by construction and Cα's
// chirality is a stiff coordinate. See the README for why these coordinates and not
// Cartesian ones (aldp-cartesian), with the measurements.
//
// Settings (every run: docs/aldp_tuning.md): s = 3 gives the uncontrolled process the
// reference's basin populations (s = 1 leaves αR empty, s = 5 overfills it); the three methyl
// torsions get a scale of at least 0.7 rad (their thermal widths, 0.2–0.7 rad, are narrower
// than the 120° between their wells: with the plain scales the Cβ methyl stayed in its starting
// well, KL γ2 ≈ 1.5); σ falls from 20 to
// 5 on K = 400 steps (σ_max = 40 or σ_min = 8 make paths unstable); the gradient is capped at
// 100 per row (rare clashes early in a path otherwise scramble a molecule in one step) and the
// adjoint at 100; u acts for t ≥ 0.5 and the prior stage is off: the full method narrowed the
// (φ, ψ) W2 but exploded paths and worsened the methyl torsions.
func aldpExp() Experiment {
	return Experiment{
		Name:    "aldp",
		Summary: "alanine dipeptide, implicit solvent, 300 K, scaled internal coordinates; evaluated on torsions against MD (about 8 minutes)",
		Target: func() (targets.Target, error) {
			ff, err := aldp.NewDefault(aldp.Implicit)
			if err != nil {
				return nil, err
			}
			t, err := aldp.NewTarget(ff, aldp.TargetConfig{})
			if err != nil {
				return nil, err
			}
			c := aldp.InitialPositions()
			aldp.SetBackbone(c, -120*math.Pi/180, 120*math.Pi/180)
			aldp.Center(c)
			if _, err := aldp.Minimize(t, c, 1e-3, 200); err != nil {
				return nil, err
			}
			it, err := aldp.NewInternalTarget(t, c, aldpWindow, aldpMaxScale)
			if err != nil {
				return nil, err
			}
			// the methyl rotors: three equivalent wells 120° apart, each narrower than the
			// barrier between them; widened so that the prior covers all three
			for _, tor := range []aldp.Torsion{aldp.Gamma1, aldp.Gamma2, aldp.Gamma3} {
				i := aldp.InternalIndex(tor)
				it.Scale[i] = math.Max(it.Scale[i], aldpRotorScale)
			}
			return ALDPInternalTarget{it, mdEvaluated{"aldp"}}, nil
		},
		Defaults: func() Settings {
			return Settings{
				Experiment: "aldp", Seed: 1,
				Process: dynamics.Config{PriorStd: 3, Steps: 400, Beta: "cosine", Sigma: "geometric",
					SigmaMax: 20, SigmaMin: 5, PriorSteps: 25, GradClip: 100, AdjointClip: 100, ControlFrom: 0.5},
				Train: dynamics.TrainConfig{Rounds: 4, AMEpochs: 15, RAMEpochs: 0, Paths: 128, Updates: 40, Batch: 512,
					TimesPerPath: 8, KeepT0: true, BufferU: 100000, BufferV: 10000, LearnRateU: 3e-4, LearnRateV: 3e-4,
					LRFinal: 0.1, Weighting: "uniform"},
				Net:  NetSettings{Arch: "fourier-mlp", Width: 64, Depth: 3, Act: "silu", NFreq: 8, Dtype: "float32", ClipNorm: 10},
				Eval: EvalSettings{N: 1000, EpsFrac: 0.05, Chunk: 500},
			}
		},
		Evaluate: evaluateALDP,
	}
}

// evaluateALDP draws Eval.N NAAS and Eval.N baseline (u = v = 0) samples and scores each
// with aldpeval against refdata.Default. The Sinkhorn/MMD fields of the Report stay zero.
func evaluateALDP(s *Sampler, seed uint64) (*Report, error) {
	start := time.Now()
	ev := s.Settings.Eval
	t, ok := s.Target.(aldpCoords)
	if !ok {
		return nil, fmt.Errorf("aldp evaluation needs an alanine-dipeptide target, got %T", s.Target)
	}
	ref, err := refdata.Default()
	if err != nil {
		return nil, err
	}
	rep := &Report{Experiment: s.Settings.Experiment, Seed: seed, N: ev.N, EpsFrac: ev.EpsFrac}
	naas, err := s.Proc.Sample(ev.N, ev.Chunk, s.U, s.V, rand.New(rand.NewPCG(seed, 0x5a)))
	if err != nil {
		return nil, fmt.Errorf("sampling NAAS: %w", err)
	}
	base, err := s.Proc.Sample(ev.N, ev.Chunk, nil, nil, rand.New(rand.NewPCG(seed, 0x5a)))
	if err != nil {
		return nil, fmt.Errorf("sampling the baseline: %w", err)
	}
	rep.NAASLogW, rep.BaselineLogW = naas.LogW, base.LogW
	a := &ALDPReport{Reference: ref.Name, RefFrames: ref.Main}
	ff := t.ForceField()
	opt := aldpeval.Options{Seed: seed}
	for _, set := range []struct {
		name   string
		x      []float64
		pos    *[]float64
		m      *aldpeval.Metrics
		frames *[]refdata.Frame
	}{{"NAAS", naas.X, &rep.NAASX, &a.NAAS, &a.NAASFrames}, {"baseline", base.X, &rep.BaselineX, &a.Baseline, &a.BaselineFrames}} {
		pos := t.PositionsNM(set.x)
		*set.pos = pos // the run writes Cartesian samples (nm) whatever the coordinates
		frames, dFrac, dropped, err := aldpeval.ModelFrames(pos, ff, 0, false)
		if err != nil {
			return nil, fmt.Errorf("%s frames: %w", set.name, err)
		}
		m, err := aldpeval.EvaluateFrames(frames, dFrac, ref, opt)
		if err != nil {
			return nil, fmt.Errorf("%s aldp metrics: %w", set.name, err)
		}
		m.Dropped = dropped
		*set.m, *set.frames = m, frames
	}
	// importance-weight summaries, as for the other experiments
	for _, w := range []struct {
		logw []float64
		m    *Metrics
	}{{naas.LogW, &rep.NAAS}, {base.LogW, &rep.Baseline}} {
		if is, err := metrics.ImportanceSummary(w.logw); err == nil {
			w.m.LogZ, w.m.ELBO, w.m.ESS = &is.LogZ, &is.ELBO, &is.ESS
		}
	}
	rep.ALDP = a
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// MarshalJSON writes the report with non-finite numbers (a mean energy with no finite
// sample energy is NaN) as the strings "NaN", "+Inf" and "-Inf", which encoding/json
// otherwise rejects, so that such a run still gets its metrics.json.
func (a ALDPReport) MarshalJSON() ([]byte, error) {
	type plain ALDPReport // without this method
	return json.Marshal(jsonSafe(reflect.ValueOf(plain(a))))
}

// jsonSafe converts v into maps, slices and scalars for encoding/json, replacing each
// non-finite float by its string form. Struct fields follow their json tags ("-" skips).
func jsonSafe(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return f
	case reflect.Struct:
		m := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
				continue
			} else if tag != "" {
				name = tag
			}
			m[name] = jsonSafe(v.Field(i))
		}
		return m
	case reflect.Array, reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonSafe(v.Index(i))
		}
		return out
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonSafe(v.Elem())
	default:
		return v.Interface()
	}
}

// OutputCoordinates maps B rows of sampler coordinates x of target t to the coordinates that
// runs write: Cartesian positions in nm (B × 66) for the alanine-dipeptide targets, x itself
// otherwise. It returns them with their dimension.
func OutputCoordinates(t targets.Target, x []float64) ([]float64, int) {
	if a, ok := t.(aldpCoords); ok {
		return a.PositionsNM(x), 66
	}
	return x, t.Dim()
}
