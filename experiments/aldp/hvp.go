package aldp

import "math"

// HVP writes the Hessian–vector product ∇²E(pos)·v (kJ/mol/nm² times the units of v;
// length 3N) into hv, for pos in nm (length 3N) and any direction v (length 3N), and returns
// the energy (kJ/mol). It is analytic and exact to rounding: the forward-mode tangent of the
// force kernel along v, with hand-derived second derivatives for the bonded and pair terms
// (the OBC integral included) and dual numbers for the Born-radius chain. Cost ≈ 1.6 force
// evaluations. At the switches of OpenMM's OBC integral (r + sr_j = or_i and
// |r − sr_j| = or_i) ∇²E jumps; HVP returns the one-sided value of the branch the value
// code takes. hv may not alias pos or v.
func (ff *ForceField) HVP(pos, v, hv []float64) float64 {
	ff.checkLen("pos", pos)
	ff.checkLen("v", v)
	ff.checkLen("hv", hv)
	s := ff.pool.Get().(*scratch)
	c := ff.evalTangent(pos, v, s.g, hv, s)
	ff.pool.Put(s)
	return c.Total
}

// GradHVP is HVP that also writes the gradient ∇E = −F (kJ/mol/nm, length 3N) into g.
func (ff *ForceField) GradHVP(pos, v, g, hv []float64) float64 {
	ff.checkLen("pos", pos)
	ff.checkLen("v", v)
	ff.checkLen("g", g)
	ff.checkLen("hv", hv)
	s := ff.pool.Get().(*scratch)
	c := ff.evalTangent(pos, v, g, hv, s)
	ff.pool.Put(s)
	return c.Total
}

