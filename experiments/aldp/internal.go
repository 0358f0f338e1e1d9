package aldp

import (
	"fmt"
	"math"

	"github.com/naas-go/naas/dynamics"
)

// InternalTarget is the alanine-dipeptide target in scaled internal coordinates z (length
// NumInternal): q = Q0 + Scale ⊙ z are the bond lengths, angles and dihedrals of the
// Z-matrix (ToInternal), and the density in z is the Boltzmann density of x = FromInternal(q)
// times the volume factor of the map and a window on every dihedral:
//
//	U_z(z) = U(x(q)) − LogJacobian(q) − Σ_dihedrals log w(q_i − Q0_i),
//	w(τ) = Φ((τ + π)/δ) − Φ((τ − π)/δ),
//
// with Φ the standard normal CDF. Because Σ_n w(τ + 2πn) = 1, each dihedral taken modulo 2π
// has exactly the Boltzmann law, while exp(−U_z) is normalisable on R^60 (each dihedral is
// confined to about Q0_i ± π). Rigid motions are gone by construction; the chirality of Cα
// is a stiff coordinate (Cβ's improper dihedral), so the mirror image is reached only
// through high-energy planar geometries. The map is not one-to-one where a bond length is
// negative or an angle leaves (0, π), regions of negligible probability.
//
// The scale of each coordinate is its thermal width at Q0, 1/√(∂²U_q/∂q_i²), capped at
// MaxScale (radians for angles and dihedrals), so that every coordinate has curvature
// about 1 in z at the centre: the stiff bonds no longer cap the step of the soft torsions.
// Safe for concurrent use on disjoint output slices.
type InternalTarget struct {
	T  *Target
	Q0 [NumInternal]float64 // centre, internal coordinates of the centre geometry
	// Scale is the length or angle per unit of z; callers may widen coordinates after
	// construction (the aldp experiment widens the methyl rotors).
	Scale [NumInternal]float64
	Delta float64 // window softness δ, radians
	kinds [NumInternal]CoordKind
}

var _ dynamics.Energy = (*InternalTarget)(nil)

// NewInternalTarget builds the scaled internal coordinates of t around the geometry center
// (length 66, t's length unit), with dihedral windows of softness delta (radians, > 0) and
// coordinate scales capped at maxScale (> 0).
func NewInternalTarget(t *Target, center []float64, delta, maxScale float64) (*InternalTarget, error) {
	if len(center) != 66 {
		return nil, fmt.Errorf("aldp: NewInternalTarget: len(center) = %d, want 66", len(center))
	}
	if !(delta > 0) || math.IsInf(delta, 0) {
		return nil, fmt.Errorf("aldp: NewInternalTarget: window softness %g rad, want finite > 0", delta)
	}
	if !(maxScale > 0) || math.IsInf(maxScale, 0) {
		return nil, fmt.Errorf("aldp: NewInternalTarget: largest scale %g, want finite > 0", maxScale)
	}
	it := &InternalTarget{T: t, Delta: delta, kinds: InternalKinds()}
	ToInternal(center, it.Q0[:])
	for i := range it.Scale {
		it.Scale[i] = 1
	}
	// the diagonal curvature in q at Q0 (Scale = 1, so z = q − Q0), by central differences
	// of the analytic gradient
	const h = 1e-5
	z := make([]float64, 2*NumInternal*NumInternal)
	for i := range NumInternal {
		z[2*i*NumInternal+i], z[(2*i+1)*NumInternal+i] = h, -h
	}
	g := make([]float64, len(z))
	it.Grad(z, g)
	for i := range NumInternal {
		c := (g[2*i*NumInternal+i] - g[(2*i+1)*NumInternal+i]) / (2 * h)
		if !isFinite(c) {
			return nil, fmt.Errorf("aldp: NewInternalTarget: curvature of coordinate %d is %g", i, c)
		}
		it.Scale[i] = maxScale
		if c > 1/(maxScale*maxScale) {
			it.Scale[i] = 1 / math.Sqrt(c)
		}
	}
	return it, nil
}

// Dim is NumInternal.
func (t *InternalTarget) Dim() int { return NumInternal }

// Internal writes the internal coordinates q = Q0 + Scale ⊙ z of the B rows of z into q.
func (t *InternalTarget) Internal(z, q []float64) {
	for r := 0; r < len(z); r += NumInternal {
		for i := range NumInternal {
			q[r+i] = t.Q0[i] + t.Scale[i]*z[r+i]
		}
	}
}

// Positions writes the geometries (B × 66, t's length unit, centroid at the origin) of the
// B = len(z)/NumInternal rows of z into x.
func (t *InternalTarget) Positions(z, x []float64) {
	t.framePositions(z, x)
	Center(x)
}

// framePositions writes the geometries of the rows of z into x in the Z-matrix frame
// (FromInternal's: N at the origin), not centred.
func (t *InternalTarget) framePositions(z, x []float64) {
	b := t.rows("z", z)
	if len(x) != 66*b {
		panic(fmt.Sprintf("aldp: InternalTarget.Positions: len(x) = %d, want %d", len(x), 66*b))
	}
	t.T.parallel(b, func(lo, hi int, _ *scratch) {
		q := make([]float64, NumInternal)
		for r := lo; r < hi; r++ {
			t.Internal(z[r*NumInternal:(r+1)*NumInternal], q)
			FromInternal(q, x[66*r:66*(r+1)])
		}
	})
}

func (t *InternalTarget) rows(name string, z []float64) int {
	if len(z)%NumInternal != 0 {
		panic(fmt.Sprintf("aldp: InternalTarget: len(%s) = %d is not a multiple of %d", name, len(z), NumInternal))
	}
	return len(z) / NumInternal
}

