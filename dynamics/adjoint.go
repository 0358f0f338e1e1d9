package dynamics

import "fmt"

// AdjointStats summarises one lean-adjoint pass.
type AdjointStats struct {
	A0Norm  float64 // mean over paths of |a_0|
	MaxNorm float64 // largest |a_k| over paths and steps (after capping)
	Capped  int     // number of (path, step) pairs whose |a_k| hit AdjointClip
}

// Adjoint integrates the lean adjoint of naas.md §4 backwards along a kept path:
//
//	a_K = 0,  a_k = a_{k+1} + h [∇b(t_k, x_k)ᵀ a_{k+1}] + Δβ_k (∇E(x_k) − (x_k − m)/s²),
//	∇b(t_k, x)ᵀ a = −(σ_k²/2) [(1 − β_k) a/s² + β_k ∇²E(x) a],
//
// which is the gradient with respect to x_k of the discrete work Σ_{j≥k} Δβ_j (E − U₀)(x_j)
// along the uncontrolled Euler chain with the same noise (Δβ_k = β_{k+1} − β_k stands in for
// h β'(t_k)). With gradient clipping the drift term uses the transpose Jacobian of the
// clipped gradient map (the drift actually simulated) while the source term keeps the true
// ∇E of the work, so a_k stays the exact gradient of the discrete work. With AdjointClip > 0
// every a_k is scaled per path to norm at most AdjointClip. It returns A with A[k] = a_k
// (B·d) for k = 0..K−1.
func (p *Process) Adjoint(path *Path) ([][]float64, AdjointStats, error) {
	var st AdjointStats
	g, d := p.Grid, p.D
	K := g.K
	if len(path.X) != K+1 || len(path.G) != K {
		return nil, st, fmt.Errorf("adjoint: path was not kept (%d states, %d gradients; need %d and %d)", len(path.X), len(path.G), K+1, K)
	}
	n := path.B * d
	s2 := p.S * p.S
	A := make([][]float64, K)
	a := make([]float64, n) // a_{k+1}, starting from a_K = 0
	hv := make([]float64, n)
	scratch := make([]float64, n)
	var trueG []float64
	if path.C != nil {
		trueG = make([]float64, n)
	}
	for k := K - 1; k >= 0; k-- {
		x, gk := path.X[k], path.G[k]
		var ck []float64
		if path.C != nil {
			ck = path.C[k]
		}
		next := make([]float64, n)
		sk, bk, db := g.Sigma[k], g.Beta[k], g.DBeta[k]
		half := 0.5 * sk * sk
		// the source term is the gradient of the work, which uses the true ∇E = g/c
		src := gk
		if ck != nil {
			src = trueG
			for b := 0; b < path.B; b++ {
				for i := 0; i < d; i++ {
					src[b*d+i] = gk[b*d+i] / ck[b]
				}
			}
		}
		if k < K-1 {
			p.clippedHVP(x, gk, ck, a, hv, scratch)
			for b := 0; b < path.B; b++ {
				for i := 0; i < d; i++ {
					j := b*d + i
					bta := -half * ((1-bk)*a[j]/s2 + bk*hv[j])
					next[j] = a[j] + g.H*bta + db*(src[j]-(x[j]-p.M[i])/s2)
				}
			}
		} else { // a_K = 0: only the source term
			for b := 0; b < path.B; b++ {
				for i := 0; i < d; i++ {
					j := b*d + i
					next[j] = db * (src[j] - (x[j]-p.M[i])/s2)
				}
			}
		}
		for b := 0; b < path.B; b++ {
			row := next[b*d : (b+1)*d]
			nr := norm(row)
			if c := p.Cfg.AdjointClip; c > 0 && nr > c {
				f := c / nr
				for i := range row {
					row[i] *= f
				}
				nr = c
				st.Capped++
			}
			if nr > st.MaxNorm {
				st.MaxNorm = nr
			}
			if k == 0 {
				st.A0Norm += nr / float64(path.B)
			}
		}
		A[k] = next
		a = next
	}
	return A, st, nil
}
