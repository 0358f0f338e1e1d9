package aldp

import (
	"fmt"
	"math"
)

// Atom indices of ACE-ALA-NME (0-based, prmtop order) used by the torsions and the
// chirality test.
const (
	AtomACEHH31 = 0  // first methyl H of ACE
	AtomACECH3  = 1  // ACE methyl carbon
	AtomACEC    = 4  // ACE carbonyl C
	AtomN       = 6  // ALA N
	AtomCA      = 8  // ALA Cα
	AtomCB      = 10 // ALA Cβ
	AtomHB1     = 11 // first Cβ methyl H
	AtomC       = 14 // ALA carbonyl C
	AtomNMEN    = 16 // NME N
	AtomNMECH3  = 18 // NME methyl carbon
	AtomNMEHH31 = 19 // first methyl H of NME
)

// Torsion identifies one of the five evaluation torsions.
type Torsion int

// The evaluation torsions, in the order Torsions returns them.
const (
	Phi         Torsion = iota // φ = C(ACE)–N–CA–C, atoms 4, 6, 8, 14
	Psi                        // ψ = N–CA–C–N(NME), atoms 6, 8, 14, 16
	Gamma1                     // γ1, ACE methyl: HH31–CH3–C–N, atoms 0, 1, 4, 6
	Gamma2                     // γ2, Ala Cβ methyl: HB1–CB–CA–N, atoms 11, 10, 8, 6
	Gamma3                     // γ3, NME methyl: HH31–CH3–N–C, atoms 19, 18, 16, 14
	NumTorsions = 5
)

// Atoms returns the four atom indices (prmtop order) of the torsion.
func (t Torsion) Atoms() [4]int {
	switch t {
	case Phi:
		return [4]int{AtomACEC, AtomN, AtomCA, AtomC}
	case Psi:
		return [4]int{AtomN, AtomCA, AtomC, AtomNMEN}
	case Gamma1:
		return [4]int{AtomACEHH31, AtomACECH3, AtomACEC, AtomN}
	case Gamma2:
		return [4]int{AtomHB1, AtomCB, AtomCA, AtomN}
	case Gamma3:
		return [4]int{AtomNMEHH31, AtomNMECH3, AtomNMEN, AtomC}
	}
	panic(fmt.Sprintf("aldp: unknown torsion %d", int(t)))
}

func (t Torsion) String() string {
	switch t {
	case Phi:
		return "phi"
	case Psi:
		return "psi"
	case Gamma1:
		return "gamma1"
	case Gamma2:
		return "gamma2"
	case Gamma3:
		return "gamma3"
	}
	return fmt.Sprintf("Torsion(%d)", int(t))
}

// Dihedral returns the IUPAC dihedral angle (radians, in (−π, π]) of atoms a-b-c-d of the
// flat coordinate vector pos (any length unit): with b1 = x_b−x_a, b2 = x_c−x_b,
// b3 = x_d−x_c, φ = atan2(|b2| b1·(b2×b3), (b1×b2)·(b2×b3)). It is 0 for collinear atoms.
func Dihedral(pos []float64, a, b, c, d int) float64 {
	b1, b2, b3 := at(pos, b).sub(at(pos, a)), at(pos, c).sub(at(pos, b)), at(pos, d).sub(at(pos, c))
	n := b2.cross(b3)
	return math.Atan2(b2.norm()*b1.dot(n), b1.cross(b2).dot(n))
}

// Torsions returns (φ, ψ, γ1, γ2, γ3) in radians, each in (−π, π], for one geometry
// (length 66, any length unit).
func Torsions(pos []float64) [NumTorsions]float64 {
	if len(pos) != 66 {
		panic(fmt.Sprintf("aldp: Torsions: len(pos) = %d, want 66", len(pos)))
	}
	var out [NumTorsions]float64
	for t := range Torsion(NumTorsions) {
		a := t.Atoms()
		out[t] = Dihedral(pos, a[0], a[1], a[2], a[3])
	}
	return out
}

