package aldp

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func pairDistances(pos []float64) []float64 {
	var out []float64
	for a := range 22 {
		for b := a + 1; b < 22; b++ {
			out = append(out, at(pos, a).sub(at(pos, b)).norm())
		}
	}
	return out
}

// TestZMatrixRoundTrip checks that FromInternal inverts ToInternal: the same internal
// coordinates back, the same geometry up to a rigid motion (all 231 distances, the
// chirality), and that the evaluation torsions are coordinates of q.
func TestZMatrixRoundTrip(t *testing.T) {
	xs, _ := readCoords(t)
	for k, pos := range xs {
		q := make([]float64, NumInternal)
		ToInternal(pos, q)
		back := make([]float64, 66)
		FromInternal(q, back)
		q2 := make([]float64, NumInternal)
		ToInternal(back, q2)
		for i := range q {
			d := q2[i] - q[i]
			if InternalKinds()[i] == KindDihedral {
				d = math.Remainder(d, 2*math.Pi)
			}
			if math.Abs(d) > 1e-9 {
				t.Fatalf("geometry %d: coordinate %d is %g after the round trip, was %g", k, i, q2[i], q[i])
			}
		}
		d1, d2 := pairDistances(pos), pairDistances(back)
		for i := range d1 {
			if math.Abs(d1[i]-d2[i]) > 1e-9 {
				t.Fatalf("geometry %d: distance %d is %g after the round trip, was %g", k, i, d2[i], d1[i])
			}
		}
		if c1, c2 := Chirality(pos), Chirality(back); math.Abs(c1-c2) > 1e-9*math.Abs(c1) {
			t.Fatalf("geometry %d: chirality %g after the round trip, was %g", k, c2, c1)
		}
		tors := Torsions(pos)
		for tor := range Torsion(NumTorsions) {
			if d := math.Remainder(q[InternalIndex(tor)]-tors[tor], 2*math.Pi); math.Abs(d) > 1e-12 {
				t.Errorf("geometry %d: %v is %g, internal coordinate %g", k, tor, tors[tor], q[InternalIndex(tor)])
			}
		}
	}
}

// TestInternalGradFD checks the reverse sweep: InternalGrad(q, a) is the gradient of
// a·FromInternal(q), by central differences along random directions.
func TestInternalGradFD(t *testing.T) {
	xs, _ := readCoords(t)
	rng := rand.New(rand.NewPCG(5, 6))
	q := make([]float64, NumInternal)
	for k, pos := range xs[:4] {
		ToInternal(pos, q)
		a := randomDirection(rng, 66)
		gq := make([]float64, NumInternal)
		InternalGrad(q, a, gq)
		dir := randomDirection(rng, NumInternal)
		f := func(s float64) float64 {
			qs := make([]float64, NumInternal)
			for i := range qs {
				qs[i] = q[i] + s*dir[i]
			}
			x := make([]float64, 66)
			FromInternal(qs, x)
			return dotv(a, x)
		}
		const h = 1e-6
		fd := (f(h) - f(-h)) / (2 * h)
		if an := dotv(gq, dir); math.Abs(fd-an) > 1e-7*math.Max(1, math.Abs(an)) {
			t.Errorf("geometry %d: directional derivative %.10g, central difference %.10g", k, an, fd)
		}
	}
}

