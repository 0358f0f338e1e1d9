package aldp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Minimize relaxes one geometry pos (length 3N, in the target's length unit) to a local
// minimum of t's reduced energy, in place, and returns the reduced energy there (k_B T).
// Each iteration is a saddle-free Newton step in the internal (non-rigid) subspace, the
// Hessian's eigenvalues replaced by max(|λ|, 1), with backtracking until the energy falls.
// It stops when the largest gradient component falls below gtol (k_B T per length unit),
// and fails after maxIter iterations or if the energy is not finite.
func Minimize(t *Target, pos []float64, gtol float64, maxIter int) (float64, error) {
	d := t.Dim()
	if len(pos) != d {
		return 0, fmt.Errorf("aldp: Minimize: len(pos) = %d, want %d", len(pos), d)
	}
	e, g := make([]float64, 1), make([]float64, d)
	t.EnergyGrad(pos, e, g)
	trial, tg, te := make([]float64, d), make([]float64, d), make([]float64, 1)
	for it := 0; ; it++ {
		if !isFinite(e[0]) || e[0] >= t.nonFinite() {
			return 0, fmt.Errorf("aldp: Minimize: reduced energy %g at iteration %d", e[0], it)
		}
		gmax := 0.0
		for _, v := range g {
			gmax = math.Max(gmax, math.Abs(v))
		}
		if gmax < gtol {
			return e[0], nil
		}
		if it == maxIter {
			return e[0], fmt.Errorf("aldp: Minimize: largest gradient component %g > %g after %d iterations", gmax, gtol, maxIter)
		}
		vals, vecs, err := internalEigen(t, pos)
		if err != nil {
			return 0, err
		}
		step := make([]float64, d)
		for j, lam := range vals {
			var c float64
			for i := range d {
				c += vecs.At(i, j) * g[i]
			}
			c /= math.Max(math.Abs(lam), 1)
			for i := range d {
				step[i] -= c * vecs.At(i, j)
			}
		}
		for a := 1.0; ; a /= 2 {
			if a < 1e-12 {
				return e[0], fmt.Errorf("aldp: Minimize: no descent at iteration %d (largest gradient component %g)", it, gmax)
			}
			for i := range d {
				trial[i] = pos[i] + a*step[i]
			}
			t.EnergyGrad(trial, te, tg)
			if te[0] < e[0] {
				break
			}
		}
		copy(pos, trial)
		copy(g, tg)
		e[0] = te[0]
	}
}

// RigidBasis returns an orthonormal basis (columns of a 3N×6 matrix) of the infinitesimal
// rigid motions of the geometry pos: the three translations and the three rotations about
// its centroid. The energy is invariant along these directions to first order.
func RigidBasis(pos []float64) *mat.Dense {
	n := len(pos) / 3
	var c vec
	for a := range n {
		c = c.add(at(pos, a))
	}
	c = c.scale(1 / float64(n))
	b := mat.NewDense(3*n, 6, nil)
	axes := []vec{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	for a := range n {
		r := at(pos, a).sub(c)
		for k, e := range axes {
			b.Set(3*a+k, k, 1)
			w := e.cross(r)
			b.Set(3*a, 3+k, w.x)
			b.Set(3*a+1, 3+k, w.y)
			b.Set(3*a+2, 3+k, w.z)
		}
	}
	var qr mat.QR
	qr.Factorize(b)
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, 3*n, 0, 6))
}

// Hessian returns the symmetrised Hessian ∇²U(pos) of t's reduced energy (3N×3N, k_B T per
// squared length unit) from 3N Hessian–vector products with the unit vectors.
func Hessian(t *Target, pos []float64) *mat.SymDense {
	d := t.Dim()
	x := make([]float64, d*d)
	v := make([]float64, d*d)
	hv := make([]float64, d*d)
	for i := range d {
		copy(x[i*d:], pos)
		v[i*d+i] = 1
	}
	t.HVP(x, v, hv)
	h := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			h.SetSym(i, j, (hv[i*d+j]+hv[j*d+i])/2)
		}
	}
	return h
}

// internalEigen returns the eigenvalues (ascending) and orthonormal eigenvectors (columns,
// 3N × (3N − 6)) of t's Hessian at pos restricted to the complement of the rigid motions.
func internalEigen(t *Target, pos []float64) ([]float64, *mat.Dense, error) {
	d := t.Dim()
	h := Hessian(t, pos)
	rb := RigidBasis(pos)
	// (I − R Rᵀ) H (I − R Rᵀ) − c R Rᵀ: the rigid directions become eigenvectors with
	// eigenvalue −c, below every internal one for c larger than ‖H‖, and are dropped.
	var rr, p, php mat.Dense
	rr.Mul(rb, rb.T())
	p.Scale(-1, &rr)
	var norm float64
	for i := range d {
		p.Set(i, i, p.At(i, i)+1)
		for j := range d {
			norm += math.Abs(h.At(i, j))
		}
	}
	php.Mul(&p, h)
	php.Mul(&php, &p)
	rr.Scale(10*(norm+1), &rr)
	php.Sub(&php, &rr)
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (php.At(i, j)+php.At(j, i))/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return nil, nil, fmt.Errorf("aldp: eigendecomposition of the Hessian failed")
	}
	const rigid = 6
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	return es.Values(nil)[rigid:], mat.DenseCopyOf(vecs.Slice(0, d, rigid, d)), nil
}
