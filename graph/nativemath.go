package graph

import (
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/chewxy/math32"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// This file holds the element-wise functions and the GEMM wrapper of the native engine. Every
// function reproduces, bit for bit, the value Gorgonia v0.9.18 / tensor v0.9.24 compute for the
// same op in the same dtype (the sources are named in each comment), so that the native engine
// and the Gorgonia programs agree exactly. Products that feed a sum are converted explicitly to
// the dtype, which rounds them and stops the compiler from fusing them into an FMA (the Go
// spec allows fusion otherwise, and Gorgonia's element-wise ops are separate loops).

// float is the set of network dtypes.
type float interface{ float32 | float64 }

// is32 reports whether T is float32 (a constant per instantiation).
func is32[T float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// sigmoid is gorgonia's _sigmoidf32 / _sigmoidf64 (math_nooptim.go): 1/(1+e^{−x}) evaluated
// in float64 with math.Exp, saturated to 0 below −88 (f32) / −709 (f64) and to 1 above 15 (f32)
// / 19 (f64).
func sigmoid[T float](x T) T {
	if is32[T]() {
		if x < -88 {
			return 0
		}
		if x > 15 {
			return 1
		}
	} else {
		if x < -709 {
			return 0
		}
		if x > 19 {
			return 1
		}
	}
	return T(1.0 / (1.0 + math.Exp(float64(-x))))
}

// softplus is gorgonia's _softplusf32 / _softplusf64 (math.go): log(1+eˣ) in float64, 0 below
// −103 (f32) / −708 (f64) and x above 14 (f32) / 16 (f64).
func softplus[T float](x T) T {
	if is32[T]() {
		if x < -103 {
			return 0
		}
		if x > 14 {
			return x
		}
	} else {
		if x < -708 {
			return 0
		}
		if x > 16 {
			return x
		}
	}
	return T(math.Log1p(math.Exp(float64(x))))
}

// tanh is tensor's TanhF32 (math32.Tanh) / TanhF64 (math.Tanh).
func tanh[T float](x T) T {
	if is32[T]() {
		return T(math32.Tanh(float32(x)))
	}
	return T(math.Tanh(float64(x)))
}

// sin and cos are gorgonia's sinf32/cosf32 (math32) and sinf64/cosf64 (math).
func sin[T float](x T) T {
	if is32[T]() {
		return T(math32.Sin(float32(x)))
	}
	return T(math.Sin(float64(x)))
}

func cos[T float](x T) T {
	if is32[T]() {
		return T(math32.Cos(float32(x)))
	}
	return T(math.Cos(float64(x)))
}

// gemmFunc computes C = op(A)·op(B) (α = 1, β = 0) for row-major matrices, exactly as tensor's
// StdEng.MatMul calls BLAS for Gorgonia's A × B, A × Bᵀ and Aᵀ × B nodes: C is m×n, op(A) m×k,
// op(B) k×n, lda/ldb/ldc the row strides of the stored matrices.
type gemmFunc[T float] func(tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)

// newGemm returns the gemmFunc of dtype T on the BLAS Gorgonia uses when it is called
// (G.WhichBLAS: gonum by default, OpenBLAS with -tags openblas), so that both engines make the
// same BLAS calls.
func newGemm[T float]() gemmFunc[T] {
	var f any
	if is32[T]() {
		f = gemmFunc[float32](func(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			if !exactSgemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
				G.WhichBLAS().Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
			}
		})
	} else {
		f = gemmFunc[float64](func(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
			G.WhichBLAS().Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
		})
	}
	return f.(gemmFunc[T])
}

// minParallel is the number of element-wise operations below which a loop runs on the calling
// goroutine: splitting smaller loops costs more in scheduling than it saves.
const minParallel = 1 << 14

// parallelFor calls fn on contiguous ranges [lo, hi) covering [0, n), on up to GOMAXPROCS
// goroutines when n·cost ≥ minParallel (cost is the work per index, in element operations),
// otherwise once on the calling goroutine. fn must only write data owned by its range.
func parallelFor(n, cost int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 || n*cost < minParallel {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	fn(0, min(chunk, n))
	wg.Wait()
}

// sigmoidTail is the scalar sigmoidSlice.
func sigmoidTail[T float](dst, src []T, neg bool) {
	for i, v := range src {
		if neg {
			v = -v
		}
		dst[i] = sigmoid(v)
	}
}

// siluForwardGo is siluForward in Go: the bias add, then σ, then the product.
func siluForwardGo[T float](z, s, a, b []T) {
	n := len(b)
	for r := 0; r < len(z); r += n {
		row := z[r : r+n]
		for j := range row {
			row[j] += b[j]
		}
	}
	sigmoidSlice(s, z, false)
	for i, v := range z {
		a[i] = v * s[i]
	}
}

// siluBackwardGo is siluBackward in Go.
func siluBackwardGo[T float](z, s, g, res, out, scratch []T) {
	sigmoidSlice(scratch, z, true) // σ(−z)
	for i, v := range z {
		t1 := T(s[i] * g[i])
		t2 := T(T(s[i]*scratch[i]) * T(v*g[i]))
		if res != nil {
			out[i] = T(res[i]+t1) + t2
		} else {
			out[i] = t1 + t2
		}
	}
}