// TestLogJacobianVolume checks LogJacobian against the volume element of the map (rigid
// motion, q) → x computed numerically: log √det(MᵀM) with M = [∂x/∂q (central differences),
// translations, infinitesimal rotations] must differ from LogJacobian(q) by one constant.
func TestLogJacobianVolume(t *testing.T) {
	xs, _ := readCoords(t)
	var offsets []float64
	q := make([]float64, NumInternal)
	for _, pos := range xs[:5] {
		ToInternal(pos, q)
		x := make([]float64, 66)
		FromInternal(q, x)
		m := mat.NewDense(66, 66, nil)
		const h = 1e-6
		for i := range NumInternal {
			qp, qm := append([]float64(nil), q...), append([]float64(nil), q...)
			qp[i] += h
			qm[i] -= h
			xp, xm := make([]float64, 66), make([]float64, 66)
			FromInternal(qp, xp)
			FromInternal(qm, xm)
			for r := range 66 {
				m.Set(r, i, (xp[r]-xm[r])/(2*h))
			}
		}
		axes := []vec{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
		for a := range 22 {
			for k, e := range axes {
				m.Set(3*a+k, NumInternal+k, 1)
				w := e.cross(at(x, a))
				m.Set(3*a, NumInternal+3+k, w.x)
				m.Set(3*a+1, NumInternal+3+k, w.y)
				m.Set(3*a+2, NumInternal+3+k, w.z)
			}
		}
		var lu mat.LU
		lu.Factorize(m)
		logdet, _ := lu.LogDet()
		offsets = append(offsets, logdet-LogJacobian(q, nil))
	}
	for k, o := range offsets {
		if math.Abs(o-offsets[0]) > 1e-5 {
			t.Errorf("geometry %d: log volume − LogJacobian = %.8g, geometry 0: %.8g", k, o, offsets[0])
		}
	}
}

// TestWindowPartitionOfUnity checks Σ_n w(τ + 2πn) = 1 and d log w/dτ by central differences.
func TestWindowPartitionOfUnity(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		tau, delta := (rng.Float64()-0.5)*4*math.Pi, 0.05+rng.Float64()
		var s float64
		for n := -10; n <= 10; n++ {
			lw, _ := logWindow(tau+2*math.Pi*float64(n), delta)
			s += math.Exp(lw)
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("τ = %g, δ = %g: Σ w = %.15g, want 1", tau, delta, s)
		}
		_, d := logWindow(tau, delta)
		const h = 1e-6
		lp, _ := logWindow(tau+h, delta)
		lm, _ := logWindow(tau-h, delta)
		if fd := (lp - lm) / (2 * h); math.Abs(fd-d) > 1e-5*math.Max(1, math.Abs(d)) {
			t.Errorf("τ = %g, δ = %g: d log w %g, central difference %g", tau, delta, d, fd)
		}
	}
	// far tails stay finite
	if lw, d := logWindow(50, 0.1); !isFinite(lw) || !isFinite(d) || d >= 0 {
		t.Errorf("logWindow(50, 0.1) = %g, %g", lw, d)
	}
}

// TestInternalTargetDerivatives checks U_z, ∇U_z and the HVP of InternalTarget by central
// differences around the centre, and that the centre has unit curvature in every
// coordinate whose scale is below the cap.
func TestInternalTargetDerivatives(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	c := minimumNearBeta(t, tg)
	it, err := NewInternalTarget(tg, c, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 3 {
		z := randomDirection(rng, NumInternal)
		dir := randomDirection(rng, NumInternal)
		g := make([]float64, NumInternal)
		e := make([]float64, 1)
		it.EnergyGrad(z, e, g)
		e2 := make([]float64, 1)
		it.Energy(z, e2)
		if math.Abs(e[0]-e2[0]) > 1e-12*math.Abs(e[0]) {
			t.Errorf("trial %d: EnergyGrad energy %g, Energy %g", trial, e[0], e2[0])
		}
		const h = 1e-5
		zp, zm := make([]float64, NumInternal), make([]float64, NumInternal)
		for i := range z {
			zp[i], zm[i] = z[i]+h*dir[i], z[i]-h*dir[i]
		}
		ep, em := make([]float64, 1), make([]float64, 1)
		it.Energy(zp, ep)
		it.Energy(zm, em)
		if fd, an := (ep[0]-em[0])/(2*h), dotv(g, dir); math.Abs(fd-an) > 1e-5*math.Max(1, math.Abs(an)) {
			t.Errorf("trial %d: directional derivative %g, central difference %g", trial, an, fd)
		}
		hv := make([]float64, NumInternal)
		it.HVP(z, dir, hv)
		// the HVP is itself a difference; check it along a second direction against the
		// second difference of the energy
		ez := make([]float64, 1)
		it.Energy(z, ez)
		const h2 = 1e-3
		for i := range z {
			zp[i], zm[i] = z[i]+h2*dir[i], z[i]-h2*dir[i]
		}
		it.Energy(zp, ep)
		it.Energy(zm, em)
		if fd2, an := (ep[0]-2*ez[0]+em[0])/(h2*h2), dotv(hv, dir); math.Abs(fd2-an) > 1e-3*math.Max(1, math.Abs(an)) {
			t.Errorf("trial %d: vᵀHv %g, second difference %g", trial, an, fd2)
		}
	}
	// unit curvature at the centre
	z := make([]float64, NumInternal)
	for i := range NumInternal {
		v := make([]float64, NumInternal)
		v[i] = 1
		hv := make([]float64, NumInternal)
		it.HVP(z, v, hv)
		want := 1.0
		if it.Scale[i] == 1 { // capped
			want = math.Min(1, hv[i])
		}
		if math.Abs(hv[i]-want) > 1e-3 {
			t.Errorf("coordinate %d (scale %g): curvature %g at the centre, want %g", i, it.Scale[i], hv[i], want)
		}
	}
}
