package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// textbookAdam is Algorithm 1 of Kingma & Ba (2015), written out independently of adamState,
// over one flat parameter vector, with optional global-norm clipping of the gradient.
type textbookAdam struct {
	alpha, beta1, beta2, epsilon, clip float64
	m, v                               []float64
	t                                  int
}

func (a *textbookAdam) update(theta, g []float64) {
	if a.m == nil {
		a.m, a.v = make([]float64, len(theta)), make([]float64, len(theta))
	}
	if a.clip > 0 {
		norm := 0.0
		for _, gi := range g {
			norm += gi * gi
		}
		if norm = math.Sqrt(norm); norm > a.clip {
			for i := range g {
				g[i] *= a.clip / norm
			}
		}
	}
	a.t++
	for i := range theta {
		a.m[i] = a.beta1*a.m[i] + (1-a.beta1)*g[i]
		a.v[i] = a.beta2*a.v[i] + (1-a.beta2)*g[i]*g[i]
		mHat := a.m[i] / (1 - math.Pow(a.beta1, float64(a.t)))
		vHat := a.v[i] / (1 - math.Pow(a.beta2, float64(a.t)))
		theta[i] -= a.alpha * mHat / (math.Sqrt(vHat) + a.epsilon)
	}
}

// TestAdamMatchesTextbook runs Step for 10 steps on a tiny problem and, at every step, applies
// the textbook update to a copy of the parameters using the gradient the training program
// reports for the same batch; parameters must agree to 1e-13 relative (float64) — with and
// without clipping (a clip norm below the gradient norm, so clipping is active) and with a
// learning-rate change half way (SetLearnRate).
func TestAdamMatchesTextbook(t *testing.T) {
	for _, clip := range []float64{0, 0.05} {
		cfg := tinyConfig(models.ArchFourierMLP, tensor.Float64)
		cfg.ClipNorm, cfg.Beta1, cfg.Beta2, cfg.Eps = clip, 0.8, 0.95, 1e-6
		n := mustNew(t, cfg)
		rng := rand.New(rand.NewPCG(21, 22))
		perturb(n, rng, 0.1)
		ref := &textbookAdam{alpha: cfg.LearnRate, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, clip: clip}
		theta := n.snapshot()
		clipped := false
		for s := 0; s < 10; s++ {
			if s == 5 {
				n.SetLearnRate(3e-3)
				ref.alpha = 3e-3
			}
			x, tt, y, w := batch(rng, cfg.Batch, 3)
			_, gs := gradients(t, n, x, tt, y, w)
			var flat []float64
			for _, g := range gs {
				flat = append(flat, g...)
			}
			if _, err := n.Step(x, tt, y, w); err != nil {
				t.Fatal(err)
			}
			if math.Abs(n.GradNorm()-math.Sqrt(dotProd(flat, flat))) > 1e-12*n.GradNorm() {
				t.Errorf("GradNorm %v, want %v", n.GradNorm(), math.Sqrt(dotProd(flat, flat)))
			}
			clipped = clipped || (clip > 0 && n.GradNorm() > clip)
			ref.update(theta, flat)
			got := n.snapshot()
			for i := range got {
				if math.Abs(got[i]-theta[i]) > 1e-13*math.Max(1, math.Abs(theta[i])) {
					t.Fatalf("clip %v step %d: parameter entry %d = %.17g, textbook %.17g", clip, s+1, i, got[i], theta[i])
				}
			}
		}
		if clip > 0 && !clipped {
			t.Errorf("clip %v never active: test does not exercise clipping", clip)
		}
		if n.Steps() != 10 {
			t.Errorf("Steps() = %d, want 10", n.Steps())
		}
	}
}

func dotProd(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestGradientsDoNotAccumulate checks that two Loss evaluations and a Step on the same batch
// see the same gradient (Gorgonia accumulates gradients across runs unless they are zeroed).
func TestGradientsDoNotAccumulate(t *testing.T) {
	n := mustNew(t, tinyConfig(models.ArchMLP, tensor.Float64))
	rng := rand.New(rand.NewPCG(23, 24))
	perturb(n, rng, 0.3)
	x, tt, y, w := batch(rng, 5, 3)
	_, g1 := gradients(t, n, x, tt, y, w)
	n.Loss(x, tt, y, w)
	_, g2 := gradients(t, n, x, tt, y, w)
	for i := range g1 {
		if d := maxAbsDiff(g1[i], g2[i]); d != 0 {
			t.Errorf("gradient of %s changed by %g between identical runs", n.names[i], d)
		}
	}
}
