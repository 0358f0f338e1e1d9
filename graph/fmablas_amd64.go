package graph

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

//go:noescape
func sgemmFMA4x32(k int, a []float32, sai, sal int, b []float32, ldb int, c []float32, ldc int, m0, m1 uint16)

// fmaBLAS is gonum's BLAS with Sgemm (α = 1, β = 0, on AVX-512 CPUs) computed by an FMA kernel
// on tiles of 4 rows × 32 columns split over GOMAXPROCS goroutines: every C[i,j] is the
// fused-multiply-add sum over l = 0…k−1 in order, so results do not depend on the split or on
// GOMAXPROCS, but differ from gonum's (separate multiplies and adds) in the last bits. The
// build tag gofma makes it the BLAS of Gorgonia and of the native engine (both engines then
// make the same calls and stay bit-identical to each other); other calls go to gonum.
type fmaBLAS struct{ gonum.Implementation }

// packPool holds the scratch buffers of fmaSgemm (transposed B, padded A and C rows).
var packPool = sync.Pool{New: func() any { return new([]float32) }}

// Sgemm computes C = α·op(A)·op(B) + β·C.
func (f fmaBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !hasGemm512 || alpha != 1 || beta != 0 || m == 0 || n == 0 || k == 0 {
		f.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	fmaSgemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
}

// fmaSgemm computes C = op(A)·op(B) with sgemmFMA4x32 (hasGemm512 must hold).
func fmaSgemm(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	m4 := m &^ 3
	var buf []float32
	if tB == blas.Trans || m4 < m {
		bufp := packPool.Get().(*[]float32)
		defer packPool.Put(bufp)
		need := 4*k + 4*n
		if tB == blas.Trans {
			need += k * n
		}
		if cap(*bufp) < need {
			*bufp = make([]float32, need)
		}
		buf = (*bufp)[:need]
	}
	if tB == blas.Trans { // op(B)[l, j] = b[j·ldb + l]: pack it row-major [k, n]
		bt := buf[4*k+4*n:]
		parallelFor(n, k, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				row := b[j*ldb : j*ldb+k]
				for l, v := range row {
					bt[l*n+j] = v
				}
			}
		})
		b, ldb = bt, n
	}
	sai, sal := strides(tA, lda)
	gemmTiles(sgemmFMA4x32, m, n, k, a, sai, sal, b, ldb, c, ldc)
	if m4 == m {
		return
	}
	// the last m − m4 rows: A's rows copied into a zero-padded 4-row block, C through scratch
	pa, pc := buf[:4*k], buf[4*k:4*k+4*n]
	clear(pa)
	for r := 0; r < m-m4; r++ {
		for l := 0; l < k; l++ {
			pa[r*k+l] = a[(m4+r)*sai+l*sal]
		}
	}
	gemmTiles(sgemmFMA4x32, 4, n, k, pa, k, 1, b, ldb, pc, n)
	for r := 0; r < m-m4; r++ {
		copy(c[(m4+r)*ldc:(m4+r)*ldc+n], pc[r*n:(r+1)*n])
	}
}
