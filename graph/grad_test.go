package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// TestGradientsFiniteDifference checks the gradient of the training loss with respect to every
// parameter tensor (3 entries each: first, last, one random) against a central finite
// difference with step h = 1e-5, in float64, for every architecture and activation and both
// objectives, with a perturbed (non-zero) output layer and non-uniform sample weights.
// Tolerance: |fd − ad| ≤ 1e-6·(|ad| + 1e-3·max|∇|).
func TestGradientsFiniteDifference(t *testing.T) {
	const h, rtol = 1e-5, 1e-6
	cases := []struct {
		arch, act, obj string
		d              int
	}{
		{models.ArchFourierMLP, models.ActSiLU, "am", 3},
		{models.ArchMLP, models.ActSiLU, "am", 3},
		{models.ArchResMLP, models.ActSiLU, "am", 3},
		{models.ArchMLP, models.ActTanh, "am", 3},
		{models.ArchMLP, models.ActReLU, "am", 3},
		{models.ArchMLP, models.ActSoftplus, "am", 3},
		{models.ArchFourierMLP, models.ActTanh, "ram", 3},
		{models.ArchFourierMLP, models.ActSiLU, "am", 1},
		{models.ArchResMLP, models.ActSoftplus, "ram", 1},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s/d=%d", c.arch, c.act, c.obj, c.d), func(t *testing.T) {
			cfg := DefaultConfig(tinySpec(c.arch, c.act, c.d))
			cfg.Dtype, cfg.Batch, cfg.Objective, cfg.Seed = tensor.Float64, 4, c.obj, 7
			n := mustNew(t, cfg)
			rng := rand.New(rand.NewPCG(3, 4))
			perturb(n, rng, 0.3)
			x, tt, y, w := batch(rng, cfg.Batch, c.d)
			_, ad := gradients(t, n, x, tt, y, w)
			gmax := 0.0
			for _, g := range ad {
				gmax = math.Max(gmax, maxAbs(g))
			}
			if gmax == 0 {
				t.Fatal("all gradients are zero")
			}
			worst := 0.0
			for i, g := range ad {
				for _, j := range []int{0, len(g) - 1, rng.IntN(len(g))} {
					v := paramAt(n, i, j)
					setParamAt(n, i, j, v+h)
					lp, err := n.Loss(x, tt, y, w)
					if err != nil {
						t.Fatal(err)
					}
					setParamAt(n, i, j, v-h)
					lm, err := n.Loss(x, tt, y, w)
					if err != nil {
						t.Fatal(err)
					}
					setParamAt(n, i, j, v)
					fd := (lp - lm) / (2 * h)
					err1 := math.Abs(fd - g[j])
					worst = math.Max(worst, err1/(math.Abs(g[j])+1e-3*gmax))
					if err1 > rtol*(math.Abs(g[j])+1e-3*gmax) {
						t.Errorf("%s[%d]: autodiff %.12g, finite difference %.12g", n.names[i], j, g[j], fd)
					}
				}
			}
			t.Logf("worst relative error %.2g (max|∇| %.3g)", worst, gmax)
		})
	}
}
