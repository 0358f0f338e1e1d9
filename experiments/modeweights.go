package experiments

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/metrics"
	"github.com/naas-go/naas/experiments/targets"
)

// ModeWeights is a population-level comparison of the mode weights of a trained sampler, its
// uncontrolled annealed reference (same process, same noise) and an exact set, all of size N,
// against the target's mode weights (equal, 1/K, for every benchmark target). With N large
// (10⁴–10⁵) the TVs separate a sampler's systematic mode-weight bias from the sampling noise
// that dominates the 2000-sample mode TV of the evaluation protocol: NoiseTV is what an
// unbiased sampler would score at this N.
type ModeWeights struct {
	Experiment string `json:"experiment"`
	N          int    `json:"n"`
	Seed       uint64 `json:"seed"`
	// SMC is the resampling threshold both samplers used (0: independent paths).
	SMC float64 `json:"smc,omitempty"`
	K   int     `json:"k"`
	// True, Exact, NAAS and Reference are the mode weights (len K): the target's, and the
	// fractions of the exact, NAAS and reference samples in each mode.
	True      []float64 `json:"true"`
	Exact     []float64 `json:"exact"`
	NAAS      []float64 `json:"naas"`
	Reference []float64 `json:"reference"`
	// TVExact, TVNAAS and TVReference are ½ Σ_k |weight_k − True_k|.
	TVExact     float64 `json:"tv_exact"`
	TVNAAS      float64 `json:"tv_naas"`
	TVReference float64 `json:"tv_reference"`
	// NoiseTV is the expected TV of N exact samples (metrics.NoiseTV): sampling noise alone.
	NoiseTV float64 `json:"noise_tv"`
	// DeltaTV = TVNAAS − TVReference (negative: NAAS closer to the truth), with its jackknife
	// standard error over 10 blocks of paired paths (0 with SMC, whose rows are neither
	// independent nor paired; CorrectionSE is then nil and Moved 0).
	DeltaTV   float64 `json:"delta_tv"`
	DeltaTVSE float64 `json:"delta_tv_se"`
	// Correction c = Σ_k (NAAS_k − Ref_k)(True_k − Ref_k) / Σ_k (True_k − Ref_k)²: the share of
	// the reference's bias that NAAS's change of the weights removes (1: all of it; 0: no
	// move along it; negative: a move away from the truth), with its jackknife standard error.
	// OffBias = ‖(NAAS − Ref) − c·(True − Ref)‖₂ / ‖True − Ref‖₂ is the part of the change
	// that is not along the bias, relative to the bias (a pure bias correction has 0; a control
	// that reshuffles modes has a large value whatever c is). Both are nil when the reference's
	// TV is below 2·NoiseTV: its bias is then not resolved at this n and the ratios would
	// divide by sampling noise.
	Correction   *float64 `json:"correction"`
	CorrectionSE *float64 `json:"correction_se"`
	OffBias      *float64 `json:"off_bias"`
	// Moved is the number of paths that end in another mode than the reference path driven
	// by the same noise: how much the control changes the mode assignment at all (0 when NAAS
	// starts from a basin prior: its paths then start elsewhere and are not paired).
	Moved int `json:"moved"`
	// PriorLogDensity (len K; targets.Centred only) is log p₀ at each mode centre up to a
	// constant, −|c_k − m|²/(2s²), and PriorExponent γ and PriorCorr the slope and Pearson
	// correlation of the least-squares fit log Reference_k ≈ γ·PriorLogDensity_k + const: a
	// reference that freezes its mode weights at β_c of the geometric path p₀^{1−β}ν^β has
	// γ ≈ 1 − β_c (nil when the centres are equally likely under p₀ or a weight is 0).
	PriorLogDensity []float64 `json:"prior_log_density,omitempty"`
	PriorExponent   *float64  `json:"prior_exponent,omitempty"`
	PriorCorr       *float64  `json:"prior_corr,omitempty"`
	// Prior (len K) is the mode weights of N samples of the prior p₀ itself, labelled like
	// the others (for a mixture, the prior mass of each component's basin of largest
	// responsibility), and PriorWeightCorr the Pearson correlation of Reference with it: how
	// far the reference's weights are already set by where p₀ puts its mass (nil when either
	// is constant).
	Prior           []float64 `json:"prior"`
	PriorWeightCorr *float64  `json:"prior_weight_corr,omitempty"`
	// OracleStart (when requested) is what a prior stage with V₀ constant on the start
	// basins could do at best for the reference (uses the true weights; a diagnostic).
	OracleStart *OracleStart `json:"oracle_start,omitempty"`
	// Basin (when NAAS started from a basin prior) summarises it against the truth.
	Basin *BasinSummary `json:"basin,omitempty"`
	// NonFinite counts the NAAS and reference samples left out as non-finite.
	NonFinite int `json:"non_finite"`
}

