package dynamics

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// betaSchedules maps a β schedule name to β_t on [0, 1].
var betaSchedules = map[string]func(t float64) float64{
	"linear":    func(t float64) float64 { return t },
	"quadratic": func(t float64) float64 { return t * t },
	"cosine":    func(t float64) float64 { return 0.5 * (1 - math.Cos(math.Pi*t)) },
}

// sigmaSchedules maps a σ schedule name to σ_t given σ_max (at t = 0) and σ_min (at t = 1).
var sigmaSchedules = map[string]func(t, max, min float64) float64{
	"constant":  func(t, max, min float64) float64 { return max },
	"geometric": func(t, max, min float64) float64 { return max * math.Pow(min/max, t) },
	"linear":    func(t, max, min float64) float64 { return max + (min-max)*t },
}

// BetaNames returns the names of the β schedules (linear β_t = t, quadratic β_t = t²,
// cosine β_t = (1 − cos πt)/2).
func BetaNames() []string { return sortedKeys(betaSchedules) }

// SigmaNames returns the names of the σ schedules (constant σ_t = σ_max; geometric from
// σ_max at t = 0 to σ_min at t = 1; linear between the same end points).
func SigmaNames() []string { return sortedKeys(sigmaSchedules) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Grid is the time discretisation of the annealed stage on [0, 1]: K Euler steps of size
// h = 1/K on the K+1 points t_k = k/K, with the schedules evaluated on them.
type Grid struct {
	K int     // number of Euler steps
	H float64 // step size 1/K
	// Beta[k] = β_{t_k}, k = 0..K, with Beta[0] = 0 and Beta[K] = 1.
	Beta []float64
	// DBeta[k] = β_{k+1} − β_k, k = 0..K−1: the discrete stand-in for h·β'_{t_k} (choice, as in
	// annealed importance sampling: it makes Σ_k DBeta[k] = 1 exactly for every schedule,
	// and equals h·β' for the linear one).
	DBeta []float64
	// Sigma[k] = σ_{t_k}, k = 0..K: the diffusion coefficient used on the step k → k+1.
	Sigma []float64
}

// NewGrid evaluates the named schedules on K steps. sigmaMax is σ at t = 0 (and the constant
// value of the constant schedule); sigmaMin is σ at t = 1.
func NewGrid(k int, beta, sigma string, sigmaMax, sigmaMin float64) (*Grid, error) {
	if k < 1 {
		return nil, fmt.Errorf("steps K = %d: must be at least 1", k)
	}
	bf, ok := betaSchedules[beta]
	if !ok {
		return nil, fmt.Errorf("unknown beta schedule %q; known: %s", beta, strings.Join(BetaNames(), ", "))
	}
	sf, ok := sigmaSchedules[sigma]
	if !ok {
		return nil, fmt.Errorf("unknown sigma schedule %q; known: %s", sigma, strings.Join(SigmaNames(), ", "))
	}
	if !(sigmaMax > 0) || math.IsInf(sigmaMax, 0) {
		return nil, fmt.Errorf("sigma max = %v: must be positive and finite", sigmaMax)
	}
	if sigma != "constant" && (!(sigmaMin > 0) || math.IsInf(sigmaMin, 0)) {
		return nil, fmt.Errorf("sigma min = %v: must be positive and finite for the %s schedule", sigmaMin, sigma)
	}
	g := &Grid{K: k, H: 1 / float64(k), Beta: make([]float64, k+1), DBeta: make([]float64, k), Sigma: make([]float64, k+1)}
	for i := 0; i <= k; i++ {
		t := float64(i) / float64(k)
		g.Beta[i] = bf(t)
		g.Sigma[i] = sf(t, sigmaMax, sigmaMin)
	}
	g.Beta[0], g.Beta[k] = 0, 1
	for i := 0; i < k; i++ {
		g.DBeta[i] = g.Beta[i+1] - g.Beta[i]
	}
	return g, nil
}

// T returns t_k = k/K.
func (g *Grid) T(k int) float64 { return float64(k) * g.H }
