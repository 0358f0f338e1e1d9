// Package graph is the only package of the project that owns Gorgonia machines: it compiles
// a network (package models) and a loss (package objectives) into
//
//   - one training program per network: loss, symbolic gradients (G.Grad) and a TapeMachine,
//     built once, with host input tensors bound once and overwritten in place at every step,
//     followed by a hand-written Adam update on the weight tensors in place;
//   - forward-only programs, one per batch size, created lazily and cached, whose parameter
//     nodes are bound to the very same weight tensors (no copy: every optimiser update is seen);
//
// and it provides save/load of parameters and optimiser state, DOT export of both programs,
// and weight copies between networks. Net implements dynamics.Learner on flat row-major
// []float64 host slices. The package knows nothing about NAAS.
//
// Engines (Config.Engine). The Gorgonia programs are the reference implementation and the
// DOT source. By default (EngineNative) Apply, Step and Loss run a native engine instead:
// plain Go loops around the very BLAS calls the programs make, with every buffer allocated
// once per batch size, the bias + activation + product steps fused, element-wise work split
// over GOMAXPROCS goroutines, the Fourier features computed once per distinct time, and the
// sigmoid of SiLU vectorised in assembly (AVX2/AVX-512, sigmoid_amd64.s) with the exact
// float64 exponential of Go's math.Exp, so that outputs, losses, gradients and therefore whole
// training runs are bit-identical to the Gorgonia programs on the same BLAS and dtype
// (TestNativeMatchesGorgonia, TestNativeTrainingMatchesGorgonia). EngineGorgonia runs the
// programs themselves. With gonum on AVX-512 CPUs the native engine also computes its float32
// matrix products A·B, Aᵀ·B and A·Bᵀ with vectorised replicas of gonum's Sgemm
// (gemm_amd64.s) that reproduce gonum's order of operations exactly — the sequential
// multiply-then-add accumulation with its skip of zero A entries, and f32.DotUnitary's partial
// sums, alignment prologue and k-blocking — so they return gonum's bits (TestExactSgemm*),
// 10–40× faster. At B = 512 the native engine is 3–7× faster than the programs and allocates
// no buffers per call (experiments/bench measures it).
//
// BLAS. The default build uses gonum's pure-Go BLAS. `go build -tags openblas` (with
// libopenblas-dev installed) routes every BLAS call of the process, Gorgonia's and the native
// engine's, to OpenBLAS through cgo (package graph/internal/openblas; BLASName reports which
// is in use). OpenBLAS must be told the core type on AVX-512 machines it misdetects, in the
// environment before the process starts: OPENBLAS_CORETYPE=SkylakeX. On a shared 2-core
// machine OPENBLAS_NUM_THREADS=1 is the better setting with the native engine (its own
// goroutines use the second core; OpenBLAS's spinning worker threads would compete with
// them). The thread count may change the last bits of GEMM results; a fixed seed reproduces
// a run for a fixed BLAS, thread count and dtype. `go build -tags gofma` stays pure Go but
// makes fmaBLAS (gonum with an AVX-512 FMA kernel for float32 products, in-order fused sums,
// independent of GOMAXPROCS) the BLAS of both engines: faster, and different from gonum's
// results in the last bits.
//
// Gorgonia rules enforced here (see docs/gorgonia.md): intermediate values are read only
// through G.Read into separately allocated *G.Value cells (a Read target inside the struct that
// owns the VM creates a finalizer cycle that leaks the graph); every run is preceded by
// vm.Reset(); gradients, which accumulate across runs, are zeroed after every step or
// evaluation; node names are unique per graph; everything is 2-D.
package graph
