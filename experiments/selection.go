package experiments

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// Model selection without ground truth, measured against the ground truth: from the
// validation checks of a run (validation.jsonl), which check would ELBO or ESS selection
// keep, how good is it by each ground-truth metric, and how well do the criteria rank the
// checks (Spearman correlation)?
//
// Rule for missing values: a check whose criterion (ELBO or ESS) is NaN or infinite is never
// selected by that criterion, and a check whose metric is NaN, infinite or absent is left out
// of that metric's oracle and of every correlation with that metric. Correlations use only
// the checks where both values are finite. Ties are broken towards the earlier check, as
// --validate-every does when it writes best/ (a later check must be strictly better).

// SelectionMetric is a ground-truth metric of Metrics (by JSON name) and its direction.
type SelectionMetric struct {
	Name         string
	HigherBetter bool
}

// SelectionMetrics lists the ground-truth metrics the analysis knows, in table order.
func SelectionMetrics() []SelectionMetric {
	return []SelectionMetric{
		{"sinkhorn_divergence", false}, {"w2", false}, {"mmd", false}, {"mode_tv", false},
		{"modes_hit", true}, {"mode_entropic_coverage", true}, {"ks_x0", false},
		{"entropic_ot", false}, {"mmd2_unbiased", false},
	}
}

// DefaultSelectionMetrics are the metrics tabulated unless others are asked for
// (entropic_ot and mmd2_unbiased duplicate sinkhorn_divergence and mmd).
func DefaultSelectionMetrics() []string {
	return []string{"sinkhorn_divergence", "w2", "mmd", "mode_tv", "modes_hit", "mode_entropic_coverage", "ks_x0"}
}

func lookupSelectionMetric(name string) (SelectionMetric, error) {
	var known []string
	for _, m := range SelectionMetrics() {
		if m.Name == name {
			return m, nil
		}
		known = append(known, m.Name)
	}
	return SelectionMetric{}, fmt.Errorf("unknown ground-truth metric %q; known: %s", name, strings.Join(known, ", "))
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Ranks returns the 1-based ranks of x in increasing order, ties given the average of the
// ranks they span (x must be finite).
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1 // ranks i+1 … j+1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// Spearman returns the Spearman rank correlation of x and y — the Pearson correlation of
// their average ranks — over the pairs where both values are finite, and the number n of
// such pairs. It is NaN when n < 2 or when either variable is constant over those pairs (no
// ranking, so no signal).
func Spearman(x, y []float64) (rho float64, n int) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("experiments: Spearman of %d against %d values", len(x), len(y)))
	}
	var xs, ys []float64
	for i := range x {
		if finite(x[i]) && finite(y[i]) {
			xs, ys = append(xs, x[i]), append(ys, y[i])
		}
	}
	n = len(xs)
	if n < 2 {
		return math.NaN(), n
	}
	_, rho = linearFit(Ranks(xs), Ranks(ys)) // Pearson of the ranks; NaN when either is constant
	return rho, n
}

// ArgBest returns the index of the largest (higher) or smallest finite value of x, the
// earliest one among ties, or −1 when no value is finite.
func ArgBest(x []float64, higher bool) int {
	best := -1
	for i, v := range x {
		if !finite(v) {
			continue
		}
		if best < 0 || (higher && v > x[best]) || (!higher && v < x[best]) {
			best = i
		}
	}
	return best
}

// MetricSelection is one ground-truth metric of one run: its correlation with the criteria
// over the checks and its value at the first, last, ELBO-selected, ESS-selected and oracle
// (best by this metric) checks. Nil means undefined (see the package rule above).
type MetricSelection struct {
	Metric       string   `json:"metric"`
	HigherBetter bool     `json:"higher_better"`
	N            int      `json:"n"` // checks with a finite value
	RhoELBO      *float64 `json:"spearman_elbo"`
	NELBO        int      `json:"spearman_elbo_n"`
	RhoESS       *float64 `json:"spearman_ess"`
	NESS         int      `json:"spearman_ess_n"`
	First        *float64 `json:"first"`
	Last         *float64 `json:"last"`
	ELBOSelected *float64 `json:"elbo_selected"`
	ESSSelected  *float64 `json:"ess_selected"`
	Oracle       *float64 `json:"oracle"`
	OracleEpoch  int      `json:"oracle_epoch"` // −1 when no value is finite
}

