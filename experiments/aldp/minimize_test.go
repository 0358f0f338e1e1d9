package aldp

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// minimumNearBeta returns the energy minimum next to the β-strand build geometry.
func minimumNearBeta(t *testing.T, tg *Target) []float64 {
	t.Helper()
	c := InitialPositions()
	SetBackbone(c, -120*math.Pi/180, 120*math.Pi/180)
	Center(c)
	e0 := make([]float64, 1)
	tg.Energy(c, e0)
	f, err := Minimize(tg, c, 1e-4, 200)
	if err != nil {
		t.Fatal(err)
	}
	if !(f < e0[0]) {
		t.Fatalf("Minimize: energy %g not below the start %g", f, e0[0])
	}
	g := make([]float64, 66)
	tg.Grad(c, g)
	if m := maxAbs(g); m >= 1e-4 {
		t.Fatalf("Minimize returned with gradient %g ≥ 1e-4", m)
	}
	return c
}

// TestModesScaling checks the normal-mode coordinates at the minimum: the basis is orthogonal
// to the rigid motions, y = 0 is the centre, and the Hessian in y is diag(min(1, λ/floor))
// (which it can only be if the columns are the Hessian's eigenvectors scaled by
// 1/√max(λ, floor)).
func TestModesScaling(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	c := minimumNearBeta(t, tg)
	const floor = 1e3
	m, err := NewModes(tg, c, floor)
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != 60 {
		t.Fatalf("Dim %d, want 60", m.Dim())
	}
	if m.Eigen[0] <= 0 {
		t.Errorf("lowest internal eigenvalue %g at a minimum, want > 0", m.Eigen[0])
	}
	var rb mat.Dense
	rb.Mul(RigidBasis(c).T(), m.Basis)
	if v := mat.Norm(&rb, math.Inf(1)); v > 1e-10 {
		t.Errorf("basis has rigid-motion components up to %g", v)
	}
	x := make([]float64, 66)
	m.Positions(make([]float64, 60), x)
	for i := range x {
		if x[i] != c[i] {
			t.Fatalf("Positions(0)[%d] = %g, want the centre %g", i, x[i], c[i])
		}
	}
	mt := &ModeTarget{T: tg, Modes: m}
	k := m.Dim()
	y := make([]float64, k*k)
	v := make([]float64, k*k)
	hv := make([]float64, k*k)
	for j := range k {
		v[j*k+j] = 1
	}
	mt.HVP(y, v, hv)
	worst := 0.0
	for i := range k {
		for j := range k {
			want := 0.0
			if i == j {
				want = math.Min(1, m.Eigen[i]/floor)
			}
			worst = math.Max(worst, math.Abs(hv[i*k+j]-want))
		}
	}
	if worst > 1e-6 {
		t.Errorf("Hessian in mode coordinates differs from diag(min(1, λ/floor)) by %g", worst)
	}
	t.Logf("eigenvalues %.3g … %.3g k_BT/nm²; Hessian in y within %.1e of its closed form", m.Eigen[0], m.Eigen[k-1], worst)
}

// TestModeTargetDerivatives checks ∇U_y and ∇²U_y·v against central differences of U_y and
// ∇U_y at random points a few thermal widths from the centre.
func TestModeTargetDerivatives(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	c := minimumNearBeta(t, tg)
	m, err := NewModes(tg, c, 1e3)
	if err != nil {
		t.Fatal(err)
	}
	mt := &ModeTarget{T: tg, Modes: m}
	k := mt.Dim()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 3 {
		y := randomDirection(rng, k)
		dir := randomDirection(rng, k)
		g := make([]float64, k)
		mt.Grad(y, g)
		const h = 1e-4
		yp, ym := make([]float64, k), make([]float64, k)
		for i := range y {
			yp[i], ym[i] = y[i]+h*dir[i], y[i]-h*dir[i]
		}
		ep, em := make([]float64, 1), make([]float64, 1)
		mt.Energy(yp, ep)
		mt.Energy(ym, em)
		fd := (ep[0] - em[0]) / (2 * h)
		if an := dotv(g, dir); math.Abs(fd-an) > 1e-5*math.Max(1, math.Abs(an)) {
			t.Errorf("trial %d: directional derivative %g, central difference %g", trial, an, fd)
		}
		hv := make([]float64, k)
		mt.HVP(y, dir, hv)
		gp, gm := make([]float64, k), make([]float64, k)
		mt.Grad(yp, gp)
		mt.Grad(ym, gm)
		worst := 0.0
		for i := range hv {
			worst = math.Max(worst, math.Abs((gp[i]-gm[i])/(2*h)-hv[i]))
		}
		if worst > 1e-5*math.Max(1, maxAbs(hv)) {
			t.Errorf("trial %d: HVP differs from central differences of the gradient by %g (|hv| %g)", trial, worst, maxAbs(hv))
		}
	}
}

// TestModesErrors checks the argument errors.
func TestModesErrors(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	if _, err := NewModes(tg, make([]float64, 65), 1); err == nil {
		t.Error("NewModes accepted a centre of length 65")
	}
	if _, err := NewModes(tg, InitialPositions(), 0); err == nil {
		t.Error("NewModes accepted floor 0")
	}
	if _, err := Minimize(tg, make([]float64, 3), 1, 1); err == nil {
		t.Error("Minimize accepted a geometry of length 3")
	}
}
