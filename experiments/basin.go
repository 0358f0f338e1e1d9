package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/metrics"
	"github.com/naas-go/naas/experiments/targets"
)

// BasinPrior is a start law for the annealed stage that can replace the neural prior stage
// (docs/study.md, "Basin prior"): the reference prior N(m, σ̃²I) reweighted by a constant
// α_b ≥ 0 on each basin b, i.e. a prior stage whose V₀ = −log α_b is piecewise constant.
// It is fitted without ground truth:
//
//  1. Paths: Paths start points x₀ ~ N(m, σ̃²I) are run through the annealed stage under the
//     trained control u.
//  2. Basins: gradient descent on E from (up to Descents of) their end points finds the
//     energy minima; minima closer than half the median end-point-to-minimum distance are
//     merged. Every point belongs to the basin of its nearest minimum (Voronoi cells).
//  3. Masses: each basin's mass Z_b = ∫_b exp(−E) is estimated by the harmonic approximation
//     at its minimum (MassLaplace, the default) or by importance sampling (MassIS) with Draws
//     points from N(mean, Inflate²·diag var) of the end points in b (the pooled within-basin
//     variance for basins with fewer than 20 end points), counting only the draws that fall
//     in b.
//  4. Weights: with P(end basin | start basin) and the start-basin fractions of step 1,
//     α is the fixed point of fitStartWeights that makes the sampler started from the
//     reweighted prior end in the estimated masses; every update is capped at MaxAlpha
//     before α is renormalised to prior mean 1.
//
// Draw samples it exactly by rejection from N(m, σ̃²I) (acceptance α_b / max α).
type BasinPrior struct {
	// D is the dimension; Centres (K×d, row-major) are the minima, one per basin.
	D       int       `json:"d"`
	Centres []float64 `json:"centres"`
	// Alpha (len K) are the basin weights, normalised so that their mean over the prior
	// draw of the fit is 1 (so log α is the log density ratio of the start law to the prior).
	Alpha []float64 `json:"alpha"`
	// LogMass (len K) are the estimated log Z_b (nats) with their delta-method standard
	// errors LogMassSE; Mass the normalised masses Z_b / Σ Z.
	LogMass   []float64 `json:"log_mass"`
	LogMassSE []float64 `json:"log_mass_se"`
	Mass      []float64 `json:"mass"`
	// Start and End (len K) are the fractions of the fit's paths that start / end in each
	// basin; Predicted the end fractions that the fit predicts under α.
	Start     []float64 `json:"start"`
	End       []float64 `json:"end"`
	Predicted []float64 `json:"predicted"`
	// Stay is the fraction of fit paths that end in their start basin; Accept the
	// acceptance rate of Draw's rejection step (1 / max α).
	Stay   float64 `json:"stay"`
	Accept float64 `json:"accept"`
	// Options are the settings of the fit.
	Options BasinOptions `json:"options"`
}

// BasinOptions are the settings of FitBasinPrior.
type BasinOptions struct {
	Paths    int     `json:"paths"`     // fit paths (≥ 100)
	Descents int     `json:"descents"`  // end points descended to find minima (≤ Paths; 0: all)
	Draws    int     `json:"draws"`     // importance draws per basin (≥ 100)
	Inflate  float64 `json:"inflate"`   // proposal std / end-point std (≥ 1)
	MaxAlpha float64 `json:"max_alpha"` // cap of α, whose prior mean is 1 (> 1)
	// Mass is how basin masses are estimated: MassLaplace, MassIS or MassAIS.
	Mass string `json:"mass"`
	// Temps is the number of annealing levels of MassAIS (≥ 10; Draws particles per basin).
	Temps int `json:"temps,omitempty"`
}

