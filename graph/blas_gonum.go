//go:build !openblas

package graph

// BLASName describes the BLAS in use: gonum's pure-Go implementation (the default build; build
// with -tags openblas for OpenBLAS, see blas_openblas.go).
func BLASName() string { return "gonum (pure Go)" }

// IsOpenBLAS reports whether the process was built with -tags openblas.
const IsOpenBLAS = false
