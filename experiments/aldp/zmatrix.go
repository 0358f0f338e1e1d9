package aldp

import (
	"fmt"
	"math"
)

// NumInternal is the number of internal coordinates of alanine dipeptide, 3·22 − 6.
const NumInternal = 60

// zAtom places atom I from atoms J (bonded to I), K and L already placed: bond length
// |x_I − x_J|, bond angle I–J–K and dihedral I–J–K–L (Dihedral's convention).
type zAtom struct{ I, J, K, L int }

// zAnchors are the three atoms that fix the frame: N at the origin, Cα on the +x axis and C
// in the xy-plane (y > 0).
var zAnchors = [3]int{AtomN, AtomCA, AtomC}

// zMatrix places the other 19 atoms. Every evaluation torsion is one coordinate: φ (atom 4),
// ψ (atom 16, since Dihedral(16, 14, 8, 6) = ψ), γ1 (atom 0), γ2 (atom 11), γ3 (atom 19).
// The second and third hydrogens of each methyl, HA and Cβ, and the carbonyl O and amide H
// are placed by improper-like dihedrals against a sibling, so that each methyl rotation is a
// single coordinate and the Cα chirality (Cβ's dihedral about Cα–C against N, ≈ +120° for
// L-alanine) is a stiff one.
var zMatrix = [19]zAtom{
	{4, 6, 8, 14},    // ACE C: φ
	{16, 14, 8, 6},   // NME N: ψ
	{10, 8, 14, 6},   // CB
	{9, 8, 14, 6},    // HA
	{5, 4, 6, 8},     // ACE O
	{1, 4, 6, 8},     // ACE CH3 (ω of ACE)
	{0, 1, 4, 6},     // HH31: γ1
	{2, 1, 4, 0},     // HH32
	{3, 1, 4, 0},     // HH33
	{7, 6, 8, 4},     // ALA H
	{15, 14, 8, 16},  // ALA O
	{17, 16, 14, 8},  // NME H
	{18, 16, 14, 8},  // NME CH3 (ω of NME)
	{19, 18, 16, 14}, // HH31: γ3
	{20, 18, 16, 19}, // HH32
	{21, 18, 16, 19}, // HH33
	{11, 10, 8, 6},   // HB1: γ2
	{12, 10, 8, 11},  // HB2
	{13, 10, 8, 11},  // HB3
}

// CoordKind tells what an internal coordinate measures.
type CoordKind int

// The kinds of internal coordinates.
const (
	KindBond     CoordKind = iota // a bond length (length unit of the positions)
	KindAngle                     // a bond angle (radians, in (0, π) for a proper geometry)
	KindDihedral                  // a dihedral (radians, any real: the map is 2π-periodic)
)

// InternalKinds returns the kind of each of the NumInternal coordinates: q[0] = |N–Cα|,
// q[1] = |Cα–C|, q[2] = angle N–Cα–C, then (bond, angle, dihedral) for each placed atom.
func InternalKinds() [NumInternal]CoordKind {
	var k [NumInternal]CoordKind
	k[0], k[1], k[2] = KindBond, KindBond, KindAngle
	for e := range zMatrix {
		k[3+3*e], k[4+3*e], k[5+3*e] = KindBond, KindAngle, KindDihedral
	}
	return k
}

// InternalIndex returns the index in q of the dihedral coordinate that equals evaluation
// torsion tor.
func InternalIndex(tor Torsion) int {
	atom := map[Torsion]int{Phi: 4, Psi: 16, Gamma1: 0, Gamma2: 11, Gamma3: 19}[tor]
	for e, z := range zMatrix {
		if z.I == atom {
			return 5 + 3*e
		}
	}
	panic(fmt.Sprintf("aldp: InternalIndex: torsion %v", tor))
}

func bondAngle(a, b, c vec) float64 {
	u, v := a.sub(b), c.sub(b)
	return math.Atan2(u.cross(v).norm(), u.dot(v))
}