// TorsionsBatch writes the five torsions of each of the B = len(x)/66 rows of x into out
// (length 5B, row-major: out[5b+t] is torsion t of row b), in radians.
func TorsionsBatch(x, out []float64) {
	if len(x)%66 != 0 || len(out) != 5*(len(x)/66) {
		panic(fmt.Sprintf("aldp: TorsionsBatch: len(x) = %d, len(out) = %d, want 66B and 5B", len(x), len(out)))
	}
	for b := range len(x) / 66 {
		t := Torsions(x[66*b : 66*(b+1)])
		copy(out[5*b:], t[:])
	}
}

// Chirality returns the signed volume ((x_N − x_CA) × (x_C − x_CA))·(x_CB − x_CA) of the
// alanine Cα (in the cube of pos's length unit; ≈ +0.0023 nm³ for L-alanine, negative for
// the D mirror image). pos has length 66.
func Chirality(pos []float64) float64 {
	if len(pos) != 66 {
		panic(fmt.Sprintf("aldp: Chirality: len(pos) = %d, want 66", len(pos)))
	}
	ca := at(pos, AtomCA)
	n, c, cb := at(pos, AtomN).sub(ca), at(pos, AtomC).sub(ca), at(pos, AtomCB).sub(ca)
	return n.cross(c).dot(cb)
}

// IsL reports whether the alanine of pos is the L enantiomer (Chirality > 0), as in the
// reference MD and FAB's filtered training data.
func IsL(pos []float64) bool { return Chirality(pos) > 0 }

// Center subtracts from each of the B = len(x)/66 rows of x its centroid (the unweighted
// mean of the 22 atom positions), in place, so that every row lies in the zero-centre
// subspace Σ_a x_a = 0 where exp(−U) is normalisable. The energy is unchanged.
func Center(x []float64) {
	if len(x)%66 != 0 {
		panic(fmt.Sprintf("aldp: Center: len(x) = %d is not a multiple of 66", len(x)))
	}
	for b := 0; b < len(x); b += 66 {
		var c vec
		for a := range 22 {
			c = c.add(at(x[b:], a))
		}
		c = c.scale(1.0 / 22)
		for a := range 22 {
			addTo(x[b:], a, c, -1)
		}
	}
}

// SetBackbone sets the backbone torsions of one geometry pos (length 66) to φ and ψ
// (radians), in place, by rigid rotations about the N–Cα bond (atoms on the Cα side: HA,
// the Cβ methyl and everything from the Ala C on) and about the Cα–C bond (O and the NME
// group). Bond lengths, bond angles and all other torsions stay as they are, up to
// rounding; the centroid moves.
func SetBackbone(pos []float64, phi, psi float64) {
	if len(pos) != 66 {
		panic(fmt.Sprintf("aldp: SetBackbone: len(pos) = %d, want 66", len(pos)))
	}
	// Atoms 9..21 (HA, CB, HB1-3, C, O, NME) lie beyond the N–CA bond; 15..21 (O, NME)
	// beyond CA–C.
	rotate := func(b, c, first int, angle float64) {
		o := at(pos, b)
		k := at(pos, c).sub(o)
		k = k.scale(1 / k.norm())
		cs, sn := math.Cos(angle), math.Sin(angle)
		for a := first; a < 22; a++ {
			v := at(pos, a).sub(o)
			r := v.scale(cs).add(k.cross(v).scale(sn)).add(k.scale(k.dot(v) * (1 - cs)))
			r = r.add(o)
			pos[3*a], pos[3*a+1], pos[3*a+2] = r.x, r.y, r.z
		}
	}
	rotate(AtomN, AtomCA, AtomCA+1, math.Remainder(phi-Torsions(pos)[Phi], 2*math.Pi))
	rotate(AtomCA, AtomC, AtomC+1, math.Remainder(psi-Torsions(pos)[Psi], 2*math.Pi))
}