// RunSelection is the analysis of one run's validation checks.
type RunSelection struct {
	Run        string `json:"run"`
	Experiment string `json:"experiment,omitempty"`
	// SelectBy is the criterion the run used for best/ ("elbo" for lines written before the
	// criterion was recorded); BestEpoch the check whose networks are in best/ according to the
	// lines' new_best flags (−1 when the lines do not record it).
	SelectBy  string `json:"select_by"`
	BestEpoch int    `json:"best_epoch"`
	Checks    int    `json:"checks"`
	Epochs    []int  `json:"epochs"`
	// Epochs of the first, last, ELBO-selected and ESS-selected checks (−1: none).
	FirstEpoch int `json:"first_epoch"`
	LastEpoch  int `json:"last_epoch"`
	ELBOEpoch  int `json:"elbo_selected_epoch"`
	ESSEpoch   int `json:"ess_selected_epoch"`
	// Checks whose ELBO or ESS is not finite (never selected, left out of correlations).
	ELBOSkipped int `json:"elbo_skipped"`
	ESSSkipped  int `json:"ess_skipped"`
	// The criteria at the first and last check and their range over the checks (nil: not
	// finite).
	ELBOFirst *float64          `json:"elbo_first"`
	ELBOLast  *float64          `json:"elbo_last"`
	ELBOMin   *float64          `json:"elbo_min"`
	ELBOMax   *float64          `json:"elbo_max"`
	ESSFirst  *float64          `json:"ess_first"`
	ESSLast   *float64          `json:"ess_last"`
	ESSMin    *float64          `json:"ess_min"`
	ESSMax    *float64          `json:"ess_max"`
	Metrics   []MetricSelection `json:"metrics"`
}

// SortValidations orders checks by epoch and keeps, of several checks of one epoch (a resumed
// run that repeated epochs), the last one written.
func SortValidations(vals []Validation) []Validation {
	byEpoch := map[int]Validation{}
	for _, v := range vals {
		byEpoch[v.Epoch] = v
	}
	out := make([]Validation, 0, len(byEpoch))
	for _, v := range byEpoch {
		out = append(out, v)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Epoch < out[b].Epoch })
	return out
}

func at(x []float64, i int) *float64 {
	if i < 0 {
		return nil
	}
	return finitePtr(x[i])
}

func minMax(x []float64) (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for _, v := range x {
		if finite(v) {
			if !(v >= lo) {
				lo = v
			}
			if !(v <= hi) {
				hi = v
			}
		}
	}
	return lo, hi
}

// AnalyseSelection analyses the validation checks of one run (in any order; see
// SortValidations) for the named metrics (nil: DefaultSelectionMetrics); a metric that no
// check has (such as mode_tv on the funnel) is left out.
func AnalyseSelection(run string, vals []Validation, metricNames []string) (RunSelection, error) {
	if metricNames == nil {
		metricNames = DefaultSelectionMetrics()
	}
	var mets []SelectionMetric
	for _, n := range metricNames {
		m, err := lookupSelectionMetric(n)
		if err != nil {
			return RunSelection{}, err
		}
		mets = append(mets, m)
	}
	vals = SortValidations(vals)
	if len(vals) == 0 {
		return RunSelection{}, fmt.Errorf("%s: no validation checks", run)
	}
	n := len(vals)
	r := RunSelection{Run: run, Checks: n, SelectBy: SelectELBO, BestEpoch: -1}
	elbo, ess := make([]float64, n), make([]float64, n)
	for i, v := range vals {
		r.Epochs = append(r.Epochs, v.Epoch)
		elbo[i], ess[i] = v.ELBO, v.ESS
		if !finite(v.ELBO) {
			r.ELBOSkipped++
		}
		if !finite(v.ESS) {
			r.ESSSkipped++
		}
		if v.SelectBy != "" {
			r.SelectBy = v.SelectBy
		}
		if v.NewBest {
			r.BestEpoch = v.Epoch
		}
	}
	epoch := func(i int) int {
		if i < 0 {
			return -1
		}
		return vals[i].Epoch
	}
	ie, is := ArgBest(elbo, true), ArgBest(ess, true)
	r.FirstEpoch, r.LastEpoch, r.ELBOEpoch, r.ESSEpoch = vals[0].Epoch, vals[n-1].Epoch, epoch(ie), epoch(is)
	r.ELBOFirst, r.ELBOLast, r.ESSFirst, r.ESSLast = finitePtr(elbo[0]), finitePtr(elbo[n-1]), finitePtr(ess[0]), finitePtr(ess[n-1])
	lo, hi := minMax(elbo)
	r.ELBOMin, r.ELBOMax = finitePtr(lo), finitePtr(hi)
	lo, hi = minMax(ess)
	r.ESSMin, r.ESSMax = finitePtr(lo), finitePtr(hi)
	for _, m := range mets {
		y := make([]float64, n)
		have := 0
		for i, v := range vals {
			val, ok := v.Truth.values()[m.Name]
			if !ok {
				y[i] = math.NaN()
				continue
			}
			y[i] = val
			if finite(val) {
				have++
			}
		}
		if have == 0 {
			continue
		}
		ms := MetricSelection{Metric: m.Name, HigherBetter: m.HigherBetter, N: have}
		var rho float64
		rho, ms.NELBO = Spearman(elbo, y)
		ms.RhoELBO = finitePtr(rho)
		rho, ms.NESS = Spearman(ess, y)
		ms.RhoESS = finitePtr(rho)
		io := ArgBest(y, m.HigherBetter)
		ms.First, ms.Last, ms.ELBOSelected, ms.ESSSelected, ms.Oracle = at(y, 0), at(y, n-1), at(y, ie), at(y, is), at(y, io)
		ms.OracleEpoch = epoch(io)
		r.Metrics = append(r.Metrics, ms)
	}
	return r, nil
}

