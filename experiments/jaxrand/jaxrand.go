// Package jaxrand owns a bit-exact Go reproduction of JAX's default pseudo-random number
// generator, threefry2x32, in the original (non-partitionable) layout that JAX used up to and
// including v0.4.28 with jax_enable_x64 off. The benchmark targets (gmm40 means, mos50
// locations; docs/benchmarks.md) were drawn with it, so the project regenerates them here
// instead of shipping copies.
//
// What is reproduced, and how each piece is checked (see jaxrand_test.go):
//
//   - Threefry2x32: the 20-round Threefry-2x32 block function of Salmon et al. (Random123),
//     checked against Random123's known-answer vectors (13, 20 and 32 rounds).
//   - PRNGKey / PRNGKey32: jax.random.PRNGKey's seed → key map (JAX's
//     test_prng_seeds_and_keys).
//   - RandomBits, Split, FoldIn: the original layout of jax._src.prng (counter iota(n),
//     zero-padded to even length, halves as the two lanes), checked against JAX's
//     testRngRandomBits, testPRNGValues (split/fold_in/randint) and the "bits" case of
//     testRandomDistributionValues, and Elixir Nx's port of the same tests.
//   - Uniform32 (and Uniform32FMA): jax.random.uniform for float32, checked against the
//     "uniform" case of testRandomDistributionValues.
//
// Nothing here is random in the statistical sense: every function is a pure function of its
// arguments. The package has no state.
package jaxrand

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// threefryParity is the Skein key-schedule parity constant C240 for 32-bit words.
const threefryParity = 0x1BD11BDA

// Threefry2x32 is the Threefry-2x32 block cipher with 20 rounds (threefry2x32_20 of
// Random123, the function JAX calls threefry_2x32 on a single (key, counter) pair): it maps
// a 64-bit key (two 32-bit words) and a 64-bit counter block x to 64 pseudo-random bits.
func Threefry2x32(key [2]uint32, x [2]uint32) [2]uint32 {
	return threefry2x32Rounds(key, x, 20)
}

// threefry2x32Rounds is Threefry-2x32 with a configurable number of rounds (≤ 32), so that
// the 13- and 32-round Random123 vectors can test the rotation schedule and key injection
// beyond the 20 rounds JAX uses. A key injection follows every fourth round.
func threefry2x32Rounds(key [2]uint32, x [2]uint32, rounds int) [2]uint32 {
	// The Threefry-2x32 rotation constants of Salmon et al., "Parallel random numbers: as
	// easy as 1, 2, 3" (SC 2011), used cyclically.
	rot := [8]int{13, 15, 26, 6, 17, 29, 16, 24}
	ks := [3]uint32{key[0], key[1], key[0] ^ key[1] ^ threefryParity}
	x0, x1 := x[0]+ks[0], x[1]+ks[1]
	for r := 0; r < rounds; r++ {
		x0 += x1
		x1 = bits.RotateLeft32(x1, rot[r%8])
		x1 ^= x0
		if (r+1)%4 == 0 {
			s := uint32((r + 1) / 4)
			x0 += ks[s%3]
			x1 += ks[(s+1)%3] + s
		}
	}
	return [2]uint32{x0, x1}
}

// PRNGKey returns the threefry2x32 key that jax.random.PRNGKey builds from a 64-bit integer
// seed: [high 32 bits, low 32 bits] of the two's-complement seed. This is JAX's result for an
// int64 seed with jax_enable_x64 on (e.g. PRNGKey(-1) = [0xFFFFFFFF, 0xFFFFFFFF]). For
// seeds in [0, 2^31) it is [0, seed] in every JAX mode; PRNGKey(0) = [0, 0].
func PRNGKey(seed int64) [2]uint32 {
	u := uint64(seed)
	return [2]uint32{uint32(u >> 32), uint32(u)}
}

// PRNGKey32 returns the key JAX builds from a 32-bit seed: [0, seed]. This is what
// jax.random.PRNGKey gives for int32/uint32 seeds in any mode, and for every Python int seed
// when jax_enable_x64 is off (the default): there only the low 32 bits are kept, so a
// negative seed s maps to [0, uint32(s)] (pass uint32(int32(s)) or uint32(int64(s))).
func PRNGKey32(seed uint32) [2]uint32 {
	return [2]uint32{0, seed}
}

// maxCount is the largest number of 32-bit words RandomBits generates in one threefry call.
// JAX splits larger requests into blocks under split keys; that path is not reproduced.
const maxCount = math.MaxUint32 - 1

