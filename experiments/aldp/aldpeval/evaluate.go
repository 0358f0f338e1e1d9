package aldpeval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/refdata"
)

// Options tunes Evaluate. Zero fields take their defaults.
type Options struct {
	// W2Samples is the number of points per side of the (φ, ψ) W2 (default 2000; the cost
	// matrix takes 8·W2Samples² bytes). It is capped by the smaller sample size.
	W2Samples int
	// Seed selects the subsamples (default 0 is a valid seed).
	Seed uint64
	// Workers is the number of goroutines for the model energies (default GOMAXPROCS).
	Workers int
	// OnlyL drops D-alanine model samples before the torsion, W2 and energy metrics (FAB's
	// filtering); DFraction is always computed on all samples.
	OnlyL bool
}

// Scores are the metrics of one sample set against the reference.
type Scores struct {
	// N is the number of samples scored (after OnlyL filtering).
	N int
	// KL[t] is KL(reference ‖ samples) of torsion t (order of aldp.Torsions: φ, ψ, γ1, γ2,
	// γ3), nats.
	KL [aldp.NumTorsions]float64
	// W2Torus and W2Euclid are the (φ, ψ) W2 distances in radians on W2N points per side.
	W2Torus, W2Euclid float64
	W2N               int
	// EnergyW2 is the 1-D W2 between the energy distributions (kJ/mol), over the samples
	// with finite energy.
	EnergyW2 float64
	// NonFinite counts samples whose energy is NaN, ±Inf or beyond the float32 range
	// (|E| > 3.4e38 kJ/mol); they are left out of EnergyW2 and MeanEnergy.
	NonFinite int
	// MeanEnergy is the mean potential energy (kJ/mol) of the samples with finite energy.
	MeanEnergy float64
	// DFraction is the fraction of D-alanine samples (before any OnlyL filtering).
	DFraction float64
	// Populations are the (φ, ψ) basin fractions.
	Populations refdata.Populations
}

// KLMean returns the mean of the five torsion KLs.
func (s Scores) KLMean() float64 {
	m := 0.0
	for _, v := range s.KL {
		m += v
	}
	return m / float64(len(s.KL))
}

// Metrics are the evaluation of a model sample set.
type Metrics struct {
	// Model are the model's scores.
	Model Scores
	// Floor are the same scores for a second reference draw of (up to) the model's sample
	// size; Floor.N = 0 when the reference has no independent set.
	Floor Scores
	// Dropped counts model rows with a non-finite coordinate; they are left out of
	// everything (including N and DFraction).
	Dropped int
	// RefFrames is the number of reference frames used.
	RefFrames int
	// RefMeanEnergy is the mean reference energy (kJ/mol) and RefPopulations its basin
	// fractions.
	RefMeanEnergy  float64
	RefPopulations refdata.Populations
	// Options are the options used (defaults filled in).
	Options Options
}

// String formats the metrics as a small table (the floor column only when there is one).
func (m Metrics) String() string {
	var b strings.Builder
	floor := m.Floor.N > 0
	head := func(name, model, fl string) {
		if floor {
			fmt.Fprintf(&b, "%-22s %12s %12s\n", name, model, fl)
		} else {
			fmt.Fprintf(&b, "%-22s %12s\n", name, model)
		}
	}
	row := func(name string, f func(Scores) float64, format string) {
		head(name, fmt.Sprintf(format, f(m.Model)), fmt.Sprintf(format, f(m.Floor)))
	}
	head("metric", "model", "floor")
	head("samples", fmt.Sprint(m.Model.N), fmt.Sprint(m.Floor.N))
	for t := range aldp.Torsion(aldp.NumTorsions) {
		row("KL "+t.String(), func(s Scores) float64 { return s.KL[t] }, "%.4g")
	}
	row("KL mean", Scores.KLMean, "%.4g")
	row("W2 (phi,psi) torus", func(s Scores) float64 { return s.W2Torus }, "%.4g")
	row("W2 (phi,psi) euclid", func(s Scores) float64 { return s.W2Euclid }, "%.4g")
	row("W2 energy kJ/mol", func(s Scores) float64 { return s.EnergyW2 }, "%.4g")
	row("mean energy kJ/mol", func(s Scores) float64 { return s.MeanEnergy }, "%.4g")
	row("D fraction", func(s Scores) float64 { return s.DFraction }, "%.4g")
	head("non-finite energies", fmt.Sprint(m.Model.NonFinite), fmt.Sprint(m.Floor.NonFinite))
	for k := range refdata.Basin(refdata.NumBasins) {
		row("pop "+k.String(), func(s Scores) float64 { return s.Populations.Frac[k] }, "%.4f")
	}
	if m.Dropped > 0 {
		fmt.Fprintf(&b, "%d model rows with non-finite coordinates dropped\n", m.Dropped)
	}
	fmt.Fprintf(&b, "reference: %d frames, <E> = %.3f kJ/mol, %v; W2 on %d points per side\n",
		m.RefFrames, m.RefMeanEnergy, m.RefPopulations, m.Model.W2N)
	return b.String()
}

