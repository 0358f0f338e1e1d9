package graph_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/naas-go/naas/graph"
	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// A network in d = 2 trained with the AM loss towards the control u*(x, t) = x (target y = −x).
func ExampleNet() {
	cfg := graph.DefaultConfig(models.DefaultSpec(2, "u"))
	cfg.Spec.Width, cfg.Spec.Depth = 16, 2
	cfg.Dtype, cfg.Batch, cfg.LearnRate = tensor.Float64, 32, 1e-2
	net, err := graph.New(cfg)
	if err != nil {
		panic(err)
	}
	defer net.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	x, t, y := make([]float64, 64), make([]float64, 32), make([]float64, 64)
	var first, last float64
	for step := 0; step < 200; step++ {
		for i := range x {
			x[i] = rng.NormFloat64()
			y[i] = -x[i]
		}
		for b := range t {
			t[b] = rng.Float64()
		}
		loss, err := net.Step(x, t, y, nil) // nil weights: all ones
		if err != nil {
			panic(err)
		}
		if step == 0 {
			first = loss
		}
		last = loss
	}
	u := make([]float64, 2)
	if err := net.Apply([]float64{0.5, -1}, []float64{0.3}, u); err != nil {
		panic(err)
	}
	fmt.Println(net.NumParams(), "parameters")
	fmt.Println("loss fell 10×:", last < first/10)
	fmt.Printf("u(0.5, -1; 0.3) ≈ (%.1f, %.1f)\n", u[0], u[1])
	// Output:
	// 866 parameters
	// loss fell 10×: true
	// u(0.5, -1; 0.3) ≈ (0.5, -1.0)
}
