package aldp

import (
	"fmt"
	"math"
	"testing"
)

// Tolerances against OpenMM. The implementation agrees to ~1e-12; these leave room for
// nothing but rounding, far tighter than the 1e-6 the project requires.
const (
	tolEnergy = 1e-9 // relErr: relative, or kJ/mol absolute below 1 kJ/mol
	tolForce  = 1e-9 // per-atom |ΔF| / max(|F_ref|, 1 kJ/mol/nm)
)

func TestCounts(t *testing.T) {
	ff := MustDefault(Implicit)
	b, a, tor, p14, ex := ff.Counts()
	if b != 21 || a != 36 || tor != 52 || p14 != 41 || ex != 57 {
		t.Fatalf("counts bonds=%d angles=%d torsions=%d 1-4=%d excluded=%d, want 21 36 52 41 57", b, a, tor, p14, ex)
	}
	if ff.NumAtoms() != 22 || ff.Dim() != 66 {
		t.Fatalf("N=%d dim=%d", ff.NumAtoms(), ff.Dim())
	}
	var q float64
	for _, v := range ff.Charges() {
		q += v
	}
	if math.Abs(q) > 1e-6 {
		t.Fatalf("net charge %g", q)
	}
}

func TestOracle(t *testing.T) {
	xs, labels := readCoords(t)
	for _, env := range []struct {
		s    Solvent
		file string
	}{{Implicit, "oracle_implicit.txt"}, {Vacuum, "oracle_vacuum.txt"}} {
		ff := MustDefault(env.s)
		ref := readOracle(t, env.file)
		if len(ref) != len(xs) {
			t.Fatalf("%s: %d records for %d geometries", env.file, len(ref), len(xs))
		}
		worst := map[string]float64{}
		f := make([]float64, 66)
		for k, x := range xs {
			c := ff.ForcesComponents(x, f)
			e2, c2 := ff.Energy(x)
			if e2 != c.Total || c2 != c {
				t.Errorf("%v sample %d: Energy and Forces disagree", env.s, k)
			}
			got := map[string]float64{
				"energy": c.Total, "bond": c.Bond, "angle": c.Angle, "torsion": c.Torsion,
				"lj": c.LJ, "coulomb": c.Coulomb, "nonbonded": c.Nonbonded(),
			}
			want := map[string]float64{"energy": ref[k].energy}
			for name, v := range ref[k].comp {
				want[name] = v
			}
			if env.s == Implicit {
				got["gb_polar"], got["gb_sa"], got["gb_obc1"] = c.GBPolar, c.GBSA, c.GB()
			}
			if len(want) != len(got) {
				t.Fatalf("%s sample %d: components %v, have %v", env.file, k, want, got)
			}
			for name, w := range want {
				e := relErr(got[name], w)
				worst[name] = math.Max(worst[name], e)
				if e > tolEnergy {
					t.Errorf("%v sample %d (%s) %s = %.15g, OpenMM %.15g, err %.2e", env.s, k, labels[k], name, got[name], w, e)
				}
			}
			pa, gl := forceErr(f, ref[k].forces)
			worst["forces per-atom"] = math.Max(worst["forces per-atom"], pa)
			worst["forces global"] = math.Max(worst["forces global"], gl)
			if pa > tolForce {
				t.Errorf("%v sample %d (%s): force error %.2e", env.s, k, labels[k], pa)
			}
		}
		for _, name := range []string{"energy", "bond", "angle", "torsion", "lj", "coulomb", "nonbonded", "gb_polar", "gb_sa", "gb_obc1", "forces per-atom", "forces global"} {
			if v, ok := worst[name]; ok {
				t.Logf("%-8v worst %-16s %.2e", env.s, name, v)
			}
		}
	}
}

// TestForcesFiniteDifference checks the analytic forces against Richardson-extrapolated
// central differences of the energy, coordinate by coordinate, on all fixtures.
func TestForcesFiniteDifference(t *testing.T) {
	xs, _ := readCoords(t)
	for _, s := range []Solvent{Implicit, Vacuum} {
		ff := MustDefault(s)
		f := make([]float64, 66)
		worst := 0.0
		for k, x := range xs {
			ff.Forces(x, f)
			y := append([]float64(nil), x...)
			cd := func(d int, h float64) float64 {
				y[d] = x[d] + h
				ep, _ := ff.Energy(y)
				y[d] = x[d] - h
				em, _ := ff.Energy(y)
				y[d] = x[d]
				return -(ep - em) / (2 * h)
			}
			for d := range y {
				const h = 2e-5
				fd := (4*cd(d, h/2) - cd(d, h)) / 3
				e := math.Abs(fd-f[d]) / math.Max(math.Abs(f[d]), 10)
				worst = math.Max(worst, e)
				if e > 1e-6 {
					t.Errorf("%v sample %d coord %d: analytic %.10g, finite difference %.10g", s, k, d, f[d], fd)
				}
			}
		}
		t.Logf("%v: worst |F − F_fd| / max(|F|, 10 kJ/mol/nm) = %.2e", s, worst)
	}
}