// Basin mass estimators (BasinOptions.Mass).
const (
	// MassLaplace is the harmonic (Laplace) approximation at the basin's minimum c,
	// log Z_b ≈ −E(c) + (d/2) log 2π − ½ log det ∇²E(c) (the harmonic superposition
	// approximation of energy-landscape theory): exact in ratio for basins that are
	// translates of each other, biased for basins of different anharmonic shape.
	MassLaplace = "laplace"
	// MassIS is importance sampling from a Gaussian fitted to the end points in the basin
	// (BasinOptions.Draws, Inflate): unbiased, but its variance grows exponentially with d
	// when the fit is off and is infinite for heavy-tailed basins.
	MassIS = "is"
	// MassAIS is annealed importance sampling from the basin's Laplace Gaussian to exp(−E)
	// restricted to the basin (BasinOptions.Draws particles, Temps levels; see aisMasses):
	// unbiased, and it corrects the harmonic approximation's error for anharmonic basins,
	// at a cost of Draws·Temps energy-and-gradient evaluations per basin.
	MassAIS = "ais"
)

// MassEstimators lists the allowed values of BasinOptions.Mass.
func MassEstimators() []string { return []string{MassLaplace, MassIS, MassAIS} }

// DefaultBasinOptions are the settings the mixture experiments use (40000 fit paths: 10000
// left about twice the residual bias on mos50 and gmm40, docs/study.md).
func DefaultBasinOptions() BasinOptions {
	return BasinOptions{Paths: 40000, Descents: 4000, Draws: 4000, Inflate: 1, MaxAlpha: 20, Mass: MassLaplace, Temps: 200}
}

// Validate checks the options, naming a bad value and the allowed range.
func (o BasinOptions) Validate() error {
	switch {
	case o.Paths < 100:
		return fmt.Errorf("basin prior: paths = %d; need ≥ 100", o.Paths)
	case o.Descents < 0:
		return fmt.Errorf("basin prior: descents = %d; need ≥ 0", o.Descents)
	case o.Draws < 100:
		return fmt.Errorf("basin prior: draws = %d; need ≥ 100", o.Draws)
	case !(o.Inflate >= 1) || math.IsInf(o.Inflate, 0):
		return fmt.Errorf("basin prior: inflate = %v; need a finite value ≥ 1", o.Inflate)
	case !(o.MaxAlpha > 1) || math.IsInf(o.MaxAlpha, 0):
		return fmt.Errorf("basin prior: max alpha = %v; need a finite value > 1", o.MaxAlpha)
	case o.Mass == MassAIS && o.Temps < 10:
		return fmt.Errorf("basin prior: temps = %d; annealed importance sampling needs ≥ 10 levels", o.Temps)
	case o.Mass != MassLaplace && o.Mass != MassIS && o.Mass != MassAIS:
		return fmt.Errorf("basin prior: unknown mass estimator %q; known: %s", o.Mass, strings.Join(MassEstimators(), ", "))
	}
	return nil
}

// LogAlphaRange is max − min of log α_b over the basins with start mass and α_b > 0 (nats).
func (bp *BasinPrior) LogAlphaRange() float64 { return logRange(bp.Alpha, bp.Start) }

// Check verifies that a basin prior read from a file fits dimension d: K ≥ 1 centres of
// length d, one finite weight ≥ 0 per centre, at least one positive.
func (bp *BasinPrior) Check(d int) error {
	k := bp.K()
	if bp.D != d || k == 0 || len(bp.Centres) != k*d || len(bp.Start) != k {
		return fmt.Errorf("basin prior of dimension %d with %d weights, %d centre values and %d start fractions; need dimension %d and K·d centre values for K ≥ 1 weights",
			bp.D, k, len(bp.Centres), len(bp.Start), d)
	}
	var pos bool
	for b, a := range bp.Alpha {
		if !(a >= 0) || math.IsInf(a, 0) {
			return fmt.Errorf("basin prior: weight %d is %v; need finite ≥ 0", b, a)
		}
		pos = pos || a > 0
	}
	if !pos || !finiteSlice(bp.Centres) {
		return fmt.Errorf("basin prior: no positive weight or a non-finite centre")
	}
	return nil
}

// K is the number of basins.
func (bp *BasinPrior) K() int { return len(bp.Alpha) }