// evalTangent is eval differentiated along v: it writes the gradient ∇E (not the forces)
// into g and ∇²E·v into hv, and returns the energy split. It mirrors eval term by term.
func (ff *ForceField) evalTangent(x, v, g, hv []float64, s *scratch) Components {
	clear(g)
	clear(hv)
	var c Components

	for _, b := range ff.bonds {
		d := at(x, b.i).sub(at(x, b.j))
		dv := at(v, b.i).sub(at(v, b.j))
		r := d.norm()
		ir := 1 / r
		rd := d.dot(dv) * ir
		dr := r - b.r0
		c.Bond += 0.5 * b.k * dr * dr
		// ∇_i = q·d with q = k(r−r0)/r; tangent q·ḋ + q̇·d, q̇ = (k − q)·ṙ/r.
		q := b.k * dr * ir
		qd := (b.k - q) * rd * ir
		gi, hi := d.scale(q), dv.scale(q).add(d.scale(qd))
		addTo(g, b.i, gi, 1)
		addTo(g, b.j, gi, -1)
		addTo(hv, b.i, hi, 1)
		addTo(hv, b.j, hi, -1)
	}

	for _, a := range ff.angles {
		xj, vj := at(x, a.j), at(v, a.j)
		u, w := at(x, a.i).sub(xj), at(x, a.l).sub(xj)
		ud, wd := at(v, a.i).sub(vj), at(v, a.l).sub(vj)
		p := u.cross(w)
		pn := p.norm()
		dt := math.Atan2(pn, u.dot(w)) - a.t0
		c.Angle += 0.5 * a.k * dt * dt
		if pn == 0 {
			continue
		}
		// ∂θ/∂x_i = ci·(u×p), ci = 1/(|u|²|p|); ∂θ/∂x_l = cl·(p×w), cl = 1/(|w|²|p|).
		pd := ud.cross(w).add(u.cross(wd))
		pnd := p.dot(pd) / pn
		uu, ww := u.dot(u), w.dot(w)
		ci, cl := 1/(uu*pn), 1/(ww*pn)
		cid := -ci * ci * (2*u.dot(ud)*pn + uu*pnd)
		cld := -cl * cl * (2*w.dot(wd)*pn + ww*pnd)
		up, pw := u.cross(p), p.cross(w)
		gi, gl := up.scale(ci), pw.scale(cl)
		gid := up.scale(cid).add(ud.cross(p).add(u.cross(pd)).scale(ci))
		gld := pw.scale(cld).add(pd.cross(w).add(p.cross(wd)).scale(cl))
		thetad := gi.dot(ud) + gl.dot(wd)
		e1, e2 := a.k*dt, a.k // dE/dθ, d²E/dθ²
		hi := gi.scale(e2 * thetad).add(gid.scale(e1))
		hl := gl.scale(e2 * thetad).add(gld.scale(e1))
		addTo(g, a.i, gi, e1)
		addTo(g, a.l, gl, e1)
		addTo(g, a.j, gi.add(gl), -e1)
		addTo(hv, a.i, hi, 1)
		addTo(hv, a.l, hl, 1)
		addTo(hv, a.j, hi.add(hl), -1)
	}

	for t := range ff.torsions {
		tg := &ff.torsions[t]
		var dg [4]vec
		cphi, sphi, gk, phid := dihedralTangent(
			[4]vec{at(x, tg.a), at(x, tg.b), at(x, tg.c), at(x, tg.d)},
			[4]vec{at(v, tg.a), at(v, tg.b), at(v, tg.c), at(v, tg.d)}, &dg)
		ck, sk, k := cphi, sphi, 1
		var e1, e2 float64 // dE/dφ, d²E/dφ²
		for _, term := range tg.terms {
			for ; k < term.n; k++ {
				ck, sk = ck*cphi-sk*sphi, sk*cphi+ck*sphi
			}
			cs := ck*term.cosPhase + sk*term.sinPhase
			sn := sk*term.cosPhase - ck*term.sinPhase
			nf := float64(term.n)
			c.Torsion += term.v * (1 + cs)
			e1 -= term.v * nf * sn
			e2 -= term.v * nf * nf * cs
		}
		for m, atom := range [4]int{tg.a, tg.b, tg.c, tg.d} {
			addTo(g, atom, gk[m], e1)
			addTo(hv, atom, gk[m].scale(e2*phid).add(dg[m].scale(e1)), 1)
		}
	}

	// Pairs: distances with their tangents ṙ = d·ḋ/r, LJ + Coulomb as dual dE/dr.
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		d := at(x, pt.i).sub(at(x, pt.j))
		dv := at(v, pt.i).sub(at(v, pt.j))
		r := d.norm()
		ir := 1 / r
		s.d[3*p], s.d[3*p+1], s.d[3*p+2] = d.x, d.y, d.z
		s.dv[3*p], s.dv[3*p+1], s.dv[3*p+2] = dv.x, dv.y, dv.z
		s.dr[p] = dual{r, d.dot(dv) * ir}
		var gr dual
		if pt.kind != pairExcluded {
			ir2 := ir * ir
			ir6 := ir2 * ir2 * ir2
			e12, e6 := pt.c12*ir6*ir6, pt.c6*ir6
			ec := pt.qq * ir
			c.LJ += e12 - e6
			c.Coulomb += ec
			g1 := (-12*e12 + 6*e6 - ec) * ir     // dE/dr
			g2 := (156*e12 - 42*e6 + 2*ec) * ir2 // d²E/dr²
			gr = dual{g1, g2 * s.dr[p].d}
		}
		s.ddEdr[p] = gr
	}

	if ff.solvent == Implicit {
		c.GBPolar, c.GBSA = ff.evalGBTangent(s)
	}

	// ∇_i = (dE/dr / r)·d; its tangent is q·ḋ + q̇·d with q̇ = (d(dE/dr) − q·ṙ)/r.
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		r := s.dr[p]
		q := s.ddEdr[p].v / r.v
		qd := (s.ddEdr[p].d - q*r.d) / r.v
		d := vec{s.d[3*p], s.d[3*p+1], s.d[3*p+2]}
		dv := vec{s.dv[3*p], s.dv[3*p+1], s.dv[3*p+2]}
		gi, hi := d.scale(q), dv.scale(q).add(d.scale(qd))
		addTo(g, pt.i, gi, 1)
		addTo(g, pt.j, gi, -1)
		addTo(hv, pt.i, hi, 1)
		addTo(hv, pt.j, hi, -1)
	}
	c.Total = c.Bond + c.Angle + c.Torsion + c.LJ + c.Coulomb + c.GBPolar + c.GBSA
	return c
}

