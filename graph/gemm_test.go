package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestExactSgemmMatchesGonum checks the vectorised Sgemm replica against gonum's Sgemm bit for
// bit (+0 and −0 distinguished, NaN payloads not), for A and Aᵀ, sizes with row and column
// tails, k = 0, and inputs with exact zeros (skipped by gonum), −0, infinities and NaN.
func TestExactSgemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, 3e38}
	fill := func(n int, frac float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			switch r := rng.Float64(); {
			case r < frac:
				v[i] = special[rng.IntN(2)] // zeros of both signs
			case r < frac*1.05:
				v[i] = special[rng.IntN(len(special))]
			default:
				v[i] = float32(rng.NormFloat64() * math.Pow(10, 3*rng.Float64()-1.5))
			}
		}
		return v
	}
	applied := 0
	for _, sz := range [][3]int{{512, 128, 82}, {512, 50, 128}, {128, 128, 512}, {82, 128, 37}, {7, 33, 5}, {4, 16, 1}, {13, 47, 64}, {5, 1, 3}, {9, 70, 0}, {300, 17, 129}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, frac := range []float64{0, 0.3} {
				lda := max(k, 1)
				if tA == blas.Trans {
					lda = m
				}
				a, b := fill(max(m, k)*lda+1, frac), fill(k*n+1, frac/3)
				want := fill(m*n, 0) // garbage: β = 0 must overwrite
				got := append([]float32(nil), want...)
				gonum.Implementation{}.Sgemm(tA, blas.NoTrans, m, n, k, 1, a, lda, b, max(n, 1), 0, want, n)
				if !exactSgemm(tA, blas.NoTrans, m, n, k, a, lda, b, max(n, 1), got, n) {
					continue
				}
				applied++
				for i := range want {
					if math.Float32bits(want[i]) != math.Float32bits(got[i]) && !(want[i] != want[i] && got[i] != got[i]) {
						t.Fatalf("m=%d n=%d k=%d tA=%c zeros=%.1f: C[%d] = %v (%08x), gonum %v (%08x)", m, n, k, tA, frac, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	}
	t.Logf("vectorised replica applied to %d of 40 products (0: CPU without AVX-512)", applied)
}

// TestExactSgemmNTMatchesGonum checks the A·Bᵀ replica against gonum's Sgemm(NoTrans, Trans)
// bit for bit: gonum's serial and goroutine (k-blocked) modes, B rows at every alignment
// (ldb = 50, 51, 53 and offset slices), row counts that are not multiples of 16, k with and
// without tails of 16, 4 and 1, and inputs with zeros, −0, infinities and NaN.
func TestExactSgemmNTMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			switch r := rng.Float64(); {
			case r < 0.05:
				v[i] = float32(math.Copysign(0, -1))
			case r < 0.06:
				v[i] = []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}[rng.IntN(3)]
			default:
				v[i] = float32(rng.NormFloat64() * math.Pow(10, 2*rng.Float64()-1))
			}
		}
		return v
	}
	applied := 0
	for _, sz := range [][3]int{{512, 128, 128}, {512, 128, 50}, {512, 50, 128}, {37, 6, 6}, {300, 82, 129}, {17, 200, 3}, {64, 64, 67}, {129, 70, 1}, {5, 300, 16}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, extra := range []int{0, 1, 3} {
			ldb := k + extra
			for _, off := range []int{0, 1, 2} {
				a, b := fill(m*k), fill(n*ldb + off)[off:]
				want, got := fill(m*n), fill(m*n)
				gonum.Implementation{}.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, ldb, 0, want, n)
				scratch := make([]float32, k*((m+15)/16*16))
				if !exactSgemmNT(m, n, k, a, k, b, ldb, got, n, scratch) {
					continue
				}
				applied++
				for i := range want {
					if math.Float32bits(want[i]) != math.Float32bits(got[i]) && !(want[i] != want[i] && got[i] != got[i]) {
						t.Fatalf("m=%d n=%d k=%d ldb=%d off=%d: C[%d] = %v (%08x), gonum %v (%08x)", m, n, k, ldb, off, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	}
	t.Logf("replica applied to %d of 81 products (0: CPU without AVX-512)", applied)
}

// BenchmarkSgemm compares the replica with gonum on the hidden-layer product (512×128×128).
func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, w, c := make([]float32, 512*128), make([]float32, 128*128), make([]float32, 512*128)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	flops := 2 * 512 * 128 * 128.0
	b.Run("gonum", func(b *testing.B) {
		for range b.N {
			gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, 512, 128, 128, 1, a, 128, w, 128, 0, c, 128)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("replica", func(b *testing.B) {
		for range b.N {
			if !exactSgemm(blas.NoTrans, blas.NoTrans, 512, 128, 128, a, 128, w, 128, c, 128) {
				b.Skip("not applicable on this CPU")
			}
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
