package dynamics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// Path is a batch of B simulated paths of the annealed stage on the grid of a Process.
// States are flat row-major batches (B·d).
type Path struct {
	B int
	// X[k] is x_k for k = 0..K when the path was kept; otherwise nil.
	X [][]float64
	// G[k] is the (clipped) ∇E(x_k), k = 0..K−1, when kept; the roll-out computes it for the
	// drift and the adjoint reuses it.
	G [][]float64
	// C[k] holds the per-row clip factors min(1, cap/|∇E(x_k)|), k = 0..K−1, when kept and
	// gradient clipping is on; otherwise nil.
	C [][]float64
	// Final is x_K (B·d).
	Final []float64
	// LogW is, when requested, the annealed-stage part of the discrete-time log-weight of
	// naas.md §7 per path (len B): −E(x_K) + Σ_k [log B_k(x_k | x_{k+1}) − log F_k(x_{k+1} | x_k)].
	LogW []float64
	// Clipped counts gradient evaluations that hit the |∇E| cap.
	Clipped int
	// Resamplings counts the steps at which RolloutOptions.Resample resampled the batch.
	Resamplings int
}

// RolloutOptions selects what a roll-out records.
type RolloutOptions struct {
	Keep bool // keep every state, gradient and clip factor (for the adjoint)
	LogW bool // accumulate the discrete-time log-weight (costs one extra ∇E and one E at x_K)
	// LogW0 (len B, optional, with LogW) are log-weights the paths start with, e.g. those of
	// the prior stage; they are added to LogW.
	LogW0 []float64
	// Resample (with LogW, without Keep) turns the roll-out into a sequential Monte Carlo
	// sampler: at every grid step k < K, the paths' weights for the intermediate target
	// exp(−U_{t_k}), G_b = LogW_b − U_{t_k}(x_{k,b}), are checked and, when their effective
	// sample size falls below Resample·B (0 < Resample ≤ 1), the batch is resampled
	// systematically (one uniform from rng) and every G_b set to log mean exp(G), so that
	// the final LogW still has mean(exp(LogW)) as its estimate of Z₁/Z₀ (it costs one E
	// per step). 0 turns it off.
	Resample float64
}

