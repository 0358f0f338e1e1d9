package experiments

import (
	"fmt"
	"math"
	"strings"

	"github.com/naas-go/naas/experiments/metrics"
)

// Stat is the mean and sample standard deviation of one metric over seeds.
type Stat struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"` // sample std (n − 1); NaN for one seed
	N    int     `json:"n"`
}

// Summary is the evaluation protocol of benchmarks.md: one Report per seed, and for each
// method (naas, baseline, floor) and metric the mean ± std over seeds.
type Summary struct {
	Experiment string                     `json:"experiment"`
	N          int                        `json:"n"`
	Seeds      []uint64                   `json:"seeds"`
	EpsFrac    float64                    `json:"sinkhorn_eps_frac"`
	Epsilon    Stat                       `json:"sinkhorn_eps"` // absolute ε per seed (squared distance)
	Methods    map[string]map[string]Stat `json:"methods"`
	Reports    []*Report                  `json:"reports"`
}

// metricOrder is the column order of tables; names are the JSON names of Metrics.
var metricOrder = []string{"sinkhorn_divergence", "w2", "mmd", "modes_hit", "mode_entropic_coverage", "mode_tv",
	"ks_x0", "logz", "elbo", "ess"}

// values returns the computed metrics of m by JSON name.
func (m Metrics) values() map[string]float64 {
	out := map[string]float64{"sinkhorn_divergence": m.Sinkhorn, "entropic_ot": m.EOT, "mmd": m.MMD, "mmd2_unbiased": m.MMD2U,
		"nonfinite": float64(m.NonFinite)}
	for k, p := range map[string]*float64{"w2": m.W2, "modes_hit": m.ModesHit, "mode_entropic_coverage": m.ModeCoverage,
		"mode_tv": m.ModeTV, "ks_x0": m.KSX0, "logz": m.LogZ, "elbo": m.ELBO, "ess": m.ESS} {
		if p != nil {
			out[k] = *p
		}
	}
	return out
}

// EvaluateSeeds runs Evaluate for each seed (fresh exact sets and fresh sampler noise per
// seed) and summarises the reports. Experiments with their own Evaluate hook (aldp) are
// refused: the summary is built on exact-set metrics.
func (s *Sampler) EvaluateSeeds(seeds []uint64, progress func(i int, r *Report)) (*Summary, error) {
	if len(seeds) == 0 {
		return nil, fmt.Errorf("evaluation needs at least one seed")
	}
	if exp, err := Lookup(s.Settings.Experiment); err == nil && exp.Evaluate != nil {
		// the summary table is built on the exact-set metrics, which such experiments lack
		return nil, fmt.Errorf("multi-seed summaries of %s are not supported (no exact sampler); its run folder's metrics.json has the evaluation", exp.Name)
	}
	var reps []*Report
	for i, seed := range seeds {
		r, err := s.Evaluate(seed)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", seed, err)
		}
		reps = append(reps, r)
		if progress != nil {
			progress(i, r)
		}
	}
	return Summarize(reps), nil
}

// Summarize aggregates per-seed reports of one experiment.
func Summarize(reps []*Report) *Summary {
	sum := &Summary{Methods: map[string]map[string]Stat{}, Reports: reps}
	if len(reps) == 0 {
		return sum
	}
	sum.Experiment, sum.N, sum.EpsFrac = reps[0].Experiment, reps[0].N, reps[0].EpsFrac
	var eps []float64
	vals := map[string]map[string][]float64{}
	for _, r := range reps {
		sum.Seeds = append(sum.Seeds, r.Seed)
		eps = append(eps, r.Epsilon)
		for meth, m := range map[string]Metrics{"naas": r.NAAS, "baseline": r.Baseline, "floor": r.Floor} {
			if vals[meth] == nil {
				vals[meth] = map[string][]float64{}
			}
			for k, v := range m.values() {
				vals[meth][k] = append(vals[meth][k], v)
			}
		}
	}
	sum.Epsilon = stat(eps)
	for meth, byName := range vals {
		sum.Methods[meth] = map[string]Stat{}
		for k, v := range byName {
			sum.Methods[meth][k] = stat(v)
		}
	}
	return sum
}

func stat(v []float64) Stat {
	m, s := metrics.MeanStd(v)
	return Stat{Mean: m, Std: s, N: len(v)}
}

// Markdown renders the summary as a table of mean ± std over seeds.
func (s *Summary) Markdown() string {
	var cols []string
	for _, k := range metricOrder {
		for _, m := range s.Methods {
			if _, ok := m[k]; ok {
				cols = append(cols, k)
				break
			}
		}
	}
	var b strings.Builder
	seeds := make([]string, len(s.Seeds))
	for i, sd := range s.Seeds {
		seeds[i] = fmt.Sprint(sd)
	}
	fmt.Fprintf(&b, "%s: %d seeds (%s), %d vs %d samples each; mean ± std over seeds; Sinkhorn ε = %.4g ± %.2g (absolute, squared distance; %.3g × mean cost between exact sets)\n\n",
		s.Experiment, len(s.Seeds), strings.Join(seeds, ", "), s.N, s.N, s.Epsilon.Mean, nz(s.Epsilon.Std), s.EpsFrac)
	b.WriteString("| method |")
	for _, c := range cols {
		b.WriteString(" " + c + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(cols)) + "\n")
	names := map[string]string{"naas": "NAAS", "baseline": "annealed Langevin (u = v = 0)", "floor": "floor (exact vs exact)"}
	meths := []string{"naas", "baseline", "floor"}
	for _, meth := range meths {
		b.WriteString("| " + names[meth] + " |")
		for _, c := range cols {
			if st, ok := s.Methods[meth][c]; ok {
				b.WriteString(" " + fmtStat(st) + " |")
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func nz(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func fmtStat(st Stat) string {
	if st.N < 2 || math.IsNaN(st.Std) {
		return fmt.Sprintf("%.4g", st.Mean)
	}
	return fmt.Sprintf("%.4g ± %.2g", st.Mean, st.Std)
}

// CombinedMarkdown renders several summaries as one table with the headline metrics:
// Sinkhorn divergence, W2, MMD, mode TV or KS x₀, ELBO and ESS, each as mean ± std over
// seeds, one row per (experiment, method). trainTime, if not nil, labels each summary's row
// group with its training wall time.
func CombinedMarkdown(sums []*Summary, trainTime []string) string {
	cols := []string{"sinkhorn_divergence", "w2", "mmd", "modes_hit", "mode_tv", "ks_x0", "logz", "elbo", "ess"}
	var b strings.Builder
	b.WriteString("| target | method | training | " + strings.Join(cols, " | ") + " |\n|---|---|---|" + strings.Repeat("---|", len(cols)) + "\n")
	names := map[string]string{"naas": "NAAS", "baseline": "annealed Langevin", "floor": "floor"}
	for i, s := range sums {
		for _, meth := range []string{"naas", "baseline", "floor"} {
			tt := "–"
			if meth == "naas" && trainTime != nil {
				tt = trainTime[i]
			}
			fmt.Fprintf(&b, "| %s | %s | %s |", s.Experiment, names[meth], tt)
			for _, c := range cols {
				if st, ok := s.Methods[meth][c]; ok {
					b.WriteString(" " + fmtStat(st) + " |")
				} else {
					b.WriteString(" – |")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
