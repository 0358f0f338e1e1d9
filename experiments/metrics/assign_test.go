package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// bruteAssign returns the minimal Σ_i C[i, σ(i)] over all permutations σ.
func bruteAssign(c []float64, n int) float64 {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	best := math.Inf(1)
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			var s float64
			for i, j := range p {
				s += c[i*n+j]
			}
			best = math.Min(best, s)
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
	return best
}

func checkPermutation(t *testing.T, p []int, n int) {
	t.Helper()
	seen := make([]bool, n)
	for i, j := range p {
		if j < 0 || j >= n || seen[j] {
			t.Fatalf("assignment %v is not a permutation (row %d → %d)", p, i, j)
		}
		seen[j] = true
	}
}

// TestAssignBruteForce: the exact solver matches brute force over all n!
// permutations for n ≤ 7 on uniform, integer (many ties) and squared-distance
// costs, 20 seeds each. Tolerance 1e-12 (absolute, costs O(1)–O(10)).
func TestAssignBruteForce(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		for n := 1; n <= 7; n++ {
			kinds := map[string][]float64{}
			u := make([]float64, n*n)
			ties := make([]float64, n*n)
			for k := range u {
				u[k] = r.Float64()
				ties[k] = float64(r.IntN(3))
			}
			kinds["uniform"], kinds["ties"] = u, ties
			x := gaussCloud(seed*10+uint64(n), n, 3, 0)
			y := gaussCloud(seed*10+uint64(n)+1000, n, 3, 0.5)
			kinds["sqdist"], _ = SqDist(x, y, 3)
			for name, c := range kinds {
				p, total, gap, err := Assign(c, n)
				if err != nil {
					t.Fatal(err)
				}
				checkPermutation(t, p, n)
				var s float64
				for i, j := range p {
					s += c[i*n+j]
				}
				want := bruteAssign(c, n)
				if math.Abs(total-want) > 1e-12 || math.Abs(s-total) > 1e-12 {
					t.Fatalf("seed %d n %d %s: total %v (recomputed %v), brute force %v", seed, n, name, total, s, want)
				}
				if gap < 0 || gap > 1e-12 {
					t.Fatalf("seed %d n %d %s: certified gap %v, want ~0", seed, n, name, gap)
				}
			}
		}
	}
}

// TestW2OneDimSorted: in 1-D the optimal matching for the squared cost is the
// sorted one, so W2² = (1/n) Σ (x_(i) − y_(i))². Relative tolerance 1e-12.
func TestW2OneDimSorted(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		const n = 400
		x := gaussCloud(seed, n, 1, 0)
		y := gaussCloud(seed+100, n, 1, 0.7)
		for i := range y {
			y[i] *= 1 + float64(seed) // different spread
		}
		res, err := W2Exact(x, y, 1)
		if err != nil {
			t.Fatal(err)
		}
		xs, ys := slices.Clone(x), slices.Clone(y)
		slices.Sort(xs)
		slices.Sort(ys)
		var want float64
		for i := range xs {
			want += (xs[i] - ys[i]) * (xs[i] - ys[i])
		}
		want /= n
		if math.Abs(res.W2Sq-want) > 1e-12*want {
			t.Fatalf("seed %d: W2² = %.15g, sorted matching %.15g", seed, res.W2Sq, want)
		}
		if math.Abs(res.W2-math.Sqrt(want)) > 1e-12*math.Sqrt(want) {
			t.Fatalf("W2 = %v, want sqrt(W2²) = %v", res.W2, math.Sqrt(want))
		}
	}
}

// TestW2Gaussians: W2 between N(μ₁, I) and N(μ₂, I) is |μ₁ − μ₂|. With two
// samples of n = 1000 in d = 2 the empirical value carries a small positive
// bias (the W2² between two samples of the same law, O(log n / n) in 2-D);
// this sanity check allows |W2 − |Δμ|| < 0.05 for |Δμ| = 2.
func TestW2Gaussians(t *testing.T) {
	const n, d = 1000, 2
	x := gaussCloud(11, n, d, 0)
	y := gaussCloud(12, n, d, 0)
	mu := []float64{1.2, -1.6} // |Δμ| = 2
	for i := 0; i < n; i++ {
		y[i*d] += mu[0]
		y[i*d+1] += mu[1]
	}
	res, err := W2Exact(x, y, d)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.W2-2) > 0.05 {
		t.Fatalf("W2 = %v, want ≈ |Δμ| = 2 (± 0.05)", res.W2)
	}
	if res.GapSq > 1e-9 {
		t.Fatalf("certified gap %v", res.GapSq)
	}
	t.Logf("W2 = %.4f for |Δμ| = 2 (n = %d, d = %d), gap %.3g", res.W2, n, d, res.GapSq)
}

// TestAssignDualCertificate: on a larger problem with clustered costs (the
// hard case for augmenting row reduction) the solution carries a dual
// certificate: gap ≤ 1e-9 relative to the total.
func TestAssignDualCertificate(t *testing.T) {
	x, _ := mixtureCloud(5, 300, 10, 8, 10)
	y, _ := mixtureCloud(6, 300, 10, 8, 10)
	res, err := W2Exact(x, y, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkPermutation(t, res.Match, 300)
	if res.GapSq > 1e-9*res.W2Sq {
		t.Fatalf("gap %v for W2² = %v", res.GapSq, res.W2Sq)
	}
	// Integer costs with massive ties (values 0..3), n = 400: the certificate
	// must be exactly 0 (integer arithmetic is exact in float64).
	r := rand.New(rand.NewPCG(17, 17))
	c := make([]float64, 400*400)
	for k := range c {
		c[k] = float64(r.IntN(4))
	}
	p, _, gap, err := Assign(c, 400)
	if err != nil || gap != 0 {
		t.Fatalf("ties: gap %v, err %v", gap, err)
	}
	checkPermutation(t, p, 400)
	// The identity assignment of x with itself is optimal with cost 0.
	self, err := W2Exact(x, x, 10)
	if err != nil {
		t.Fatal(err)
	}
	if self.W2Sq != 0 {
		t.Fatalf("W2(x, x)² = %v, want 0", self.W2Sq)
	}
}

func TestAssignErrors(t *testing.T) {
	if _, _, _, err := Assign([]float64{1, 2, 3}, 2); err == nil || !strings.Contains(err.Error(), "len(C) = 3") {
		t.Fatalf("want length error, got %v", err)
	}
	if _, _, _, err := Assign([]float64{1, math.NaN(), 3, 4}, 2); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("want NaN error, got %v", err)
	}
	if _, err := W2Exact(make([]float64, 6), make([]float64, 4), 2); err == nil || !strings.Contains(err.Error(), "3 and 2") {
		t.Fatalf("want size error, got %v", err)
	}
	if _, err := W2Exact(make([]float64, 5), make([]float64, 4), 2); err == nil || !strings.Contains(err.Error(), "len(x) = 5") {
		t.Fatalf("want shape error, got %v", err)
	}
}
