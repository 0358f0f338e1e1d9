package aldp

import (
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParsePrmtop(t *testing.T) {
	top, err := ParsePrmtop(strings.NewReader(prmtopData))
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Flags()) != 37 || !top.Has("SCREEN") || top.Has("SCEE_SCALE_FACTOR") {
		t.Fatalf("flags %v", top.Flags())
	}
	names, _ := top.Strings("ATOM_NAME")
	want := "HH31 CH3 HH32 HH33 C O N H CA HA CB HB1 HB2 HB3 C O N H CH3 HH31 HH32 HH33"
	if strings.Join(names, " ") != want {
		t.Fatalf("ATOM_NAME %v", names)
	}
	rs, _ := top.Strings("RADIUS_SET")
	if len(rs) != 1 || !strings.Contains(rs[0], "mbondi2") {
		t.Fatalf("RADIUS_SET %q", rs)
	}
	if _, err := top.Ints("CHARGE"); err == nil || !strings.Contains(err.Error(), "CHARGE") {
		t.Fatalf("CHARGE as integers: %v", err)
	}
	if h, _ := top.Floats("HBOND_ACOEF"); len(h) != 0 {
		t.Fatalf("empty section HBOND_ACOEF has %d values", len(h))
	}
	// The embedded crd is fixture 0 (written there in nm).
	x := InitialPositions()
	xs, _ := readCoords(t)
	for i := range xs[0] {
		if math.Abs(x[i]-xs[0][i]) > 1e-15 {
			t.Fatalf("crd coordinate %d: %v, fixture 0 has %v", i, x[i], xs[0][i])
		}
	}
}

// TestPrmtopErrors checks that malformed input fails with an error naming the section.
func TestPrmtopErrors(t *testing.T) {
	orig := prmtopData
	replace := func(old, new string) string {
		if !strings.Contains(orig, old) {
			t.Fatalf("test setup: %q not in prmtop", old)
		}
		return strings.Replace(orig, old, new, 1)
	}
	cases := []struct {
		name, text, want string
	}{
		{"bad format", replace("%FLAG CHARGE                                                                    \n%FORMAT(5E16.8)", "%FLAG CHARGE\n%FORMAT(5Q16.8)"), "CHARGE"},
		{"bad integer", replace("      22       7      12", "      2x       7      12"), "POINTERS"},
		{"bad real", replace("  2.04636429E+00", "  2.0463642xE+00"), "CHARGE"},
		{"missing section", replace("%FLAG SCREEN", "%FLAG SCREAM"), "SCREEN"},
		{"short section", replace("  1.00800000E+00  1.20100000E+01  1.00800000E+00  1.00800000E+00  1.20100000E+01\n", ""), "MASS"},
		{"duplicate flag", replace("%FLAG SCREEN", "%FLAG RADII"), "RADII"},
		{"no format", replace("%FORMAT(20a4)                                                                   \nHH31", "HH31"), "ATOM_NAME"},
		{"bad atom index", replace("      15      12      18      21       1", "      16      12      18      21       1"), "DIHEDRALS_INC_HYDROGEN"},
		{"bad parameter index", replace("      15      12      18      21       1", "      15      12      18      21      99"), "DIHEDRALS_INC_HYDROGEN"},
	}
	for _, c := range cases {
		top, err := ParsePrmtop(strings.NewReader(c.text))
		if err == nil {
			_, err = NewForceField(top, Implicit)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.want)
			continue
		}
		t.Logf("%-20s %v", c.name, err)
	}
	if _, err := ParsePrmtop(strings.NewReader("")); err == nil {
		t.Error("empty input: no error")
	}
}

// OpenMM System XML (testdata/system_ff96_*.xml, serialized from the same prmtop).
type xmlSystem struct {
	Particles []struct {
		Mass float64 `xml:"mass,attr"`
	} `xml:"Particles>Particle"`
	Forces []struct {
		Type   string         `xml:"type,attr"`
		Bonds  []xmlBondAttrs `xml:"Bonds>Bond"`
		Angles []struct {
			A  float64 `xml:"a,attr"`
			K  float64 `xml:"k,attr"`
			P1 int     `xml:"p1,attr"`
			P2 int     `xml:"p2,attr"`
			P3 int     `xml:"p3,attr"`
		} `xml:"Angles>Angle"`
		Torsions []struct {
			K     float64 `xml:"k,attr"`
			P1    int     `xml:"p1,attr"`
			P2    int     `xml:"p2,attr"`
			P3    int     `xml:"p3,attr"`
			P4    int     `xml:"p4,attr"`
			Per   int     `xml:"periodicity,attr"`
			Phase float64 `xml:"phase,attr"`
		} `xml:"Torsions>Torsion"`
		Particles []struct {
			Eps    float64 `xml:"eps,attr"`
			Q      float64 `xml:"q,attr"`
			Sig    float64 `xml:"sig,attr"`
			Param1 float64 `xml:"param1,attr"`
			Param2 float64 `xml:"param2,attr"`
			Param3 float64 `xml:"param3,attr"`
		} `xml:"Particles>Particle"`
		Exceptions []struct {
			Eps float64 `xml:"eps,attr"`
			Q   float64 `xml:"q,attr"`
			Sig float64 `xml:"sig,attr"`
			P1  int     `xml:"p1,attr"`
			P2  int     `xml:"p2,attr"`
		} `xml:"Exceptions>Exception"`
	} `xml:"Forces>Force"`
}

