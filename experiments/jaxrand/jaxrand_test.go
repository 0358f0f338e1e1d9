package jaxrand

import (
	"hash/adler32"
	"math"
	"testing"
)

// Random123 known-answer vectors for threefry2x32, from the kat_vectors file of the Random123
// distribution as reproduced in DEShawResearch/Random123-Boost,
// libs/random/test/test_threefry.cpp (test_kat_threefry2x32), and for 32 rounds from the
// same kat_vectors file as quoted in the OCaml port KaroshiBee/randii (its threefry2x32
// known-answer test). Line format:
// rounds, counter (2 words), key (2 words), output (2 words). The 20-round lines are also
// the vectors of JAX's tests/random_test.py testThreefry2x32.
func TestThreefryRandom123KAT(t *testing.T) {
	cases := []struct {
		rounds   int
		ctr, key [2]uint32
		want     [2]uint32
	}{
		{13, [2]uint32{0, 0}, [2]uint32{0, 0}, [2]uint32{0x9d1c5ec6, 0x8bd50731}},
		{13, [2]uint32{0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [2]uint32{0xfd36d048, 0x2d17272c}},
		{13, [2]uint32{0x243f6a88, 0x85a308d3}, [2]uint32{0x13198a2e, 0x03707344}, [2]uint32{0xba3e4725, 0xf27d669e}},
		{20, [2]uint32{0, 0}, [2]uint32{0, 0}, [2]uint32{0x6b200159, 0x99ba4efe}},
		{20, [2]uint32{0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [2]uint32{0x1cb996fc, 0xbb002be7}},
		{20, [2]uint32{0x243f6a88, 0x85a308d3}, [2]uint32{0x13198a2e, 0x03707344}, [2]uint32{0xc4923a9c, 0x483df7a0}},
		{32, [2]uint32{0, 0}, [2]uint32{0, 0}, [2]uint32{0xcee3d47e, 0xa23dfd5c}},
		{32, [2]uint32{0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [2]uint32{0x6e2fe0d0, 0xb1b76f82}},
		{32, [2]uint32{0x243f6a88, 0x85a308d3}, [2]uint32{0x13198a2e, 0x03707344}, [2]uint32{0xe2827716, 0xc3c05cdf}},
	}
	for _, c := range cases {
		got := threefry2x32Rounds(c.key, c.ctr, c.rounds)
		if got != c.want {
			t.Errorf("threefry2x32_%d(key %08x, ctr %08x) = %08x, want %08x", c.rounds, c.key, c.ctr, got, c.want)
		}
		if c.rounds == 20 {
			if got := Threefry2x32(c.key, c.ctr); got != c.want {
				t.Errorf("Threefry2x32(key %08x, ctr %08x) = %08x, want %08x", c.key, c.ctr, got, c.want)
			}
		}
	}
}

// JAX tests/random_test.py, test_prng_seeds_and_keys (the jax_enable_x64 column for int64
// seeds; 32-bit seeds give the same key in both modes).
func TestPRNGKeySeeds(t *testing.T) {
	cases := []struct {
		seed int64
		want [2]uint32
	}{
		{0, [2]uint32{0, 0}},
		{1, [2]uint32{0, 1}},
		{3, [2]uint32{0, 3}},
		{-1, [2]uint32{4294967295, 4294967295}},
		{-3, [2]uint32{4294967295, 4294967293}},
		{math.MaxInt32 + 100, [2]uint32{0, 2147483747}},
		{math.MinInt32 - 100, [2]uint32{4294967295, 2147483548}},
		{math.MinInt32 - 101, [2]uint32{4294967295, 2147483547}},
	}
	for _, c := range cases {
		if got := PRNGKey(c.seed); got != c.want {
			t.Errorf("PRNGKey(%d) = %v, want %v", c.seed, got, c.want)
		}
	}
	// The same test's x64-off column: only the low word survives.
	cases32 := []struct {
		seed int64
		want [2]uint32
	}{
		{-1, [2]uint32{0, 4294967295}},
		{-2, [2]uint32{0, 4294967294}},
		{math.MaxInt32 + 101, [2]uint32{0, 2147483748}},
		{math.MinInt32 - 100, [2]uint32{0, 2147483548}},
	}
	for _, c := range cases32 {
		if got := PRNGKey32(uint32(c.seed)); got != c.want {
			t.Errorf("PRNGKey32(uint32(%d)) = %v, want %v", c.seed, got, c.want)
		}
	}
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// JAX tests/random_test.py testRngRandomBits (key = PRNGKey(1701), 32-bit words, shape (3,))
// and Elixir Nx test/nx/random_test.exs "random_bits/2", a port of the same test that adds
// shapes {} (one word) and {3, 2} (six words). Odd counts exercise the zero padding.
func TestRandomBitsKAT(t *testing.T) {
	key := PRNGKey(1701)
	cases := []struct {
		n    int
		want []uint32
	}{
		{1, []uint32{741045208}},
		{3, []uint32{56197195, 4200222568, 961309823}},
		{6, []uint32{927208350, 3916705582, 1835323421, 676898860, 3164047411, 4010691890}},
	}
	for _, c := range cases {
		if got := RandomBits(key, c.n); !equalU32(got, c.want) {
			t.Errorf("RandomBits(PRNGKey(1701), %d) = %v, want %v", c.n, got, c.want)
		}
	}
	// JAX tests/random_test.py _RANDOM_VALUES_CASES, RandomValuesCase("bits",
	// "threefry2x32", (5,), np.uint32): seed = adler32("bitsthreefry2x32").
	seed := adler32.Checksum([]byte("bitsthreefry2x32"))
	want := []uint32{1978747883, 4134381225, 3628107870, 689687174, 2788938207}
	if got := RandomBits(PRNGKey32(seed), 5); !equalU32(got, want) {
		t.Errorf("bits(adler32 seed %d, 5) = %v, want %v", seed, got, want)
	}
	if got := RandomBits(key, 0); len(got) != 0 {
		t.Errorf("RandomBits(key, 0) has %d words", len(got))
	}
}

// JAX tests/random_test.py testPRNGValues: split(PRNGKey(0), 4) and fold_in(PRNGKey(0), 4).
func TestSplitFoldInKAT(t *testing.T) {
	k := PRNGKey(0)
	want := [][2]uint32{
		{2285895361, 1501764800},
		{1518642379, 4090693311},
		{433833334, 4221794875},
		{839183663, 3740430601},
	}
	got := Split(k, 4)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Split(PRNGKey(0), 4)[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if got, want := FoldIn(k, 4), [2]uint32{2285895361, 433833334}; got != want {
		t.Errorf("FoldIn(PRNGKey(0), 4) = %v, want %v", got, want)
	}
}

// randint reproduces jax._src.random._randint for int32 output and 0 ≤ minval < maxval, only
// to check Split and RandomBits against JAX's published randint values.
func randint(key [2]uint32, n int, minval, maxval int32) []int32 {
	ks := Split(key, 2)
	hi, lo := RandomBits(ks[0], n), RandomBits(ks[1], n)
	span := uint32(maxval - minval)
	mult := (uint32(1) << 16) % span
	mult = (mult * mult) % span
	out := make([]int32, n)
	for i := range out {
		off := ((hi[i]%span)*mult + lo[i]%span) % span
		out[i] = minval + int32(off)
	}
	return out
}

// JAX tests/random_test.py testPRNGValues: randint(PRNGKey(0), (3, 3), 0, 8, int32); and the
// "randint" case of _RANDOM_VALUES_CASES / Nx's port: seed adler32("randintthreefry2x32"),
// shape (5,), [0, 10).
func TestRandintKAT(t *testing.T) {
	got := randint(PRNGKey(0), 9, 0, 8)
	want := []int32{2, 1, 3, 6, 1, 5, 6, 3, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("randint(PRNGKey(0), 9, 0, 8) = %v, want %v", got, want)
		}
	}
	seed := adler32.Checksum([]byte("randintthreefry2x32"))
	got = randint(PRNGKey32(seed), 5, 0, 10)
	want = []int32{0, 5, 7, 7, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("randint(adler32 seed %d, 5, 0, 10) = %v, want %v", seed, got, want)
		}
	}
}

// JAX tests/random_test.py _RANDOM_VALUES_CASES, RandomValuesCase("uniform", "threefry2x32",
// (5,), np.float32): seed adler32("uniformthreefry2x32"), printed to 6 decimals (JAX
// compares with its float32 default tolerance, 1e-6). Also reproduced in Nx's tests.
func TestUniformKAT(t *testing.T) {
	seed := adler32.Checksum([]byte("uniformthreefry2x32"))
	want := []float64{0.298671, 0.073213, 0.873356, 0.260549, 0.412797}
	for _, u := range [][]float32{Uniform32(PRNGKey32(seed), 5, 0, 1), Uniform32FMA(PRNGKey32(seed), 5, 0, 1)} {
		for i := range want {
			if math.Abs(float64(u[i])-want[i]) > 6e-7 {
				t.Errorf("uniform(adler32 seed %d, 5)[%d] = %.7f, want %.6f", seed, i, u[i], want[i])
			}
		}
	}
	// Derived vector: uniform(PRNGKey(0)) for one element is the first Random123 word
	// 0x6b200159 (key 0, counter (0, 0)) with its top 23 bits as mantissa.
	if got, want := Uniform32(PRNGKey(0), 1, 0, 1)[0], float32(0x6b200159>>9)/(1<<23); got != want {
		t.Errorf("uniform(PRNGKey(0)) = %v, want %v", got, want)
	}
}

// Uniform32 must stay in [minval, maxval) and apply the float32 operations in JAX's order.
func TestUniformRangeAndRounding(t *testing.T) {
	u := Uniform32(PRNGKey(7), 100001, -3, 5)
	for i, v := range u {
		if v < -3 || v >= 5 {
			t.Fatalf("Uniform32 value %d = %v outside [-3, 5)", i, v)
		}
	}
	// The clamp: the smallest unit value is 0, mapped to minval exactly.
	if got := max32(-1, float32(unitFloat32(0)*2)+(-1)); got != -1 {
		t.Errorf("unit 0 maps to %v, want -1", got)
	}
	// Largest unit value f = 1 − 2^-23 with (−10, 10): 20f = 20 − 2.5·2^-20 rounds to
	// 20 − 2^-19 in float32 (ulp 2^-19 on [16, 32)), and subtracting 10 is exact, so the
	// unfused result is 10 − 2^-19. Fused, 10 − 2.5·2^-20 is a tie between 10 − 2·2^-20 and
	// 10 − 3·2^-20 (ulp 2^-20 on [8, 16)); ties go to the even neighbour, 10 − 2^-19 again.
	want := float32(10 - math.Ldexp(1, -19))
	if got := float32(unitFloat32(0xFFFFFFFF)*20) + (-10); got != want {
		t.Errorf("unfused top value = %v, want %v", got, want)
	}
	// PRNGKey(10082300) is the first key [0, s] whose first word (0xffffff18) has all 23
	// mantissa bits set (found by search).
	top := PRNGKey(10082300)
	if w := RandomBits(top, 1)[0]; w != 0xffffff18 {
		t.Fatalf("RandomBits(PRNGKey(10082300), 1) = %08x, want ffffff18", w)
	}
	if got := Uniform32FMA(top, 1, -10, 10)[0]; got != want {
		t.Errorf("fused top value = %v, want %v", got, want)
	}
	if got := Uniform32(top, 1, -10, 10)[0]; got != want {
		t.Errorf("Uniform32 top value = %v, want %v", got, want)
	}
}

// The mos50 locations, uniform(PRNGKey(0), (10, 50), −10, 10): the fused and unfused
// multiply–add agree to 1e-6 (one float32 ulp at |x| < 16 is ≤ 9.6e-7), so either matches
// the benchmark to that tolerance. For gmm40 the scale (1 − (−1)) = 2 is a power of two, so
// the two variants must agree exactly.
func TestFusedUnfusedAgree(t *testing.T) {
	key := PRNGKey(0)
	a, b := Uniform32(key, 500, -10, 10), Uniform32FMA(key, 500, -10, 10)
	ndiff, maxd := 0, 0.0
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if d > 0 {
			ndiff++
		}
		maxd = math.Max(maxd, d)
	}
	if maxd > 1e-6 {
		t.Errorf("mos50 fused vs unfused: max |diff| = %g > 1e-6", maxd)
	}
	t.Logf("mos50 locations: %d of 500 differ between fused and unfused, max |diff| %.3g", ndiff, maxd)
	g, h := Uniform32(key, 2000, -1, 1), Uniform32FMA(key, 2000, -1, 1)
	for i := range g {
		if g[i] != h[i] {
			t.Fatalf("gmm40 uniform %d: unfused %v != fused %v", i, g[i], h[i])
		}
	}
}

func BenchmarkRandomBits(b *testing.B) {
	key := PRNGKey(0)
	for i := 0; i < b.N; i++ {
		RandomBits(key, 2000)
	}
}
