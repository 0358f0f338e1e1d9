// Package openblas routes every BLAS call of the process to OpenBLAS through cgo
// (gonum.org/v1/netlib) when the program is built with -tags openblas; without the tag it is
// empty. It is imported by package graph (blas_openblas.go) and is a separate package because
// a Go package may not mix cgo with Go assembly.
//
// Build with `go build -tags openblas` after `apt-get install libopenblas-dev`, and start the
// process with OPENBLAS_CORETYPE=SkylakeX (or the core type of the machine) in the
// environment on AVX-512 machines whose CPU OpenBLAS 0.3.21 misdetects (as "Prescott", SSE3
// kernels, about 5× slower GEMM). OpenBLAS reads the variable when the library is loaded,
// before any Go code runs, so os.Setenv cannot set it. OPENBLAS_NUM_THREADS sets its threads.
package openblas
