package dynamics_test

import (
	"math/rand/v2"
	"testing"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/targets"
	"github.com/naas-go/naas/graph"
	"github.com/naas-go/naas/models"
)

// The benchmarks run at the default mos50 sizes: d = 50, B = 512 paths, K = 100 steps,
// u a fourier-mlp 4×128 silu in float32 with small non-zero output weights.

func benchSetup(b *testing.B) (*dynamics.Process, *graph.Net, []float64) {
	b.Helper()
	tgt, err := targets.New("mos50")
	if err != nil {
		b.Fatal(err)
	}
	p, err := dynamics.NewProcess(tgt, dynamics.Config{PriorStd: 6, Steps: 100, Beta: "linear", Sigma: "geometric",
		SigmaMax: 10, SigmaMin: 2, PriorSteps: 50, AdjointClip: 50})
	if err != nil {
		b.Fatal(err)
	}
	spec := models.DefaultSpec(50, "u")
	spec.InScale = 6
	u, err := graph.New(graph.DefaultConfig(spec))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { u.Close() })
	// one training step moves the zero output layer, so the forward pass is representative
	rng := rand.New(rand.NewPCG(1, 1))
	x, tt, y := make([]float64, 512*50), make([]float64, 512), make([]float64, 512*50)
	for i := range x {
		x[i], y[i] = 6*rng.NormFloat64(), rng.NormFloat64()
	}
	for i := range tt {
		tt[i] = rng.Float64()
	}
	if _, err := u.Step(x, tt, y, nil); err != nil {
		b.Fatal(err)
	}
	return p, u, x
}

// BenchmarkRollout512 is one kept roll-out of 512 paths with u in the loop.
func BenchmarkRollout512(b *testing.B) {
	p, u, x0 := benchSetup(b)
	rng := rand.New(rand.NewPCG(2, 2))
	b.ResetTimer()
	for range b.N {
		if _, err := p.Rollout(x0, u, rng, dynamics.RolloutOptions{Keep: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdjoint512 is one lean-adjoint pass (HVPs along all 512 paths).
func BenchmarkAdjoint512(b *testing.B) {
	p, u, x0 := benchSetup(b)
	path, err := p.Rollout(x0, u, rand.New(rand.NewPCG(2, 2)), dynamics.RolloutOptions{Keep: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := p.Adjoint(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAMStep512 is one AM training step (forward, loss, gradients, Adam) on 512 rows.
func BenchmarkAMStep512(b *testing.B) {
	_, u, x := benchSetup(b)
	tt, y := make([]float64, 512), make([]float64, len(x))
	for i := range tt {
		tt[i] = float64(i) / 512
	}
	b.ResetTimer()
	for range b.N {
		if _, err := u.Step(x, tt, y, nil); err != nil {
			b.Fatal(err)
		}
	}
}
