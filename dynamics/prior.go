package dynamics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// SampleY simulates the prior stage of naas.md §5, dY_s = σ̃² v(Y_s, s) ds + σ̃ dW_s from
// Y₀ = m, with PriorSteps Euler steps, for n paths, and returns Y₁ (n·d). v = nil is the
// reference (Brownian motion, so Y₁ ~ N(m, σ̃²I) exactly). With logW it also returns, per
// path, the log Radon–Nikodym derivative of the reference path law against the controlled
// one, −Σ_j [σ̃ √h v_j·ξ_j + σ̃² h |v_j|²/2] (exact for the Euler chain).
func (p *Process) SampleY(n int, v Control, rng *rand.Rand, logW bool) (y, lw []float64, err error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("prior stage: %d paths requested; need at least 1", n)
	}
	d, kv := p.D, p.Cfg.PriorSteps
	h := 1 / float64(kv)
	sv := p.SV
	sq := sv * math.Sqrt(h)
	y = make([]float64, n*d)
	for b := 0; b < n; b++ {
		copy(y[b*d:(b+1)*d], p.M)
	}
	if logW {
		lw = make([]float64, n)
	}
	var vj, sj []float64
	if v != nil {
		vj = make([]float64, n*d)
		sj = make([]float64, n)
	}
	xi := make([]float64, n*d)
	for j := 0; j < kv; j++ {
		// the noise does not depend on v(y, s_j): draw it while the control is evaluated
		// (same order of draws as sequentially, so the paths are unchanged)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range xi {
				xi[k] = rng.NormFloat64()
			}
		}()
		var applyErr error
		if v != nil {
			for b := range sj {
				sj[b] = float64(j) * h
			}
			applyErr = v.Apply(y, sj, vj)
		}
		wg.Wait()
		if applyErr != nil {
			return nil, nil, fmt.Errorf("prior stage: control at step %d: %w", j, applyErr)
		}
		p.project(xi)
		if v != nil {
			p.project(vj)
		}
		for b := 0; b < n; b++ {
			var dot, v2 float64
			for i := 0; i < d; i++ {
				k := b*d + i
				if v != nil {
					y[k] += sv*sv*vj[k]*h + sq*xi[k]
					dot += vj[k] * xi[k]
					v2 += vj[k] * vj[k]
				} else {
					y[k] += sq * xi[k]
				}
			}
			if logW {
				lw[b] -= sq*dot + 0.5*sv*sv*h*v2
			}
		}
	}
	return y, lw, nil
}

// LogPriorRef returns log N(y; m, σ̃²I) for one point y (len d): the density of Y₁ under the
// uncontrolled prior stage.
func (p *Process) LogPriorRef(y []float64) float64 {
	var r2 float64
	for i, yi := range y {
		z := yi - p.M[i]
		r2 += z * z
	}
	v := p.SV * p.SV
	return -0.5*r2/v - 0.5*float64(p.D)*math.Log(2*math.Pi*v)
}

// TerminalGrad writes ∇g̃(Y₁) of naas.md §5 for the rows of y (n·d) into out:
//
//	∇g̃(y) = −(y − m)/σ̃² + (y − m)/s² + ∇V₀(y),  with ∇V₀(y) = −u(y, 0),
//
// using the current annealed-stage control u (nil: V₀ ≡ 0). With σ̃ = s it is −u(y, 0).
func (p *Process) TerminalGrad(y []float64, u Control, out []float64) error {
	d := p.D
	n := len(y) / d
	if u != nil {
		t := make([]float64, n)
		if err := u.Apply(y, t, out); err != nil {
			return fmt.Errorf("terminal gradient: %w", err)
		}
		p.project(out)
	} else {
		clear(out)
	}
	c := 1/(p.S*p.S) - 1/(p.SV*p.SV)
	for b := 0; b < n; b++ {
		for i := 0; i < d; i++ {
			k := b*d + i
			out[k] = c*(y[k]-p.M[i]) - out[k]
		}
	}
	return nil
}

// Bridge draws, for each row b of y1 (n·d) and time s[b] ∈ [0, 1], a point of the Brownian
// bridge of the reference prior stage from m (at s = 0) to y1_b (at s = 1):
//
//	Y_s ~ N(m + s (y1 − m), s (1 − s) σ̃² I),
//
// and writes it into out (n·d).
func (p *Process) Bridge(y1, s []float64, rng *rand.Rand, out []float64) {
	d := p.D
	for b, sb := range s {
		sd := math.Sqrt(sb*(1-sb)) * p.SV
		for i := 0; i < d; i++ {
			k := b*d + i
			out[k] = p.M[i] + sb*(y1[k]-p.M[i]) + sd*rng.NormFloat64()
		}
	}
	// with MeanFree, m and y1 are centroid-free, so this projects the noise only
	p.project(out[:len(s)*d])
}