// Label writes the basin (nearest centre) of each row of x (B·d) into l (len B); rows that
// are not finite get −1.
func (bp *BasinPrior) Label(x []float64, l []int) {
	d, k := bp.D, bp.K()
	for b := range l {
		row := x[b*d : (b+1)*d]
		l[b] = -1
		if !finiteSlice(row) {
			continue
		}
		best := math.Inf(1)
		for j := 0; j < k; j++ {
			c := bp.Centres[j*d : (j+1)*d]
			var r2 float64
			for i, v := range row {
				z := v - c[i]
				r2 += z * z
			}
			if r2 < best {
				best, l[b] = r2, j
			}
		}
	}
}

// Draw returns n start points (n·d) of the basin prior of process p and their log density
// under it (len n), by rejection from N(m, σ̃²I) with acceptance α_b / max α, all randomness
// from rng. It fails if fewer than one in 10⁴ proposals is accepted.
func (bp *BasinPrior) Draw(p *dynamics.Process, n int, rng *rand.Rand) (x0, logq []float64, err error) {
	d := p.D
	if d != bp.D {
		return nil, nil, fmt.Errorf("basin prior of dimension %d for a process of dimension %d", bp.D, d)
	}
	var amax float64
	for _, a := range bp.Alpha {
		amax = math.Max(amax, a)
	}
	if !(amax > 0) {
		return nil, nil, fmt.Errorf("basin prior: every basin weight is 0")
	}
	x0 = make([]float64, 0, n*d)
	logq = make([]float64, 0, n)
	batch := max(n, 256)
	prop := make([]float64, batch*d)
	lab := make([]int, batch)
	for tried := 0; len(logq) < n; tried += batch {
		if tried > 10000*n {
			return nil, nil, fmt.Errorf("basin prior: %d of %d proposals accepted; the weights are too uneven", len(logq), tried)
		}
		priorPoints(p, rng, p.SV, prop)
		bp.Label(prop, lab)
		for b := 0; b < batch && len(logq) < n; b++ {
			u := rng.Float64()
			if lab[b] < 0 || u*amax >= bp.Alpha[lab[b]] {
				continue
			}
			row := prop[b*d : (b+1)*d]
			x0 = append(x0, row...)
			logq = append(logq, p.LogPriorRef(row)+math.Log(bp.Alpha[lab[b]]))
		}
	}
	return x0, logq, nil
}

// Sample draws n samples of the annealed stage under u started from the basin prior (see
// dynamics.Process.SampleFrom for LogW), in chunks of chunk paths.
func (bp *BasinPrior) Sample(p *dynamics.Process, n, chunk int, u dynamics.Control, rng *rand.Rand) (*dynamics.Samples, error) {
	x0, logq, err := bp.Draw(p, n, rng)
	if err != nil {
		return nil, err
	}
	return p.SampleFrom(x0, logq, chunk, u, rng)
}

