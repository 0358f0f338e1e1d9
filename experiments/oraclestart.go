package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/targets"
)

// OracleStart measures what a prior stage could do for the mode weights at best when its V₀
// is constant on each start basin (the mode label of x₀ itself): from n reference paths
// started at x₀ ~ p₀ it estimates P(final mode | start basin), fits basin weights α_b ≥ 0
// (multiplicative updates) such that the reference started from p₀ reweighted by α would end
// in the true mode weights, and then runs n fresh reference paths from that reweighted prior.
// It uses the true mode weights, so it is a diagnostic of "what would", not a sampler.
type OracleStart struct {
	// Stay is the fraction of the fitting paths that end in the mode of their start basin.
	Stay float64 `json:"stay"`
	// LogRange is max − min of log α_b over the start basins that have paths (nats): how
	// much V₀ would have to differ between basins.
	LogRange float64 `json:"log_range"`
	// Weights (len K) are the final mode weights of the fresh paths and TV their distance
	// to the true weights.
	Weights []float64 `json:"weights"`
	TV      float64   `json:"tv"`
}

// oracleStart runs OracleStart with n paths per stage (seeded from seed); the target must be
// moded.
func (s *Sampler) oracleStart(n int, seed uint64, truth []float64) (*OracleStart, error) {
	md, ok := s.Target.(targets.Moded)
	if !ok {
		return nil, fmt.Errorf("target %s has no modes", s.Target.Name())
	}
	k, d := md.NModes(), s.Proc.D
	prior := func(rng *rand.Rand) ([]float64, []int) {
		x := s.priorDraw(rng, n, s.Proc.SV) // the reference starts from N(m, σ̃²I)
		return x, modeLabels(md, x, d)
	}
	final := func(x0 []float64, rng *rand.Rand) ([]int, error) {
		out := make([]int, 0, len(x0)/d)
		chunk := s.Settings.Eval.Chunk * d
		if chunk <= 0 {
			chunk = len(x0)
		}
		for lo := 0; lo < len(x0); lo += chunk {
			path, err := s.Proc.Rollout(x0[lo:min(lo+chunk, len(x0))], dynamics.Control(nil), rng, dynamics.RolloutOptions{})
			if err != nil {
				return nil, err
			}
			out = append(out, modeLabels(md, path.Final, d)...)
		}
		return out, nil
	}
	// Fit: transition counts from start basin to final mode.
	x0, lb := prior(rand.New(rand.NewPCG(seed, 0x0a)))
	lf, err := final(x0, rand.New(rand.NewPCG(seed, 0x0b)))
	if err != nil {
		return nil, err
	}
	trans, q0, _, stay, m := basinTransitions(lb, lf, k)
	if m == 0 {
		return nil, fmt.Errorf("oracle start: no finite reference path")
	}
	alpha := fitStartWeights(trans, q0, truth, 0)
	// Fresh paths from the reweighted prior: draw n prior points, resample them by α of
	// their basin (systematic), run the reference from them.
	xc, lc := prior(rand.New(rand.NewPCG(seed, 0x0c)))
	w := make([]float64, n)
	var sw float64
	for b := range w {
		w[b] = alpha[lc[b]]
		sw += w[b]
	}
	if !(sw > 0) {
		return nil, fmt.Errorf("oracle start: the fitted basin weights vanish on the fresh prior draw")
	}
	anc := make([]int, n)
	dynamics.Systematic(w, rand.New(rand.NewPCG(seed, 0x0d)).Float64(), anc)
	xs := make([]float64, n*d)
	for b, a := range anc {
		copy(xs[b*d:(b+1)*d], xc[a*d:(a+1)*d])
	}
	lfin, err := final(xs, rand.New(rand.NewPCG(seed, 0x0e)))
	if err != nil {
		return nil, err
	}
	wts, _ := weightsOf(lfin, k, func(int) bool { return true })
	if wts == nil {
		return nil, fmt.Errorf("oracle start: no finite path from the reweighted prior")
	}
	return &OracleStart{Stay: stay, LogRange: logRange(alpha, q0), Weights: wts, TV: tv(wts, truth)}, nil
}

// basinTransitions counts the pairs (start[b], end[b]) whose labels are both ≥ 0 among k
// basins and returns trans[s][e] = P(end e | start s) (rows of unvisited starts stay 0), the
// start and end fractions q0 and qEnd, the fraction of pairs with end = start, and the number
// m of pairs counted (0: every other result is zero).
func basinTransitions(start, end []int, k int) (trans [][]float64, q0, qEnd []float64, stay float64, m int) {
	trans = make([][]float64, k)
	for i := range trans {
		trans[i] = make([]float64, k)
	}
	q0, qEnd = make([]float64, k), make([]float64, k)
	var same int
	for b, s := range start {
		e := end[b]
		if s < 0 || e < 0 {
			continue
		}
		trans[s][e]++
		q0[s]++
		qEnd[e]++
		m++
		if s == e {
			same++
		}
	}
	if m == 0 {
		return trans, q0, qEnd, 0, 0
	}
	for s := range trans {
		if q0[s] > 0 {
			for e := range trans[s] {
				trans[s][e] /= q0[s]
			}
		}
		q0[s] /= float64(m)
		qEnd[s] /= float64(m)
	}
	return trans, q0, qEnd, float64(same) / float64(m), m
}

// logRange is max − min of log α_b over the basins with q0_b > 0 and α_b > 0 (nats): how
// much a start law reweighted by α differs between the basins it reaches.
func logRange(alpha, q0 []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for b, a := range alpha {
		if q0[b] > 0 && a > 0 {
			lo, hi = math.Min(lo, math.Log(a)), math.Max(hi, math.Log(a))
		}
	}
	return hi - lo
}

// fitStartWeights finds α ≥ 0 with Σ_b α_b q0_b trans[b][m] ≈ truth_m by multiplicative
// updates α_b ← α_b Σ_m trans[b][m] truth_m / c_m, c_m = Σ_b α_b q0_b trans[b][m] (the fixed
// point of which matches every reachable mode's weight; normalised so Σ α_b q0_b = 1). With
// maxAlpha > 0, α is also capped at maxAlpha after every update (before normalising).
func fitStartWeights(trans [][]float64, q0, truth []float64, maxAlpha float64) []float64 {
	k := len(q0)
	alpha := make([]float64, k)
	for b := range alpha {
		alpha[b] = 1
	}
	c := make([]float64, k)
	for it := 0; it < 2000; it++ {
		clear(c)
		for b := range alpha {
			for m, t := range trans[b] {
				c[m] += alpha[b] * q0[b] * t
			}
		}
		for b := range alpha {
			if q0[b] == 0 {
				continue
			}
			var f float64
			for m, t := range trans[b] {
				if c[m] > 0 {
					f += t * truth[m] / c[m]
				}
			}
			alpha[b] *= f
			if maxAlpha > 0 {
				alpha[b] = math.Min(alpha[b], maxAlpha)
			}
		}
		var z float64
		for b := range alpha {
			z += alpha[b] * q0[b]
		}
		for b := range alpha {
			alpha[b] /= z
		}
	}
	return alpha
}
