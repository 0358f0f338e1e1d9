package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// benchNet is the production-sized network: fourier-mlp 4×128 silu, d = 50, B = 512.
func benchNet(b *testing.B, dt tensor.Dtype, engine Engine) (*Net, []float64, []float64, []float64, []float64) {
	cfg := DefaultConfig(models.DefaultSpec(50, "u"))
	cfg.Dtype, cfg.Batch, cfg.Engine = dt, 512, engine
	n := mustNew(b, cfg)
	rng := rand.New(rand.NewPCG(1, 2))
	perturb(n, rng, 0.05)
	x, t, y, w := batch(rng, 512, 50)
	return n, x, t, y, w
}

// benchCases runs f for both dtypes and both engines (sub-benchmarks dtype/engine).
func benchCases(b *testing.B, f func(b *testing.B, dt tensor.Dtype, engine Engine)) {
	for _, dt := range dtypes {
		for _, engine := range []Engine{EngineGorgonia, EngineNative} {
			b.Run(dtypeName(dt)+"/"+string(engine), func(b *testing.B) { f(b, dt, engine) })
		}
	}
}

// BenchmarkStepAM is one AM training step (forward, loss, backward, Adam) at B = 512, d = 50.
func BenchmarkStepAM(b *testing.B) {
	benchCases(b, func(b *testing.B, dt tensor.Dtype, engine Engine) {
		n, x, t, y, w := benchNet(b, dt, engine)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := n.Step(x, t, y, w); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkApply is one forward-only evaluation at B = 512, d = 50.
func BenchmarkApply(b *testing.B) {
	benchCases(b, func(b *testing.B, dt tensor.Dtype, engine Engine) {
		n, x, t, _, _ := benchNet(b, dt, engine)
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