func fmtPtr(p *float64, format string) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf(format, *p)
}

func fmtNum(p *float64) string { return fmtPtr(p, "%.4g") }

// fmtELBO shows enough digits to tell checks apart when |ELBO| is large (gmm40: −1303).
func fmtELBO(p *float64) string { return fmtPtr(p, "%.6g") }

func fmtEpoch(e int) string {
	if e < 0 {
		return "–"
	}
	return fmt.Sprint(e)
}

// SelectionMarkdown renders the analyses as two markdown tables: the checks and the epochs
// each criterion selects per run, then per run and metric the Spearman correlations and the
// metric at the first, last, ELBO-selected, ESS-selected and oracle checks.
func SelectionMarkdown(runs []RunSelection) string {
	var b strings.Builder
	b.WriteString("| run | experiment | best/ by | checks | epochs | ELBO first → last (min, max) | ESS first → last (min, max) | ELBO picks epoch | ESS picks epoch |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		by := r.SelectBy
		if r.BestEpoch >= 0 {
			by += fmt.Sprintf(" (epoch %d)", r.BestEpoch)
		}
		skip := func(k int) string {
			if k == 0 {
				return ""
			}
			return fmt.Sprintf("; %d not finite", k)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d–%d | %s → %s (%s, %s%s) | %s → %s (%s, %s%s) | %s | %s |\n",
			r.Run, r.Experiment, by, r.Checks, r.FirstEpoch, r.LastEpoch,
			fmtELBO(r.ELBOFirst), fmtELBO(r.ELBOLast), fmtELBO(r.ELBOMin), fmtELBO(r.ELBOMax), skip(r.ELBOSkipped),
			fmtNum(r.ESSFirst), fmtNum(r.ESSLast), fmtNum(r.ESSMin), fmtNum(r.ESSMax), skip(r.ESSSkipped),
			fmtEpoch(r.ELBOEpoch), fmtEpoch(r.ESSEpoch))
	}
	b.WriteString("\nρ is Spearman's rank correlation over the checks (average ranks for ties; – when a variable is constant). " +
		"Both criteria are better when higher, so a criterion agrees with a ↓ metric when ρ < 0 and with an ↑ metric when ρ > 0. " +
		"Values are the metric at that check; oracle is the best check by the metric itself (epoch in brackets).\n\n")
	b.WriteString("| run | metric | ρ(ELBO, metric) | ρ(ESS, metric) | first | last | ELBO-selected | ESS-selected | oracle |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		for _, m := range r.Metrics {
			dir := "↓"
			if m.HigherBetter {
				dir = "↑"
			}
			fmt.Fprintf(&b, "| %s | %s %s | %s | %s | %s | %s | %s | %s | %s (%s) |\n", r.Run, m.Metric, dir,
				fmtPtr(m.RhoELBO, "%+.2f"), fmtPtr(m.RhoESS, "%+.2f"),
				fmtPtr(m.First, "%.5g"), fmtPtr(m.Last, "%.5g"), fmtPtr(m.ELBOSelected, "%.5g"), fmtPtr(m.ESSSelected, "%.5g"),
				fmtPtr(m.Oracle, "%.5g"), fmtEpoch(m.OracleEpoch))
		}
	}
	return b.String()
}

