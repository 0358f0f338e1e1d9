package metrics

import (
	"fmt"
	"math"
)

// ModeResult summarises how samples spread over the K modes of a mixture.
type ModeResult struct {
	K      int
	N      int       // number of labels
	Counts []int     // Counts[k] = number of samples labelled k
	Hist   []float64 // Hist[k] = Counts[k]/N
	// Hit is the fraction of modes with at least one sample, in [0, 1].
	Hit float64
	// EntropicCoverage is H(Hist)/log K ∈ [0, 1] (natural logs; 0·log 0 = 0):
	// 1 for a perfectly even spread. For K = 1 it is 1.
	EntropicCoverage float64
	// TV is the total-variation distance ½ Σ_k |Hist[k] − w_k| ∈ [0, 1] to the
	// target mode weights w.
	TV float64
}

// ModeStats computes mode statistics from per-sample mode labels in
// [0, k) (for example the argmax responsibility of each sample). weights are
// the target mode weights (length k, non-negative, normalised here to sum 1);
// nil means uniform weights 1/k.
func ModeStats(labels []int, k int, weights []float64) (ModeResult, error) {
	if k < 1 {
		return ModeResult{}, fmt.Errorf("metrics: number of modes k = %d, want ≥ 1", k)
	}
	if len(labels) == 0 {
		return ModeResult{}, fmt.Errorf("metrics: no labels")
	}
	w, err := normalisedWeights(weights, k)
	if err != nil {
		return ModeResult{}, err
	}
	r := ModeResult{K: k, N: len(labels), Counts: make([]int, k), Hist: make([]float64, k)}
	for i, l := range labels {
		if l < 0 || l >= k {
			return ModeResult{}, fmt.Errorf("metrics: labels[%d] = %d outside [0, %d)", i, l, k)
		}
		r.Counts[l]++
	}
	var hit int
	var h, tv float64
	for i, c := range r.Counts {
		p := float64(c) / float64(r.N)
		r.Hist[i] = p
		if c > 0 {
			hit++
			h -= p * math.Log(p)
		}
		tv += math.Abs(p - w[i])
	}
	r.Hit = float64(hit) / float64(k)
	r.TV = 0.5 * tv
	if k == 1 {
		r.EntropicCoverage = 1
	} else {
		r.EntropicCoverage = h / math.Log(float64(k))
	}
	return r, nil
}

// NoiseTV is the expected total-variation distance ½ Σ_k E|X_k/n − w_k| between the mode
// histogram of n independent exact samples and the mode weights w (len K, non-negative,
// normalised here to sum 1; nil means uniform 1/k): the part of a mode TV that is sampling
// noise alone. Each X_k ~ Binomial(n, w_k), whose mean absolute deviation has de Moivre's
// closed form E|X − np| = 2 (f+1) C(n, f+1) p^{f+1} (1−p)^{n−f}, f = ⌊np⌋.
func NoiseTV(n, k int, weights []float64) (float64, error) {
	if n < 1 || k < 1 {
		return 0, fmt.Errorf("metrics: NoiseTV needs n ≥ 1 and k ≥ 1, got n = %d, k = %d", n, k)
	}
	w, err := normalisedWeights(weights, k)
	if err != nil {
		return 0, err
	}
	var tv float64
	for _, p := range w {
		tv += binomialMAD(n, p) / float64(n)
	}
	return 0.5 * tv, nil
}

// binomialMAD is E|X − np| for X ~ Binomial(n, p) by de Moivre's formula (in logs).
func binomialMAD(n int, p float64) float64 {
	if p <= 0 || p >= 1 {
		return 0
	}
	f := math.Floor(float64(n) * p)
	if f >= float64(n) {
		return 0
	}
	nf := float64(n)
	lgN, _ := math.Lgamma(nf + 1)
	lgA, _ := math.Lgamma(f + 2)
	lgB, _ := math.Lgamma(nf - f)
	logC := lgN - lgA - lgB // log C(n, f+1)
	return 2 * (f + 1) * math.Exp(logC+(f+1)*math.Log(p)+(nf-f)*math.Log1p(-p))
}

// normalisedWeights checks the target mode weights (len k, finite, ≥ 0, not all 0) and
// returns them scaled to sum 1; nil gives uniform weights 1/k.
func normalisedWeights(weights []float64, k int) ([]float64, error) {
	w := make([]float64, k)
	if weights == nil {
		for i := range w {
			w[i] = 1 / float64(k)
		}
		return w, nil
	}
	if len(weights) != k {
		return nil, fmt.Errorf("metrics: len(weights) = %d, want k = %d", len(weights), k)
	}
	var s float64
	for i, v := range weights {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("metrics: weights[%d] = %v, want a finite value ≥ 0", i, v)
		}
		s += v
	}
	if s == 0 {
		return nil, fmt.Errorf("metrics: mode weights sum to 0")
	}
	for i, v := range weights {
		w[i] = v / s
	}
	return w, nil
}
