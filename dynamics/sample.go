package dynamics

import (
	"fmt"
	"math/rand/v2"
)

// Samples are the output of the full sampler: Y under v from m to Y₁ = X₀, then X under u
// from X₀ to X₁.
type Samples struct {
	N int
	X []float64 // X₁ (N·d), the samples
	// LogW is the discrete-time log importance weight of naas.md §7 per sample (len N):
	// log w = −E(x_K) + Σ_k [log B_k − log F_k] − log N(x₀; m, σ̃²I) + (reference/controlled
	// log path ratio of the prior stage). E[w] = Z₁ = ∫exp(−E) for any K, so log-mean-exp of
	// LogW estimates log Z₁ and its mean is an ELBO.
	LogW []float64
}

// Sample draws n samples with controls u (annealed stage) and v (prior stage), in chunks of
// at most chunk paths (≤ 0: all at once); nil controls give the uncontrolled annealed
// Langevin reference. Noise is drawn from rng in a fixed order.
func (p *Process) Sample(n, chunk int, u, v Control, rng *rand.Rand) (*Samples, error) {
	if n < 1 {
		return nil, fmt.Errorf("sample: n = %d; need at least 1", n)
	}
	if chunk <= 0 || chunk > n {
		chunk = n
	}
	d := p.D
	out := &Samples{N: n, X: make([]float64, 0, n*d), LogW: make([]float64, 0, n)}
	for done := 0; done < n; done += chunk {
		b := min(chunk, n-done)
		y, lwy, err := p.SampleY(b, v, rng, true)
		if err != nil {
			return nil, err
		}
		path, err := p.Rollout(y, u, rng, RolloutOptions{LogW: true})
		if err != nil {
			return nil, err
		}
		p.addAnnealedLogW(lwy, y, path)
		out.X = append(out.X, path.Final...)
		out.LogW = append(out.LogW, lwy...)
	}
	return out, nil
}

// addAnnealedLogW completes the whole-path log-weights lw of the prior stage (from SampleY,
// one per row of its output y = x₀) with the annealed stage's part (path.LogW, from a roll-out
// of x₀ with RolloutOptions.LogW): log w = log w_Y + log w_X − log N(x₀; m, σ̃²I), the last
// term replacing the reference density of x₀ by the prior stage's path ratio (naas.md §7).
func (p *Process) addAnnealedLogW(lw, x0 []float64, path *Path) {
	d := p.D
	for i := range lw {
		lw[i] += path.LogW[i] - p.LogPriorRef(x0[i*d:(i+1)*d])
	}
}

// SampleResampled draws n samples like Sample but as one population with sequential Monte
// Carlo resampling in the annealed stage (RolloutOptions.Resample = threshold, 0 < threshold
// ≤ 1): whenever the effective sample size of the weights for the intermediate target
// exp(−U_{t_k}) falls below threshold·n, the paths are resampled, and so are the final
// samples on their whole-path weights by the same rule (so with threshold 1 they come out
// equally weighted). LogW keeps the meaning of Sample's (log-mean-exp estimates log Z₁); the
// samples are no longer independent. It also returns the number of resampling steps
// (including the final one).
func (p *Process) SampleResampled(n int, u, v Control, rng *rand.Rand, threshold float64) (*Samples, int, error) {
	if n < 1 {
		return nil, 0, fmt.Errorf("sample: n = %d; need at least 1", n)
	}
	y, lw0, err := p.SampleY(n, v, rng, true)
	if err != nil {
		return nil, 0, err
	}
	d := p.D
	for i := range lw0 {
		lw0[i] -= p.LogPriorRef(y[i*d : (i+1)*d])
	}
	path, err := p.Rollout(y, u, rng, RolloutOptions{LogW: true, LogW0: lw0, Resample: threshold})
	if err != nil {
		return nil, 0, err
	}
	steps := path.Resamplings
	if newResampler(n, d, threshold).final(path.Final, path.LogW, rng) {
		steps++
	}
	return &Samples{N: n, X: path.Final, LogW: path.LogW}, steps, nil
}

// SampleFrom runs the annealed stage under u from given start points x0 (n·d), in chunks of
// at most chunk paths (≤ 0: all at once), for a start law other than the prior stage's:
// logq (len n) is the log density of that law at each start point, so that LogW = path
// log-weight − logq keeps Sample's meaning (log-mean-exp estimates log Z₁) whenever x0 was
// drawn from it. Noise is drawn from rng in a fixed order.
func (p *Process) SampleFrom(x0, logq []float64, chunk int, u Control, rng *rand.Rand) (*Samples, error) {
	d := p.D
	n := len(logq)
	if n < 1 || len(x0) != n*d {
		return nil, fmt.Errorf("sample: %d start values for %d start log-densities of dimension %d; need n·d with n ≥ 1", len(x0), n, d)
	}
	if chunk <= 0 || chunk > n {
		chunk = n
	}
	out := &Samples{N: n, X: make([]float64, 0, n*d), LogW: make([]float64, 0, n)}
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		lw0 := make([]float64, hi-lo)
		for i := range lw0 {
			lw0[i] = -logq[lo+i]
		}
		path, err := p.Rollout(x0[lo*d:hi*d], u, rng, RolloutOptions{LogW: true, LogW0: lw0})
		if err != nil {
			return nil, err
		}
		out.X = append(out.X, path.Final...)
		out.LogW = append(out.LogW, path.LogW...)
	}
	return out, nil
}
