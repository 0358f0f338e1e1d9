package aldp

import (
	"fmt"
	"math"

	"github.com/naas-go/naas/dynamics"
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

// Modes is a linear coordinate system for one molecule: positions x = Center + Basis·y
// (length units of the Target) for y in R^k, where the k = 3N − 6 columns of Basis are the
// normal modes of the Hessian at Center with the rigid motions removed, each scaled by
// 1/√max(λ_i, Floor). In y the harmonic approximation of U at Center is
// ½ Σ_i min(1, λ_i/Floor)·y_i²: every mode stiffer than Floor has unit curvature (unit
// thermal width) and the softer ones, the torsions, are wider. Langevin dynamics in y is
// Langevin dynamics in x with the constant mobility Basis·Basisᵀ, so the stiff bonds no
// longer cap the time step of the soft torsions; the Boltzmann density in y is exp(−U(x(y)))
// up to a constant (the map is linear), and y covers the whole centroid-fixed, orientation-
// fixed-to-first-order subspace, so that the rigid motions are removed exactly.
type Modes struct {
	Center []float64  // length 3N, the expansion point
	Basis  *mat.Dense // 3N × k
	// Eigen are the Hessian's eigenvalues λ_i of the kept modes, ascending (k_B T per
	// squared length unit), and Floor the curvature below which a mode is widened.
	Eigen []float64
	Floor float64
}

// NewModes builds the normal-mode coordinates of t at center (length 3N; not modified).
// Eigenvalues below floor (k_B T per squared length unit, > 0) are raised to floor for the
// scaling, so that modes softer than floor, and unstable ones (λ ≤ 0 at a non-minimum), get
// unit scale 1/√floor.
func NewModes(t *Target, center []float64, floor float64) (*Modes, error) {
	d := t.Dim()
	if len(center) != d {
		return nil, fmt.Errorf("aldp: NewModes: len(center) = %d, want %d", len(center), d)
	}
	if !(floor > 0) || math.IsInf(floor, 0) {
		return nil, fmt.Errorf("aldp: NewModes: floor %g, want finite > 0", floor)
	}
	vals, vecs, err := internalEigen(t, center)
	if err != nil {
		return nil, err
	}
	k := len(vals)
	m := &Modes{Center: append([]float64(nil), center...), Basis: mat.NewDense(d, k, nil), Eigen: vals, Floor: floor}
	for j, lam := range vals {
		s := 1 / math.Sqrt(math.Max(lam, floor))
		for i := range d {
			m.Basis.Set(i, j, s*vecs.At(i, j))
		}
	}
	return m, nil
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

// Dim is k, the number of mode coordinates.
func (m *Modes) Dim() int { _, k := m.Basis.Dims(); return k }

// Positions maps the B = len(y)/k rows of y to positions x = Center + Basis·y (B × 3N, the
// Target's length unit) into x.
func (m *Modes) Positions(y, x []float64) {
	d, k := m.Basis.Dims()
	b := len(y) / k
	if len(y) != b*k || len(x) != b*d {
		panic(fmt.Sprintf("aldp: Modes.Positions: len(y) = %d, len(x) = %d for k = %d, 3N = %d", len(y), len(x), k, d))
	}
	if b == 0 {
		return
	}
	xm := mat.NewDense(b, d, x)
	xm.Mul(mat.NewDense(b, k, y), m.Basis.T())
	for r := range b {
		row := x[r*d : (r+1)*d]
		for i, c := range m.Center {
			row[i] += c
		}
	}
}

// pullBack writes Basisᵀ·g for the B rows of g (B × 3N) into out (B × k).
func (m *Modes) pullBack(g, out []float64) {
	d, k := m.Basis.Dims()
	b := len(g) / d
	if b == 0 {
		return
	}
	om := mat.NewDense(b, k, out)
	om.Mul(mat.NewDense(b, d, g), m.Basis)
}

// ModeTarget is a Target seen in normal-mode coordinates: U_y(y) = U(Center + Basis·y). It
// implements dynamics.Energy with Dim k = 3N − 6, ∇U_y = Basisᵀ∇U and ∇²U_y·v = Basisᵀ∇²U·
// (Basis·v). Safe for concurrent use on disjoint output slices, like Target.
type ModeTarget struct {
	T     *Target
	Modes *Modes
}

var _ dynamics.Energy = (*ModeTarget)(nil)

// Dim is k.
func (t *ModeTarget) Dim() int { return t.Modes.Dim() }

func (t *ModeTarget) positions(name string, y []float64) []float64 {
	k := t.Modes.Dim()
	if len(y)%k != 0 {
		panic(fmt.Sprintf("aldp: ModeTarget: len(%s) = %d is not a multiple of %d", name, len(y), k))
	}
	x := make([]float64, len(y)/k*t.T.Dim())
	t.Modes.Positions(y, x)
	return x
}

// Energy writes U_y(y_b) into e[b] for the B = len(e) rows of y (length B·k).
func (t *ModeTarget) Energy(y, e []float64) {
	if len(y) != len(e)*t.Modes.Dim() {
		panic(fmt.Sprintf("aldp: ModeTarget: len(y) = %d, want %d", len(y), len(e)*t.Modes.Dim()))
	}
	t.T.Energy(t.positions("y", y), e)
}

// Grad writes ∇U_y(y_b) into g (same shape as y).
func (t *ModeTarget) Grad(y, g []float64) { t.EnergyGrad(y, nil, g) }

// EnergyGrad writes U_y(y_b) into e (unless nil) and ∇U_y(y_b) into g in one pass.
func (t *ModeTarget) EnergyGrad(y, e, g []float64) {
	if len(g) != len(y) {
		panic(fmt.Sprintf("aldp: ModeTarget: len(g) = %d, want %d", len(g), len(y)))
	}
	x := t.positions("y", y)
	gx := make([]float64, len(x))
	t.T.EnergyGrad(x, e, gx)
	t.Modes.pullBack(gx, g)
}

// HVP writes ∇²U_y(y_b)·v_b into hv (v, hv of the same shape as y).
func (t *ModeTarget) HVP(y, v, hv []float64) {
	if len(v) != len(y) || len(hv) != len(y) {
		panic(fmt.Sprintf("aldp: ModeTarget: len(v) = %d, len(hv) = %d, want %d", len(v), len(hv), len(y)))
	}
	x := t.positions("y", y)
	d, k := t.Modes.Basis.Dims()
	vx := make([]float64, len(x))
	if b := len(v) / k; b > 0 {
		mat.NewDense(b, d, vx).Mul(mat.NewDense(b, k, v), t.Modes.Basis.T())
	}
	hx := make([]float64, len(x))
	t.T.HVP(x, vx, hx)
	t.Modes.pullBack(hx, hv)
}