// Rollout simulates the controlled annealed SDE of naas.md §2 by Euler–Maruyama,
//
//	x_{k+1} = x_k + [b(t_k, x_k) + σ_k² u(x_k, t_k)] h + σ_k √h ξ_k,   ξ_k ~ N(0, I),
//
// from the B = len(x0)/d start points x0, with u = nil meaning the uncontrolled reference
// (u acts only from t_k ≥ Cfg.ControlFrom).
// The network is only evaluated; no gradient flows through the roll-out. Noise is drawn
// from rng in a fixed order, so the same rng state gives the same path.
func (p *Process) Rollout(x0 []float64, u Control, rng *rand.Rand, opt RolloutOptions) (*Path, error) {
	d, g := p.D, p.Grid
	if len(x0) == 0 || len(x0)%d != 0 {
		return nil, fmt.Errorf("rollout: start batch has %d values, not a positive multiple of d = %d", len(x0), d)
	}
	B := len(x0) / d
	K := g.K
	path := &Path{B: B}
	clip := p.Cfg.GradClip > 0
	if opt.Keep {
		path.X = make([][]float64, K+1)
		path.G = make([][]float64, K)
		if clip {
			path.C = make([][]float64, K)
		}
	}
	n := B * d
	x := make([]float64, n)
	copy(x, x0)
	xPrev := make([]float64, n)
	xiPrev := make([]float64, n)
	gk := make([]float64, n)
	ck := make([]float64, B)
	uk := make([]float64, n)
	tk := make([]float64, B)
	if opt.LogW {
		path.LogW = make([]float64, B)
		if opt.LogW0 != nil {
			if len(opt.LogW0) != B {
				return nil, fmt.Errorf("rollout: %d start log-weights for %d paths", len(opt.LogW0), B)
			}
			copy(path.LogW, opt.LogW0)
		}
	}
	var smc *resampler
	if opt.Resample != 0 {
		if !(opt.Resample > 0 && opt.Resample <= 1) || !opt.LogW || opt.Keep {
			return nil, fmt.Errorf("rollout: resampling threshold %v needs 0 < threshold ≤ 1, LogW and no Keep", opt.Resample)
		}
		smc = newResampler(B, d, opt.Resample)
	}
	s2 := p.S * p.S
	k0 := p.FirstControlled()
	xi := make([]float64, n) // ξ_k of the current step
	for k := 0; k <= K; k++ {
		// with Keep, every step's gradient gets its own buffer (including ∇E(x_K) for the
		// log-weight, so that it does not overwrite the kept ∇E(x_{K−1}))
		if opt.Keep && (k < K || opt.LogW) {
			gk = make([]float64, n)
			if clip {
				ck = make([]float64, B)
			}
		}
		// ξ_k and u(x_k, t_k) do not depend on ∇E(x_k): compute the three concurrently. The
		// noise is drawn in the same order as ever, so paths are unchanged.
		var wg sync.WaitGroup
		if k < K {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range xi {
					xi[j] = rng.NormFloat64()
				}
			}()
		}
		controlled := k < K && u != nil && k >= k0
		var applyErr error
		if controlled {
			t := g.T(k)
			for b := range tk {
				tk[b] = t
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				applyErr = u.Apply(x, tk, uk)
			}()
		}
		if k < K || opt.LogW {
			path.Clipped += p.clippedGrad(x, gk, ck)
		}
		if opt.LogW && k > 0 {
			p.addBackwardKernel(path.LogW, xPrev, x, gk, xiPrev, k)
		}
		wg.Wait()
		if applyErr != nil {
			return nil, fmt.Errorf("rollout: control at step %d: %w", k, applyErr)
		}
		if smc != nil && k < K {
			if smc.step(p, k, x, path.LogW, rng, [][]float64{x, gk, uk}, ck) {
				path.Resamplings++
			}
		}
		if k < K {
			p.project(xi)
		}
		if controlled {
			p.project(uk)
		}
		if opt.Keep {
			path.X[k] = x
			if k < K {
				path.G[k] = gk
				if clip {
					path.C[k] = ck
				}
			}
		}
		if k == K {
			break
		}
		sk := g.Sigma[k]
		bk := g.Beta[k]
		half := 0.5 * sk * sk
		sq := sk * math.Sqrt(g.H)
		var next []float64
		if opt.Keep {
			next = make([]float64, n)
		} else {
			next = xPrev // reuse: xPrev's old content is no longer needed
		}
		for b := 0; b < B; b++ {
			for i := 0; i < d; i++ {
				j := b*d + i
				drift := -half * ((1-bk)*(x[j]-p.M[i])/s2 + bk*gk[j])
				if controlled {
					drift += sk * sk * uk[j]
				}
				next[j] = x[j] + drift*g.H + sq*xi[j]
			}
		}
		xiPrev, xi = xi, xiPrev
		xPrev, x = x, next
	}
	path.Final = x
	if opt.LogW {
		e := make([]float64, B)
		p.E.Energy(x, e)
		for b := range e {
			path.LogW[b] -= e[b]
		}
	}
	return path, nil
}

// addBackwardKernel adds log B_{k−1}(x_{k−1} | x_k) − log F_{k−1}(x_k | x_{k−1}) to lw for the
// step k−1 → k, where F is the Gaussian kernel actually used (its exponent is −|ξ|²/2) and
// B is the reference (ULA) kernel run backwards with the target-side drift
// b̄_k = −(σ_{k−1}²/2) ∇U_{t_k}(x_k) and variance σ_{k−1}² h; the normalisers cancel.
func (p *Process) addBackwardKernel(lw, xPrev, x, gk, xiPrev []float64, k int) {
	g, d := p.Grid, p.D
	sp := g.Sigma[k-1]
	bk := g.Beta[k]
	s2 := p.S * p.S
	v := sp * sp * g.H
	for b := range lw {
		var r2, xi2 float64
		for i := 0; i < d; i++ {
			j := b*d + i
			bbar := -0.5 * sp * sp * ((1-bk)*(x[j]-p.M[i])/s2 + bk*gk[j])
			r := xPrev[j] - x[j] - bbar*g.H
			r2 += r * r
			xi2 += xiPrev[j] * xiPrev[j]
		}
		lw[b] += -r2/(2*v) + 0.5*xi2
	}
}
