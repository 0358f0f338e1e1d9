package plots

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// mixture draws n points of a d-dimensional mixture of isotropic Gaussians
// (standard deviation sd) with the given centres, choosing mode k with
// probability w[k]. It returns the points and their mode labels.
func mixture(rng *rand.Rand, n, d int, centres [][]float64, w []float64, sd float64) ([]float64, []int) {
	x := make([]float64, n*d)
	lab := make([]int, n)
	for i := range n {
		u := rng.Float64()
		k := 0
		for acc := w[0]; u > acc && k < len(w)-1; {
			k++
			acc += w[k]
		}
		lab[i] = k
		for j := range d {
			x[i*d+j] = centres[k][j] + sd*rng.NormFloat64()
		}
	}
	return x, lab
}

func uniformCentres(rng *rand.Rand, k, d int, half float64) [][]float64 {
	c := make([][]float64, k)
	for i := range c {
		c[i] = make([]float64, d)
		for j := range c[i] {
			c[i][j] = (2*rng.Float64() - 1) * half
		}
	}
	return c
}

func weightsOf(lab []int, k int) []float64 {
	w := make([]float64, k)
	for _, l := range lab {
		w[l] += 1 / float64(len(lab))
	}
	return w
}

func funnel(rng *rand.Rand, n, d int, scale float64) []float64 {
	x := make([]float64, n*d)
	for i := range n {
		v := scale * rng.NormFloat64()
		x[i*d] = v
		for j := 1; j < d; j++ {
			x[i*d+j] = math.Exp(v/2) * rng.NormFloat64()
		}
	}
	return x
}

// TestWriteExamples writes realistic example figures into the folder named by
// PLOTS_EXAMPLES_DIR, for looking at them; it is skipped when that is unset.
func TestWriteExamples(t *testing.T) {
	dir := os.Getenv("PLOTS_EXAMPLES_DIR")
	if dir == "" {
		t.Skip("PLOTS_EXAMPLES_DIR not set")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const d, k = 50, 10
	centres := uniformCentres(rng, k, d, 10)
	w := make([]float64, k)
	for i := range w {
		w[i] = 1.0 / k
	}
	ref, _ := mixture(rng, 10000, d, centres, w, 1)
	good, goodLab := mixture(rng, 2000, d, centres, w, 1)
	cw := make([]float64, k)
	cw[2], cw[7] = 0.7, 0.3
	collapsed, colLab := mixture(rng, 2000, d, centres, cw, 0.8)
	collapsed[5*d+3] = math.NaN()

	err := SamplesPNG(filepath.Join(dir, "samples_mixture.png"), ref,
		[]Set{{"NAAS", good}, {"annealed Langevin", collapsed}}, d, SamplesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = ModeWeightsPNG(filepath.Join(dir, "modes_mixture.png"), w,
		[]Hist{{"NAAS", weightsOf(goodLab, k)}, {"annealed Langevin", weightsOf(colLab, k)}})
	if err != nil {
		t.Fatal(err)
	}

	// 40 modes with unequal weights.
	const k40 = 40
	w40 := make([]float64, k40)
	var s float64
	for i := range w40 {
		w40[i] = 1 + rng.Float64()
		s += w40[i]
	}
	h1 := make([]float64, k40)
	h2 := make([]float64, k40)
	for i := range w40 {
		w40[i] /= s
		h1[i] = w40[i] * (0.8 + 0.4*rng.Float64())
		if i%3 == 0 {
			h2[i] = 3 * w40[i]
		}
	}
	err = ModeWeightsPNG(filepath.Join(dir, "modes_40.png"), w40,
		[]Hist{{"NAAS", h1}, {"annealed Langevin", h2}})
	if err != nil {
		t.Fatal(err)
	}

	const fd = 10
	fref := funnel(rng, 10000, fd, 3)
	fgood := funnel(rng, 2000, fd, 3)
	fbad := funnel(rng, 2000, fd, 1.5)
	err = SamplesPNG(filepath.Join(dir, "samples_funnel.png"), fref,
		[]Set{{"NAAS", fgood}, {"annealed Langevin", fbad}}, fd, SamplesOptions{Coords: CoordsRaw, Title: "Funnel (d = 10): x0 against x1"})
	if err != nil {
		t.Fatal(err)
	}

	// Loss curves: AM loss decays over decades, RAM loss is noisy and crosses zero.
	var e1, l1, e2, l2 []float64
	for ep := 1; ep <= 300; ep++ {
		e1 = append(e1, float64(ep))
		l1 = append(l1, 50*math.Exp(-float64(ep)/40)+0.05*(1+0.3*rng.NormFloat64()))
		e2 = append(e2, float64(ep))
		l2 = append(l2, 2*math.Exp(-float64(ep)/60)-0.3+0.1*rng.NormFloat64())
	}
	l1[100] = math.NaN()
	err = LossPNG(filepath.Join(dir, "loss.png"), []Curve{{"stage 1: AM loss of u", e1, l1}, {"stage 2: RAM loss of v", e2, l2}})
	if err != nil {
		t.Fatal(err)
	}
	// Flat positive loss within one decade.
	var e3, l3 []float64
	for ep := 1; ep <= 20; ep++ {
		e3 = append(e3, float64(ep))
		l3 = append(l3, 0.4+0.2*math.Exp(-float64(ep)/5))
	}
	err = LossPNG(filepath.Join(dir, "loss_flat.png"), []Curve{{"AM loss of u", e3, l3}})
	if err != nil {
		t.Fatal(err)
	}
	// Four stages, one spanning ten decades.
	var l4 []float64
	for ep := 1; ep <= 300; ep++ {
		l4 = append(l4, 1e4*math.Exp(-float64(ep)/13))
	}
	err = LossPNG(filepath.Join(dir, "loss_four.png"), []Curve{
		{"stage 1: AM loss of u", e1, l1}, {"stage 2: RAM loss of v", e2, l2},
		{"stage 3: wide range", e1, l4}, {"stage 4: flat", e3, l3}})
	if err != nil {
		t.Fatal(err)
	}

	// d = 2: two rings of modes, raw coordinates by default, four sets.
	c2 := make([][]float64, 8)
	for i := range c2 {
		a := 2 * math.Pi * float64(i) / 8
		c2[i] = []float64{5 * math.Cos(a), 5 * math.Sin(a)}
	}
	w2 := make([]float64, 8)
	for i := range w2 {
		w2[i] = 1.0 / 8
	}
	ref2, _ := mixture(rng, 10000, 2, c2, w2, 0.5)
	g2, _ := mixture(rng, 1000, 2, c2, w2, 0.5)
	b2, _ := mixture(rng, 1000, 2, c2, []float64{0.5, 0.5, 0, 0, 0, 0, 0, 0}, 0.5)
	wide, _ := mixture(rng, 1000, 2, c2, w2, 2)
	err = SamplesPNG(filepath.Join(dir, "samples_d2.png"), ref2,
		[]Set{{"NAAS", g2}, {"annealed Langevin", b2}, {"too wide", wide}, {"exact", ref2[:2000]}}, 2, SamplesOptions{})
	if err != nil {
		t.Fatal(err)
	}
}
