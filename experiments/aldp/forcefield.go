package aldp

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

//go:embed data/alanine-dipeptide.prmtop
var prmtopData string // immutable; parsed afresh by each call to NewDefault

// Physical constants and force-field conventions, in the package units (nm, kJ/mol, e).
const (
	// KCal is kJ per kcal (exact).
	KCal = 4.184
	// AmberChargeScale converts prmtop CHARGE values to elementary charges: q = CHARGE/18.2223.
	AmberChargeScale = 18.2223
	// CoulombConstant is OpenMM 7.7's ONE_4PI_EPS0 (CODATA 2018) used by NonbondedForce,
	// in kJ nm mol⁻¹ e⁻².
	CoulombConstant = 138.93545764438196
	// GBCoulombConstant is the different constant hard-coded in OpenMM's OBC1 CustomGBForce
	// (customgbforces.py), in kJ nm mol⁻¹ e⁻².
	GBCoulombConstant = 138.935485
	// SCEE and SCNB divide the 1-4 Coulomb and Lennard-Jones energies (AMBER defaults; the
	// embedded prmtop has no SCEE/SCNB_SCALE_FACTOR sections).
	SCEE, SCNB = 1.2, 2.0
	// SoluteDielectric and SolventDielectric are the GB dielectric constants (no salt).
	SoluteDielectric, SolventDielectric = 1.0, 78.5
	// OBCOffset is the dielectric offset (nm) subtracted from the Born radii in the OBC integral.
	OBCOffset = 0.009
	// OBCAlpha, OBCBeta, OBCGamma are the OBC1 tanh rescaling parameters (OBCBeta is 0 and
	// therefore absent from the formulas).
	OBCAlpha, OBCBeta, OBCGamma = 0.8, 0.0, 2.909125
	// ACESurfaceTension is OpenMM's ACE non-polar prefactor 4π·0.0054 kcal/mol/Å² in
	// kJ/mol/nm², as written in customgbforces.py.
	ACESurfaceTension = 28.3919551
	// ACEProbeRadius is the solvent probe radius (nm) of the ACE term.
	ACEProbeRadius = 0.14
)

// Solvent selects the environment of the force field.
type Solvent int

const (
	// Implicit is OBC1 generalised Born plus the ACE surface-area term (the benchmark target).
	Implicit Solvent = iota
	// Vacuum drops both GB terms.
	Vacuum
)

func (s Solvent) String() string {
	switch s {
	case Implicit:
		return "implicit"
	case Vacuum:
		return "vacuum"
	}
	return fmt.Sprintf("Solvent(%d)", int(s))
}

type bondTerm struct {
	i, j  int
	k, r0 float64 // kJ/mol/nm², nm; E = ½k(r−r0)²
}

type angleTerm struct {
	i, j, l int     // j is the vertex
	k, t0   float64 // kJ/mol/rad², rad; E = ½k(θ−θ0)²
}

type torsionTerm struct {
	v     float64 // kJ/mol; E = v(1+cos(nφ−phase))
	n     int
	phase float64 // rad, as in the prmtop (3.141594, not π)

	cosPhase, sinPhase float64
}

// torsionGroup is the set of prmtop dihedral entries on one ordered atom quadruple; the
// dihedral and its derivative are computed once per group.
type torsionGroup struct {
	a, b, c, d int
	terms      []torsionTerm
}

// pairTerm holds everything a pair i<j contributes besides the bonded terms.
type pairTerm struct {
	i, j     int
	c12, c6  float64 // 4εσ¹², 4εσ⁶ (kJ/mol nm¹², nm⁶); 0 for excluded pairs
	qq       float64 // Coulomb prefactor k_e q_i q_j / scale (kJ nm/mol); 0 for excluded pairs
	gb       float64 // GB pair prefactor −k_GB(1/ε_in−1/ε_out) q_i q_j (kJ nm/mol); all pairs
	kind     pairKind
	sig, eps float64 // combined σ_ij (nm) and ε_ij (kJ/mol) after 1-4 scaling, for tests
}

type pairKind uint8

const (
	pairNormal pairKind = iota
	pairExcluded
	pair14
)