// FitBasinPrior fits the basin prior of the sampler's process under control u (nil: the
// reference) with options o, all randomness from seed; logf receives progress lines (nil:
// silent).
func (s *Sampler) FitBasinPrior(o BasinOptions, u dynamics.Control, seed uint64, logf func(string, ...any)) (*BasinPrior, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	p, d, n := s.Proc, s.Proc.D, o.Paths
	// 1. paths from the reference prior
	logf("basin prior: %d paths\n", n)
	x0 := s.priorDraw(rand.New(rand.NewPCG(seed, 0xb1)), n, p.SV)
	lq := make([]float64, n)
	for b := range lq {
		lq[b] = p.LogPriorRef(x0[b*d : (b+1)*d])
	}
	sm, err := p.SampleFrom(x0, lq, s.Settings.Eval.Chunk, u, rand.New(rand.NewPCG(seed, 0xb2)))
	if err != nil {
		return nil, fmt.Errorf("basin prior: %w", err)
	}
	var ends []float64
	for b := 0; b < n; b++ {
		if row := sm.X[b*d : (b+1)*d]; finiteSlice(row) {
			ends = append(ends, row...)
		}
	}
	m := len(ends) / d
	if m < 10 {
		return nil, fmt.Errorf("basin prior: only %d of %d paths ended finite", m, n)
	}
	// 2. basins
	nd := m
	if o.Descents > 0 {
		nd = min(m, o.Descents)
	}
	logf("basin prior: descending %d end points\n", nd)
	mins := append([]float64(nil), ends[:nd*d]...)
	descend(s.Target, mins, d, 2000)
	bp := &BasinPrior{D: d, Centres: clusterMinima(ends[:nd*d], mins, d), Options: o}
	k := len(bp.Centres) / d
	if err := checkBasinCount(k, nd); err != nil {
		return nil, err
	}
	bp.Alpha = make([]float64, k)
	logf("basin prior: %d basins\n", k)
	// 3. masses
	le := make([]int, m)
	bp.Label(ends, le)
	switch o.Mass {
	case MassLaplace:
		if bp.LogMass, err = bp.laplaceMasses(s.Target); err != nil {
			return nil, err
		}
		bp.LogMassSE = make([]float64, k)
	case MassAIS:
		logf("basin prior: annealed importance sampling, %d particles × %d levels per basin\n", o.Draws, o.Temps)
		if bp.LogMass, bp.LogMassSE, err = bp.aisMasses(s.Target, o, rand.New(rand.NewPCG(seed, 0xb4))); err != nil {
			return nil, err
		}
	default:
		bp.LogMass, bp.LogMassSE = bp.masses(s.Target, ends, le, o, rand.New(rand.NewPCG(seed, 0xb3)))
	}
	bp.Mass = softmax(bp.LogMass)
	// 4. weights
	ls := make([]int, n)
	bp.Label(x0, ls)
	ln := make([]int, n)
	bp.Label(sm.X, ln)
	trans, start, end, stay, used := basinTransitions(ls, ln, k)
	if used == 0 {
		return nil, fmt.Errorf("basin prior: no fit path both starts and ends in a basin")
	}
	bp.Start, bp.End, bp.Stay = start, end, stay
	bp.Alpha = fitStartWeights(trans, bp.Start, bp.Mass, o.MaxAlpha)
	bp.Predicted = make([]float64, k)
	var amax float64
	for b, a := range bp.Alpha {
		amax = math.Max(amax, a)
		for j, t := range trans[b] {
			bp.Predicted[j] += a * bp.Start[b] * t
		}
	}
	bp.Accept = 1 / amax
	return bp, nil
}

// laplaceMasses returns the harmonic approximation of log Z_b at every centre (see
// MassLaplace); the Hessian comes from d Hessian–vector products with the unit vectors and is
// symmetrised. A centre whose Hessian is not positive definite is an error naming it.
func (bp *BasinPrior) laplaceMasses(en dynamics.Energy) ([]float64, error) {
	d, k := bp.D, bp.K()
	out := make([]float64, k)
	e := make([]float64, 1)
	for j := 0; j < k; j++ {
		c := bp.Centres[j*d : (j+1)*d]
		ch, err := hessianAt(en, c, j)
		if err != nil {
			return nil, err
		}
		en.Energy(c, e)
		out[j] = -e[0] + 0.5*float64(d)*math.Log(2*math.Pi) - 0.5*ch.LogDet()
	}
	return out, nil
}

// maxBasins bounds the number of basins a basin prior may have: the fit holds a K × K
// transition matrix and iterates over it, and with more basins than this the transitions of
// 10⁴–10⁵ paths no longer determine the weights.
const maxBasins = 1000

// checkBasinCount refuses a descent that found k basins from n end points when k exceeds
// maxBasins or half of n (a rugged landscape rather than a few well-separated modes).
func checkBasinCount(k, n int) error {
	if k == 0 {
		return fmt.Errorf("basin prior: descent from %d end points found no finite minimum", n)
	}
	if k > maxBasins || 2*k > n {
		return fmt.Errorf("basin prior: descent from %d end points found %d distinct minima (at most %d, and at most half the end points, are allowed); the basin prior is for targets with a few well-separated modes", n, k, maxBasins)
	}
	return nil
}

