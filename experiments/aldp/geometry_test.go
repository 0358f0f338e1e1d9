package aldp

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// angleDiff is the wrapped difference a − b in (−π, π].
func angleDiff(a, b float64) float64 {
	return math.Remainder(a-b, 2*math.Pi)
}

func TestTorsionsCRD(t *testing.T) {
	x := InitialPositions()
	tor := Torsions(x)
	deg := func(r float64) float64 { return r * 180 / math.Pi }
	// The LEaP build geometry: φ = −180°, ψ = 180° (equal as angles).
	if math.Abs(angleDiff(tor[Phi], -math.Pi)) > 1e-5 || math.Abs(angleDiff(tor[Psi], math.Pi)) > 1e-5 {
		t.Fatalf("crd: φ = %.6f°, ψ = %.6f°, want ±180°", deg(tor[Phi]), deg(tor[Psi]))
	}
	// Names and atoms as documented.
	want := map[Torsion][4]int{Phi: {4, 6, 8, 14}, Psi: {6, 8, 14, 16}, Gamma1: {0, 1, 4, 6}, Gamma2: {11, 10, 8, 6}, Gamma3: {19, 18, 16, 14}}
	names := MustDefault(Vacuum).AtomNames()
	for tt := range Torsion(NumTorsions) {
		a := want[tt]
		if tt.Atoms() != a {
			t.Errorf("%v atoms %v, want %v", tt, tt.Atoms(), a)
		}
		var nm []string
		for _, k := range a {
			nm = append(nm, names[k])
		}
		t.Logf("%-6v = %-20s %9.4f°", tt, strings.Join(nm, "-"), deg(tor[tt]))
	}
	// Dihedral agrees with the cos/sin the torsion energy uses.
	xs, _ := readCoords(t)
	for _, y := range xs {
		for tt := range Torsion(NumTorsions) {
			a := tt.Atoms()
			c, s, _, _, _, _ := dihedralCosSinGrad(at(y, a[0]), at(y, a[1]), at(y, a[2]), at(y, a[3]))
			phi := Dihedral(y, a[0], a[1], a[2], a[3])
			if math.Abs(math.Cos(phi)-c) > 1e-12 || math.Abs(math.Sin(phi)-s) > 1e-12 {
				t.Fatalf("%v: atan2 form %.15g, cos/sin form (%.15g, %.15g)", tt, phi, c, s)
			}
		}
	}
}

func TestChiralityAndMirror(t *testing.T) {
	xs, labels := readCoords(t)
	for k, x := range xs[:16] { // 16–18 are noisy (18 is in fact D)
		chi := Chirality(x)
		mirror := strings.Contains(labels[k], "mirror")
		if IsL(x) == mirror {
			t.Errorf("sample %d (%s): chirality %.5f nm³", k, labels[k], chi)
		}
		if math.Abs(chi) < 1e-3 || math.Abs(chi) > 4e-3 {
			t.Errorf("sample %d: |chirality| = %.5f nm³, want ≈ 0.0023", k, math.Abs(chi))
		}
	}
	// Fixture 14 is fixture 2 mirrored: every torsion flips sign, chirality too.
	a, b := Torsions(xs[2]), Torsions(xs[14])
	for tt := range Torsion(NumTorsions) {
		if math.Abs(angleDiff(a[tt], -b[tt])) > 1e-9 {
			t.Errorf("%v: %.9f vs mirror %.9f", tt, a[tt], b[tt])
		}
	}
	if math.Abs(Chirality(xs[2])+Chirality(xs[14])) > 1e-12 {
		t.Errorf("chirality %g vs mirror %g", Chirality(xs[2]), Chirality(xs[14]))
	}
	// Fixture 15 is fixture 2 rotated and translated: same torsions and chirality.
	c := Torsions(xs[15])
	for tt := range Torsion(NumTorsions) {
		if math.Abs(angleDiff(a[tt], c[tt])) > 1e-9 {
			t.Errorf("%v: %.9f vs rotated %.9f", tt, a[tt], c[tt])
		}
	}
	out := make([]float64, 10)
	TorsionsBatch(append(append([]float64(nil), xs[2]...), xs[14]...), out)
	if out[0] != a[0] || out[5+4] != b[4] {
		t.Error("TorsionsBatch disagrees with Torsions")
	}
}

func TestCenter(t *testing.T) {
	xs, _ := readCoords(t)
	x := flatten(xs[:3])
	ff := MustDefault(Implicit)
	e0, _ := ff.Energy(x[66:132])
	Center(x)
	for b := range 3 {
		var c [3]float64
		for a := range 22 {
			for k := range 3 {
				c[k] += x[66*b+3*a+k]
			}
		}
		if norm(c) > 1e-13 {
			t.Errorf("row %d: centroid sum %v", b, c)
		}
	}
	if e1, _ := ff.Energy(x[66:132]); math.Abs(e1-e0) > 1e-11 {
		t.Errorf("energy changed by centring: %v → %v", e0, e1)
	}
}

func ExampleTorsions() {
	x := InitialPositions()
	tor := Torsions(x)
	fmt.Printf("phi = %.1f°, psi = %.1f°, L-alanine: %v\n", math.Abs(tor[Phi])*180/math.Pi, tor[Psi]*180/math.Pi, IsL(x))
	// Output:
	// phi = 180.0°, psi = 180.0°, L-alanine: true
}

func TestSetBackbone(t *testing.T) {
	x0 := InitialPositions()
	ff := MustDefault(Implicit)
	for _, pp := range [][2]float64{{-120, 120}, {-80, -40}, {60, 45}, {-180, 180}} {
		x := InitialPositions()
		phi, psi := pp[0]*math.Pi/180, pp[1]*math.Pi/180
		SetBackbone(x, phi, psi)
		tor, tor0 := Torsions(x), Torsions(x0)
		if math.Abs(angleDiff(tor[Phi], phi)) > 1e-9 || math.Abs(angleDiff(tor[Psi], psi)) > 1e-9 {
			t.Errorf("%v: φ, ψ = %v, %v", pp, tor[Phi], tor[Psi])
		}
		for _, g := range []Torsion{Gamma1, Gamma2, Gamma3} {
			if math.Abs(angleDiff(tor[g], tor0[g])) > 1e-9 {
				t.Errorf("%v: %v changed from %v to %v", pp, g, tor0[g], tor[g])
			}
		}
		if !IsL(x) {
			t.Errorf("%v: not L", pp)
		}
		// bonded geometry: every bond length is unchanged
		for _, b := range ff.bonds {
			d := at(x, b.i).sub(at(x, b.j)).norm() - at(x0, b.i).sub(at(x0, b.j)).norm()
			if math.Abs(d) > 1e-12 {
				t.Errorf("%v: bond %d-%d length changed by %g", pp, b.i, b.j, d)
			}
		}
	}
}
