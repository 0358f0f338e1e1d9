package aldp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func flatten(xs [][]float64) []float64 {
	var out []float64
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

func randomDirection(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func dotv(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestTargetReduced checks U and ∇U against the oracle's reduced energies and forces.
func TestTargetReduced(t *testing.T) {
	xs, _ := readCoords(t)
	for _, env := range []struct {
		s    Solvent
		file string
	}{{Implicit, "oracle_implicit.txt"}, {Vacuum, "oracle_vacuum.txt"}} {
		ref := readOracle(t, env.file)
		tg := MustTarget(env.s, TargetConfig{})
		x := flatten(xs)
		e := make([]float64, len(xs))
		g := make([]float64, len(x))
		tg.Energy(x, e)
		e2 := make([]float64, len(xs))
		tg.EnergyGrad(x, e2, g)
		worstE, worstG := 0.0, 0.0
		for k := range xs {
			if e[k] != e2[k] {
				t.Errorf("%v sample %d: Energy %v, EnergyGrad %v", env.s, k, e[k], e2[k])
			}
			if err := relErr(e[k], ref[k].reduced); err > 1e-9 {
				t.Errorf("%v sample %d: reduced %.15g, OpenMM %.15g", env.s, k, e[k], ref[k].reduced)
			}
			worstE = math.Max(worstE, relErr(e[k], ref[k].reduced))
			want := make([]float64, 66)
			for i := range want {
				want[i] = -ref[k].forces[i] / tg.KT()
			}
			pa, _ := forceErr(g[66*k:66*(k+1)], want)
			worstG = math.Max(worstG, pa)
			if pa > 1e-9 {
				t.Errorf("%v sample %d: gradient error %.2e", env.s, k, pa)
			}
		}
		t.Logf("%v: worst reduced-energy error %.2e, worst gradient error (per atom, vs max(|g|,1)) %.2e", env.s, worstE, worstG)
	}
}

// TestHVPFiniteDifference checks the analytic ForceField.HVP against finite differences:
// Richardson-extrapolated central differences of the analytic forces, the second
// difference of the energy for vᵀHv, and the symmetry uᵀHv = vᵀHu. The step is kept small
// because fixture 12 (1000 K) sits 8.6e-6 nm from a switch of L = max(or_i, |r−sr_j|) in
// OpenMM's OBC integral, where ∇²E jumps.
func TestHVPFiniteDifference(t *testing.T) {
	xs, _ := readCoords(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, sv := range []Solvent{Implicit, Vacuum} {
		ff := MustDefault(sv)
		hv, hu := make([]float64, 66), make([]float64, 66)
		fp, fm := make([]float64, 66), make([]float64, 66)
		y := make([]float64, 66)
		fdForces := func(x, v []float64, h float64) []float64 {
			for i := range y {
				y[i] = x[i] + h*v[i]
			}
			ff.Forces(y, fp)
			for i := range y {
				y[i] = x[i] - h*v[i]
			}
			ff.Forces(y, fm)
			out := make([]float64, 66)
			for i := range out {
				out[i] = (fm[i] - fp[i]) / (2 * h)
			}
			return out
		}
		var worstFD, worstQ, worstSym float64
		for k, x := range xs {
			v, u := randomDirection(rng, 66), randomDirection(rng, 66)
			ff.HVP(x, v, hv)
			ff.HVP(x, u, hu)
			h := 1e-6 / maxAbs(v) // no coordinate moves more than 2e-6 nm
			d1, d2 := fdForces(x, v, 2*h), fdForces(x, v, h)
			ref := make([]float64, 66)
			for i := range ref {
				ref[i] = (4*d2[i] - d1[i]) / 3
			}
			scale := maxAbs(ref)
			errFD := 0.0
			for i := range ref {
				errFD = math.Max(errFD, math.Abs(hv[i]-ref[i])/scale)
			}
			worstFD = math.Max(worstFD, errFD)
			if errFD > 1e-7 {
				t.Errorf("%v sample %d: HVP vs finite differences of forces: error %.2e", sv, k, errFD)
			}
			// vᵀHv from energies alone (Richardson-extrapolated second differences).
			e0, _ := ff.Energy(x)
			second := func(eps float64) float64 {
				for i := range y {
					y[i] = x[i] + eps*v[i]
				}
				ep, _ := ff.Energy(y)
				for i := range y {
					y[i] = x[i] - eps*v[i]
				}
				em, _ := ff.Energy(y)
				return (ep - 2*e0 + em) / (eps * eps)
			}
			eps := 2e-6 / maxAbs(v) // small: fixture 12 is 8.6e-6 nm from an OBC switch
			q := (4*second(eps/2) - second(eps)) / 3
			qh := dotv(v, hv)
			qs := math.Sqrt(dotv(hv, hv) * dotv(v, v)) // Cauchy–Schwarz scale of vᵀHv
			errQ := math.Abs(q-qh) / qs
			worstQ = math.Max(worstQ, errQ)
			if errQ > 1e-5 { // rounding of E/eps² dominates: ≈5e-7
				t.Errorf("%v sample %d: vᵀHv = %.10g, energy second difference %.10g", sv, k, qh, q)
			}
			// The dual kernel's energy split and gradient equal the force kernel's.
			g := make([]float64, 66)
			cT := ff.evalTangent(x, v, g, make([]float64, 66), ff.pool.Get().(*scratch))
			c0 := ff.ForcesComponents(x, fp)
			for i := range g {
				g[i] += fp[i]
			}
			if relErr(cT.Total, c0.Total) > 1e-13 || relErr(cT.GBPolar, c0.GBPolar) > 1e-13 || relErr(cT.Torsion, c0.Torsion) > 1e-13 || maxAbs(g) > 1e-10*math.Max(maxAbs(fp), 1) {
				t.Errorf("%v sample %d: dual kernel %+v vs %+v, gradient+force %g", sv, k, cT, c0, maxAbs(g))
			}
			sym := math.Abs(dotv(u, hv)-dotv(v, hu)) / math.Sqrt(dotv(hv, hv)*dotv(u, u))
			worstSym = math.Max(worstSym, sym)
			if sym > 1e-6 {
				t.Errorf("%v sample %d: uᵀHv − vᵀHu relative %.2e", sv, k, sym)
			}
		}
		t.Logf("%v: worst HVP vs FD-of-forces %.2e, vᵀHv vs energy second difference %.2e, asymmetry %.2e", sv, worstFD, worstQ, worstSym)
	}
}

// TestTargetScaleAndHVP checks Grad against finite differences of Energy and HVP against
// finite differences of Grad through the Target, in Å (LengthScale 0.1) with the soft cap
// active on the high-energy fixtures.
func TestTargetScaleAndHVP(t *testing.T) {
	xs, _ := readCoords(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, cfg := range []TargetConfig{
		{},                            // nm, default cap
		{LengthScale: 0.1, Cap: 500},  // Å, cap active on samples 16–18
		{LengthScale: 0.1, Cap: -200}, // Å, every geometry above the cap
	} {
		tg := MustTarget(Implicit, cfg)
		ref := MustTarget(Implicit, TargetConfig{Cap: math.Inf(1)})
		d := 66
		for k, xnm := range xs {
			x := make([]float64, d)
			for i := range x {
				x[i] = xnm[i] / tg.LengthScale()
			}
			e, g := []float64{0}, make([]float64, d)
			tg.EnergyGrad(x, e, g)
			// Value: U = φ(u) with u from the uncapped nm target.
			u := []float64{0}
			ref.Energy(xnm, u)
			want, _, _ := tg.soft(u[0])
			if relErr(e[0], want) > 1e-12 {
				t.Errorf("%+v sample %d: U = %.15g, want %.15g", cfg, k, e[0], want)
			}
			// Gradient vs central differences of U along a random direction (Richardson).
			v := randomDirection(rng, d)
			xp, xm := make([]float64, d), make([]float64, d)
			ep, em := []float64{0}, []float64{0}
			cd := func(h float64) float64 {
				for i := range x {
					xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
				}
				tg.Energy(xp, ep)
				tg.Energy(xm, em)
				return (ep[0] - em[0]) / (2 * h)
			}
			h := 2e-6 / tg.LengthScale() / maxAbs(v)
			fd, an := (4*cd(h/2)-cd(h))/3, dotv(g, v)
			if math.Abs(fd-an) > 1e-6*math.Max(math.Sqrt(dotv(g, g)), 1)*math.Sqrt(dotv(v, v)) {
				t.Errorf("%+v sample %d: ∇U·v = %.10g, finite difference %.10g", cfg, k, an, fd)
			}
			// HVP vs central differences of the gradient.
			hv := make([]float64, d)
			tg.HVP(x, v, hv)
			gp, gm := make([]float64, d), make([]float64, d)
			h = 1e-6 / tg.LengthScale() / maxAbs(v)
			for i := range x {
				xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
			}
			tg.Grad(xp, gp)
			tg.Grad(xm, gm)
			scale := 0.0
			for i := range gp {
				gp[i] = (gp[i] - gm[i]) / (2 * h)
				scale = math.Max(scale, math.Abs(gp[i]))
			}
			for i := range gp {
				if math.Abs(gp[i]-hv[i]) > 1e-4*scale {
					t.Errorf("%+v sample %d coord %d: HVP %.10g, finite difference of Grad %.10g", cfg, k, i, hv[i], gp[i])
					break
				}
			}
		}
	}
}

func TestTargetBatchAndWorkers(t *testing.T) {
	xs, _ := readCoords(t)
	var x []float64
	for len(x) < 40*66 {
		x = append(x, flatten(xs)...)
	}
	x = x[:40*66]
	b := len(x) / 66
	rng := rand.New(rand.NewPCG(5, 6))
	v := randomDirection(rng, len(x))
	one := MustTarget(Implicit, TargetConfig{Workers: 1})
	many := MustTarget(Implicit, TargetConfig{Workers: 3})
	e1, e2 := make([]float64, b), make([]float64, b)
	g1, g2 := make([]float64, len(x)), make([]float64, len(x))
	h1, h2 := make([]float64, len(x)), make([]float64, len(x))
	one.Energy(x, e1)
	many.Energy(x, e2)
	one.Grad(x, g1)
	many.Grad(x, g2)
	one.HVP(x, v, h1)
	many.HVP(x, v, h2)
	for i := range x {
		if g1[i] != g2[i] || h1[i] != h2[i] || (i < b && e1[i] != e2[i]) {
			t.Fatalf("1 and 3 workers differ at %d", i)
		}
	}
	// Row b of a batch equals the single-row call.
	e := []float64{0}
	g := make([]float64, 66)
	for r := range b {
		many.EnergyGrad(x[66*r:66*(r+1)], e, g)
		if e[0] != e1[r] || g[0] != g1[66*r] || g[65] != g1[66*r+65] {
			t.Fatalf("row %d differs from the batched call", r)
		}
	}
}

// TestTargetConcurrent calls one Target from several goroutines on disjoint slices (run
// with -race to check the scratch pool).
func TestTargetConcurrent(t *testing.T) {
	x := benchBatch(t, 64)
	tg := MustTarget(Implicit, TargetConfig{Workers: 2})
	want := make([]float64, len(x))
	tg.Grad(x, want)
	got := make([]float64, len(x))
	done := make(chan struct{})
	for k := range 4 {
		go func() {
			lo, hi := k*16*66, (k+1)*16*66
			tg.Grad(x[lo:hi], got[lo:hi])
			done <- struct{}{}
		}()
	}
	for range 4 {
		<-done
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("concurrent Grad differs at %d", i)
		}
	}
}

func TestTargetNonFinite(t *testing.T) {
	tg := MustTarget(Implicit, TargetConfig{})
	x := InitialPositions()
	copy(x[3:6], x[0:3]) // atoms 0 and 1 coincide
	e, g, hv := []float64{0}, make([]float64, 66), make([]float64, 66)
	tg.EnergyGrad(x, e, g)
	tg.HVP(x, g, hv)
	if e[0] != tg.Cap()+nonFiniteExcess || maxAbs(g) != 0 || maxAbs(hv) != 0 {
		t.Fatalf("coincident atoms: U = %g, |g| = %g, |hv| = %g", e[0], maxAbs(g), maxAbs(hv))
	}
}

func TestNewTargetErrors(t *testing.T) {
	ff := MustDefault(Vacuum)
	for _, cfg := range []TargetConfig{{Temperature: -1}, {KB: math.NaN()}, {LengthScale: -2}, {Cap: math.NaN()}, {Workers: -1}} {
		if _, err := NewTarget(ff, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	if _, err := NewTarget(nil, TargetConfig{}); err == nil {
		t.Error("nil force field: no error")
	}
}

// TestOBCIntegrandDerivatives checks h′ and h″ of the OBC integrand on all its branches (the
// cut r + sr < or, L = or, L = r − sr, and the engulfed L = sr − r) against central
// differences, and the force kernel's version against the HVP kernel's.
func TestOBCIntegrandDerivatives(t *testing.T) {
	branches := map[string]int{}
	for _, os := range [][2]float64{{0.111, 0.094}, {0.161, 0.116}, {0.141, 0.094}, {0.111, 0.12}, {0.05, 0.12}} {
		o, sr := os[0], os[1]
		for r := 0.001; r < 1.2; r += 0.0007 {
			// Stay clear of the switches, where h′ or h″ jump.
			if math.Abs(r+sr-o) < 1e-4 || math.Abs(math.Abs(r-sr)-o) < 1e-4 {
				continue
			}
			h, h1, h2 := obcIntegrand2(r, 1/r, o, sr)
			hv, dv := obcIntegrand(r, 1/r, o, sr)
			switch {
			case r+sr < o:
				branches["cut"]++
			case math.Abs(r-sr) <= o:
				branches["L=or"]++
			case r > sr:
				branches["L=r-sr"]++
			default:
				branches["L=sr-r"]++
			}
			if h != hv || math.Abs(h1-dv) > 1e-13*math.Max(math.Abs(dv), 1) {
				t.Fatalf("o=%v sr=%v r=%v: kernels disagree: %v %v vs %v %v", o, sr, r, h, h1, hv, dv)
			}
			const eps = 1e-7
			hp, h1p, _ := obcIntegrand2(r+eps, 1/(r+eps), o, sr)
			hm, h1m, _ := obcIntegrand2(r-eps, 1/(r-eps), o, sr)
			fd1, fd2 := (hp-hm)/(2*eps), (h1p-h1m)/(2*eps)
			if math.Abs(fd1-h1) > 1e-6*math.Max(math.Abs(h1), 1) || math.Abs(fd2-h2) > 1e-5*math.Max(math.Abs(h2), 1) {
				t.Errorf("o=%v sr=%v r=%v: h' %v (fd %v), h'' %v (fd %v)", o, sr, r, h1, fd1, h2, fd2)
			}
		}
	}
	for _, b := range []string{"cut", "L=or", "L=r-sr", "L=sr-r"} {
		if branches[b] == 0 {
			t.Errorf("branch %s not exercised", b)
		}
	}
	t.Logf("points per branch: %v", branches)
}

func ExampleTarget() {
	tg, err := NewTarget(MustDefault(Implicit), TargetConfig{}) // 300 K, nm, cap 1e8 k_B T
	if err != nil {
		panic(err)
	}
	x := InitialPositions() // one row of 66 coordinates; batches are B×66
	u := make([]float64, 1)
	g := make([]float64, 66)
	tg.EnergyGrad(x, u, g)
	fmt.Printf("U = %.6f k_B T, dim %d\n", u[0], tg.Dim())
	// Output:
	// U = -55.714039 k_B T, dim 66
}
