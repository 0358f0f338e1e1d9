package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/naas-go/naas/experiments/metrics"
	"github.com/naas-go/naas/experiments/targets"
)

// Metrics are the sample metrics of one sample set against the exact reference set
// (benchmarks.md). Squared quantities say so in their names.
type Metrics struct {
	// Sinkhorn is the Sinkhorn divergence S_ε (units of squared distance) and EOT the entropic
	// OT cost OT_ε(x, ref), both at the report's absolute ε.
	Sinkhorn float64 `json:"sinkhorn_divergence"`
	EOT      float64 `json:"entropic_ot"`
	// W2 is the exact 2-Wasserstein distance (units of distance), when computed.
	W2 *float64 `json:"w2,omitempty"`
	// MMD is the square root of the biased MMD² with a Gaussian kernel (median-heuristic
	// bandwidth); MMD2U is the unbiased MMD² (signed, squared).
	MMD   float64 `json:"mmd"`
	MMD2U float64 `json:"mmd2_unbiased"`
	// Mode statistics (mixtures and many-well): fraction of modes hit, entropic coverage and
	// total-variation distance of the mode weights to the true weights.
	ModesHit     *float64 `json:"modes_hit,omitempty"`
	ModeCoverage *float64 `json:"mode_entropic_coverage,omitempty"`
	ModeTV       *float64 `json:"mode_tv,omitempty"`
	// KSX0 is the two-sample Kolmogorov–Smirnov statistic of the first coordinate (the
	// funnel's neck), for funnel targets.
	KSX0 *float64 `json:"ks_x0,omitempty"`
	// Importance weights (naas.md §7), for sampler outputs: log Z estimate, ELBO, ESS
	// fraction, and the number of samples with non-finite weight or state.
	LogZ      *float64 `json:"logz,omitempty"`
	ELBO      *float64 `json:"elbo,omitempty"`
	ESS       *float64 `json:"ess,omitempty"`
	NonFinite int      `json:"nonfinite"`
}

// Report is the evaluation of one sampler at one seed: NAAS, the annealed Langevin baseline
// (u = v = 0, same process) and the floor (a second exact set), all against one exact set.
type Report struct {
	Experiment string   `json:"experiment"`
	Seed       uint64   `json:"seed"`
	N          int      `json:"n"`
	Epsilon    float64  `json:"sinkhorn_eps"` // absolute ε, squared-distance units
	EpsFrac    float64  `json:"sinkhorn_eps_frac"`
	TrueLogZ   *float64 `json:"true_logz,omitempty"`
	NAAS       Metrics  `json:"naas"`
	Baseline   Metrics  `json:"baseline"`
	Floor      Metrics  `json:"floor"`
	Seconds    float64  `json:"seconds"`
	// ALDP holds the torsion-based evaluation of the aldp experiment (nil otherwise); its
	// Sinkhorn, MMD and W2 fields and Floor are then unset.
	ALDP *ALDPReport `json:"aldp,omitempty"`
	// Samples kept for writing (not serialised).
	NAASX, BaselineX, ExactX []float64 `json:"-"`
	NAASLogW, BaselineLogW   []float64 `json:"-"`
}