// Evaluate scores model samples (flat n×66 positions in nm, prmtop order; n ≥ 1) against
// ref with default Options. ff computes the model energies (use the force field of the
// reference, aldp.NewDefault(aldp.Implicit)).
func Evaluate(model []float64, ff *aldp.ForceField, ref *refdata.Reference) (Metrics, error) {
	return EvaluateWith(model, ff, ref, Options{})
}

// EvaluateWith is Evaluate with options.
func EvaluateWith(model []float64, ff *aldp.ForceField, ref *refdata.Reference, opt Options) (Metrics, error) {
	if ff == nil || ref == nil {
		return Metrics{}, fmt.Errorf("aldpeval: nil force field or reference")
	}
	d := ff.Dim()
	if len(model) == 0 || len(model)%d != 0 {
		return Metrics{}, fmt.Errorf("aldpeval: len(model) = %d, want a positive multiple of %d", len(model), d)
	}
	frames, dFrac, dropped, err := ModelFrames(model, ff, opt.Workers, opt.OnlyL)
	if err != nil {
		return Metrics{}, err
	}
	m, err := EvaluateFrames(frames, dFrac, ref, opt)
	m.Dropped = dropped
	return m, err
}

// ModelFrames computes the frames (torsions and energies, kJ/mol) of flat n×66 positions
// (nm) on up to workers goroutines (0 = GOMAXPROCS), the fraction of D-alanine samples
// among the rows with finite coordinates, and the number of rows with a non-finite
// coordinate, which are dropped. With onlyL the D samples are dropped from the frames too.
// Non-finite energies are kept as NaN/Inf.
func ModelFrames(x []float64, ff *aldp.ForceField, workers int, onlyL bool) (frames []refdata.Frame, dFrac float64, dropped int, err error) {
	d := ff.Dim()
	if len(x)%d != 0 {
		return nil, 0, 0, fmt.Errorf("aldpeval: len(x) = %d is not a multiple of %d", len(x), d)
	}
	n := len(x) / d
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	frames = make([]refdata.Frame, n)
	isL := make([]bool, n)
	bad := make([]bool, n)
	var wg sync.WaitGroup
	w := max(1, min(workers, n/64))
	for g := range w {
		lo, hi := g*n/w, (g+1)*n/w
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				pos := x[i*d : (i+1)*d]
				for _, v := range pos {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						bad[i] = true
						break
					}
				}
				if bad[i] {
					continue
				}
				e, _ := ff.Energy(pos)
				frames[i] = refdata.FrameOf(pos, e)
				isL[i] = aldp.IsL(pos)
			}
		})
	}
	wg.Wait()
	nD := 0
	kept := frames[:0]
	for i, f := range frames {
		if bad[i] {
			dropped++
			continue
		}
		if !isL[i] {
			nD++
			if onlyL {
				continue
			}
		}
		kept = append(kept, f)
	}
	if good := n - dropped; good > 0 {
		dFrac = float64(nD) / float64(good)
	}
	return kept, dFrac, dropped, nil
}

