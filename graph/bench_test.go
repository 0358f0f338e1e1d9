package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// benchNet is the production-sized network: fourier-mlp 4×128 silu, d = 50, B = 512.
func benchNet(b *testing.B, dt tensor.Dtype) (*Net, []float64, []float64, []float64, []float64) {
	cfg := DefaultConfig(models.DefaultSpec(50, "u"))
	cfg.Dtype, cfg.Batch = dt, 512
	n := mustNew(b, cfg)
	rng := rand.New(rand.NewPCG(1, 2))
	perturb(n, rng, 0.05)
	x, t, y, w := batch(rng, 512, 50)
	return n, x, t, y, w
}

// BenchmarkStepAM is one AM training step (forward, loss, backward, Adam) at B = 512, d = 50.
func BenchmarkStepAM(b *testing.B) {
	for _, dt := range dtypes {
		b.Run(dtypeName(dt), func(b *testing.B) {
			n, x, t, y, w := benchNet(b, dt)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := n.Step(x, t, y, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkApply is one forward-only evaluation at B = 512, d = 50.
func BenchmarkApply(b *testing.B) {
	for _, dt := range dtypes {
		b.Run(dtypeName(dt), func(b *testing.B) {
			n, x, t, _, _ := benchNet(b, dt)
			out := make([]float64, len(x))
			if err := n.Apply(x, t, out); err != nil { // build the program outside the timing
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := n.Apply(x, t, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
