package targets

import (
	"math"
	"strings"
	"testing"

	"github.com/naas-go/naas/experiments/jaxrand"
)

func TestRegistry(t *testing.T) {
	names := Names()
	want := []string{"funnel10", "gmm40", "manywell5", "mos50"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("Names() = %v, want %v", names, want)
	}
	dims := map[string]int{"funnel10": 10, "gmm40": 50, "manywell5": 5, "mos50": 50}
	modes := map[string]int{"gmm40": 40, "manywell5": 32, "mos50": 10}
	for _, n := range names {
		tg, err := New(n)
		if err != nil {
			t.Fatalf("New(%q): %v", n, err)
		}
		if tg.Name() != n || tg.Dim() != dims[n] {
			t.Errorf("New(%q): Name %q, Dim %d; want %q, %d", n, tg.Name(), tg.Dim(), n, dims[n])
		}
		if _, ok := tg.LogZ(); !ok {
			t.Errorf("%s: log Z unknown", n)
		}
		if m, ok := tg.(Moded); ok {
			if m.NModes() != modes[n] {
				t.Errorf("%s: NModes %d, want %d", n, m.NModes(), modes[n])
			}
		} else if modes[n] != 0 {
			t.Errorf("%s is not Moded", n)
		}
		if _, ok := tg.(EnergyGrader); !ok {
			t.Errorf("%s has no EnergyGrad", n)
		}
	}
	_, err := New("mos5")
	if err == nil || err.Error() != `unknown target "mos5"; known: funnel10, gmm40, manywell5, mos50` {
		t.Errorf("New(\"mos5\") error = %v", err)
	}
}

func TestConstructorErrors(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{second(NewGaussMixture("x", []float64{1, 2, 3}, 2, 1)), "len(means) = 3"},
		{second(NewGaussMixture("x", []float64{1, 2}, 2, -1)), "std = -1"},
		{second(NewGaussMixture("x", []float64{1, math.NaN()}, 2, 1)), "means[1] = NaN"},
		{second(NewStudentTMixture("x", []float64{1, 2}, 2, 0)), "df = 0"},
		{second(NewStudentTMixture("x", []float64{1, 2}, 0, 2)), "d = 0"},
		{second(NewFunnel(1, 30)), "d = 1"},
		{second(NewFunnel(10, -1)), "clip = -1"},
		{second(NewManyWell(31)), "d = 31"},
		{second(NewGauss("x", []float64{1}, []float64{1, 2})), "len(mean) = 1, len(variance) = 2"},
		{second(NewGauss("x", []float64{1, 2}, []float64{1, 0})), "variance[1] = 0"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want it to mention %q", c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestBenchmarkParameters: the means and locations are the float32 JAX uniforms (unfused),
// in range, and the accessors return copies. The first values are logged for comparison
// with a JAX run (no published copy of these arrays was found).
func TestBenchmarkParameters(t *testing.T) {
	g := mustGMM40(t)
	mu := g.Means()
	u := jaxrand.Uniform32(jaxrand.PRNGKey(0), 2000, -1, 1)
	if len(mu) != 2000 {
		t.Fatalf("len(Means()) = %d", len(mu))
	}
	for i, v := range mu {
		if v != float64(u[i]*40) || v < -40 || v >= 40 {
			t.Fatalf("mean %d = %v, want float32(%v·40) in [-40, 40)", i, v, u[i])
		}
	}
	mu[0] = 1e9
	if g.Means()[0] == 1e9 {
		t.Error("Means() returned internal storage")
	}
	m := mustMoS50(t)
	loc := m.Locations()
	if len(loc) != 500 {
		t.Fatalf("len(Locations()) = %d", len(loc))
	}
	sum := 0.0
	for i, v := range loc {
		if v < -10 || v >= 10 {
			t.Fatalf("location %d = %v outside [-10, 10)", i, v)
		}
		sum += v
	}
	// U(−10, 10) mean 0, SD 10/√3: the 500 values average within 4 SE of 0.
	if se := 10 / math.Sqrt(3*500); math.Abs(sum/500) > 4*se {
		t.Errorf("mean location %.3f, want 0 ± %.3f", sum/500, 4*se)
	}
	mu = g.Means()
	t.Logf("gmm40 μ[0][0:3] = %.9g %.9g %.9g; mos50 ℓ[0][0:3] = %.9g %.9g %.9g",
		mu[0], mu[1], mu[2], loc[0], loc[1], loc[2])
}

// TestModesAssignment: exact samples are assigned by Modes to the component they were drawn
// from: ≥ 99.9% for both gmm40 and the heavy-tailed mos50 (observed: all 5000 of each).
func TestModesAssignment(t *testing.T) {
	g := mustGMM40(t)
	m := mustMoS50(t)
	for _, c := range []struct {
		name   string
		sample func() ([]float64, []int)
		modes  func([]float64, []int)
		min    float64
	}{
		{"gmm40", func() ([]float64, []int) { return g.SampleLabeled(newRNG(41), 5000) }, g.Modes, 0.999},
		{"mos50", func() ([]float64, []int) { return m.SampleLabeled(newRNG(42), 5000) }, m.Modes, 0.999},
	} {
		x, want := c.sample()
		got := make([]int, len(want))
		c.modes(x, got)
		ok := 0
		for i := range got {
			if got[i] == want[i] {
				ok++
			}
		}
		frac := float64(ok) / float64(len(got))
		if frac < c.min {
			t.Errorf("%s: %.4f of exact samples assigned to their component, want ≥ %.3f", c.name, frac, c.min)
		}
		t.Logf("%s: %.4f of exact samples assigned to their component", c.name, frac)
	}
	// Many-well sign patterns.
	w, _ := NewManyWell(5)
	labels := make([]int, 2)
	w.Modes([]float64{1, -1, 1, -1, 1, -2, -2, -2, -2, 2}, labels)
	if labels[0] != 0b10101 || labels[1] != 0b10000 {
		t.Errorf("manywell labels %v, want [21 16]", labels)
	}
}

func TestPanicsOnBadLengths(t *testing.T) {
	w, _ := NewManyWell(5)
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "len(x) = 7") {
			t.Errorf("recover() = %v", r)
		}
	}()
	w.Energy(make([]float64, 7), make([]float64, 1))
}

// TestModeCentres: each target's centre of mode l is labelled l by Modes, and the many-well's
// centres are its minima (E = 0 and ∇E = 0 there).
func TestModeCentres(t *testing.T) {
	for _, name := range []string{"gmm40", "mos50", "manywell5"} {
		tg, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		md, c := tg.(Moded), tg.(Centred)
		k, d := md.NModes(), tg.Dim()
		x := c.ModeCentres()
		if len(x) != k*d {
			t.Fatalf("%s: %d centre values, want K·d = %d", name, len(x), k*d)
		}
		lab := make([]int, k)
		md.Modes(x, lab)
		for l, got := range lab {
			if got != l {
				t.Errorf("%s: centre %d labelled %d", name, l, got)
			}
		}
		if name == "manywell5" {
			g := make([]float64, k*d)
			e := make([]float64, k)
			tg.(EnergyGrader).EnergyGrad(x, e, g)
			for i := range e {
				if e[i] != 0 {
					t.Errorf("manywell5: E(centre %d) = %g, want 0", i, e[i])
				}
			}
			for i := range g {
				if g[i] != 0 {
					t.Errorf("manywell5: ∇E component %d at a centre = %g, want 0", i, g[i])
				}
			}
		}
	}
}
