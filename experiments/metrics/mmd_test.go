package metrics

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// naiveMMD is a direct double-loop implementation with a sorted median.
func naiveMMD(x, y []float64, n, m, d int) (mmd, u, bw float64) {
	z := append(append([]float64(nil), x...), y...)
	N := n + m
	dist := func(i, j int) float64 {
		var s float64
		for k := 0; k < d; k++ {
			t := z[i*d+k] - z[j*d+k]
			s += t * t
		}
		return math.Sqrt(s)
	}
	var all []float64
	for i := 0; i < N; i++ {
		for j := i + 1; j < N; j++ {
			all = append(all, dist(i, j))
		}
	}
	slices.Sort(all)
	bw = all[(len(all)-1)/2]
	k := func(i, j int) float64 { r := dist(i, j); return math.Exp(-r * r / (2 * bw * bw)) }
	var kxx, kyy, kxy, kxxd, kyyd float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			kxx += k(i, j)
			if i != j {
				kxxd += k(i, j)
			}
		}
		for j := n; j < N; j++ {
			kxy += k(i, j)
		}
	}
	for i := n; i < N; i++ {
		for j := n; j < N; j++ {
			kyy += k(i, j)
			if i != j {
				kyyd += k(i, j)
			}
		}
	}
	fn, fm := float64(n), float64(m)
	v := kxx/(fn*fn) + kyy/(fm*fm) - 2*kxy/(fn*fm)
	u = kxxd/(fn*(fn-1)) + kyyd/(fm*(fm-1)) - 2*kxy/(fn*fm)
	return math.Sqrt(math.Max(v, 0)), u, bw
}

// TestMMDVsNaive: bandwidth, V- and U-statistics equal a direct double loop
// (n = 60, m = 45, d = 3) to 1e-12 (bandwidth exactly: same order statistic).
func TestMMDVsNaive(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		x := gaussCloud(seed, 60, 3, 0)
		y := gaussCloud(seed+10, 45, 3, 0.4)
		got, err := MMD(x, y, 3)
		if err != nil {
			t.Fatal(err)
		}
		mmd, u, bw := naiveMMD(x, y, 60, 45, 3)
		if got.Bandwidth != bw {
			t.Fatalf("bandwidth %v, naive %v", got.Bandwidth, bw)
		}
		if math.Abs(got.MMD-mmd) > 1e-12 || math.Abs(got.MMD2U-u) > 1e-12 || math.Abs(got.MMD2V-mmd*mmd) > 1e-12 {
			t.Fatalf("MMD %v U %v, naive %v %v", got.MMD, got.MMD2U, mmd, u)
		}
		if got.PairsForMedian != 105*104/2 {
			t.Fatalf("pairs %d", got.PairsForMedian)
		}
	}
}

// TestMMDTwoSample: for two independent samples of the same law (n = 400,
// d = 5) the U-statistic is unbiased for 0; its standard deviation is of
// order 1/n, so |U| < 5e-3 is asserted. A mean shift of 0.5 per coordinate
// (|Δμ| ≈ 1.1, against a bandwidth ≈ 3.2) must give U > 2e-2 and a larger
// V-statistic MMD.
func TestMMDTwoSample(t *testing.T) {
	x := gaussCloud(31, 400, 5, 0)
	y := gaussCloud(32, 400, 5, 0)
	z := gaussCloud(33, 400, 5, 0.5)
	same, err := MMD(x, y, 5)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := MMD(x, z, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("same law: MMD %.4f U %.2e; shifted: MMD %.4f U %.2e; bw %.3f", same.MMD, same.MMD2U, diff.MMD, diff.MMD2U, same.Bandwidth)
	if math.Abs(same.MMD2U) > 5e-3 {
		t.Fatalf("same law U = %v", same.MMD2U)
	}
	if diff.MMD2U < 2e-2 || diff.MMD <= same.MMD {
		t.Fatalf("shifted U = %v, MMD %v vs %v", diff.MMD2U, diff.MMD, same.MMD)
	}
	// Identical sets: V = 0 exactly up to rounding, U = −(2/(n−1))·(mean off-diagonal kernel) < 0.
	self, _ := MMD(x, x, 5)
	if self.MMD > 1e-6 || self.MMD2U >= 0 {
		t.Fatalf("MMD(x, x) = %v, U = %v", self.MMD, self.MMD2U)
	}
}

// TestMMDSubsampledMedian: with the pair limit forced below the pair count the
// median comes from a deterministic subsample; it stays within 3% of the
// exact median and is reproducible.
func TestMMDSubsampledMedian(t *testing.T) {
	x := gaussCloud(1, 300, 4, 0)
	y := gaussCloud(2, 300, 4, 0.2)
	exact, _ := MMD(x, y, 4)
	opt := MMDOptions{MaxPairs: 1000, SamplePairs: 20000}
	a, err := MMDWith(x, y, 4, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := MMDWith(x, y, 4, opt)
	if a != b {
		t.Fatalf("subsampled MMD not deterministic: %+v vs %+v", a, b)
	}
	if a.PairsForMedian != 20000 || math.Abs(a.Bandwidth-exact.Bandwidth) > 0.03*exact.Bandwidth {
		t.Fatalf("subsampled bandwidth %v (%d pairs), exact %v", a.Bandwidth, a.PairsForMedian, exact.Bandwidth)
	}
	fixed, _ := MMDWith(x, y, 4, MMDOptions{Bandwidth: exact.Bandwidth})
	if fixed.MMD2U != exact.MMD2U {
		t.Fatalf("fixed bandwidth gives %v, want %v", fixed.MMD2U, exact.MMD2U)
	}
}

// TestKthSmallest: radix select equals sorting, including duplicates and zeros.
func TestKthSmallest(t *testing.T) {
	a := gaussCloud(5, 1001, 1, 0)
	for i := range a {
		a[i] = a[i] * a[i]
		if i%7 == 0 {
			a[i] = 0
		}
		if i%11 == 0 {
			a[i] = 1.5
		}
	}
	s := slices.Clone(a)
	slices.Sort(s)
	for _, k := range []int{0, 1, 142, 500, 999, 1000} {
		if got := kthSmallestNonneg(a, k); got != s[k] {
			t.Fatalf("k = %d: %v, want %v", k, got, s[k])
		}
	}
}

func TestMMDErrors(t *testing.T) {
	x := make([]float64, 10)
	if _, err := MMD(x, x, 2); err == nil || !strings.Contains(err.Error(), "median pairwise distance is 0") {
		t.Fatalf("want zero-bandwidth error, got %v", err)
	}
	if _, err := MMD(x[:2], x, 2); err == nil || !strings.Contains(err.Error(), "got 1 and 5") {
		t.Fatalf("want size error, got %v", err)
	}
}