// jackknifeBlocks is the number of blocks of paired paths of the jackknife errors.
const jackknifeBlocks = 10

// ModeWeights draws o.N samples from the trained sampler, o.N from the reference with the
// same noise and o.N exact samples (all seeded from o.Seed), labels their modes and compares
// the weights. The target must have modes (targets.Moded) and an exact sampler, and o.N must
// be at least 10·K so that every jackknife block sees the modes.
//
// With o.SMC in (0, 1], NAAS and the reference are both sampled as one population with
// sequential Monte Carlo resampling (dynamics.Process.SampleResampled, threshold o.SMC); 0
// samples independent paths.
func (s *Sampler) ModeWeights(o ModeWeightsOptions) (*ModeWeights, error) {
	if o.BasinReference {
		if o.Basin == nil {
			return nil, fmt.Errorf("the reference from a basin prior needs basin options")
		}
		return s.modeWeights(o, nil, nil)
	}
	return s.modeWeights(o, s.U, s.V)
}

// ModeWeightsOptions are the settings of Sampler.ModeWeights.
type ModeWeightsOptions struct {
	N    int    // samples per set (≥ 10 per mode)
	Seed uint64 // seed of every set
	// SMC in (0, 1] samples NAAS and the reference with resampling at that ESS fraction.
	SMC float64
	// OracleStart adds the OracleStart diagnostic (n more reference paths twice).
	OracleStart bool
	// Basin, when set, fits a basin prior with these options under NAAS's control and
	// starts the NAAS set from it (in place of Sampler.Basin, which is used otherwise).
	Basin *BasinOptions
	// BasinReference (with Basin) makes the "NAAS" set the uncontrolled reference started
	// from a basin prior fitted under the reference: what the start law does without u.
	BasinReference bool
	// Logf receives progress lines (nil: silent).
	Logf func(format string, a ...any)
}