type xmlBondAttrs struct {
	D  float64 `xml:"d,attr"`
	K  float64 `xml:"k,attr"`
	P1 int     `xml:"p1,attr"`
	P2 int     `xml:"p2,attr"`
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(b), 1e-300) }

// TestParametersMatchOpenMMXML compares every parameter the prmtop gives with OpenMM's own
// conversion of it (the serialized System).
func TestParametersMatchOpenMMXML(t *testing.T) {
	for _, env := range []struct {
		s    Solvent
		file string
	}{{Implicit, "system_ff96_obc1.xml"}, {Vacuum, "system_ff96_vacuum.xml"}} {
		raw, err := os.ReadFile("testdata/" + env.file)
		if err != nil {
			t.Fatal(err)
		}
		var sys xmlSystem
		if err := xml.Unmarshal(raw, &sys); err != nil {
			t.Fatal(err)
		}
		ff := MustDefault(env.s)
		const tol = 1e-12
		for i, p := range sys.Particles {
			if p.Mass != ff.mass[i] {
				t.Errorf("mass %d: %v vs %v", i, p.Mass, ff.mass[i])
			}
		}
		var sawGB bool
		for _, f := range sys.Forces {
			switch f.Type {
			case "HarmonicBondForce":
				var got, want []string
				for _, b := range ff.bonds {
					got = append(got, fmt.Sprintf("%d-%d %.12g %.12g", min(b.i, b.j), max(b.i, b.j), b.k, b.r0))
				}
				for _, b := range f.Bonds {
					want = append(want, fmt.Sprintf("%d-%d %.12g %.12g", min(b.P1, b.P2), max(b.P1, b.P2), b.K, b.D))
				}
				compareSets(t, "bonds", got, want)
			case "HarmonicAngleForce":
				var got, want []string
				for _, a := range ff.angles {
					got = append(got, fmt.Sprintf("%d-%d-%d %.12g %.12g", a.i, a.j, a.l, a.k, a.t0))
				}
				for _, a := range f.Angles {
					want = append(want, fmt.Sprintf("%d-%d-%d %.12g %.12g", a.P1, a.P2, a.P3, a.K, a.A))
				}
				compareSets(t, "angles", got, want)
			case "PeriodicTorsionForce":
				var got, want []string
				for _, g := range ff.torsions {
					for _, term := range g.terms {
						got = append(got, fmt.Sprintf("%d-%d-%d-%d %.12g %d %.12g", g.a, g.b, g.c, g.d, term.v, term.n, term.phase))
					}
				}
				for _, a := range f.Torsions {
					want = append(want, fmt.Sprintf("%d-%d-%d-%d %.12g %d %.12g", a.P1, a.P2, a.P3, a.P4, a.K, a.Per, a.Phase))
				}
				compareSets(t, "torsions", got, want)
			case "NonbondedForce":
				for i, p := range f.Particles {
					if !near(ff.charge[i], p.Q, tol) || !near(ff.sigma[i], p.Sig, tol) || !near(ff.eps[i], p.Eps, tol) {
						t.Errorf("atom %d: q σ ε = %v %v %v, OpenMM %v %v %v", i, ff.charge[i], ff.sigma[i], ff.eps[i], p.Q, p.Sig, p.Eps)
					}
				}
				if len(f.Exceptions) != 98 {
					t.Errorf("%d exceptions, want 98", len(f.Exceptions))
				}
				for _, e := range f.Exceptions {
					i, j := min(e.P1, e.P2), max(e.P1, e.P2)
					p := ff.pairs[slices.IndexFunc(ff.pairs, func(p pairTerm) bool { return p.i == i && p.j == j })]
					switch {
					case e.Q == 0 && e.Eps == 0:
						if p.kind != pairExcluded {
							t.Errorf("pair %d-%d: excluded in OpenMM, kind %d here", i, j, p.kind)
						}
					default:
						// OpenMM combines the 1-4 ε along a different rounding path: 1e-8.
						if p.kind != pair14 || !near(p.qq/CoulombConstant, e.Q, tol) || !near(p.sig, e.Sig, tol) || !near(p.eps, e.Eps, 1e-8) {
							t.Errorf("1-4 pair %d-%d: qq σ ε = %v %v %v, OpenMM %v %v %v", i, j, p.qq/CoulombConstant, p.sig, p.eps, e.Q, e.Sig, e.Eps)
						}
					}
				}
			case "CustomGBForce":
				sawGB = true
				for i, p := range f.Particles {
					if !near(ff.charge[i], p.Param1, tol) || !near(ff.or[i], p.Param2, tol) || !near(ff.sr[i], p.Param3, tol) {
						t.Errorf("GB atom %d: q or sr = %v %v %v, OpenMM %v %v %v", i, ff.charge[i], ff.or[i], ff.sr[i], p.Param1, p.Param2, p.Param3)
					}
				}
			}
		}
		if sawGB != (env.s == Implicit) {
			t.Errorf("%s: CustomGBForce present = %v", env.file, sawGB)
		}
	}
}

func compareSets(t *testing.T, what string, got, want []string) {
	t.Helper()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s differ:\n got %v\nwant %v", what, got, want)
	}
}
