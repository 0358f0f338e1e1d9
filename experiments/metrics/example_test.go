package metrics_test

import (
	"fmt"

	"github.com/naas-go/naas/experiments/metrics"
)

// The protocol fixes one absolute ε per target from two exact sample sets
// (frac 0.05 of their mean squared distance) and uses it for every method.
func ExampleSinkhornDivergence() {
	d := 2
	ref1 := []float64{0, 0, 1, 0, 0, 1, 1, 1}
	ref2 := []float64{0.1, 0, 1, 0.1, 0, 0.9, 1.1, 1}
	model := []float64{0.5, 0.5, 1.5, 0.5, 0.5, 1.5, 1.5, 1.5} // ref1 shifted by t = (0.5, 0.5): S = |t|² exactly
	eps, _ := metrics.RelativeEpsilon(ref1, ref2, d, 0.05)
	floor, _ := metrics.SinkhornDivergence(ref2, ref1, d, eps)
	res, _ := metrics.SinkhornDivergence(model, ref1, d, eps)
	fmt.Printf("ε = %.4f (squared distance)\n", res.Eps)
	fmt.Printf("floor %.4f, model %.4f\n", floor.Divergence, res.Divergence)
	// Output:
	// ε = 0.0480 (squared distance)
	// floor 0.0100, model 0.5000
}

func ExampleW2Exact() {
	x := []float64{0, 1, 2, 3}
	y := []float64{3.5, 0.5, 2.5, 1.5}
	r, _ := metrics.W2Exact(x, y, 1)
	fmt.Println(r.W2, r.Match)
	// Output: 0.5 [1 3 2 0]
}

func ExampleMeanStd() {
	m, s := metrics.MeanStd([]float64{2677, 2300, 3100})
	fmt.Printf("%.1f ± %.1f\n", m, s)
	// Output: 2692.3 ± 400.2
}
