//go:build !amd64

package graph

import "gonum.org/v1/gonum/blas"

// exactSgemm reports false: the vectorised replicas of gonum's Sgemm exist on amd64 only.
func exactSgemm(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) bool {
	return false
}

// exactSgemmNT reports false: the vectorised replicas of gonum's Sgemm exist on amd64 only.
func exactSgemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, scratch []float32) bool {
	return false
}
