package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/naas-go/naas/dynamics"
	"gonum.org/v1/gonum/mat"
)

// hessianAt returns the symmetrised Hessian ∇²E(c) (d×d) from d Hessian–vector products with
// the unit vectors, and its Cholesky factor; ok is false when it is not positive definite.
func hessianAt(en dynamics.Energy, c []float64) (h *mat.SymDense, ch *mat.Cholesky, ok bool) {
	d := len(c)
	x := make([]float64, d*d)
	v := make([]float64, d*d)
	hv := make([]float64, d*d)
	for i := 0; i < d; i++ {
		copy(x[i*d:(i+1)*d], c)
		v[i*d+i] = 1
	}
	en.HVP(x, v, hv)
	h = mat.NewSymDense(d, nil)
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			h.SetSym(a, b, 0.5*(hv[a*d+b]+hv[b*d+a]))
		}
	}
	ch = new(mat.Cholesky)
	return h, ch, ch.Factorize(h)
}

// aisMasses estimates log Z_b of every basin by annealed importance sampling (MassAIS):
// o.Draws particles start from the basin's Laplace Gaussian N(c, ∇²E(c)⁻¹) and are moved
// through o.Temps levels of the geometric path q^(1−β)·exp(−βE) restricted to the basin
// (β_j = (j/T)⁴), one Metropolis-adjusted Langevin step per level in the whitened coordinates
// z = Lᵀ(x − c) (∇²E(c) = LLᵀ), proposals leaving the basin rejected, the step size adapted
// between levels towards an acceptance of 0.5–0.65. Particles that start outside the basin
// get weight 0, so mean(w) estimates Z_b without bias. It returns log Z_b and the
// delta-method standard errors.
func (bp *BasinPrior) aisMasses(en dynamics.Energy, o BasinOptions, rng *rand.Rand) (logZ, se []float64, err error) {
	d, k, n, T := bp.D, bp.K(), o.Draws, o.Temps
	logZ, se = make([]float64, k), make([]float64, k)
	z := mat.NewDense(n, d, nil)
	zp := mat.NewDense(n, d, nil)
	xs := mat.NewDense(n, d, nil)
	gz := mat.NewDense(n, d, nil)
	gx := make([]float64, n*d)
	e := make([]float64, n)
	lab := make([]int, n)
	lw := make([]float64, n)
	// state per particle: energy, log f-terms, gradient in z, membership
	type state struct {
		e, z2 float64
		in    bool
	}
	cur, prop := make([]state, n), make([]state, n)
	gcur := make([]float64, n*d)
	beta := func(j int) float64 { return math.Pow(float64(j)/float64(T), 4) }
	for j := 0; j < k; j++ {
		c := bp.Centres[j*d : (j+1)*d]
		_, ch, ok := hessianAt(en, c)
		if !ok {
			return nil, nil, fmt.Errorf("basin prior: the Hessian at minimum %d is not positive definite (descent did not converge to a minimum); use --basin-mass %s", j, MassIS)
		}
		var l mat.TriDense
		ch.LTo(&l)
		var linv mat.TriDense
		if err := linv.InverseTri(&l); err != nil {
			return nil, nil, fmt.Errorf("basin prior: inverting the Cholesky factor at minimum %d: %w", j, err)
		}
		a := mat.DenseCopyOf(linv.T()) // x = c + A z, A = L⁻ᵀ
		halfLogDet := 0.5 * ch.LogDet()
		// evaluate E, ∇_z E-term and membership for the rows of zz into st and g
		eval := func(zz *mat.Dense, st []state, g []float64) {
			xs.Mul(zz, a.T())
			raw := xs.RawMatrix().Data
			for b := 0; b < n; b++ {
				for i := 0; i < d; i++ {
					raw[b*d+i] += c[i]
				}
			}
			if eg, ok := en.(interface{ EnergyGrad(x, e, g []float64) }); ok {
				eg.EnergyGrad(raw, e, gx)
			} else {
				en.Energy(raw, e)
				en.Grad(raw, gx)
			}
			bp.Label(raw, lab)
			// ∇_z E(x(z)) = Aᵀ ∇E = L⁻¹ ∇E
			gxm := mat.NewDense(n, d, gx)
			gz.Mul(gxm, a)
			copy(g, gz.RawMatrix().Data)
			zr := zz.RawMatrix().Data
			for b := 0; b < n; b++ {
				var s float64
				for i := 0; i < d; i++ {
					s += zr[b*d+i] * zr[b*d+i]
				}
				st[b] = state{e: e[b], z2: s, in: lab[b] == j && !math.IsNaN(e[b]) && !math.IsInf(e[b], 0)}
			}
		}
		zr := z.RawMatrix().Data
		for i := range zr {
			zr[i] = rng.NormFloat64()
		}
		eval(z, cur, gcur)
		// log f_β(z) = (1−β)(−|z|²/2) + β(−E − ½ log det H) + const(β), the const from
		// the normalised start density: (1−β)(−d/2 log 2π)
		logNorm := 0.5 * float64(d) * math.Log(2*math.Pi)
		logf := func(s state, bt float64) float64 {
			return (1-bt)*(-0.5*s.z2-logNorm) + bt*(-s.e-halfLogDet)
		}
		for b := range lw {
			lw[b] = 0
			if !cur[b].in {
				lw[b] = math.Inf(-1)
			}
		}
		eps := 0.5 * math.Pow(float64(d), -1.0/3)
		gp := make([]float64, n*d)
		for lv := 1; lv <= T; lv++ {
			b0, b1 := beta(lv-1), beta(lv)
			for b := range lw {
				if cur[b].in {
					lw[b] += logf(cur[b], b1) - logf(cur[b], b0)
				}
			}
			if lv == T {
				break
			}
			// one MALA step for f_{b1}: drift ∇_z log f = −(1−β) z − β ∇_z E
			drift := func(zv, g []float64, out []float64) {
				for i := range out {
					out[i] = -(1-b1)*zv[i] - b1*g[i]
				}
			}
			zpr := zp.RawMatrix().Data
			dr := make([]float64, d)
			for b := 0; b < n; b++ {
				drift(zr[b*d:(b+1)*d], gcur[b*d:(b+1)*d], dr)
				for i := 0; i < d; i++ {
					zpr[b*d+i] = zr[b*d+i] + eps*dr[i] + math.Sqrt(2*eps)*rng.NormFloat64()
				}
			}
			eval(zp, prop, gp)
			var acc, tried float64
			drp := make([]float64, d)
			for b := 0; b < n; b++ {
				if !cur[b].in {
					continue
				}
				tried++
				u := rng.Float64()
				if !prop[b].in {
					continue
				}
				drift(zr[b*d:(b+1)*d], gcur[b*d:(b+1)*d], dr)
				drift(zpr[b*d:(b+1)*d], gp[b*d:(b+1)*d], drp)
				// log q(z | z') − log q(z' | z) for the Langevin proposal N(· + ε drift, 2ε)
				var fwd, bwd float64
				for i := 0; i < d; i++ {
					f := zpr[b*d+i] - zr[b*d+i] - eps*dr[i]
					r := zr[b*d+i] - zpr[b*d+i] - eps*drp[i]
					fwd += f * f
					bwd += r * r
				}
				logA := logf(prop[b], b1) - logf(cur[b], b1) - (bwd-fwd)/(4*eps)
				if math.Log(u) < logA {
					acc++
					copy(zr[b*d:(b+1)*d], zpr[b*d:(b+1)*d])
					copy(gcur[b*d:(b+1)*d], gp[b*d:(b+1)*d])
					cur[b] = prop[b]
				}
			}
			if tried > 0 {
				switch r := acc / tried; {
				case r > 0.65:
					eps *= 1.1
				case r < 0.5:
					eps *= 0.9
				}
			}
		}
		logZ[j], se[j] = logMeanExpSE(lw)
	}
	return logZ, se, nil
}