// dihedralTangent returns cos φ, sin φ, ∂φ/∂p_k and φ̇ = Σ ∂φ/∂p_k·ṗ_k for the points p with
// tangents pd, and writes the tangents of ∂φ/∂p_k (the rows of ∇²φ·ṗ) into dg. It is
// dihedralCosSinGrad differentiated by hand; degenerate (collinear) input gives zeros.
func dihedralTangent(p, pd [4]vec, dg *[4]vec) (cphi, sphi float64, g [4]vec, phid float64) {
	b1, b2, b3 := p[1].sub(p[0]), p[2].sub(p[1]), p[3].sub(p[2])
	b1d, b2d, b3d := pd[1].sub(pd[0]), pd[2].sub(pd[1]), pd[3].sub(pd[2])
	m, n := b1.cross(b2), b2.cross(b3)
	mm, nn, b22 := m.dot(m), n.dot(n), b2.dot(b2)
	*dg = [4]vec{}
	if mm == 0 || nn == 0 || b22 == 0 {
		return 1, 0, g, 0
	}
	md := b1d.cross(b2).add(b1.cross(b2d))
	nd := b2d.cross(b3).add(b2.cross(b3d))
	mmd, nnd, b22d := 2*m.dot(md), 2*n.dot(nd), 2*b2.dot(b2d)
	b2n := math.Sqrt(b22)
	b2nd := 0.5 * b22d / b2n
	inv := 1 / math.Sqrt(mm*nn)
	cphi = m.dot(n) * inv
	sphi = b2n * b1.dot(n) * inv
	ib22 := 1 / b22
	pp, q := b1.dot(b2)*ib22, b3.dot(b2)*ib22
	ppd := (b1d.dot(b2) + b1.dot(b2d) - pp*b22d) * ib22
	qd := (b3d.dot(b2) + b3.dot(b2d) - q*b22d) * ib22
	am, an := -b2n/mm, b2n/nn
	amd := (-b2nd - am*mmd) / mm
	and := (b2nd - an*nnd) / nn
	g[0], g[3] = m.scale(am), n.scale(an)
	g[1] = g[0].scale(-(1 + pp)).add(g[3].scale(q))
	g[2] = g[0].scale(pp).sub(g[3].scale(1 + q))
	dg[0] = m.scale(amd).add(md.scale(am))
	dg[3] = n.scale(and).add(nd.scale(an))
	dg[1] = g[0].scale(-ppd).add(dg[0].scale(-(1 + pp))).add(g[3].scale(qd)).add(dg[3].scale(q))
	dg[2] = g[0].scale(ppd).add(dg[0].scale(pp)).sub(g[3].scale(qd)).sub(dg[3].scale(1 + q))
	for k := range 4 {
		phid += g[k].dot(pd[k])
	}
	return cphi, sphi, g, phid
}

// obcIntegrand2 is obcIntegrand with the second derivative: h, dh/dr, d²h/dr² (ir = 1/r).
// With U = r + sr (dU/dr = 1), L = or or |r − sr| (dL/dr = λ ∈ {0, ±1}), a = r − sr²/r,
// c = U⁻² − L⁻², lg = ln(L/U), and ₁, ₂ marking first and second r-derivatives:
//
//	h  = ½[1/L − 1/U + ¼·a·c + ½·lg/r]
//	h₁ = ½[−λ/L² + 1/U² + ¼(a₁c + a·c₁) + ½(lg₁/r − lg/r²)]
//	h₂ = ½[2λ²/L³ − 2/U³ + ¼(a₂c + 2a₁c₁ + a·c₂) + ½(lg₂/r − 2lg₁/r² + 2lg/r³)]
func obcIntegrand2(r, ir, o, sr float64) (h, h1, h2 float64) {
	if r+sr-o < 0 {
		return 0, 0, 0
	}
	U := r + sr
	L, lam := o, 0.0
	if D := math.Abs(r - sr); D > o {
		L = D
		if r < sr {
			lam = -1
		} else {
			lam = 1
		}
	}
	iUL := 1 / (U * L)
	iU, iL := L*iUL, U*iUL
	iU2, iL2 := iU*iU, iL*iL
	iU3, iL3 := iU2*iU, iL2*iL
	ir2 := ir * ir
	s2 := sr * sr
	a, a1, a2 := r-s2*ir, 1+s2*ir2, -2*s2*ir2*ir
	c, c1, c2 := iU2-iL2, -2*iU3+2*lam*iL3, 6*iU2*iU2-6*lam*lam*iL2*iL2
	lg := math.Log(L * iU)
	lg1, lg2 := lam*iL-iU, -lam*lam*iL2+iU2
	h = 0.5 * (iL - iU + 0.25*a*c + 0.5*lg*ir)
	h1 = 0.5 * (-lam*iL2 + iU2 + 0.25*(a1*c+a*c1) + 0.5*(lg1-lg*ir)*ir)
	h2 = 0.5 * (2*lam*lam*iL3 - 2*iU3 + 0.25*(a2*c+2*a1*c1+a*c2) + 0.5*(lg2-2*lg1*ir+2*lg*ir2)*ir)
	return h, h1, h2
}

