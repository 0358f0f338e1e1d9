package graph

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// TestFMASgemm checks fmaBLAS.Sgemm against a float64 product (every transpose, sizes with row
// and column remainders, strides wider than the rows) and that its result does not depend on
// GOMAXPROCS.
func TestFMASgemm(t *testing.T) {
	if !hasGemm512 {
		t.Skip("no AVX-512: fmaBLAS delegates to gonum")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 32, 16}, {7, 33, 65}, {66, 50, 128}, {512, 128, 82}, {128, 50, 512}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				ar, ac := m, k
				if tA == blas.Trans {
					ar, ac = k, m
				}
				br, bc := k, n
				if tB == blas.Trans {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+3, bc+1, n+2
				a := make([]float32, ar*lda)
				b := make([]float32, br*ldb)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range b {
					b[i] = float32(rng.NormFloat64())
				}
				A := func(i, l int) float64 {
					if tA == blas.Trans {
						return float64(a[l*lda+i])
					}
					return float64(a[i*lda+l])
				}
				B := func(l, j int) float64 {
					if tB == blas.Trans {
						return float64(b[j*ldb+l])
					}
					return float64(b[l*ldb+j])
				}
				run := func(procs int) []float32 {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					c := make([]float32, m*ldc)
					for i := range c {
						c[i] = float32(math.NaN()) // β = 0: must be overwritten, never read
					}
					fmaBLAS{}.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
					return c
				}
				c1, c2 := run(1), run(2)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						var want, scale float64
						for l := 0; l < k; l++ {
							want += A(i, l) * B(l, j)
							scale += math.Abs(A(i, l) * B(l, j))
						}
						got := float64(c2[i*ldc+j])
						if math.Abs(got-want) > 1e-6*scale+1e-30 {
							t.Fatalf("%v%v %dx%dx%d: C[%d,%d] = %v, want %v", tA, tB, m, n, k, i, j, got, want)
						}
						if math.Float32bits(c1[i*ldc+j]) != math.Float32bits(c2[i*ldc+j]) {
							t.Fatalf("%v%v %dx%dx%d: C[%d,%d] differs between GOMAXPROCS 1 and 2", tA, tB, m, n, k, i, j)
						}
					}
				}
			}
		}
	}
}
