package metrics

import (
	"fmt"
	"math"
)

// ISResult summarises importance log-weights log w_i = log p̃(x_i) − log q(x_i).
type ISResult struct {
	// LogZ is the log-mean-exp of the finite log-weights, log((1/N)Σ w_i):
	// the importance-sampling estimate of log Z (units of log-weight).
	LogZ float64
	// ELBO is the mean finite log-weight (1/N)Σ log w_i ≤ LogZ.
	ELBO float64
	// ESS is the effective sample size as a fraction of N,
	// (Σw)²/(N Σw²) ∈ [1/N, 1].
	ESS float64
	// N is the number of finite log-weights used.
	N int
	// NonFinite counts the log-weights that were NaN or ±Inf and were excluded.
	NonFinite int
}

// ImportanceSummary computes log Z, ELBO and the ESS fraction from log-weights
// in a numerically stable way (weights are rescaled by the largest finite
// log-weight before exponentiation, so log-weights of any magnitude work).
// Non-finite log-weights are counted and excluded. If none is finite, the
// returned result has NaN statistics, NonFinite = len(logw) and an error.
func ImportanceSummary(logw []float64) (ISResult, error) {
	var r ISResult
	mx := math.Inf(-1)
	var sum float64
	for _, lw := range logw {
		if math.IsNaN(lw) || math.IsInf(lw, 0) {
			r.NonFinite++
			continue
		}
		r.N++
		sum += lw
		mx = math.Max(mx, lw)
	}
	if r.N == 0 {
		r.LogZ, r.ELBO, r.ESS = math.NaN(), math.NaN(), math.NaN()
		return r, fmt.Errorf("metrics: none of the %d log-weights is finite", len(logw))
	}
	var s1, s2 float64
	for _, lw := range logw {
		if math.IsNaN(lw) || math.IsInf(lw, 0) {
			continue
		}
		w := math.Exp(lw - mx) // in (0, 1], the largest is exactly 1
		s1 += w
		s2 += w * w
	}
	fn := float64(r.N)
	r.LogZ = mx + math.Log(s1) - math.Log(fn)
	r.ELBO = sum / fn
	r.ESS = s1 * s1 / (fn * s2)
	return r, nil
}