// evalGBTangent is evalGB over duals.
func (ff *ForceField) evalGBTangent(s *scratch) (polar, sa float64) {
	n := ff.n
	I, B, dEdB := s.dI, s.dB, s.ddEdB
	clear(I)
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		r := s.dr[p]
		ir := 1 / r.v
		hij, hij1, hij2 := obcIntegrand2(r.v, ir, ff.or[pt.i], ff.sr[pt.j])
		hji, hji1, hji2 := obcIntegrand2(r.v, ir, ff.or[pt.j], ff.sr[pt.i])
		I[pt.i] = I[pt.i].add(dual{hij, hij1 * r.d})
		I[pt.j] = I[pt.j].add(dual{hji, hji1 * r.d})
		s.dhd[2*p], s.dhd[2*p+1] = dual{hij1, hij2 * r.d}, dual{hji1, hji2 * r.d}
	}
	for i := range n {
		o, rho := ff.or[i], ff.rho[i]
		psi := I[i].scale(o)
		psi2 := psi.mul(psi)
		th := dtanh(psi.scale(OBCAlpha).add(psi2.mul(psi).scale(OBCGamma)))
		b := cnst(1 / o).sub(th.scale(1 / rho)).inv()
		B[i] = b
		// I becomes dB/dI.
		I[i] = b.mul(b).mul(cnst(1).sub(th.mul(th))).mul(psi2.scale(3 * OBCGamma).addc(OBCAlpha)).scale(o / rho)
		iB := b.inv()
		es := iB.scale(ff.gbSelf[i])
		iB2 := iB.mul(iB)
		ea := iB2.mul(iB2).mul(iB2).scale(ff.saCoeff[i])
		polar += es.v
		sa += ea.v
		dEdB[i] = es.add(ea.scale(6)).mul(iB).scale(-1)
	}
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		r := s.dr[p]
		Bi, Bj := B[pt.i], B[pt.j]
		bb := Bi.mul(Bj)
		r2 := r.mul(r)
		D := r2.mul(bb.inv()).scale(0.25)
		eD := dexp(D.scale(-1))
		f2 := r2.add(bb.mul(eD))
		isf := dinvsqrt(f2) // 1/f
		e := isf.scale(pt.gb)
		polar += e.v
		ef2 := e.mul(isf).mul(isf) // gb/f³
		s.ddEdr[p] = s.ddEdr[p].sub(ef2.mul(r).mul(eD.scale(-0.25).addc(1)))
		t := ef2.mul(eD).mul(D.addc(1)).scale(-0.5)
		dEdB[pt.i] = dEdB[pt.i].add(t.mul(Bj))
		dEdB[pt.j] = dEdB[pt.j].add(t.mul(Bi))
	}
	for i := range n {
		dEdB[i] = dEdB[i].mul(I[i])
	}
	for p := range ff.pairs {
		pt := &ff.pairs[p]
		s.ddEdr[p] = s.ddEdr[p].add(dEdB[pt.i].mul(s.dhd[2*p])).add(dEdB[pt.j].mul(s.dhd[2*p+1]))
	}
	return polar, sa
}
