package graph

import (
	"math"
	"math/rand/v2"
	"slices"
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

// TestAdamUpdateBitIdentical checks adamUpdate (vectorised for float32 where the CPU allows)
// against the plain scalar formula, bit for bit, over lengths that exercise the 8-lane body
// and the tail, with gradients spanning zeros, tiny, huge and negative values.
func TestAdamUpdateBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ref := func(w, g []float32, m, v []float64, p adamParams) {
		for i := range w {
			gi := p.scale * float64(g[i])
			m[i] = p.b1*m[i] + (1-p.b1)*gi
			v[i] = p.b2*v[i] + (1-p.b2)*gi*gi
			w[i] = float32(float64(w[i]) - p.lr*(m[i]/p.bc1)/(math.Sqrt(v[i]/p.bc2)+p.eps))
		}
	}
	var st adamState
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 37, 1000} {
		for step := 0; step < 3; step++ {
			p := st.next(0.5+rng.Float64(), 1e-3, 0.9, 0.999, 1e-8)
			w := make([]float32, n)
			g := make([]float32, n)
			m := make([]float64, n)
			v := make([]float64, n)
			for i := range w {
				w[i] = float32(rng.NormFloat64())
				switch i % 5 {
				case 0:
					g[i] = 0
				case 1:
					g[i] = float32(rng.NormFloat64() * 1e-20)
				case 2:
					g[i] = float32(rng.NormFloat64() * 1e20)
				default:
					g[i] = float32(rng.NormFloat64())
				}
				m[i] = rng.NormFloat64() * 0.1
				v[i] = rng.Float64() * 0.01
			}
			w2, m2, v2 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
			adamUpdate(w, g, m, v, p)
			ref(w2, g, m2, v2, p)
			for i := range w {
				if math.Float32bits(w[i]) != math.Float32bits(w2[i]) || math.Float64bits(m[i]) != math.Float64bits(m2[i]) || math.Float64bits(v[i]) != math.Float64bits(v2[i]) {
					t.Fatalf("n=%d step %d entry %d: got w %v m %v v %v, scalar w %v m %v v %v", n, step, i, w[i], m[i], v[i], w2[i], m2[i], v2[i])
				}
			}
		}
	}
}
