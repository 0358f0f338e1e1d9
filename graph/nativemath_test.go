package graph

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sigmoidInputs returns test inputs: the saturation thresholds and their neighbours, zeros,
// infinities, NaN, denormals, and random values on several scales.
func sigmoidInputs[T float](rng *rand.Rand) []T {
	xs := []T{0, T(math.Copysign(0, -1)), 1, -1, 15, -15, 19, -19, 88, -88, 709, -709, 14.999999, 15.000001,
		-87.99999, -88.00001, 18.999999999, 19.0000000001, -708.9999, -709.0001, 1e-40, -1e-40, 1e-310, -1e-310,
		T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN()), 0.6931471805599453, -0.6931471805599453, 100, -100, 1e30, -1e30}
	for _, s := range []float64{1e-3, 0.1, 1, 5, 20, 100, 1000} {
		for range 4000 {
			xs = append(xs, T(s*rng.NormFloat64()))
		}
	}
	// every float32 around the thresholds and around 0
	if is32[T]() {
		for _, c := range []float32{15, -88, 0, 1} {
			v := c
			for range 300 {
				xs = append(xs, T(v), T(-v))
				v = math.Nextafter32(v, float32(math.Inf(1)))
			}
		}
	}
	return xs
}

func testSigmoidSlice[T float](t *testing.T) {
	xs := sigmoidInputs[T](rand.New(rand.NewPCG(1, 2)))
	for _, neg := range []bool{false, true} {
		for _, off := range []int{0, 1, 3} { // unaligned starts and tails of every length
			src := xs[off:]
			got := make([]T, len(src))
			sigmoidSlice(got, src, neg)
			for i, v := range src {
				if neg {
					v = -v
				}
				want := sigmoid(v)
				if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want)) && !(want != want && got[i] != got[i]) {
					t.Fatalf("neg=%v: sigmoidSlice(%v) = %v (bits %x), scalar %v (bits %x)", neg, src[i], got[i],
						math.Float64bits(float64(got[i])), want, math.Float64bits(float64(want)))
				}
			}
		}
	}
	t.Logf("%d inputs, vectorised: %v", len(xs), hasSigmoidAsmOn())
}

// TestSigmoidSliceBitIdentical checks the vectorised sigmoid against the scalar one (which is
// gorgonia's formula) bit for bit, float32 and float64, including thresholds, ±0, ±Inf, NaN
// and denormals.
func TestSigmoidSliceBitIdentical(t *testing.T) {
	t.Run("float32", testSigmoidSlice[float32])
	t.Run("float64", testSigmoidSlice[float64])
}

func BenchmarkSigmoidSlice(b *testing.B) {
	src := make([]float32, 512*128)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range src {
		src[i] = float32(3 * rng.NormFloat64())
	}
	dst := make([]float32, len(src))
	b.Run("slice", func(b *testing.B) {
		for range b.N {
			sigmoidSlice(dst, src, false)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		for range b.N {
			sigmoidTail(dst, src, false)
		}
	})
}

// TestSiLUKernelsBitIdentical checks the fused SiLU forward (bias add, σ, product) and
// backward kernels against their plain-Go definitions bit for bit, float32 and float64, with
// and without the residual term, aliased outputs, and row lengths with and without a vector
// multiple.
func TestSiLUKernelsBitIdentical(t *testing.T) {
	t.Run("float32", testSiLUKernels[float32])
	t.Run("float64", testSiLUKernels[float64])
}

func testSiLUKernels[T float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vals := sigmoidInputs[T](rng)
	pick := func(n int) []T {
		v := make([]T, n)
		for i := range v {
			v[i] = vals[rng.IntN(len(vals))]
		}
		return v
	}
	same := func(a, b []T) int {
		for i := range a {
			if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) && !(a[i] != a[i] && b[i] != b[i]) {
				return i
			}
		}
		return -1
	}
	for _, n := range []int{4, 8, 128, 6, 13} {
		rows := 37
		z0, b := pick(rows*n), pick(n)
		// forward: separate outputs, then a aliasing z
		z1, s1, a1 := append([]T(nil), z0...), make([]T, rows*n), make([]T, rows*n)
		z2, s2, a2 := append([]T(nil), z0...), make([]T, rows*n), make([]T, rows*n)
		siluForward(z1, s1, a1, b)
		siluForwardGo(z2, s2, a2, b)
		for name, p := range map[string][2][]T{"z": {z1, z2}, "s": {s1, s2}, "a": {a1, a2}} {
			if i := same(p[0], p[1]); i >= 0 {
				t.Fatalf("n=%d forward %s[%d]: %v vs Go %v", n, name, i, p[0][i], p[1][i])
			}
		}
		z3 := append([]T(nil), z0...)
		siluForward(z3, make([]T, rows*n), z3, b)
		if i := same(z3, a2); i >= 0 {
			t.Fatalf("n=%d forward aliased a[%d]: %v vs %v", n, i, z3[i], a2[i])
		}
		// backward, with and without res, res aliasing out
		g, res := pick(rows*n), pick(rows*n)
		for _, withRes := range []bool{false, true} {
			var r1, r2 []T
			if withRes {
				r1, r2 = append([]T(nil), res...), append([]T(nil), res...)
			}
			o1, o2 := make([]T, rows*n), make([]T, rows*n)
			if withRes {
				o1, o2 = r1, r2 // in place
			}
			siluBackward(z2, s2, g, r1, o1, make([]T, rows*n))
			siluBackwardGo(z2, s2, g, r2, o2, make([]T, rows*n))
			if i := same(o1, o2); i >= 0 {
				t.Fatalf("n=%d backward res=%v [%d]: %v vs Go %v", n, withRes, i, o1[i], o2[i])
			}
		}
	}
}
