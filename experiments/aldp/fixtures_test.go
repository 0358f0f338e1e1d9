package aldp

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// oracleSample is one OpenMM reference record from testdata/oracle_*.txt.
type oracleSample struct {
	energy, reduced float64
	comp            map[string]float64
	forces          []float64 // kJ/mol/nm, 3N
}

// readCoords reads testdata/coords.txt: 22 lines of x y z (nm) per sample, '#' comments.
func readCoords(t testing.TB) (samples [][]float64, labels []string) {
	t.Helper()
	fh, err := os.Open("testdata/coords.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	var cur []float64
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "# sample "); ok {
			labels = append(labels, c)
			continue
		}
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		for _, tok := range strings.Fields(line) {
			v, err := strconv.ParseFloat(tok, 64)
			if err != nil {
				t.Fatalf("coords.txt: %v", err)
			}
			cur = append(cur, v)
			if len(cur) == 66 {
				samples = append(samples, cur)
				cur = nil
			}
		}
	}
	if len(cur) != 0 || len(samples) != len(labels) {
		t.Fatalf("coords.txt: %d samples, %d labels, %d stray values", len(samples), len(labels), len(cur))
	}
	return samples, labels
}

func readOracle(t testing.TB, name string) []oracleSample {
	t.Helper()
	fh, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	var out []oracleSample
	var cur *oracleSample
	inForces := false
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "energy":
			out = append(out, oracleSample{energy: num(f[1]), comp: map[string]float64{}})
			cur = &out[len(out)-1]
			inForces = false
		case "reduced":
			cur.reduced = num(f[1])
		case "component":
			cur.comp[f[1]] = num(f[2])
		case "forces":
			inForces = true
		default:
			if !inForces || len(f) != 3 {
				t.Fatalf("%s: unexpected line %q", name, sc.Text())
			}
			for _, s := range f {
				cur.forces = append(cur.forces, num(s))
			}
		}
	}
	for k, s := range out {
		if len(s.forces) != 66 {
			t.Fatalf("%s: sample %d has %d force values", name, k, len(s.forces))
		}
	}
	return out
}

// relErr is |a−b| / max(|b|, 1): relative for large values, absolute (kJ/mol) below 1.
func relErr(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1) }

// forceErr is the worst per-atom |ΔF| / max(|F_ref|, 1) over the atoms, and the worst
// |ΔF| / max_atoms |F_ref| (error relative to the largest force of the geometry).
func forceErr(got, want []float64) (perAtom, global float64) {
	var fmax, dmax float64
	for a := 0; a < len(want); a += 3 {
		d := math.Sqrt(sq(got[a]-want[a]) + sq(got[a+1]-want[a+1]) + sq(got[a+2]-want[a+2]))
		w := math.Sqrt(sq(want[a]) + sq(want[a+1]) + sq(want[a+2]))
		perAtom = math.Max(perAtom, d/math.Max(w, 1))
		fmax, dmax = math.Max(fmax, w), math.Max(dmax, d)
	}
	return perAtom, dmax / math.Max(fmax, 1)
}

func sq(v float64) float64 { return v * v }

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func norm(a [3]float64) float64 { return math.Sqrt(a[0]*a[0] + a[1]*a[1] + a[2]*a[2]) }
