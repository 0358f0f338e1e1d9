//go:build openblas

package graph

import "github.com/naas-go/naas/graph/internal/openblas"

// BLASName describes the BLAS in use: with -tags openblas, OpenBLAS with the core it selected,
// its configuration and thread count (see package graph/internal/openblas: set
// OPENBLAS_CORETYPE=SkylakeX before starting on AVX-512 machines).
func BLASName() string { return openblas.Name() }

// IsOpenBLAS reports whether the process was built with -tags openblas.
const IsOpenBLAS = true