// ForceField is the ff96 (+OBC1) energy of one molecule built from a prmtop. It is
// immutable after construction and safe for concurrent use; each evaluation draws its
// scratch space from a pool owned by the ForceField.
type ForceField struct {
	solvent Solvent
	n       int

	names, types []string
	mass, charge []float64 // amu, e
	sigma, eps   []float64 // per-atom LJ σ (nm) and ε (kJ/mol), OpenMM's per-atom parameters

	bonds    []bondTerm
	angles   []angleTerm
	torsions []torsionGroup
	nTorsion int // prmtop dihedral entries (= OpenMM torsion terms)
	pairs    []pairTerm
	n14      int
	nExcl    int

	// OBC1 per-atom parameters.
	rho     []float64 // Born radius ρ_i (nm)
	or      []float64 // ρ_i − offset
	sr      []float64 // screen_i·or_i
	gbSelf  []float64 // −½k_GB(1/ε_in−1/ε_out)q_i² (kJ nm/mol)
	saCoeff []float64 // ACE: c(ρ+probe)²ρ⁶ (kJ/mol nm⁶), E_SA,i = saCoeff/B⁶

	pool sync.Pool // *scratch
}

// NewDefault parses the embedded ff96/mbondi2 alanine-dipeptide prmtop and builds its force
// field for the given solvent.
func NewDefault(s Solvent) (*ForceField, error) {
	top, err := ParsePrmtop(strings.NewReader(prmtopData))
	if err != nil {
		return nil, err
	}
	return NewForceField(top, s)
}

// MustDefault is NewDefault that panics on error (the embedded file is tested to parse).
func MustDefault(s Solvent) *ForceField {
	ff, err := NewDefault(s)
	if err != nil {
		panic(err)
	}
	return ff
}