// RandomBits returns n pseudo-random 32-bit words for key in JAX's original layout
// (jax._src.prng._threefry_random_bits_original with bit_width 32, i.e.
// jax.random.bits(key, (n,), uint32)): the counter array iota(n) is padded with one zero if
// n is odd, its first and second halves are the two threefry lanes, and the two output
// lanes are concatenated and trimmed back to n words. An array of any shape uses the
// row-major flattening, so n = prod(shape). It panics if n < 0 or n ≥ 2^32 − 1.
func RandomBits(key [2]uint32, n int) []uint32 {
	if n < 0 || uint64(n) > maxCount {
		panic(fmt.Sprintf("jaxrand: RandomBits count %d outside [0, %d]", n, uint64(maxCount)))
	}
	half := (n + 1) / 2
	out := make([]uint32, 2*half)
	for i := 0; i < half; i++ {
		// Lane 0 holds counter i, lane 1 holds counter half+i (0 if that is the padding).
		c1 := uint32(half + i)
		if half+i >= n {
			c1 = 0
		}
		y := Threefry2x32(key, [2]uint32{uint32(i), c1})
		out[i] = y[0]
		out[half+i] = y[1]
	}
	return out[:n]
}

// Split returns num new keys derived from key as jax.random.split(key, num) does in the
// original layout: the 2·num words RandomBits(key, 2·num) read as num rows of two.
func Split(key [2]uint32, num int) [][2]uint32 {
	if num < 0 {
		panic(fmt.Sprintf("jaxrand: Split count %d is negative", num))
	}
	b := RandomBits(key, 2*num)
	keys := make([][2]uint32, num)
	for i := range keys {
		keys[i] = [2]uint32{b[2*i], b[2*i+1]}
	}
	return keys
}

// FoldIn returns jax.random.fold_in(key, data) for a 32-bit datum: threefry of key applied
// to the counter pair built from PRNGKey32(data), i.e. Threefry2x32(key, [0, data]).
func FoldIn(key [2]uint32, data uint32) [2]uint32 {
	return Threefry2x32(key, PRNGKey32(data))
}

// unitFloat32 maps 32 random bits to a float32 in [0, 1) as jax.random.uniform does: the top
// 23 bits become the mantissa of a float in [1, 2), from which 1 is subtracted (exactly).
func unitFloat32(b uint32) float32 {
	return math.Float32frombits(b>>9|0x3F800000) - 1
}

// Uniform32 returns n float32 values of jax.random.uniform(key, (n,), float32, minval,
// maxval) (shape (n,) or any shape with n elements, row-major). Per element, with f the
// float in [0, 1) of unitFloat32, JAX computes in float32
//
//	max(minval, f·(maxval − minval) + minval),
//
// where maxval − minval is rounded once, and this function rounds the product and the sum
// separately (no fused multiply–add). Whether XLA contracted the multiply–add into an FMA
// when the benchmark ran is not known: XLA's CPU backend sets LLVM's AllowFPOpFusion to Fast
// ("always allow FMA fusion"), and the benchmark ran on CUDA, where contraction is also the
// compiler default. Uniform32FMA is that variant. The two differ by at most one float32 unit
// in the last place (158 of the 500 mos50 locations differ, by 9.5e-7), and not at all when
// maxval − minval is a power of two (the product is then exact), which covers gmm40's (−1, 1).
func Uniform32(key [2]uint32, n int, minval, maxval float32) []float32 {
	b := RandomBits(key, n)
	out := make([]float32, n)
	scale := maxval - minval
	for i, w := range b {
		// The explicit float32 conversion forbids the Go compiler from fusing the
		// multiply and the add (Go spec, "Floating-point operators").
		v := float32(unitFloat32(w)*scale) + minval
		out[i] = max32(minval, v)
	}
	return out
}

// Uniform32FMA is Uniform32 with the multiply–add f·(maxval − minval) + minval rounded once
// to float32, as a fused multiply–add would compute it. The exact value is formed in
// arbitrary precision, so the result is correctly rounded (round to nearest even).
func Uniform32FMA(key [2]uint32, n int, minval, maxval float32) []float32 {
	b := RandomBits(key, n)
	out := make([]float32, n)
	scale := maxval - minval
	var p, s, m big.Float
	for i, w := range b {
		// 24-bit × 24-bit products and float32 sums are exact at 512 bits of precision.
		p.SetPrec(512).SetFloat64(float64(unitFloat32(w)))
		p.Mul(&p, s.SetPrec(512).SetFloat64(float64(scale)))
		p.Add(&p, m.SetPrec(512).SetFloat64(float64(minval)))
		v, _ := p.Float32()
		out[i] = max32(minval, v)
	}
	return out
}

// max32 is lax.max for the non-NaN values that occur here.
func max32(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}
