package aldp

import (
	"fmt"
	"math"
)

// Components is the energy split by term, in kJ/mol. In vacuum GBPolar and GBSA are 0.
type Components struct {
	Bond, Angle, Torsion float64
	LJ, Coulomb          float64 // include the scaled 1-4 pairs
	GBPolar              float64 // OBC1 self + pair terms
	GBSA                 float64 // ACE non-polar term
	Total                float64
}

// Nonbonded is LJ + Coulomb (OpenMM's NonbondedForce group).
func (c Components) Nonbonded() float64 { return c.LJ + c.Coulomb }

// GB is GBPolar + GBSA (OpenMM's CustomGBForce group).
func (c Components) GB() float64 { return c.GBPolar + c.GBSA }

// scratch is per-evaluation working memory.
type scratch struct {
	d    []float64 // per pair: x_i − x_j (3 values)
	r    []float64 // per pair: |x_i − x_j|
	dEdr []float64 // per pair: accumulated dE/dr
	hd   []float64 // per pair: dh/dr of the OBC integrand for (i←j) and (j←i)
	I    []float64 // per atom: OBC integral
	dEdB []float64 // per atom: ∂E/∂B_i, then ∂E/∂I_i
	B    []float64 // per atom: Born radius
	f    []float64 // force buffer for energy-only calls
	x    []float64 // Target: positions in nm
	g    []float64 // gradient buffer

	// HVP kernel (evalTangent): tangents along v.
	dv             []float64 // per pair: v_i − v_j (3 values)
	dr, ddEdr, dhd []dual
	dI, dB, ddEdB  []dual
}

func newScratch(n, npairs int) *scratch {
	return &scratch{
		d: make([]float64, 3*npairs), r: make([]float64, npairs), dEdr: make([]float64, npairs),
		hd: make([]float64, 2*npairs), I: make([]float64, n), dEdB: make([]float64, n),
		B: make([]float64, n), f: make([]float64, 3*n),
		x: make([]float64, 3*n), g: make([]float64, 3*n),
		dv: make([]float64, 3*npairs), dr: make([]dual, npairs), ddEdr: make([]dual, npairs),
		dhd: make([]dual, 2*npairs), dI: make([]dual, n), dB: make([]dual, n), ddEdB: make([]dual, n),
	}
}

func (ff *ForceField) checkLen(name string, v []float64) {
	if len(v) != 3*ff.n {
		panic(fmt.Sprintf("aldp: len(%s) = %d, want 3·%d = %d", name, len(v), ff.n, 3*ff.n))
	}
}

// Energy returns the total potential energy (kJ/mol) at pos (nm, length 3N) and its split
// by term. It panics if len(pos) ≠ 3N.
func (ff *ForceField) Energy(pos []float64) (float64, Components) {
	ff.checkLen("pos", pos)
	s := ff.pool.Get().(*scratch)
	c := ff.eval(pos, s.f, s)
	ff.pool.Put(s)
	return c.Total, c
}

// Forces writes the forces −∇E (kJ/mol/nm, length 3N) at pos (nm, length 3N) into f and
// returns the energy (kJ/mol). It panics on wrong lengths.
func (ff *ForceField) Forces(pos, f []float64) float64 {
	ff.checkLen("pos", pos)
	ff.checkLen("f", f)
	s := ff.pool.Get().(*scratch)
	c := ff.eval(pos, f, s)
	ff.pool.Put(s)
	return c.Total
}

// ForcesComponents is Forces that also returns the split by term.
func (ff *ForceField) ForcesComponents(pos, f []float64) Components {
	ff.checkLen("pos", pos)
	ff.checkLen("f", f)
	s := ff.pool.Get().(*scratch)
	c := ff.eval(pos, f, s)
	ff.pool.Put(s)
	return c
}