// VsLast counts, over runs, how often a selected check is better than, equal to or worse
// than the last check by one metric (runs where either value is missing are not counted).
type VsLast struct {
	Better int `json:"better"`
	Equal  int `json:"equal"`
	Worse  int `json:"worse"`
}

func (c *VsLast) add(sel, last *float64, higher bool) {
	if sel == nil || last == nil {
		return
	}
	switch d := *sel - *last; {
	case d == 0:
		c.Equal++
	case (d > 0) == higher:
		c.Better++
	default:
		c.Worse++
	}
}

func (c VsLast) String() string { return fmt.Sprintf("%d / %d / %d", c.Better, c.Equal, c.Worse) }

// SelectionSummary aggregates one metric of one group of runs (the runs whose names differ
// only by a trailing "-seedN", e.g. the training seeds of one configuration): mean Spearman
// correlations (over the runs where defined) and how the ELBO-, ESS- and oracle-selected
// checks compare with the last check.
type SelectionSummary struct {
	Group        string   `json:"group"`
	Metric       string   `json:"metric"`
	HigherBetter bool     `json:"higher_better"`
	Runs         int      `json:"runs"`
	MeanRhoELBO  *float64 `json:"mean_spearman_elbo"`
	MeanRhoESS   *float64 `json:"mean_spearman_ess"`
	ELBOVsLast   VsLast   `json:"elbo_vs_last"`
	ESSVsLast    VsLast   `json:"ess_vs_last"`
	OracleVsLast VsLast   `json:"oracle_vs_last"`
}

var seedSuffix = regexp.MustCompile(`-seed[0-9]+$`)

// SelectionGroup is the group of a run name: the name without a trailing "-seedN".
func SelectionGroup(run string) string { return seedSuffix.ReplaceAllString(run, "") }

// SummariseSelection groups the analyses by SelectionGroup of the run names (in order of first
// appearance) and metric (in each group's first run's order).
func SummariseSelection(runs []RunSelection) []SelectionSummary {
	var out []SelectionSummary
	index := map[[2]string]int{}
	type acc struct{ se, ne, ss, ns float64 }
	sums := map[int]*acc{}
	for _, r := range runs {
		for _, m := range r.Metrics {
			g := SelectionGroup(r.Run)
			k := [2]string{g, m.Metric}
			i, ok := index[k]
			if !ok {
				i = len(out)
				index[k] = i
				out = append(out, SelectionSummary{Group: g, Metric: m.Metric, HigherBetter: m.HigherBetter})
				sums[i] = &acc{}
			}
			s, a := &out[i], sums[i]
			s.Runs++
			if m.RhoELBO != nil {
				a.se += *m.RhoELBO
				a.ne++
			}
			if m.RhoESS != nil {
				a.ss += *m.RhoESS
				a.ns++
			}
			s.ELBOVsLast.add(m.ELBOSelected, m.Last, m.HigherBetter)
			s.ESSVsLast.add(m.ESSSelected, m.Last, m.HigherBetter)
			s.OracleVsLast.add(m.Oracle, m.Last, m.HigherBetter)
		}
	}
	for i, a := range sums {
		if a.ne > 0 {
			out[i].MeanRhoELBO = finitePtr(a.se / a.ne)
		}
		if a.ns > 0 {
			out[i].MeanRhoESS = finitePtr(a.ss / a.ns)
		}
	}
	return out
}

// SummaryMarkdown renders SummariseSelection as a markdown table.
func SummaryMarkdown(sums []SelectionSummary) string {
	var b strings.Builder
	b.WriteString("| runs (seeds pooled) | metric | runs | mean ρ(ELBO) | mean ρ(ESS) | ELBO-selected vs last (better / equal / worse) | ESS-selected vs last | oracle vs last |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, s := range sums {
		dir := "↓"
		if s.HigherBetter {
			dir = "↑"
		}
		fmt.Fprintf(&b, "| %s | %s %s | %d | %s | %s | %s | %s | %s |\n", s.Group, s.Metric, dir, s.Runs,
			fmtPtr(s.MeanRhoELBO, "%+.2f"), fmtPtr(s.MeanRhoESS, "%+.2f"), s.ELBOVsLast, s.ESSVsLast, s.OracleVsLast)
	}
	return b.String()
}