// NewForceField converts the prmtop parameters to OpenMM units exactly as OpenMM 7.7's
// AmberPrmtopFile.createSystem(nonbondedCutoff=NoCutoff, constraints=None,
// implicitSolvent=OBC1 or None) does. Errors name the %FLAG and the problem.
func NewForceField(top *Prmtop, s Solvent) (*ForceField, error) {
	if s != Implicit && s != Vacuum {
		return nil, fmt.Errorf("aldp: unknown solvent %v", s)
	}
	ptr, err := top.Ints("POINTERS")
	if err != nil {
		return nil, err
	}
	if len(ptr) < 18 {
		return nil, fmt.Errorf("prmtop: %%FLAG POINTERS: %d values, want at least 18", len(ptr))
	}
	n, ntypes := ptr[0], ptr[1]
	nbonh, mbona, ntheth, mtheta, nphih, mphia := ptr[2], ptr[3], ptr[4], ptr[5], ptr[6], ptr[7]
	nnb, numbnd, numang, nptra := ptr[10], ptr[15], ptr[16], ptr[17]
	if n <= 0 || ntypes <= 0 {
		return nil, fmt.Errorf("prmtop: %%FLAG POINTERS: NATOM=%d NTYPES=%d, want both > 0", n, ntypes)
	}
	if len(ptr) > 27 && ptr[27] != 0 {
		return nil, fmt.Errorf("prmtop: %%FLAG POINTERS: IFBOX=%d, only non-periodic systems are supported", ptr[27])
	}
	ff := &ForceField{solvent: s, n: n}
	ff.pool.New = func() any { return newScratch(ff.n, len(ff.pairs)) }

	if ff.names, err = top.stringsN("ATOM_NAME", n, "NATOM"); err != nil {
		return nil, err
	}
	if top.Has("AMBER_ATOM_TYPE") {
		if ff.types, err = top.stringsN("AMBER_ATOM_TYPE", n, "NATOM"); err != nil {
			return nil, err
		}
	}
	if ff.mass, err = top.floatsN("MASS", n, "NATOM"); err != nil {
		return nil, err
	}
	rawq, err := top.floatsN("CHARGE", n, "NATOM")
	if err != nil {
		return nil, err
	}
	ff.charge = make([]float64, n)
	for i, q := range rawq {
		ff.charge[i] = q / AmberChargeScale
	}

	// Bonds: prmtop E = K(r−r0)² in kcal/mol/Å², Å.
	bk, err := top.floatsN("BOND_FORCE_CONSTANT", numbnd, "NUMBND")
	if err != nil {
		return nil, err
	}
	br, err := top.floatsN("BOND_EQUIL_VALUE", numbnd, "NUMBND")
	if err != nil {
		return nil, err
	}
	for _, sec := range []struct {
		flag  string
		count int
		what  string
	}{{"BONDS_INC_HYDROGEN", nbonh, "3·NBONH"}, {"BONDS_WITHOUT_HYDROGEN", mbona, "3·MBONA"}} {
		l, err := top.intsN(sec.flag, 3*sec.count, sec.what)
		if err != nil {
			return nil, err
		}
		for k := 0; k < len(l); k += 3 {
			i, e1 := atomIndex(l[k], n, sec.flag, k)
			j, e2 := atomIndex(l[k+1], n, sec.flag, k+1)
			t, e3 := typeIndex(l[k+2], numbnd, sec.flag, k+2)
			if err := firstErr(e1, e2, e3); err != nil {
				return nil, err
			}
			ff.bonds = append(ff.bonds, bondTerm{i: i, j: j, k: 2 * bk[t] * KCal * 100, r0: br[t] / 10})
		}
	}

	// Angles: E = K(θ−θ0)² in kcal/mol/rad², rad.
	ak, err := top.floatsN("ANGLE_FORCE_CONSTANT", numang, "NUMANG")
	if err != nil {
		return nil, err
	}
	at, err := top.floatsN("ANGLE_EQUIL_VALUE", numang, "NUMANG")
	if err != nil {
		return nil, err
	}
	for _, sec := range []struct {
		flag  string
		count int
		what  string
	}{{"ANGLES_INC_HYDROGEN", ntheth, "4·NTHETH"}, {"ANGLES_WITHOUT_HYDROGEN", mtheta, "4·MTHETA"}} {
		l, err := top.intsN(sec.flag, 4*sec.count, sec.what)
		if err != nil {
			return nil, err
		}
		for k := 0; k < len(l); k += 4 {
			i, e1 := atomIndex(l[k], n, sec.flag, k)
			j, e2 := atomIndex(l[k+1], n, sec.flag, k+1)
			m, e3 := atomIndex(l[k+2], n, sec.flag, k+2)
			t, e4 := typeIndex(l[k+3], numang, sec.flag, k+3)
			if err := firstErr(e1, e2, e3, e4); err != nil {
				return nil, err
			}
			ff.angles = append(ff.angles, angleTerm{i: i, j: j, l: m, k: 2 * ak[t] * KCal, t0: at[t]})
		}
	}

	// Torsions: E = K(1+cos(nφ−phase)), K in kcal/mol. Negative 3rd index: no 1-4 pair for
	// this entry; negative 4th: improper. Both are computed alike after abs().
	dk, err := top.floatsN("DIHEDRAL_FORCE_CONSTANT", nptra, "NPTRA")
	if err != nil {
		return nil, err
	}
	dn, err := top.floatsN("DIHEDRAL_PERIODICITY", nptra, "NPTRA")
	if err != nil {
		return nil, err
	}
	dp, err := top.floatsN("DIHEDRAL_PHASE", nptra, "NPTRA")
	if err != nil {
		return nil, err
	}
	groupOf := map[[4]int]int{}
	var pairs14 [][2]int
	for _, sec := range []struct {
		flag  string
		count int
		what  string
	}{{"DIHEDRALS_INC_HYDROGEN", nphih, "5·NPHIH"}, {"DIHEDRALS_WITHOUT_HYDROGEN", mphia, "5·MPHIA"}} {
		l, err := top.intsN(sec.flag, 5*sec.count, sec.what)
		if err != nil {
			return nil, err
		}
		for k := 0; k < len(l); k += 5 {
			a, e1 := atomIndex(l[k], n, sec.flag, k)
			b, e2 := atomIndex(l[k+1], n, sec.flag, k+1)
			c, e3 := atomIndex(abs(l[k+2]), n, sec.flag, k+2)
			d, e4 := atomIndex(abs(l[k+3]), n, sec.flag, k+3)
			t, e5 := typeIndex(l[k+4], nptra, sec.flag, k+4)
			if err := firstErr(e1, e2, e3, e4, e5); err != nil {
				return nil, err
			}
			per := int(math.Round(math.Abs(dn[t])))
			if per == 0 {
				return nil, fmt.Errorf("prmtop: %%FLAG DIHEDRAL_PERIODICITY: entry %d is %g, want a non-zero integer", t+1, dn[t])
			}
			key := [4]int{a, b, c, d}
			g, ok := groupOf[key]
			if !ok {
				g = len(ff.torsions)
				groupOf[key] = g
				ff.torsions = append(ff.torsions, torsionGroup{a: a, b: b, c: c, d: d})
			}
			ff.torsions[g].terms = append(ff.torsions[g].terms, torsionTerm{
				v: dk[t] * KCal, n: per, phase: dp[t], cosPhase: math.Cos(dp[t]), sinPhase: math.Sin(dp[t]),
			})
			ff.nTorsion++
			if l[k+2] > 0 && l[k+3] > 0 {
				pairs14 = append(pairs14, [2]int{min(a, d), max(a, d)})
			}
		}
	}

	// Lennard-Jones: per-atom σ, ε from the diagonal A/B coefficients of each atom's type.
	tidx, err := top.intsN("ATOM_TYPE_INDEX", n, "NATOM")
	if err != nil {
		return nil, err
	}
	nbi, err := top.intsN("NONBONDED_PARM_INDEX", ntypes*ntypes, "NTYPES²")
	if err != nil {
		return nil, err
	}
	acoef, err := top.Floats("LENNARD_JONES_ACOEF")
	if err != nil {
		return nil, err
	}
	bcoef, err := top.floatsN("LENNARD_JONES_BCOEF", len(acoef), "as many as LENNARD_JONES_ACOEF")
	if err != nil {
		return nil, err
	}
	ff.sigma, ff.eps = make([]float64, n), make([]float64, n)
	for i, t := range tidx {
		if t < 1 || t > ntypes {
			return nil, fmt.Errorf("prmtop: %%FLAG ATOM_TYPE_INDEX: atom %d has type %d, want 1..NTYPES=%d", i+1, t, ntypes)
		}
		k := nbi[ntypes*(t-1)+(t-1)]
		if k < 1 || k > len(acoef) {
			return nil, fmt.Errorf("prmtop: %%FLAG NONBONDED_PARM_INDEX: diagonal entry of type %d is %d, want 1..%d (10-12 H-bond terms are not supported)", t, k, len(acoef))
		}
		A, B := acoef[k-1], bcoef[k-1]
		rmin, eps := 1.0, 0.0 // Å, kcal/mol
		if A != 0 && B != 0 {
			rmin, eps = math.Pow(2*A/B, 1.0/6), B*B/(4*A)
		}
		ff.sigma[i] = (rmin / 2) / 10 * math.Pow(2, -1.0/6) * 2
		ff.eps[i] = eps * KCal
	}

	// Exclusions: EXCLUDED_ATOMS_LIST (1-based; a lone 0 means none) plus the 1-4 pairs.
	nex, err := top.intsN("NUMBER_EXCLUDED_ATOMS", n, "NATOM")
	if err != nil {
		return nil, err
	}
	exl, err := top.intsN("EXCLUDED_ATOMS_LIST", nnb, "NNB")
	if err != nil {
		return nil, err
	}
	kind := make(map[[2]int]pairKind)
	for _, p := range pairs14 {
		kind[p] = pair14
	}
	off := 0
	for i, cnt := range nex {
		if cnt < 0 || off+cnt > len(exl) {
			return nil, fmt.Errorf("prmtop: %%FLAG NUMBER_EXCLUDED_ATOMS: atom %d lists %d exclusions, only %d left in EXCLUDED_ATOMS_LIST", i+1, cnt, len(exl)-off)
		}
		for _, j := range exl[off : off+cnt] {
			if j == 0 {
				continue
			}
			if j < 1 || j > n || j-1 == i {
				return nil, fmt.Errorf("prmtop: %%FLAG EXCLUDED_ATOMS_LIST: atom %d excludes %d, want another atom in 1..%d", i+1, j, n)
			}
			key := [2]int{min(i, j-1), max(i, j-1)}
			if kind[key] != pair14 {
				kind[key] = pairExcluded
			}
		}
		off += cnt
	}

	// GB parameters (mbondi2 radii and screening factors from the prmtop).
	radii, err := top.floatsN("RADII", n, "NATOM")
	if err != nil && s == Implicit {
		return nil, err
	}
	screen, err := top.floatsN("SCREEN", n, "NATOM")
	if err != nil && s == Implicit {
		return nil, err
	}
	gbPref := -GBCoulombConstant * (1/SoluteDielectric - 1/SolventDielectric)
	if s == Implicit {
		ff.rho, ff.or, ff.sr = make([]float64, n), make([]float64, n), make([]float64, n)
		ff.gbSelf, ff.saCoeff = make([]float64, n), make([]float64, n)
		for i := range n {
			if radii[i] <= 10*OBCOffset {
				return nil, fmt.Errorf("prmtop: %%FLAG RADII: atom %d has radius %g Å, want > %g Å (the OBC offset)", i+1, radii[i], 10*OBCOffset)
			}
			ff.rho[i] = radii[i] / 10
			ff.or[i] = ff.rho[i] - OBCOffset
			ff.sr[i] = screen[i] * ff.or[i]
			ff.gbSelf[i] = 0.5 * gbPref * ff.charge[i] * ff.charge[i]
			rp := ff.rho[i] + ACEProbeRadius
			ff.saCoeff[i] = ACESurfaceTension * rp * rp * math.Pow(ff.rho[i], 6)
		}
	}

	// All pairs i<j.
	for i := range n {
		for j := i + 1; j < n; j++ {
			p := pairTerm{i: i, j: j, kind: kind[[2]int{i, j}]}
			qq := ff.charge[i] * ff.charge[j]
			p.gb = gbPref * qq
			p.sig = 0.5 * (ff.sigma[i] + ff.sigma[j])
			p.eps = math.Sqrt(ff.eps[i] * ff.eps[j])
			switch p.kind {
			case pairNormal:
				p.qq = CoulombConstant * qq
			case pair14:
				p.qq = CoulombConstant * qq / SCEE
				p.eps /= SCNB
				ff.n14++
			case pairExcluded:
				p.sig, p.eps = 0, 0
				ff.nExcl++
			}
			s6 := math.Pow(p.sig, 6)
			p.c6 = 4 * p.eps * s6
			p.c12 = 4 * p.eps * s6 * s6
			ff.pairs = append(ff.pairs, p)
		}
	}
	// Sort each group's terms by periodicity for the cos(kφ) recurrence in evalTorsions.
	for g := range ff.torsions {
		slices.SortStableFunc(ff.torsions[g].terms, func(a, b torsionTerm) int { return a.n - b.n })
	}
	return ff, nil
}

