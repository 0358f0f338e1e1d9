package graph

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// hasGemm512 reports whether sgemm4x32 (AVX-512F) may be used.
var hasGemm512 = hasSigmoid512

//go:noescape
func sdotT16(k int, x []float32, ldx int, y []float32, trim int, out *[16]float32)

//go:noescape
func sgemm4x32(k int, a []float32, sai, sal int, b []float32, ldb int, c []float32, ldc int, m0, m1 uint16)

// exactSgemm computes what gonum's Sgemm(tA, NoTrans, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
// computes, bit for bit (see gemm_amd64.s), with an AVX-512 kernel on tiles of 4 rows × 32
// columns split over GOMAXPROCS goroutines; rows left over (m mod 4) are computed by gonum
// itself, whose results do not depend on m. It reports false, doing nothing, when it does not
// apply: Gorgonia's BLAS is not gonum, the CPU lacks AVX-512, or op(B) = Bᵀ.
func exactSgemm(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) bool {
	if !hasGemm512 || tB != blas.NoTrans || m < 4 || n == 0 || k == 0 {
		return false
	}
	if _, ok := G.WhichBLAS().(gonum.Implementation); !ok {
		return false
	}
	sai, sal := strides(tA, lda)
	m4 := gemmTiles(sgemm4x32, m, n, k, a, sai, sal, b, ldb, c, ldc)
	if m4 < m {
		ar := a[m4*sai:]
		G.WhichBLAS().Sgemm(tA, tB, m-m4, n, k, 1, ar, lda, b, ldb, 0, c[m4*ldc:], ldc)
	}
	return true
}

// tileKernel computes one tile of 4 rows × 32 columns of C (columns masked by m0, m1), with
// A(r, l) = a[r·sai + l·sal], B[l, j] = b[l·ldb + j], C[r, j] = c[r·ldc + j]: sgemm4x32 or
// sgemmFMA4x32.
type tileKernel func(k int, a []float32, sai, sal int, b []float32, ldb int, c []float32, ldc int, m0, m1 uint16)

// strides returns the element strides (sai, sal) of A(i, l) = a[i·sai + l·sal] for op(A).
func strides(tA blas.Transpose, lda int) (sai, sal int) {
	if tA == blas.Trans {
		return 1, lda
	}
	return lda, 1
}

// gemmTiles runs kern on every tile of the first m4 = m − m mod 4 rows of C, the tiles split
// over GOMAXPROCS goroutines, and returns m4 (the caller computes the rows left over).
func gemmTiles(kern tileKernel, m, n, k int, a []float32, sai, sal int, b []float32, ldb int, c []float32, ldc int) int {
	m4 := m &^ 3
	tilesN := (n + 31) / 32
	parallelFor((m4/4)*tilesN, 32*k, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			i0, j0 := 4*(t/tilesN), 32*(t%tilesN)
			w := min(32, n-j0)
			kern(k, a[i0*sai:], sai, sal, b[j0:], ldb, c[i0*ldc+j0:], ldc, lanes(w), lanes(w-16))
		}
	})
	return m4
}

// lanes returns a mask of the first min(max(w, 0), 16) lanes.
func lanes(w int) uint16 {
	if w <= 0 {
		return 0
	}
	if w >= 16 {
		return 0xFFFF
	}
	return uint16(1)<<w - 1
}

// exactSgemmNT computes what gonum's Sgemm(NoTrans, Trans, m, n, k, 1, a, lda, b, ldb, 0, c,
// ldc) computes, bit for bit: gonum evaluates C[i,j] as +0 plus, k-block by k-block (blocks of
// 64 when it splits the product into goroutines, i.e. when ⌈m/64⌉·⌈n/64⌉ ≥ 4, else one block),
// the f32.DotUnitary of row i of A and row j of B over the block; here 16 rows of A at a time
// (transposed into scratch, which needs k·⌈m/16⌉·16 entries) go through sdotT16, and the
// (row block, j) pairs are split over GOMAXPROCS goroutines. It reports false, doing nothing,
// when it does not apply (see exactSgemm) or scratch is too short.
func exactSgemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, scratch []float32) bool {
	m16 := (m + 15) &^ 15
	if !hasGemm512 || m == 0 || n == 0 || k == 0 || len(scratch) < k*m16 {
		return false
	}
	if _, ok := G.WhichBLAS().(gonum.Implementation); !ok {
		return false
	}
	blocks := func(x int) int { return (x + 63) / 64 }
	kb := k
	if blocks(m)*blocks(n) >= 4 {
		kb = 64
	}
	// xt = Aᵀ [k, m16], zero-padded, transposed in 16×16 tiles (row blocks split over goroutines)
	xt := scratch[:k*m16]
	rb := m16 / 16
	parallelFor(rb, 16*k, func(lo, hi int) {
		for ib := lo; ib < hi; ib++ {
			i0 := 16 * ib
			for l0 := 0; l0 < k; l0 += 16 {
				for l := l0; l < min(l0+16, k); l++ {
					row := xt[l*m16+i0 : l*m16+i0+16]
					for r := range row {
						if i0+r < m {
							row[r] = a[(i0+r)*lda+l]
						} else {
							row[r] = 0
						}
					}
				}
			}
		}
	})
	parallelFor(rb*n, 2*16*k, func(lo, hi int) {
		var out, acc [16]float32
		for t := lo; t < hi; t++ {
			ib, j := t/n, t%n
			i0 := 16 * ib
			acc = [16]float32{} // +0: gonum's β = 0
			for k0 := 0; k0 < k; k0 += kb {
				kl := min(kb, k-k0)
				y := b[j*ldb+k0 : j*ldb+k0+kl]
				trim := 0
				if mis := uintptr(unsafe.Pointer(&y[0])) & 15; mis != 0 {
					trim = min(int(16-mis)/4, kl)
				}
				sdotT16(kl, xt[k0*m16+i0:], m16, y, trim, &out)
				for r := range acc {
					acc[r] += out[r] // C += 1·dot, block by block
				}
			}
			for r := 0; r < min(16, m-i0); r++ {
				c[(i0+r)*ldc+j] = acc[r]
			}
		}
	})
	return true
}
