package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpFast compares expFast with math.Exp over the whole double range used
// (relative error ≤ 4e−16, i.e. ~2 ulp) and at the edges.
func TestExpFast(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	check := func(x float64) {
		want, got := math.Exp(x), expFast(x)
		if want == 0 || math.IsInf(want, 0) {
			if got != want {
				t.Fatalf("expFast(%v) = %v, want %v", x, got, want)
			}
			return
		}
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	for i := 0; i < 200000; i++ {
		check(r.Float64()*1400 - 745) // [−745, 655]: math.Exp on amd64 overflows early near 709
		check((r.Float64()*2 - 1) * 2)
		check(-r.ExpFloat64() * 30)
	}
	for _, x := range []float64{0, -0.0, 1, -1, 710, -708.3, -708.4, -745, -746, -1e300, 1e300, math.Ln2, -math.Ln2 / 64, math.Ln2 / 64} {
		check(x)
	}
	if !math.IsNaN(expFast(math.NaN())) || expFast(math.Inf(-1)) != 0 || !math.IsInf(expFast(math.Inf(1)), 1) {
		t.Fatal("expFast special values wrong")
	}
	// Near the overflow edge, compare with e·expFast(x − 1).
	for _, x := range []float64{700, 705, 709, 709.6, 709.7} {
		if got, want := expFast(x), math.E*expFast(x-1); math.Abs(got-want) > 1e-15*want {
			t.Fatalf("expFast(%v) = %v, want e·expFast(x−1) = %v", x, got, want)
		}
	}
	if worst > 4e-16 {
		t.Fatalf("expFast max relative error %.3g > 4e-16", worst)
	}
	t.Logf("expFast max relative error %.3g", worst)
}

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range xs {
		xs[i] = -r.Float64() * 30
	}
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += math.Exp(xs[i&4095])
		}
		_ = s
	})
	b.Run("fast", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += expFast(xs[i&4095])
		}
		_ = s
	})
}
