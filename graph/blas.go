package graph

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GEMMRate measures the matrix-product speed of the BLAS in use (BLASName): it computes
// C = A·B for random row-major A [m, k] and B [k, n] of dtype dt (tensor.Float32: Sgemm,
// tensor.Float64: Dgemm) at least 3 times and for at least minTime, and returns the best rate
// in GFLOP/s, counting 2·m·n·k flops per product. With m = n = k ≳ 1000 this is the practical
// GEMM peak of the machine for that BLAS.
func GEMMRate(dt tensor.Dtype, m, n, k int, minTime time.Duration) (float64, error) {
	return gemmRate(dt, m, n, k, minTime, false)
}

// NativeGEMMRate is GEMMRate for the matrix product the native engine uses: the same as the
// BLAS's, except with gonum on AVX-512 CPUs in float32, where it is the bit-identical
// vectorised replica of gonum's Sgemm (gemm_amd64.s).
func NativeGEMMRate(dt tensor.Dtype, m, n, k int, minTime time.Duration) (float64, error) {
	return gemmRate(dt, m, n, k, minTime, true)
}

func gemmRate(dt tensor.Dtype, m, n, k int, minTime time.Duration, native bool) (float64, error) {
	if m <= 0 || n <= 0 || k <= 0 {
		return 0, fmt.Errorf("graph: GEMM sizes m=%d n=%d k=%d must be positive", m, n, k)
	}
	var run func()
	rng := rand.New(rand.NewPCG(1, 2))
	switch dt {
	case tensor.Float32:
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		for i := range b {
			b[i] = float32(rng.NormFloat64())
		}
		run = func() {
			if native && exactSgemm(blas.NoTrans, blas.NoTrans, m, n, k, a, k, b, n, c, n) {
				return
			}
			G.WhichBLAS().Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
		}
	case tensor.Float64:
		a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		run = func() { G.WhichBLAS().Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n) }
	default:
		return 0, fmt.Errorf("graph: dtype %v not supported; known: float32, float64", dt)
	}
	run() // warm-up (OpenBLAS starts its threads, pages are touched)
	best := time.Duration(1<<63 - 1)
	start := time.Now()
	for i := 0; i < 3 || time.Since(start) < minTime; i++ {
		t0 := time.Now()
		run()
		best = min(best, time.Since(t0))
	}
	return 2 * float64(m) * float64(n) * float64(k) / best.Seconds() / 1e9, nil
}