// ToInternal writes the internal coordinates of one geometry pos (length 66) into q (length
// NumInternal).
func ToInternal(pos, q []float64) {
	if len(pos) != 66 || len(q) != NumInternal {
		panic(fmt.Sprintf("aldp: ToInternal: len(pos) = %d, len(q) = %d, want 66, %d", len(pos), len(q), NumInternal))
	}
	n, ca, c := at(pos, zAnchors[0]), at(pos, zAnchors[1]), at(pos, zAnchors[2])
	q[0], q[1], q[2] = ca.sub(n).norm(), c.sub(ca).norm(), bondAngle(n, ca, c)
	for e, z := range zMatrix {
		pi, pj, pk := at(pos, z.I), at(pos, z.J), at(pos, z.K)
		q[3+3*e] = pi.sub(pj).norm()
		q[4+3*e] = bondAngle(pi, pj, pk)
		q[5+3*e] = Dihedral(pos, z.I, z.J, z.K, z.L)
	}
}

// FromInternal writes into pos (length 66) the geometry with internal coordinates q, in
// the frame of zAnchors (N at the origin, Cα on +x, C in the xy-plane), by the natural
// extension reference frame construction.
func FromInternal(q, pos []float64) {
	if len(pos) != 66 || len(q) != NumInternal {
		panic(fmt.Sprintf("aldp: FromInternal: len(q) = %d, len(pos) = %d, want %d, 66", len(q), len(pos), NumInternal))
	}
	r1, r2, th := q[0], q[1], q[2]
	set := func(a int, v vec) { pos[3*a], pos[3*a+1], pos[3*a+2] = v.x, v.y, v.z }
	set(zAnchors[0], vec{})
	set(zAnchors[1], vec{r1, 0, 0})
	set(zAnchors[2], vec{r1 - r2*math.Cos(th), r2 * math.Sin(th), 0})
	for e, z := range zMatrix {
		set(z.I, place(at(pos, z.J), at(pos, z.K), at(pos, z.L), q[3+3*e], q[4+3*e], q[5+3*e]))
	}
}

// place returns the point p with |p − j| = r, angle p–j–k = θ and Dihedral(p, j, k, l) = τ.
func place(j, k, l vec, r, th, tau float64) vec {
	b := j.sub(k)
	b = b.scale(1 / b.norm())
	n := k.sub(l).cross(b)
	n = n.scale(1 / n.norm())
	m := n.cross(b)
	st := math.Sin(th)
	return j.add(b.scale(-r * math.Cos(th))).add(m.scale(r * st * math.Cos(tau))).add(n.scale(r * st * math.Sin(tau)))
}

// d12 is a forward-mode dual number with 12 tangent lanes: the derivatives with respect to
// j, k, l (9 lanes) and r, θ, τ (3 lanes) of one NeRF placement.
type d12 struct {
	v float64
	d [12]float64
}

func (a d12) add(b d12) d12 {
	for i := range a.d {
		a.d[i] += b.d[i]
	}
	a.v += b.v
	return a
}
func (a d12) sub(b d12) d12 {
	for i := range a.d {
		a.d[i] -= b.d[i]
	}
	a.v -= b.v
	return a
}
func (a d12) mul(b d12) d12 {
	for i := range a.d {
		a.d[i] = a.d[i]*b.v + a.v*b.d[i]
	}
	a.v *= b.v
	return a
}

// fn applies a scalar function with value f and derivative df at a.v.
func (a d12) fn(f, df float64) d12 {
	for i := range a.d {
		a.d[i] *= df
	}
	a.v = f
	return a
}

type v12 struct{ x, y, z d12 }

func (a v12) sub(b v12) v12 { return v12{a.x.sub(b.x), a.y.sub(b.y), a.z.sub(b.z)} }
func (a v12) add(b v12) v12 { return v12{a.x.add(b.x), a.y.add(b.y), a.z.add(b.z)} }
func (a v12) scale(s d12) v12 {
	return v12{a.x.mul(s), a.y.mul(s), a.z.mul(s)}
}
func (a v12) dot(b v12) d12 { return a.x.mul(b.x).add(a.y.mul(b.y)).add(a.z.mul(b.z)) }
func (a v12) cross(b v12) v12 {
	return v12{a.y.mul(b.z).sub(a.z.mul(b.y)), a.z.mul(b.x).sub(a.x.mul(b.z)), a.x.mul(b.y).sub(a.y.mul(b.x))}
}
func (a v12) unit() v12 {
	n2 := a.dot(a)
	s := 1 / math.Sqrt(n2.v)
	return a.scale(n2.fn(s, -0.5*s*s*s))
}