func rotate(x []float64, R [3][3]float64, t [3]float64) []float64 {
	y := make([]float64, len(x))
	for a := 0; a < len(x); a += 3 {
		for i := range 3 {
			y[a+i] = R[i][0]*x[a] + R[i][1]*x[a+1] + R[i][2]*x[a+2] + t[i]
		}
	}
	return y
}

func rotationMatrix(ax [3]float64, angle float64) [3][3]float64 {
	n := norm(ax)
	u := [3]float64{ax[0] / n, ax[1] / n, ax[2] / n}
	s, c := math.Sincos(angle)
	var R [3][3]float64
	for i := range 3 {
		for j := range 3 {
			R[i][j] = (1 - c) * u[i] * u[j]
			if i == j {
				R[i][j] += c
			}
		}
	}
	R[0][1] -= s * u[2]
	R[0][2] += s * u[1]
	R[1][0] += s * u[2]
	R[1][2] -= s * u[0]
	R[2][0] -= s * u[1]
	R[2][1] += s * u[0]
	return R
}

func TestInvariance(t *testing.T) {
	xs, _ := readCoords(t)
	ff := MustDefault(Implicit)
	R := rotationMatrix([3]float64{0.3, -1.2, 0.7}, 2.1)
	tr := [3]float64{1.7, -3.2, 0.4}
	f0, f1 := make([]float64, 66), make([]float64, 66)
	for k, x := range xs {
		e0 := ff.Forces(x, f0)
		y := rotate(x, R, tr)
		e1 := ff.Forces(y, f1)
		if relErr(e1, e0) > 1e-10 {
			t.Errorf("sample %d: E = %.15g, rotated+translated %.15g", k, e0, e1)
		}
		// Forces rotate with the molecule (translation part removed).
		rf := rotate(f0, R, [3]float64{})
		if pa, _ := forceErr(f1, rf); pa > 1e-9 {
			t.Errorf("sample %d: rotated forces differ by %.2e", k, pa)
		}
		// Net force and torque vanish.
		var net, tq [3]float64
		for a := 0; a < 66; a += 3 {
			fa := [3]float64{f0[a], f0[a+1], f0[a+2]}
			ta := cross([3]float64{x[a], x[a+1], x[a+2]}, fa)
			for i := range 3 {
				net[i] += fa[i]
				tq[i] += ta[i]
			}
		}
		if norm(net) > 1e-9 || norm(tq) > 1e-9 {
			t.Errorf("sample %d: net force %v, net torque %v", k, net, tq)
		}
	}
}

func TestMirror(t *testing.T) {
	xs, labels := readCoords(t)
	for _, s := range []Solvent{Implicit, Vacuum} {
		ff := MustDefault(s)
		// The mirror changes φ to −φ; with the prmtop phase δ = 3.141594 instead of π each
		// term changes by −2V sin(nφ) sin(δ), so |ΔE| ≤ 2|sin δ| Σ|V| (≈ 2e-4 kJ/mol here).
		bound := 1e-9
		for _, g := range ff.torsions {
			for _, term := range g.terms {
				bound += 2 * math.Abs(math.Sin(term.phase)*term.v)
			}
		}
		// Fixture 14 is the mirror image of fixture 2.
		e2, _ := ff.Energy(xs[2])
		e14, _ := ff.Energy(xs[14])
		if math.Abs(e2-e14) > bound {
			t.Errorf("%v: E(%s) = %.12g, E(%s) = %.12g", s, labels[2], e2, labels[14], e14)
		}
		worst := 0.0
		for k, x := range xs {
			m := append([]float64(nil), x...)
			for a := 0; a < 66; a += 3 {
				m[a+1] = -m[a+1]
			}
			e0, _ := ff.Energy(x)
			e1, _ := ff.Energy(m)
			if math.Abs(e1-e0) > bound+1e-12*math.Abs(e0) {
				t.Errorf("%v sample %d: E = %.12g, mirrored %.12g (bound %.2g)", s, k, e0, e1, bound)
			}
			worst = math.Max(worst, math.Abs(e1-e0))
		}
		t.Logf("%v: worst |E(mirror) − E| = %.2e kJ/mol (bound %.2e)", s, worst, bound)
	}
}

func ExampleForceField_Energy() {
	ff := MustDefault(Implicit)
	x := InitialPositions() // the crd geometry, nm
	e, c := ff.Energy(x)
	fmt.Printf("E = %.6f kJ/mol (GB polar %.6f, ACE %.6f)\n", e, c.GBPolar, c.GBSA)
	// Output:
	// E = -138.969687 kJ/mol (GB polar -67.406885, ACE 16.525787)
}
