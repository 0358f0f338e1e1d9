//go:build !openblas && !(gofma && amd64)

package graph

// BLASName describes the BLAS in use: gonum's pure-Go implementation (the default build; build
// with -tags openblas for OpenBLAS, see blas_openblas.go, or -tags gofma for the FMA kernel,
// blas_gofma.go).
func BLASName() string { return "gonum (pure Go)" }

// IsOpenBLAS reports whether the process was built with -tags openblas.
const IsOpenBLAS = false
