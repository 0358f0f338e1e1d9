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

// TestMinimizeHessian checks the minimum found by Minimize: the Hessian there is symmetric
// (up to rounding of the analytic HVPs) and, in the internal subspace, positive definite; the
// rigid basis is orthonormal and the energy does not change to first order along it.
func TestMinimizeHessian(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	c := minimumNearBeta(t, tg)
	vals, vecs, err := internalEigen(tg, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 60 || vals[0] <= 0 {
		t.Fatalf("%d internal eigenvalues, lowest %g; want 60, all > 0 at a minimum", len(vals), vals[0])
	}
	rb := RigidBasis(c)
	var gram mat.Dense
	gram.Mul(rb.T(), rb)
	for i := range 6 {
		for j := range 6 {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(gram.At(i, j)-want) > 1e-12 {
				t.Fatalf("rigid basis Gram matrix (%d, %d) = %g", i, j, gram.At(i, j))
			}
		}
	}
	var overlap mat.Dense
	overlap.Mul(rb.T(), vecs)
	if v := mat.Norm(&overlap, math.Inf(1)); v > 1e-8 {
		t.Errorf("internal eigenvectors have rigid-motion components up to %g", v)
	}
	// energy invariance along the rigid motions at a random strained geometry
	rng := rand.New(rand.NewPCG(1, 2))
	x := append([]float64(nil), c...)
	for i := range x {
		x[i] += 0.01 * rng.NormFloat64()
	}
	g := make([]float64, 66)
	tg.Grad(x, g)
	rx := RigidBasis(x)
	for k := range 6 {
		var s float64
		for i := range g {
			s += g[i] * rx.At(i, k)
		}
		if math.Abs(s) > 1e-8*maxAbs(g) {
			t.Errorf("gradient along rigid motion %d is %g (|g| up to %g)", k, s, maxAbs(g))
		}
	}
	t.Logf("internal eigenvalues at the minimum: %.3g … %.3g k_BT/nm²", vals[0], vals[59])
}

// TestMinimizeErrors checks the argument errors.
func TestMinimizeErrors(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	if _, err := Minimize(tg, make([]float64, 3), 1, 1); err == nil {
		t.Error("Minimize accepted a geometry of length 3")
	}
}