// masses estimates log Z_b and its standard error for every basin (see BasinPrior).
func (bp *BasinPrior) masses(en dynamics.Energy, ends []float64, le []int, o BasinOptions, rng *rand.Rand) (logZ, se []float64) {
	d, k := bp.D, bp.K()
	mean := make([]float64, k*d)
	vr := make([]float64, k*d)
	cnt := make([]float64, k)
	for b, l := range le {
		if l < 0 {
			continue
		}
		cnt[l]++
		for i := 0; i < d; i++ {
			mean[l*d+i] += ends[b*d+i]
		}
	}
	for j := 0; j < k; j++ {
		for i := 0; i < d; i++ {
			if cnt[j] > 0 {
				mean[j*d+i] /= cnt[j]
			} else {
				mean[j*d+i] = bp.Centres[j*d+i]
			}
		}
	}
	pooled := make([]float64, d)
	var np float64
	for b, l := range le {
		if l < 0 {
			continue
		}
		for i := 0; i < d; i++ {
			z := ends[b*d+i] - mean[l*d+i]
			vr[l*d+i] += z * z
			pooled[i] += z * z
		}
		np++
	}
	for i := range pooled {
		pooled[i] /= math.Max(np-float64(k), 1)
	}
	const minCount = 20
	logZ, se = make([]float64, k), make([]float64, k)
	x := make([]float64, o.Draws*d)
	e := make([]float64, o.Draws)
	lab := make([]int, o.Draws)
	lw := make([]float64, o.Draws)
	sd := make([]float64, d)
	for j := 0; j < k; j++ {
		for i := range sd {
			v := pooled[i]
			if cnt[j] >= minCount {
				v = vr[j*d+i] / (cnt[j] - 1)
			}
			sd[i] = o.Inflate * math.Sqrt(math.Max(v, 1e-12))
		}
		var logNorm float64
		for i := range sd {
			logNorm -= math.Log(sd[i]) + 0.5*math.Log(2*math.Pi)
		}
		for b := 0; b < o.Draws; b++ {
			var q float64
			for i := 0; i < d; i++ {
				z := rng.NormFloat64()
				x[b*d+i] = mean[j*d+i] + sd[i]*z
				q -= 0.5 * z * z
			}
			lw[b] = q + logNorm
		}
		en.Energy(x, e)
		bp.Label(x, lab)
		for b := range lw {
			if lab[b] == j && !math.IsNaN(e[b]) {
				lw[b] = -e[b] - lw[b]
			} else {
				lw[b] = math.Inf(-1)
			}
		}
		logZ[j], se[j] = logMeanExpSE(lw)
	}
	return logZ, se
}

// logMeanExpSE returns log mean exp(v) over all of v, −∞ entries counting as weight 0, and the
// delta-method standard error of it, sd(exp v) / (√n mean(exp v)) (+Inf when no value is
// finite), from metrics.ImportanceSummary of the finite values.
func logMeanExpSE(v []float64) (lm, se float64) {
	r, err := metrics.ImportanceSummary(v)
	if err != nil {
		return math.Inf(-1), math.Inf(1)
	}
	n := float64(len(v))
	f := float64(r.N) / n // fraction of positive weights; E[w²]/E[w]² over all n = 1/(f·ESS)
	return r.LogZ + math.Log(f), math.Sqrt(math.Max(1/(f*r.ESS)-1, 0) / n)
}