// modeWeights is ModeWeights with the controls of the "NAAS" set given (nil: the reference).
func (s *Sampler) modeWeights(o ModeWeightsOptions, u, v dynamics.Control) (*ModeWeights, error) {
	n, seed, smc, logf := o.N, o.Seed, o.SMC, o.Logf
	md, ok := s.Target.(targets.Moded)
	if !ok {
		return nil, fmt.Errorf("target %s has no modes (mode weights apply to gmm40, manywell5, mos50)", s.Target.Name())
	}
	if _, ok := s.Target.(noExact); ok {
		return nil, fmt.Errorf("target %s has no exact sampler", s.Target.Name())
	}
	k := md.NModes()
	if n < jackknifeBlocks*k {
		return nil, fmt.Errorf("n = %d samples: need at least %d (10 per mode of %d)", n, jackknifeBlocks*k, k)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	d := s.Proc.D
	r := &ModeWeights{Experiment: s.Settings.Experiment, N: n, Seed: seed, SMC: smc, K: k, True: make([]float64, k)}
	for i := range r.True {
		r.True[i] = 1 / float64(k)
	}
	labels := func(x []float64) []int { return modeLabels(md, x, d) }
	logf("exact: %d samples\n", n)
	lx := labels(s.Target.Sample(rand.New(rand.NewPCG(seed, 0xe1)), n))
	xp := s.priorDraw(rand.New(rand.NewPCG(seed, 0x9b)), n, s.Proc.S)
	r.Prior, _ = weightsOf(labels(xp), k, func(int) bool { return true })
	bp := s.Basin
	if o.Basin != nil {
		var err error
		if bp, err = s.FitBasinPrior(*o.Basin, u, seed, logf); err != nil {
			return nil, err
		}
	}
	if bp != nil && smc != 0 {
		return nil, fmt.Errorf("SMC from a basin prior is not supported")
	}
	logf("NAAS: %d paths\n", n)
	sample := func(u, v dynamics.Control, start *BasinPrior) (*dynamics.Samples, error) {
		rng := rand.New(rand.NewPCG(seed, 0x5a))
		if start != nil {
			return start.Sample(s.Proc, n, s.Settings.Eval.Chunk, u, rng)
		}
		if smc == 0 {
			return s.Proc.Sample(n, s.Settings.Eval.Chunk, u, v, rng)
		}
		out, steps, err := s.Proc.SampleResampled(n, u, v, rng, smc)
		if err == nil {
			logf("resampled at %d of %d steps\n", steps, s.Proc.Grid.K+1)
		}
		return out, err
	}
	naas, err := sample(u, v, bp)
	if err != nil {
		return nil, fmt.Errorf("sampling NAAS: %w", err)
	}
	ln := labels(naas.X)
	logf("reference: %d paths\n", n)
	base, err := sample(nil, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("sampling the reference: %w", err)
	}
	lr := labels(base.X)
	for b := range ln {
		if ln[b] < 0 {
			r.NonFinite++
		}
		if lr[b] < 0 {
			r.NonFinite++
		}
		if smc == 0 && bp == nil && ln[b] >= 0 && lr[b] >= 0 && ln[b] != lr[b] {
			r.Moved++
		}
	}
	all := func(int) bool { return true }
	r.Exact, _ = weightsOf(lx, k, all)
	r.NAAS, _ = weightsOf(ln, k, all)
	r.Reference, _ = weightsOf(lr, k, all)
	if r.NAAS == nil || r.Reference == nil {
		return nil, fmt.Errorf("no finite samples (NAAS or reference)")
	}
	if err := r.Derive(); err != nil {
		return nil, err
	}
	// Jackknife over blocks of paired paths (path b of NAAS and of the reference share noise;
	// resampled populations have neither independent nor paired rows, so no errors then).
	var dtv, cor []float64
	for j := 0; j < jackknifeBlocks && smc == 0; j++ {
		out := func(b int) bool { return b*jackknifeBlocks/n != j }
		wn, _ := weightsOf(ln, k, out)
		wr, _ := weightsOf(lr, k, out)
		if wn == nil || wr == nil {
			continue
		}
		dtv = append(dtv, tv(wn, r.True)-tv(wr, r.True))
		cor = append(cor, correction(wn, wr, r.True))
	}
	if smc == 0 {
		r.DeltaTVSE = jackknifeSE(dtv)
	}
	if r.Correction != nil && smc == 0 {
		r.CorrectionSE = finitePtr(jackknifeSE(cor))
	}
	if c, ok := s.Target.(targets.Centred); ok {
		r.priorFit(c.ModeCentres(), s.Proc)
	}
	if r.Prior != nil {
		_, c := linearFit(r.Prior, r.Reference)
		r.PriorWeightCorr = finitePtr(c)
	}
	if bp != nil {
		r.Basin = bp.summary(md, r.True)
	}
	if o.OracleStart {
		logf("oracle start: 2 × %d reference paths\n", n)
		if r.OracleStart, err = s.oracleStart(n, seed, r.True); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Derive computes the TVs, NoiseTV, DeltaTV, Correction and OffBias from N and the weight
// vectors (it leaves the standard errors and the prior fit alone; CorrectionSE is cleared
// when Correction is undefined).
func (r *ModeWeights) Derive() error {
	k := len(r.True)
	if k == 0 || len(r.Exact) != k || len(r.NAAS) != k || len(r.Reference) != k {
		return fmt.Errorf("mode weights: lengths true %d, exact %d, NAAS %d, reference %d; want K ≥ 1 each", k, len(r.Exact), len(r.NAAS), len(r.Reference))
	}
	r.TVExact, r.TVNAAS, r.TVReference = tv(r.Exact, r.True), tv(r.NAAS, r.True), tv(r.Reference, r.True)
	var err error
	if r.NoiseTV, err = metrics.NoiseTV(r.N, k, r.True); err != nil {
		return err
	}
	r.DeltaTV = r.TVNAAS - r.TVReference
	r.Correction, r.OffBias = nil, nil
	if r.TVReference < 2*r.NoiseTV {
		r.CorrectionSE = nil
		return nil
	}
	c := correction(r.NAAS, r.Reference, r.True)
	var off, bias float64
	for i := range r.True {
		e := r.NAAS[i] - r.Reference[i] - c*(r.True[i]-r.Reference[i])
		off += e * e
		bias += (r.True[i] - r.Reference[i]) * (r.True[i] - r.Reference[i])
	}
	r.Correction, r.OffBias = finitePtr(c), finitePtr(math.Sqrt(off/bias))
	return nil
}

// priorFit sets PriorLogDensity = −U₀(centre) from the K×d centres and the process's prior,
// and fits log Reference against it.
func (r *ModeWeights) priorFit(centres []float64, p *dynamics.Process) {
	d := p.D
	r.PriorLogDensity = make([]float64, r.K)
	ly := make([]float64, r.K)
	for k := 0; k < r.K; k++ {
		r.PriorLogDensity[k] = -p.U0(centres[k*d : (k+1)*d])
		if r.Reference[k] <= 0 {
			return
		}
		ly[k] = math.Log(r.Reference[k])
	}
	slope, corr := linearFit(r.PriorLogDensity, ly)
	r.PriorExponent, r.PriorCorr = finitePtr(slope), finitePtr(corr)
}

// linearFit is the least-squares slope of y on x and their Pearson correlation (NaN when x
// or y is constant).
func linearFit(x, y []float64) (slope, corr float64) {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i] / n
		my += y[i] / n
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN(), math.NaN()
	}
	return sxy / sxx, sxy / math.Sqrt(sxx*syy)
}

// modeLabels labels the B rows of x (B·d) by md's modes, −1 for a row that is not finite.
func modeLabels(md targets.Moded, x []float64, d int) []int {
	l := make([]int, len(x)/d)
	md.Modes(x, l)
	for b := range l {
		if !finiteSlice(x[b*d : (b+1)*d]) {
			l[b] = -1
		}
	}
	return l
}

// priorDraw returns n points of N(m, std²I) (n·d, m the process's prior mean) from rng.
func (s *Sampler) priorDraw(rng *rand.Rand, n int, std float64) []float64 {
	x := make([]float64, n*s.Proc.D)
	priorPoints(s.Proc, rng, std, x)
	return x
}

// priorPoints fills x (B·d) with B points of N(m, std²I), m the prior mean of p, from rng.
func priorPoints(p *dynamics.Process, rng *rand.Rand, std float64, x []float64) {
	for i := range x {
		x[i] = p.M[i%p.D] + std*rng.NormFloat64()
	}
}

// weightsOf is the histogram of the labels ≥ 0 of the kept rows (nil if none).
func weightsOf(labels []int, k int, keep func(b int) bool) ([]float64, int) {
	w := make([]float64, k)
	var m int
	for b, l := range labels {
		if l >= 0 && keep(b) {
			w[l]++
			m++
		}
	}
	if m == 0 {
		return nil, 0
	}
	for i := range w {
		w[i] /= float64(m)
	}
	return w, m
}

func tv(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / 2
}

// correction is Σ (a − r)(t − r) / Σ (t − r)² (NaN when r equals t).
func correction(a, r, t []float64) float64 {
	var num, den float64
	for i := range a {
		num += (a[i] - r[i]) * (t[i] - r[i])
		den += (t[i] - r[i]) * (t[i] - r[i])
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// jackknifeSE is the jackknife standard error from the leave-one-block-out values.
func jackknifeSE(v []float64) float64 {
	m := len(v)
	if m < 2 {
		return math.NaN()
	}
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(m)
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return math.Sqrt(float64(m-1) / float64(m) * ss)
}

// Markdown is a short table of the population TVs and the paired comparison.
func (r *ModeWeights) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Mode weights of %s at n = %d (seed %d, %d modes); sampling noise alone gives TV %.4f.\n\n", r.Experiment, r.N, r.Seed, r.K, r.NoiseTV)
	if r.SMC > 0 {
		fmt.Fprintf(&b, "NAAS and the reference were sampled with sequential Monte Carlo resampling at ESS < %g·n.\n\n", r.SMC)
	}
	b.WriteString("| set | TV to the true weights |\n|---|---|\n")
	fmt.Fprintf(&b, "| exact | %.4f |\n| NAAS | %.4f |\n| reference (u = v = 0) | %.4f |\n\n", r.TVExact, r.TVNAAS, r.TVReference)
	if r.SMC > 0 {
		fmt.Fprintf(&b, "ΔTV (NAAS − reference) %+.4f; share of the reference's bias removed %s", r.DeltaTV, r.CorrectionText())
	} else {
		fmt.Fprintf(&b, "ΔTV (NAAS − reference) %s; share of the reference's bias removed %s; %d of %d paths end in another mode than the reference path with the same noise", r.DeltaTVText(), r.CorrectionText(), r.Moved, r.N)
	}
	if r.PriorWeightCorr != nil {
		fmt.Fprintf(&b, "; correlation of the reference's weights with the prior's own mode weights %.3f", *r.PriorWeightCorr)
	}
	if r.PriorCorr != nil {
		fmt.Fprintf(&b, "; the reference's weights follow p₀(centre)^γ with γ = %.3f (correlation %.3f)", *r.PriorExponent, *r.PriorCorr)
	}
	if r.NonFinite > 0 {
		fmt.Fprintf(&b, "; %d non-finite samples left out", r.NonFinite)
	}
	b.WriteString(".\n")
	if bp := r.Basin; bp != nil {
		fmt.Fprintf(&b, "\nNAAS started from a basin prior (not paired with the reference): %d basins on %d of the target's modes; %.0f%% of its fit paths stay in their start basin; log α spans %.2f nats (acceptance %.2f); TV to the true weights of its estimated basin masses %.4f, of its fit paths' end basins %.4f, of its predicted end basins %.4f.\n",
			bp.K, bp.Modes, 100*bp.Stay, bp.LogAlphaRange, bp.Accept, bp.MassTV, bp.EndTV, bp.PredictedTV)
	}
	return b.String()
}

// DeltaTVText is "ΔTV ± se", without the error for resampled populations.
func (r *ModeWeights) DeltaTVText() string {
	if r.SMC > 0 {
		return fmt.Sprintf("%+.4f", r.DeltaTV)
	}
	return fmt.Sprintf("%+.4f ± %.4f", r.DeltaTV, r.DeltaTVSE)
}

// CorrectionText is "c ± se (off the bias: o)", or "–" when the share is undefined.
func (r *ModeWeights) CorrectionText() string {
	if r.Correction == nil {
		return "–"
	}
	t := fmt.Sprintf("%.3f", *r.Correction)
	if r.CorrectionSE != nil {
		t += fmt.Sprintf(" ± %.3f", *r.CorrectionSE)
	}
	if r.OffBias != nil {
		t += fmt.Sprintf(" (off the bias: %.2f)", *r.OffBias)
	}
	return t
}

// WriteCSV writes one row per mode: mode, true, exact, naas, reference and the binomial
// standard errors √(w(1−w)/n) of the three sampled weights, the prior's own mode weights
// (prior), and prior_log_density when the
// target has mode centres.
func (r *ModeWeights) WriteCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	head := []string{"mode", "true", "exact", "naas", "reference", "se_exact", "se_naas", "se_reference", "prior"}
	if r.PriorLogDensity != nil {
		head = append(head, "prior_log_density")
	}
	c.Write(head)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	se := func(p float64) string { return f(math.Sqrt(p * (1 - p) / float64(r.N))) }
	for k := 0; k < r.K; k++ {
		row := []string{strconv.Itoa(k), f(r.True[k]), f(r.Exact[k]), f(r.NAAS[k]), f(r.Reference[k]),
			se(r.Exact[k]), se(r.NAAS[k]), se(r.Reference[k]), ""}
		if r.Prior != nil {
			row[8] = f(r.Prior[k])
		}
		if r.PriorLogDensity != nil {
			row = append(row, f(r.PriorLogDensity[k]))
		}
		c.Write(row)
	}
	c.Flush()
	return c.Error()
}