// placeJacobian returns ∂p/∂(j, k, l, r, θ, τ) of place as 3 rows of 12 columns.
func placeJacobian(j, k, l vec, r, th, tau float64) (jac [3][12]float64) {
	seed := func(v vec, lane int) v12 {
		out := v12{d12{v: v.x}, d12{v: v.y}, d12{v: v.z}}
		out.x.d[lane], out.y.d[lane+1], out.z.d[lane+2] = 1, 1, 1
		return out
	}
	J, K, L := seed(j, 0), seed(k, 3), seed(l, 6)
	var R, T, P d12
	R.v, R.d[9] = r, 1
	T.v, T.d[10] = th, 1
	P.v, P.d[11] = tau, 1
	b := J.sub(K).unit()
	n := K.sub(L).cross(b).unit()
	m := n.cross(b)
	ct, st := T.fn(math.Cos(th), -math.Sin(th)), T.fn(math.Sin(th), math.Cos(th))
	cp, sp := P.fn(math.Cos(tau), -math.Sin(tau)), P.fn(math.Sin(tau), math.Cos(tau))
	rst := R.mul(st)
	var neg d12
	neg.v = -1
	p := J.add(b.scale(R.mul(ct).mul(neg))).add(m.scale(rst.mul(cp))).add(n.scale(rst.mul(sp)))
	jac[0], jac[1], jac[2] = p.x.d, p.y.d, p.z.d
	return jac
}

// InternalGrad maps a Cartesian gradient gx (length 66, ∂f/∂x at FromInternal(q)) to the
// gradient with respect to the internal coordinates, gq (length NumInternal), by a reverse
// sweep through the construction.
func InternalGrad(q, gx, gq []float64) {
	if len(gx) != 66 || len(q) != NumInternal || len(gq) != NumInternal {
		panic(fmt.Sprintf("aldp: InternalGrad: len(q) = %d, len(gx) = %d, len(gq) = %d", len(q), len(gx), len(gq)))
	}
	pos := make([]float64, 66)
	FromInternal(q, pos)
	internalGrad(q, pos, gx, gq)
}

// internalGrad is InternalGrad with pos = FromInternal(q) already built.
func internalGrad(q, pos, gx, gq []float64) {
	adj := make([]float64, 66)
	copy(adj, gx)
	for e := len(zMatrix) - 1; e >= 0; e-- {
		z := zMatrix[e]
		jac := placeJacobian(at(pos, z.J), at(pos, z.K), at(pos, z.L), q[3+3*e], q[4+3*e], q[5+3*e])
		a := [3]float64{adj[3*z.I], adj[3*z.I+1], adj[3*z.I+2]}
		for col := range 12 {
			s := a[0]*jac[0][col] + a[1]*jac[1][col] + a[2]*jac[2][col]
			switch {
			case col < 3:
				adj[3*z.J+col] += s
			case col < 6:
				adj[3*z.K+col-3] += s
			case col < 9:
				adj[3*z.L+col-6] += s
			default:
				gq[3+3*e+col-9] = s
			}
		}
	}
	th, r2 := q[2], q[1]
	ca, c := zAnchors[1], zAnchors[2]
	gq[0] = adj[3*ca] + adj[3*c]
	gq[1] = -math.Cos(th)*adj[3*c] + math.Sin(th)*adj[3*c+1]
	gq[2] = r2*math.Sin(th)*adj[3*c] + r2*math.Cos(th)*adj[3*c+1]
}

// LogJacobian returns log|det ∂x/∂q| of FromInternal up to a constant, with the rigid
// motions integrated out: 2 log r + log sin θ for each placed atom and the anchors,
// Σ over bonds 2 log|r| + Σ over angles log|sin θ|; grad (length NumInternal, unless nil)
// receives its gradient.
func LogJacobian(q, grad []float64) float64 {
	kinds := InternalKinds()
	var s float64
	for i, k := range kinds {
		var g float64
		switch k {
		case KindBond:
			s += 2 * math.Log(math.Abs(q[i]))
			g = 2 / q[i]
		case KindAngle:
			s += math.Log(math.Abs(math.Sin(q[i])))
			g = math.Cos(q[i]) / math.Sin(q[i])
		}
		if grad != nil {
			grad[i] = g
		}
	}
	return s
}