// softmax returns exp(v)/Σexp(v) (−Inf entries give 0).
func softmax(v []float64) []float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = math.Max(mx, x)
	}
	out := make([]float64, len(v))
	var s float64
	for i, x := range v {
		out[i] = math.Exp(x - mx)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

// descend moves every row of x (B·d) downhill on E by gradient descent with a per-row
// backtracking step (Armijo) for at most iters iterations, or until the row's gradient
// norm is below 1e-8·(1 + |x|) or its step below 1e-12.
func descend(en dynamics.Energy, x []float64, d, iters int) {
	B := len(x) / d
	e, et := make([]float64, B), make([]float64, B)
	g := make([]float64, B*d)
	xt := make([]float64, B*d)
	eta, g2 := make([]float64, B), make([]float64, B)
	done := make([]bool, B)
	for b := range eta {
		eta[b] = 1
	}
	en.Energy(x, e)
	en.Grad(x, g)
	for it := 0; it < iters; it++ {
		active := false
		for b := 0; b < B; b++ {
			var x2 float64
			g2[b] = 0
			for i := 0; i < d; i++ {
				g2[b] += g[b*d+i] * g[b*d+i]
				x2 += x[b*d+i] * x[b*d+i]
			}
			if done[b] || !(g2[b] > 1e-16*(1+x2)) || eta[b] < 1e-12 || math.IsNaN(e[b]) {
				done[b] = true
				copy(xt[b*d:(b+1)*d], x[b*d:(b+1)*d])
				continue
			}
			active = true
			for i := 0; i < d; i++ {
				xt[b*d+i] = x[b*d+i] - eta[b]*g[b*d+i]
			}
		}
		if !active {
			return
		}
		en.Energy(xt, et)
		for b := 0; b < B; b++ {
			if done[b] {
				continue
			}
			if et[b] <= e[b]-1e-4*eta[b]*g2[b] {
				copy(x[b*d:(b+1)*d], xt[b*d:(b+1)*d])
				e[b] = et[b]
				eta[b] *= 2
			} else {
				eta[b] /= 4
			}
		}
		en.Grad(x, g)
	}
}

// clusterMinima merges the minima mins (B·d; row b descended from ends row b) closer than
// half the median distance from an end point to its minimum, in order of first appearance,
// and returns the merged centres (K·d).
func clusterMinima(ends, mins []float64, d int) []float64 {
	B := len(mins) / d
	dist := make([]float64, 0, B)
	for b := 0; b < B; b++ {
		var r2 float64
		for i := 0; i < d; i++ {
			z := ends[b*d+i] - mins[b*d+i]
			r2 += z * z
		}
		if !math.IsNaN(r2) {
			dist = append(dist, math.Sqrt(r2))
		}
	}
	sort.Float64s(dist)
	tol := 0.0
	if len(dist) > 0 {
		tol = 0.5 * dist[len(dist)/2]
	}
	var centres []float64
	for b := 0; b < B; b++ {
		row := mins[b*d : (b+1)*d]
		if !finiteSlice(row) {
			continue
		}
		merged := false
		for j := 0; j < len(centres)/d && !merged; j++ {
			var r2 float64
			for i, v := range row {
				z := v - centres[j*d+i]
				r2 += z * z
			}
			merged = math.Sqrt(r2) <= tol
		}
		if !merged {
			centres = append(centres, row...)
		}
	}
	return centres
}

// BasinSummary compares a basin prior with the target's true mode weights.
type BasinSummary struct {
	K      int     `json:"k"`      // basins found
	Modes  int     `json:"modes"`  // distinct target modes among their centres
	Stay   float64 `json:"stay"`   // see BasinPrior
	Accept float64 `json:"accept"` // see BasinPrior
	// LogAlphaRange is max − min log α over basins with start mass (nats).
	LogAlphaRange float64 `json:"log_alpha_range"`
	// MassTV is the TV between the estimated masses (summed per target mode of the centre)
	// and the true mode weights; EndTV and PredictedTV the same for the fit paths' end
	// fractions and the fit's predicted end fractions.
	MassTV      float64 `json:"mass_tv"`
	EndTV       float64 `json:"end_tv"`
	PredictedTV float64 `json:"predicted_tv"`
}

// summary maps the basins to md's modes by their centres and compares with truth.
func (bp *BasinPrior) summary(md targets.Moded, truth []float64) *BasinSummary {
	k := bp.K()
	lab := make([]int, k)
	md.Modes(bp.Centres, lab)
	agg := func(v []float64) []float64 {
		out := make([]float64, len(truth))
		for j, l := range lab {
			if l >= 0 && l < len(out) {
				out[l] += v[j]
			}
		}
		return out
	}
	seen := map[int]bool{}
	for _, l := range lab {
		seen[l] = true
	}
	return &BasinSummary{K: k, Modes: len(seen), Stay: bp.Stay, Accept: bp.Accept, LogAlphaRange: bp.LogAlphaRange(),
		MassTV: tv(agg(bp.Mass), truth), EndTV: tv(agg(bp.End), truth), PredictedTV: tv(agg(bp.Predicted), truth)}
}
