//go:build gofma && !openblas && amd64

package graph

import G "gorgonia.org/gorgonia"

// With -tags gofma, Gorgonia (and so the native engine) uses fmaBLAS: gonum with an AVX-512
// FMA kernel for float32 products, the one process-wide setting of the build.
func init() { G.Use(fmaBLAS{}) }

// BLASName describes the BLAS in use.
func BLASName() string {
	if !hasGemm512 {
		return "gofma (no AVX-512 on this CPU: gonum, pure Go)"
	}
	return "gofma (pure Go: gonum with an AVX-512 FMA kernel for float32 GEMM)"
}

// IsOpenBLAS reports whether the process was built with -tags openblas.
const IsOpenBLAS = false