// EvaluateFrames scores model frames (torsions and energies, e.g. from ModelFrames) whose
// D-alanine fraction is dFrac against ref.
func EvaluateFrames(model []refdata.Frame, dFrac float64, ref *refdata.Reference, opt Options) (Metrics, error) {
	if opt.W2Samples == 0 {
		opt.W2Samples = DefaultW2Samples
	}
	if opt.W2Samples < 1 {
		return Metrics{}, fmt.Errorf("aldpeval: W2Samples = %d, want ≥ 1", opt.W2Samples)
	}
	if len(model) == 0 {
		return Metrics{}, fmt.Errorf("aldpeval: no model samples (after filtering)")
	}
	if len(ref.Main) == 0 {
		return Metrics{}, fmt.Errorf("aldpeval: empty reference %q", ref.Name)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	r := prepare(ref.Main)
	m := Metrics{RefFrames: len(ref.Main), RefMeanEnergy: mean(r.energy), RefPopulations: refdata.FramePopulations(ref.Main), Options: opt}
	// One reference subsample for W2, shared by model and floor.
	nW2 := min(opt.W2Samples, len(model), len(ref.Main))
	refW2 := r.phiPsiSubset(rng.Perm(len(ref.Main))[:nW2])
	var err error
	if m.Model, err = score(model, r, refW2, rng); err != nil {
		return Metrics{}, fmt.Errorf("aldpeval: model: %w", err)
	}
	m.Model.DFraction = dFrac
	if len(ref.Independent) > 0 {
		k := min(len(model), len(ref.Independent))
		idx := rng.Perm(len(ref.Independent))[:k]
		second := make([]refdata.Frame, k)
		for i, j := range idx {
			second[i] = ref.Independent[j]
		}
		if m.Floor, err = score(second, r, refW2[:2*min(nW2, k)], rng); err != nil {
			return Metrics{}, fmt.Errorf("aldpeval: floor: %w", err)
		}
	}
	return m, nil
}

// prepared holds the reference columns and histograms.
type prepared struct {
	hist     [aldp.NumTorsions][]float64
	phi, psi []float64
	energy   []float64
}

func prepare(frames []refdata.Frame) *prepared {
	p := &prepared{phi: refdata.Column(frames, int(aldp.Phi)), psi: refdata.Column(frames, int(aldp.Psi)), energy: refdata.Energies(frames)}
	for t := range aldp.NumTorsions {
		p.hist[t], _ = Histogram(refdata.Column(frames, t), Bins) // frames are validated angles
	}
	return p
}

func (p *prepared) phiPsiSubset(idx []int) []float64 {
	out := make([]float64, 0, 2*len(idx))
	for _, i := range idx {
		out = append(out, p.phi[i], p.psi[i])
	}
	return out
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// score computes the Scores of frames against the prepared reference; refW2 holds the
// reference (φ, ψ) subsample (its length sets the W2 size, capped by len(frames)).
func score(frames []refdata.Frame, ref *prepared, refW2 []float64, rng *rand.Rand) (Scores, error) {
	s := Scores{N: len(frames), Populations: refdata.FramePopulations(frames)}
	for t := range aldp.NumTorsions {
		q, err := Histogram(refdata.Column(frames, t), Bins)
		if err != nil {
			return s, err
		}
		s.KL[t] = KL(ref.hist[t], q, Epsilon)
	}
	n := min(len(refW2)/2, len(frames))
	pts := make([]float64, 0, 2*n)
	for _, i := range rng.Perm(len(frames))[:n] {
		pts = append(pts, frames[i].Phi(), frames[i].Psi())
	}
	var err error
	if s.W2Torus, err = W2Torus(refW2[:2*n], pts); err != nil {
		return s, err
	}
	if s.W2Euclid, err = W2Euclid(refW2[:2*n], pts); err != nil {
		return s, err
	}
	s.W2N = n
	var e []float64
	for _, f := range frames {
		if v := float64(f.Energy); !math.IsNaN(v) && !math.IsInf(v, 0) {
			e = append(e, v)
		} else {
			s.NonFinite++
		}
	}
	if len(e) > 0 {
		s.MeanEnergy = mean(e)
		if s.EnergyW2, err = W2OneD(ref.energy, e); err != nil {
			return s, err
		}
	} else {
		s.MeanEnergy, s.EnergyW2 = math.NaN(), math.NaN()
	}
	return s, nil
}