// eval computes all terms and the forces (into f, overwritten).
func (ff *ForceField) eval(x, f []float64, s *scratch) Components {
	clear(f)
	var c Components
	c.Bond = ff.evalBonds(x, f)
	c.Angle = ff.evalAngles(x, f)
	c.Torsion = ff.evalTorsions(x, f)

	// Pair geometry and LJ + Coulomb.
	var lj, coul float64
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		i, j := 3*pt.i, 3*pt.j
		dx, dy, dz := x[i]-x[j], x[i+1]-x[j+1], x[i+2]-x[j+2]
		r2 := dx*dx + dy*dy + dz*dz
		r := math.Sqrt(r2)
		s.d[3*p], s.d[3*p+1], s.d[3*p+2] = dx, dy, dz
		s.r[p] = r
		var g float64
		if pt.kind != pairExcluded {
			ir := 1 / r
			ir2 := ir * ir
			ir6 := ir2 * ir2 * ir2
			e12, e6 := pt.c12*ir6*ir6, pt.c6*ir6
			ec := pt.qq * ir
			lj += e12 - e6
			coul += ec
			g = -(12*e12 - 6*e6 + ec) * ir
		}
		s.dEdr[p] = g
	}
	c.LJ, c.Coulomb = lj, coul

	if ff.solvent == Implicit {
		c.GBPolar, c.GBSA = ff.evalGB(s)
	}

	// Apply the radial derivatives of all pair terms.
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		g := s.dEdr[p] / s.r[p]
		if g == 0 {
			continue
		}
		i, j := 3*pt.i, 3*pt.j
		fx, fy, fz := g*s.d[3*p], g*s.d[3*p+1], g*s.d[3*p+2]
		f[i] -= fx
		f[i+1] -= fy
		f[i+2] -= fz
		f[j] += fx
		f[j+1] += fy
		f[j+2] += fz
	}
	c.Total = c.Bond + c.Angle + c.Torsion + c.LJ + c.Coulomb + c.GBPolar + c.GBSA
	return c
}

func (ff *ForceField) evalBonds(x, f []float64) float64 {
	var e float64
	for _, b := range ff.bonds {
		i, j := 3*b.i, 3*b.j
		dx, dy, dz := x[i]-x[j], x[i+1]-x[j+1], x[i+2]-x[j+2]
		r := math.Sqrt(dx*dx + dy*dy + dz*dz)
		dr := r - b.r0
		e += 0.5 * b.k * dr * dr
		g := b.k * dr / r // dE/dr / r
		f[i] -= g * dx
		f[i+1] -= g * dy
		f[i+2] -= g * dz
		f[j] += g * dx
		f[j+1] += g * dy
		f[j+2] += g * dz
	}
	return e
}

func (ff *ForceField) evalAngles(x, f []float64) float64 {
	var e float64
	for _, a := range ff.angles {
		xj := at(x, a.j)
		u, w := at(x, a.i).sub(xj), at(x, a.l).sub(xj)
		p := u.cross(w)
		pn := p.norm()
		theta := math.Atan2(pn, u.dot(w))
		dt := theta - a.t0
		e += 0.5 * a.k * dt * dt
		if pn == 0 {
			continue // collinear: the gradient direction is undefined
		}
		dEdt := a.k * dt
		// ∂θ/∂x_i = u×p / (|u|²|p|), ∂θ/∂x_l = p×w / (|w|²|p|), ∂θ/∂x_j = −(sum).
		fi := u.cross(p).scale(-dEdt / (u.dot(u) * pn))
		fl := p.cross(w).scale(-dEdt / (w.dot(w) * pn))
		addTo(f, a.i, fi, 1)
		addTo(f, a.l, fl, 1)
		addTo(f, a.j, fi.add(fl), -1)
	}
	return e
}

func (ff *ForceField) evalTorsions(x, f []float64) float64 {
	var e float64
	for t := range ff.torsions {
		tg := &ff.torsions[t]
		cphi, sphi, ga, gb, gc, gd := dihedralCosSinGrad(at(x, tg.a), at(x, tg.b), at(x, tg.c), at(x, tg.d))
		// cos(kφ), sin(kφ) by the angle-addition recurrence: no atan2, no sincos.
		ck, sk, k := cphi, sphi, 1
		var dEdphi float64
		for _, term := range tg.terms {
			for ; k < term.n; k++ {
				ck, sk = ck*cphi-sk*sphi, sk*cphi+ck*sphi
			}
			// cos(nφ−δ) and sin(nφ−δ)
			cs := ck*term.cosPhase + sk*term.sinPhase
			sn := sk*term.cosPhase - ck*term.sinPhase
			e += term.v * (1 + cs)
			dEdphi -= term.v * float64(term.n) * sn
		}
		if dEdphi == 0 {
			continue
		}
		addTo(f, tg.a, ga, -dEdphi)
		addTo(f, tg.b, gb, -dEdphi)
		addTo(f, tg.c, gc, -dEdphi)
		addTo(f, tg.d, gd, -dEdphi)
	}
	return e
}