// logWindow returns log w(τ) and its derivative for w(τ) = Φ((τ + π)/δ) − Φ((τ − π)/δ).
func logWindow(tau, delta float64) (lw, dlw float64) {
	a, b := (tau+math.Pi)/delta, (tau-math.Pi)/delta
	if tau < 0 { // w is even: evaluate at |τ| and flip the derivative
		lw, dlw = logWindow(-tau, delta)
		return lw, -dlw
	}
	// τ ≥ 0: w = Q(b) − Q(a) with Q the upper tail, Q(b) ≥ Q(a)
	lqb := logUpperTail(b)
	lw = lqb + math.Log1p(-math.Exp(logUpperTail(a)-lqb))
	// w′ = (ϕ(a) − ϕ(b))/δ
	dlw = (math.Exp(logPhi(a)-lw) - math.Exp(logPhi(b)-lw)) / delta
	return lw, dlw
}

func logPhi(x float64) float64 { return -0.5*x*x - 0.5*math.Log(2*math.Pi) }

// logUpperTail returns log Q(x) = log P(N(0,1) > x), accurate in the far tail.
func logUpperTail(x float64) float64 {
	if x < 20 {
		return math.Log(0.5 * math.Erfc(x/math.Sqrt2))
	}
	x2 := x * x
	return logPhi(x) - math.Log(x) + math.Log1p(-1/x2+3/(x2*x2))
}

// Energy writes U_z(z_b) into e[b] for the B = len(e) rows of z.
func (t *InternalTarget) Energy(z, e []float64) {
	if len(z) != len(e)*NumInternal {
		panic(fmt.Sprintf("aldp: InternalTarget: len(z) = %d, want %d", len(z), len(e)*NumInternal))
	}
	x := make([]float64, 66*len(e))
	t.Positions(z, x)
	t.T.Energy(x, e)
	q := make([]float64, NumInternal)
	for r := range e {
		t.Internal(z[r*NumInternal:(r+1)*NumInternal], q)
		e[r] -= t.logExtra(q, nil)
	}
}

// logExtra returns LogJacobian(q) + Σ log w over the dihedrals and, unless grad is nil,
// writes its gradient with respect to q.
func (t *InternalTarget) logExtra(q, grad []float64) float64 {
	s := LogJacobian(q, grad)
	for i, k := range t.kinds {
		if k != KindDihedral {
			continue
		}
		lw, dlw := logWindow(q[i]-t.Q0[i], t.Delta)
		s += lw
		if grad != nil {
			grad[i] += dlw
		}
	}
	return s
}

// Grad writes ∇U_z(z_b) into g (same shape as z).
func (t *InternalTarget) Grad(z, g []float64) { t.EnergyGrad(z, nil, g) }

// EnergyGrad writes U_z(z_b) into e (unless nil) and ∇U_z(z_b) into g in one pass.
func (t *InternalTarget) EnergyGrad(z, e, g []float64) {
	b := t.rows("z", z)
	if len(g) != len(z) || (e != nil && len(e) != b) {
		panic(fmt.Sprintf("aldp: InternalTarget: len(g) = %d, len(e) = %d for %d rows", len(g), len(e), b))
	}
	// the force call sees centred positions (as Energy's); the reverse sweep reuses the
	// uncentred ones of the construction
	frame := make([]float64, 66*b)
	t.framePositions(z, frame)
	x := append([]float64(nil), frame...)
	Center(x)
	gx := make([]float64, len(x))
	if e == nil {
		t.T.Grad(x, gx)
	} else {
		t.T.EnergyGrad(x, e, gx)
	}
	t.T.parallel(b, func(lo, hi int, _ *scratch) {
		q := make([]float64, NumInternal)
		gj := make([]float64, NumInternal)
		for r := lo; r < hi; r++ {
			t.Internal(z[r*NumInternal:(r+1)*NumInternal], q)
			gr := g[r*NumInternal : (r+1)*NumInternal]
			internalGrad(q, frame[66*r:66*(r+1)], gx[66*r:66*(r+1)], gr)
			extra := t.logExtra(q, gj)
			ok := true
			for i := range gr {
				gr[i] = t.Scale[i] * (gr[i] - gj[i])
				ok = ok && isFinite(gr[i])
			}
			if !ok {
				clear(gr)
			}
			if e != nil {
				e[r] -= extra
			}
		}
	})
}

// HVP writes ∇²U_z(z_b)·v_b into hv by central differences of the analytic gradient,
// (∇U_z(z + εv) − ∇U_z(z − εv))/(2ε) with ε = 1e-5/max(|v_b|, 1e-300) per row (two
// gradient evaluations).
func (t *InternalTarget) HVP(z, v, hv []float64) {
	b := t.rows("z", z)
	if len(v) != len(z) || len(hv) != len(z) {
		panic(fmt.Sprintf("aldp: InternalTarget: len(v) = %d, len(hv) = %d, want %d", len(v), len(hv), len(z)))
	}
	zz := make([]float64, 2*len(z))
	eps := make([]float64, b)
	for r := range b {
		vr := v[r*NumInternal : (r+1)*NumInternal]
		var n2 float64
		for _, vi := range vr {
			n2 += vi * vi
		}
		eps[r] = 1e-5 / math.Max(math.Sqrt(n2), 1e-300)
		for i, vi := range vr {
			zz[2*r*NumInternal+i] = z[r*NumInternal+i] + eps[r]*vi
			zz[(2*r+1)*NumInternal+i] = z[r*NumInternal+i] - eps[r]*vi
		}
	}
	gg := make([]float64, len(zz))
	t.Grad(zz, gg)
	for r := range b {
		for i := range NumInternal {
			hv[r*NumInternal+i] = (gg[2*r*NumInternal+i] - gg[(2*r+1)*NumInternal+i]) / (2 * eps[r])
		}
	}
}