func atomIndex(v, n int, flag string, pos int) (int, error) {
	if v < 0 || v%3 != 0 || v/3 >= n {
		return 0, fmt.Errorf("prmtop: %%FLAG %s: value %d = %d is not 3·(atom index) with atom index in 0..%d", flag, pos+1, v, n-1)
	}
	return v / 3, nil
}

func typeIndex(v, count int, flag string, pos int) (int, error) {
	if v < 1 || v > count {
		return 0, fmt.Errorf("prmtop: %%FLAG %s: value %d = %d is not a parameter index in 1..%d", flag, pos+1, v, count)
	}
	return v - 1, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Solvent reports the environment the force field was built for.
func (ff *ForceField) Solvent() Solvent { return ff.solvent }

// NumAtoms is the number of atoms N; coordinate slices have length 3N.
func (ff *ForceField) NumAtoms() int { return ff.n }

// Dim is 3N, the length of one coordinate vector.
func (ff *ForceField) Dim() int { return 3 * ff.n }

// AtomNames returns the prmtop atom names (length N, prmtop order).
func (ff *ForceField) AtomNames() []string { return append([]string(nil), ff.names...) }

// AtomTypes returns the AMBER atom types (length N), or nil if the prmtop has none.
func (ff *ForceField) AtomTypes() []string { return append([]string(nil), ff.types...) }

// Masses returns the atomic masses in amu (g/mol), length N.
func (ff *ForceField) Masses() []float64 { return append([]float64(nil), ff.mass...) }

// Charges returns the partial charges in e, length N.
func (ff *ForceField) Charges() []float64 { return append([]float64(nil), ff.charge...) }

// Counts returns the numbers of bonds, angles, torsion terms, 1-4 pairs and fully excluded
// pairs (for ACE-ALA-NME: 21, 36, 52, 41, 57).
func (ff *ForceField) Counts() (bonds, angles, torsions, pairs14, excluded int) {
	return len(ff.bonds), len(ff.angles), ff.nTorsion, ff.n14, ff.nExcl
}