// Evaluate draws N samples from the trained sampler and from the uncontrolled baseline, two
// exact sets from the target, and computes every metric. All randomness comes from seed.
// Experiments with their own Evaluate hook (aldp) are evaluated by it instead.
func (s *Sampler) Evaluate(seed uint64) (*Report, error) {
	if exp, err := Lookup(s.Settings.Experiment); err == nil && exp.Evaluate != nil {
		return exp.Evaluate(s, seed)
	}
	if _, ok := s.Target.(noExact); ok {
		return nil, fmt.Errorf("target %s has no exact sampler and no evaluation hook", s.Target.Name())
	}
	start := time.Now()
	ev := s.Settings.Eval
	d := s.Proc.D
	rep := &Report{Experiment: s.Settings.Experiment, Seed: seed, N: ev.N, EpsFrac: ev.EpsFrac}
	if lz, ok := s.Target.LogZ(); ok {
		rep.TrueLogZ = &lz
	}
	exRng := rand.New(rand.NewPCG(seed, 0xe1))
	ref := s.Target.Sample(exRng, ev.N)
	ref2 := s.Target.Sample(exRng, ev.N)
	eps, err := metrics.RelativeEpsilon(ref, ref2, d, ev.EpsFrac)
	if err != nil {
		return nil, err
	}
	rep.Epsilon = eps
	naas, err := s.SampleNAAS(ev.N, rand.New(rand.NewPCG(seed, 0x5a)))
	if err != nil {
		return nil, fmt.Errorf("sampling NAAS: %w", err)
	}
	base, err := s.Proc.Sample(ev.N, ev.Chunk, nil, nil, rand.New(rand.NewPCG(seed, 0x5a)))
	if err != nil {
		return nil, fmt.Errorf("sampling the baseline: %w", err)
	}
	rep.NAASX, rep.BaselineX, rep.ExactX = naas.X, base.X, ref
	rep.NAASLogW, rep.BaselineLogW = naas.LogW, base.LogW
	if rep.NAAS, err = SetMetrics(s.Target, naas.X, ref, eps, ev.W2, naas.LogW); err != nil {
		return nil, fmt.Errorf("NAAS metrics: %w", err)
	}
	if rep.Baseline, err = SetMetrics(s.Target, base.X, ref, eps, ev.W2, base.LogW); err != nil {
		return nil, fmt.Errorf("baseline metrics: %w", err)
	}
	if rep.Floor, err = SetMetrics(s.Target, ref2, ref, eps, ev.W2, nil); err != nil {
		return nil, fmt.Errorf("floor metrics: %w", err)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// SetMetrics computes the metrics of sample set x against the exact set ref (same size,
// flat row-major, dimension of the target) at absolute Sinkhorn ε. Rows of x with a
// non-finite coordinate or log-weight are counted in NonFinite and dropped, and ref is
// truncated to the same size. logw (may be nil) adds the importance-weight summary.
func SetMetrics(tgt targets.Target, x, ref []float64, eps float64, w2 bool, logw []float64) (Metrics, error) {
	var m Metrics
	d := tgt.Dim()
	clean := make([]float64, 0, len(x))
	for b := 0; b < len(x)/d; b++ {
		row := x[b*d : (b+1)*d]
		if finiteSlice(row) && (logw == nil || finiteSlice(logw[b:b+1])) {
			clean = append(clean, row...)
		} else {
			m.NonFinite++
		}
	}
	n := len(clean) / d
	if n < 2 {
		return m, fmt.Errorf("only %d finite samples", n)
	}
	r := ref[:n*d]
	div, err := metrics.SinkhornDivergence(clean, r, d, eps)
	if err != nil {
		return m, err
	}
	m.Sinkhorn, m.EOT = div.Divergence, div.XY.RegCost
	if w2 {
		res, err := metrics.W2Exact(clean, r, d)
		if err != nil {
			return m, err
		}
		m.W2 = &res.W2
	}
	mmd, err := metrics.MMD(clean, r, d)
	if err != nil {
		return m, err
	}
	m.MMD, m.MMD2U = mmd.MMD, mmd.MMD2U
	if md, ok := tgt.(targets.Moded); ok {
		labels := make([]int, n)
		md.Modes(clean, labels)
		st, err := metrics.ModeStats(labels, md.NModes(), nil)
		if err != nil {
			return m, err
		}
		m.ModesHit, m.ModeCoverage, m.ModeTV = &st.Hit, &st.EntropicCoverage, &st.TV
	}
	if _, ok := tgt.(*targets.Funnel); ok {
		x0, r0 := make([]float64, n), make([]float64, n)
		for b := 0; b < n; b++ {
			x0[b], r0[b] = clean[b*d], r[b*d]
		}
		ks, err := metrics.KS2(x0, r0)
		if err != nil {
			return m, err
		}
		m.KSX0 = &ks
	}
	if logw != nil {
		is, err := metrics.ImportanceSummary(logw)
		if err == nil {
			m.LogZ, m.ELBO, m.ESS = &is.LogZ, &is.ELBO, &is.ESS
		}
	}
	return m, nil
}

func finiteSlice(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
