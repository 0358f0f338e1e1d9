package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/targets"
	"gonum.org/v1/gonum/mat"
)

// hessianAt returns the Cholesky factor of the symmetrised Hessian ∇²E(c_j) at centre c
// (minimum j of a basin prior), from d Hessian–vector products with the unit vectors, or an
// error naming j when the Hessian is not positive definite.
func hessianAt(en dynamics.Energy, c []float64, j int) (*mat.Cholesky, error) {
	d := len(c)
	x := make([]float64, d*d)
	v := make([]float64, d*d)
	hv := make([]float64, d*d)
	for i := 0; i < d; i++ {
		copy(x[i*d:(i+1)*d], c)
		v[i*d+i] = 1
	}
	en.HVP(x, v, hv)
	h := mat.NewSymDense(d, nil)
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			h.SetSym(a, b, 0.5*(hv[a*d+b]+hv[b*d+a]))
		}
	}
	ch := new(mat.Cholesky)
	if !ch.Factorize(h) {
		return nil, fmt.Errorf("basin prior: the Hessian at minimum %d is not positive definite (descent did not converge to a minimum); use --basin-mass %s", j, MassIS)
	}
	return ch, nil
}

// aisState is one AIS particle's energy, squared whitened norm |z|² and basin membership.
type aisState struct {
	e, z2 float64
	in    bool
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
	zr, zpr := make([]float64, n*d), make([]float64, n*d)  // current and proposed z
	gcur, gp := make([]float64, n*d), make([]float64, n*d) // ∇_z E at them
	dcur := make([]float64, n*d)                           // drift at the current z
	xr, gx := make([]float64, n*d), make([]float64, n*d)
	z, zp := mat.NewDense(n, d, zr), mat.NewDense(n, d, zpr)
	xs, gxm := mat.NewDense(n, d, xr), mat.NewDense(n, d, gx)
	gcurM, gpM := mat.NewDense(n, d, gcur), mat.NewDense(n, d, gp)
	e := make([]float64, n)
	lab := make([]int, n)
	lw := make([]float64, n)
	drp := make([]float64, d)
	cur, prop := make([]aisState, n), make([]aisState, n)
	beta := func(j int) float64 { return math.Pow(float64(j)/float64(T), 4) }
	logNorm := 0.5 * float64(d) * math.Log(2*math.Pi)
	for j := 0; j < k; j++ {
		c := bp.Centres[j*d : (j+1)*d]
		ch, err := hessianAt(en, c, j)
		if err != nil {
			return nil, nil, err
		}
		var l, linv mat.TriDense
		ch.LTo(&l)
		if err := linv.InverseTri(&l); err != nil {
			return nil, nil, fmt.Errorf("basin prior: inverting the Cholesky factor at minimum %d: %w", j, err)
		}
		a := mat.DenseCopyOf(linv.T()) // x = c + A z, A = L⁻ᵀ
		halfLogDet := 0.5 * ch.LogDet()
		// eval sets x(z) for the rows of zz, their states st and ∇_z E = Aᵀ∇E into g.
		eval := func(zz *mat.Dense, st []aisState, g *mat.Dense) {
			xs.Mul(zz, a.T())
			for b := 0; b < n; b++ {
				for i := 0; i < d; i++ {
					xr[b*d+i] += c[i]
				}
			}
			if eg, ok := en.(targets.EnergyGrader); ok {
				eg.EnergyGrad(xr, e, gx)
			} else {
				en.Energy(xr, e)
				en.Grad(xr, gx)
			}
			bp.Label(xr, lab)
			g.Mul(gxm, a)
			zd := zz.RawMatrix().Data
			for b := 0; b < n; b++ {
				var s float64
				for i := 0; i < d; i++ {
					s += zd[b*d+i] * zd[b*d+i]
				}
				st[b] = aisState{e: e[b], z2: s, in: lab[b] == j && !math.IsNaN(e[b]) && !math.IsInf(e[b], 0)}
			}
		}
		for i := range zr {
			zr[i] = rng.NormFloat64()
		}
		eval(z, cur, gcurM)
		// log f_β(z) = (1−β)(−|z|²/2 − (d/2) log 2π) + β(−E − ½ log det H): the normalised
		// start density at β = 0, exp(−E) in z-coordinates at β = 1.
		logf := func(s aisState, bt float64) float64 {
			return (1-bt)*(-0.5*s.z2-logNorm) + bt*(-s.e-halfLogDet)
		}
		for b := range lw {
			lw[b] = 0
			if !cur[b].in {
				lw[b] = math.Inf(-1)
			}
		}
		eps := 0.5 * math.Pow(float64(d), -1.0/3)
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
			drift := func(zv, g, out []float64) {
				for i := range out {
					out[i] = -(1-b1)*zv[i] - b1*g[i]
				}
			}
			for b := 0; b < n; b++ {
				dr := dcur[b*d : (b+1)*d]
				drift(zr[b*d:(b+1)*d], gcur[b*d:(b+1)*d], dr)
				for i := 0; i < d; i++ {
					zpr[b*d+i] = zr[b*d+i] + eps*dr[i] + math.Sqrt(2*eps)*rng.NormFloat64()
				}
			}
			eval(zp, prop, gpM)
			var acc, tried float64
			for b := 0; b < n; b++ {
				if !cur[b].in {
					continue
				}
				tried++
				u := rng.Float64()
				if !prop[b].in {
					continue
				}
				dr := dcur[b*d : (b+1)*d]
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