// dihedralCosSinGrad returns cos φ and sin φ of the IUPAC dihedral of the points
// p0-p1-p2-p3 and ∂φ/∂p_k (Blondel–Karplus form). When p0, p1, p2 or p1, p2, p3 are
// collinear φ is undefined: it returns φ = 0 (cos 1, sin 0) and zero gradients.
func dihedralCosSinGrad(p0, p1, p2, p3 vec) (cphi, sphi float64, g0, g1, g2, g3 vec) {
	b1, b2, b3 := p1.sub(p0), p2.sub(p1), p3.sub(p2)
	m, n := b1.cross(b2), b2.cross(b3)
	mm, nn, b22 := m.dot(m), n.dot(n), b2.dot(b2)
	if mm == 0 || nn == 0 || b22 == 0 {
		return 1, 0, g0, g1, g2, g3
	}
	b2n := math.Sqrt(b22)
	inv := 1 / math.Sqrt(mm*nn)
	cphi = m.dot(n) * inv
	sphi = b2n * b1.dot(n) * inv
	p, q := b1.dot(b2)/b22, b3.dot(b2)/b22
	g0 = m.scale(-b2n / mm)
	g3 = n.scale(b2n / nn)
	g1 = g0.scale(-(1 + p)).add(g3.scale(q))
	g2 = g0.scale(p).sub(g3.scale(1 + q))
	return cphi, sphi, g0, g1, g2, g3
}

// obcIntegrand is the OBC pair integral h(r) of OpenMM's CustomGBForce for the atom with
// offset radius o seen from a neighbour with scaled offset radius sr, and dh/dr; ir = 1/r.
func obcIntegrand(r, ir, o, sr float64) (h, dh float64) {
	if r+sr-o < 0 {
		return 0, 0
	}
	U := r + sr
	L, dL := o, 0.0
	if D := math.Abs(r - sr); D > o {
		L = D
		if r < sr {
			dL = -1
		} else {
			dL = 1
		}
	}
	iUL := 1 / (U * L)
	iU, iL := L*iUL, U*iUL
	a := r - sr*sr*ir
	cc := iU*iU - iL*iL
	lg := math.Log(L * iU)
	h = 0.5 * (iL - iU + 0.25*a*cc + 0.5*lg*ir)
	dhdr := 0.5 * (0.25*(1+sr*sr*ir*ir)*cc - 0.5*lg*ir*ir)
	dhdU := 0.5 * (iU*iU - 0.5*a*iU*iU*iU - 0.5*iU*ir)
	dhdL := 0.5 * (-iL*iL + 0.5*a*iL*iL*iL + 0.5*iL*ir)
	return h, dhdr + dhdU + dhdL*dL
}

// evalGB adds the OBC1 energy (polar, ACE) and its radial derivatives to s.dEdr, using the
// pair distances already in s.
func (ff *ForceField) evalGB(s *scratch) (polar, sa float64) {
	n := ff.n
	clear(s.I)
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		r := s.r[p]
		ir := 1 / r
		hij, dij := obcIntegrand(r, ir, ff.or[pt.i], ff.sr[pt.j])
		hji, dji := obcIntegrand(r, ir, ff.or[pt.j], ff.sr[pt.i])
		s.I[pt.i] += hij
		s.I[pt.j] += hji
		s.hd[2*p], s.hd[2*p+1] = dij, dji
	}
	// Born radii, self and ACE terms; s.I becomes dB/dI.
	for i := range n {
		o, rho := ff.or[i], ff.rho[i]
		psi := s.I[i] * o
		t := OBCAlpha*psi + OBCGamma*psi*psi*psi
		th := math.Tanh(t)
		B := 1 / (1/o - th/rho)
		s.B[i] = B
		s.I[i] = B * B * (1 - th*th) * (OBCAlpha + 3*OBCGamma*psi*psi) * o / rho
		iB := 1 / B
		es := ff.gbSelf[i] * iB
		iB2 := iB * iB
		ea := ff.saCoeff[i] * iB2 * iB2 * iB2
		polar += es
		sa += ea
		s.dEdB[i] = -es*iB - 6*ea*iB
	}
	// Pair terms at fixed B.
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		r := s.r[p]
		Bi, Bj := s.B[pt.i], s.B[pt.j]
		bb := Bi * Bj
		D := r * r / (4 * bb)
		eD := math.Exp(-D)
		f2 := r*r + bb*eD
		f := math.Sqrt(f2)
		e := pt.gb / f
		polar += e
		ef2 := e / f2 // gb/f³
		s.dEdr[p] -= ef2 * r * (1 - 0.25*eD)
		t := -0.5 * ef2 * eD * (1 + D) // ∂E/∂B_i = t·B_j
		s.dEdB[pt.i] += t * Bj
		s.dEdB[pt.j] += t * Bi
	}
	// Chain rule through the Born radii: ∂E/∂I_i = ∂E/∂B_i · dB_i/dI_i.
	for i := range n {
		s.dEdB[i] *= s.I[i]
	}
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		s.dEdr[p] += s.dEdB[pt.i]*s.hd[2*p] + s.dEdB[pt.j]*s.hd[2*p+1]
	}
	return polar, sa
}
