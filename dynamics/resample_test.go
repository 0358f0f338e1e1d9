package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSampleResampled: sequential Monte Carlo on the coarse (K = 8) chain towards a Gaussian
// target. The log-Z estimate stays unbiased (0 for a normalised target) and, with the final
// resampling, the unweighted samples have the target's mean and variance, which the plain
// chain's unweighted samples miss; with an unreachable threshold nothing is resampled and
// the result equals Sample's (samples bit for bit, log-weights to rounding: the start terms
// are added first instead of last).
func TestSampleResampled(t *testing.T) {
	target, cfg := coarseGaussProblem()
	const n = 40000
	p := newProc(t, target, cfg)
	plain, err := p.Sample(n, 0, nil, nil, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	wantVar := target.tau * target.tau
	m0, v0 := meanVar(plain.X, 2)
	errPlain := math.Max(math.Abs(m0[0]-target.mu[0]), math.Abs(v0[0]-wantVar))
	t.Logf("plain chain: mean %.3f %.3f, var %.3f %.3f (target %v, var %.3f)", m0[0], m0[1], v0[0], v0[1], target.mu, wantVar)
	for _, tc := range referenceAndLinearControls() {
		t.Run(tc.name, func(t *testing.T) {
			s, steps, err := p.SampleResampled(n, tc.u, tc.v, rand.New(rand.NewPCG(7, 8)), 1)
			if err != nil {
				t.Fatal(err)
			}
			// every step whose weights are not all equal (all but k = 0 for the reference,
			// whose x₀ ~ p₀ exactly), and the final one
			if steps < cfg.Steps {
				t.Errorf("threshold 1: %d resampling steps, want at least %d", steps, cfg.Steps)
			}
			if lz := logMeanExp(s.LogW); math.Abs(lz) > 0.02 {
				t.Errorf("log Z estimate %v, want 0 ± 0.02", lz)
			}
			m, v := meanVar(s.X, 2)
			for i := range m {
				if math.Abs(m[i]-target.mu[i]) > 0.03 || math.Abs(v[i]-wantVar) > 0.03 {
					t.Errorf("coord %d: unweighted mean %.4f var %.4f, want %.4f and %.4f", i, m[i], v[i], target.mu[i], wantVar)
				}
			}
			for _, l := range s.LogW {
				if l != s.LogW[0] {
					t.Fatalf("final resampling left unequal log-weights %v and %v", l, s.LogW[0])
				}
			}
		})
	}
	if errPlain < 0.1 {
		t.Errorf("the plain K = 8 chain is off by only %.3f; the test needs a biased chain", errPlain)
	}
	// Unreachable threshold: bit-identical to Sample with the same noise.
	same, steps, err := p.SampleResampled(n, nil, nil, rand.New(rand.NewPCG(5, 6)), 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	if steps != 0 {
		t.Errorf("threshold 1e-9: %d resampling steps", steps)
	}
	for i := range same.X {
		if same.X[i] != plain.X[i] {
			t.Fatalf("threshold 1e-9: X[%d] = %v, Sample gives %v", i, same.X[i], plain.X[i])
		}
	}
	for i := range same.LogW {
		if math.Abs(same.LogW[i]-plain.LogW[i]) > 1e-12*math.Max(1, math.Abs(plain.LogW[i])) {
			t.Fatalf("threshold 1e-9: LogW[%d] = %v, Sample gives %v", i, same.LogW[i], plain.LogW[i])
		}
	}
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if _, _, err := p.SampleResampled(10, nil, nil, rand.New(rand.NewPCG(1, 1)), bad); err == nil {
			t.Errorf("threshold %v: no error", bad)
		}
	}
}

// TestSystematic: each index is picked ⌊M·w⌋ or ⌈M·w⌉ times, in order, for several uniforms.
func TestSystematic(t *testing.T) {
	w := []float64{0.1, 0, 2.5, 0.4, 1}
	var sw float64
	for _, v := range w {
		sw += v
	}
	for _, u := range []float64{0, 0.3, 0.999} {
		anc := make([]int, 40)
		Systematic(w, u, anc)
		count := make([]int, len(w))
		for i, a := range anc {
			count[a]++
			if i > 0 && a < anc[i-1] {
				t.Fatalf("u = %g: ancestors not in order: %v", u, anc)
			}
		}
		for j, c := range count {
			want := 40 * w[j] / sw
			if float64(c) < math.Floor(want) || float64(c) > math.Ceil(want) {
				t.Errorf("u = %g: index %d picked %d times, want ⌊%g⌋ or ⌈%g⌉", u, j, c, want, want)
			}
		}
	}
}
