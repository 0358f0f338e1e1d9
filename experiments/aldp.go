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

// ALDPTarget adapts the alanine-dipeptide target (reduced energy E/k_BT, Cartesian
// coordinates in nm, flat 66 values per geometry) to targets.Target. Alanine dipeptide has
// no exact sampler: Sample panics, and the aldp experiment routes its evaluation through
// Experiment.Evaluate (model and baseline samples against the embedded MD reference
// torsions, refdata.Default) instead of exact sample sets. exp(−U) is not normalisable
// over R^66 (translation invariance), so LogZ is unknown.
type ALDPTarget struct {
	*aldp.Target
}

// Name is the registry name "aldp".
func (ALDPTarget) Name() string { return "aldp" }

// Sample panics: there is no exact sampler for alanine dipeptide (see ALDPTarget).
func (ALDPTarget) Sample(*rand.Rand, int) []float64 {
	panic("experiments: aldp has no exact sampler; it is evaluated against the MD reference (Experiment.Evaluate)")
}

// LogZ is unknown.
func (ALDPTarget) LogZ() (float64, bool) { return 0, false }

// NoExactSampler marks targets whose Sample must not be called.
func (ALDPTarget) NoExactSampler() {}

// noExact is implemented by targets without an exact sampler.
type noExact interface{ NoExactSampler() }

var _ targets.Target = ALDPTarget{}

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

// aldpExp is alanine dipeptide (ACE-ALA-NME) in implicit solvent (OBC GBSA) at 300 K, in
// Cartesian coordinates (nm). The prior is N(m, s²I) with m the centred LEaP build geometry
// (φ = −180°, ψ = 180°) and s = 0.03 nm. The centre of mass is left free: the energy is
// translation invariant, so it diffuses only with the prior's and the noise's scale, and the
// evaluation (torsions, energies) does not see it. σ falls geometrically from 0.2 to 0.03 nm
// on K = 400 steps: the stiffness of U_t grows with β_t up to ≈2e5 nm⁻² (C–H bonds, reduced
// units), and σ_t²·Δt·β_t·H/2 stays below 2 along the path (a final σ of 0.04–0.05 nm, or
// K = 100 with σ_max = 0.1, already scrambles geometries: D fractions near 0.4). Gradient
// and adjoint clipping guard the first steps from the strained prior geometries. The default
// schedule (4 rounds × (15 AM + 4 RAM) epochs of 128 paths) trains in about 3 minutes on two
// cores; the evaluation scores 1000 samples per sampler.
func aldpExp() Experiment {
	return Experiment{
		Name:    "aldp",
		Summary: "alanine dipeptide, implicit solvent, 300 K, Cartesian (nm); evaluated on torsions against MD (about 5 minutes)",
		Target: func() (targets.Target, error) {
			ff, err := aldp.NewDefault(aldp.Implicit)
			if err != nil {
				return nil, err
			}
			t, err := aldp.NewTarget(ff, aldp.TargetConfig{})
			if err != nil {
				return nil, err
			}
			return ALDPTarget{t}, nil
		},
		Defaults: func() Settings {
			m := aldp.InitialPositions()
			aldp.Center(m)
			return Settings{
				Experiment: "aldp", Seed: 1,
				Process: dynamics.Config{PriorMean: m, PriorStd: 0.03, Steps: 400, Beta: "linear", Sigma: "geometric",
					SigmaMax: 0.2, SigmaMin: 0.03, PriorSteps: 25, GradClip: 1e5, AdjointClip: 1e4},
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

// evaluateALDP draws Eval.N NAAS and Eval.N baseline (u = v = 0) samples and scores each
// with aldpeval against refdata.Default. The Sinkhorn/MMD fields of the Report stay zero.
func evaluateALDP(s *Sampler, seed uint64) (*Report, error) {
	start := time.Now()
	ev := s.Settings.Eval
	t, ok := s.Target.(ALDPTarget)
	if !ok {
		return nil, fmt.Errorf("aldp evaluation needs the aldp target, got %T", s.Target)
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
	rep.NAASX, rep.BaselineX = naas.X, base.X
	rep.NAASLogW, rep.BaselineLogW = naas.LogW, base.LogW
	a := &ALDPReport{Reference: ref.Name, RefFrames: ref.Main}
	ff := t.ForceField()
	opt := aldpeval.Options{Seed: seed}
	for _, set := range []struct {
		name   string
		x      []float64
		m      *aldpeval.Metrics
		frames *[]refdata.Frame
	}{{"NAAS", naas.X, &a.NAAS, &a.NAASFrames}, {"baseline", base.X, &a.Baseline, &a.BaselineFrames}} {
		pos := set.x
		if sc := t.LengthScale(); sc != 1 {
			pos = make([]float64, len(set.x))
			for i, v := range set.x {
				pos[i] = sc * v
			}
		}
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
