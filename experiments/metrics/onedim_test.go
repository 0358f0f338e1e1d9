package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKS2Hand: hand-computed statistics.
//
//	x = {1,2,3,4}, y = {2.5,3.5,4.5}: after 2, F_x = 1/2 and F_y = 0, so D = 1/2.
//	x = {1,1,2}, y = {1,2,2}: after the tie at 1, F_x = 2/3, F_y = 1/3, so D = 1/3
//	(processing tied values one at a time would wrongly give 2/3).
//	x = {0}, y = {1}: D = 1.
func TestKS2Hand(t *testing.T) {
	cases := []struct {
		x, y []float64
		want float64
	}{
		{[]float64{4, 2, 3, 1}, []float64{2.5, 4.5, 3.5}, 0.5},
		{[]float64{1, 1, 2}, []float64{1, 2, 2}, 1.0 / 3},
		{[]float64{0}, []float64{1}, 1},
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, 0},
	}
	for _, c := range cases {
		x0 := append([]float64(nil), c.x...)
		got, err := KS2(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-15 {
			t.Fatalf("KS2(%v, %v) = %v, want %v", c.x, c.y, got, c.want)
		}
		for i := range x0 {
			if x0[i] != c.x[i] {
				t.Fatal("KS2 modified its input")
			}
		}
	}
	if _, err := KS2(nil, []float64{1}); err == nil {
		t.Fatal("want error for an empty sample")
	}
}

// TestKolmogorovQ: the two series forms agree where both converge (1e-12),
// and known quantiles hold: Q(1.3581) ≈ 0.05, Q(1.2239) ≈ 0.10, Q(1.6276) ≈ 0.01
// (standard KS critical values), to 1e-4.
func TestKolmogorovQ(t *testing.T) {
	alt := func(l float64) float64 { // alternating series, many terms
		var s float64
		for k := 1; k < 2000; k++ {
			s += math.Pow(-1, float64(k-1)) * math.Exp(-2*float64(k*k)*l*l)
		}
		return 2 * s
	}
	theta := func(l float64) float64 {
		var s float64
		for k := 1; k < 2000; k++ {
			tk := float64(2*k - 1)
			s += math.Exp(-tk * tk * math.Pi * math.Pi / (8 * l * l))
		}
		return 1 - math.Sqrt(2*math.Pi)/l*s
	}
	for _, l := range []float64{0.6, 0.8, 0.99, 1.0, 1.2, 1.5, 2, 3} {
		if g := KolmogorovQ(l); math.Abs(g-alt(l)) > 1e-12 || math.Abs(g-theta(l)) > 1e-12 {
			t.Fatalf("Q(%v) = %v, alternating %v, theta %v", l, g, alt(l), theta(l))
		}
	}
	for _, c := range [][2]float64{{1.3581, 0.05}, {1.2239, 0.10}, {1.6276, 0.01}} {
		if g := KolmogorovQ(c[0]); math.Abs(g-c[1]) > 1e-4 {
			t.Fatalf("Q(%v) = %v, want %v", c[0], g, c[1])
		}
	}
	if KolmogorovQ(0) != 1 || KolmogorovQ(0.1) < 0.999999 || KolmogorovQ(10) != 0 && KolmogorovQ(10) > 1e-80 {
		t.Fatal("Q edge values")
	}
}

// TestKS2Asymptotic: under the null (two samples of N(0,9), n = m = 1000,
// 400 replicates) √(n/2)·D follows the Kolmogorov law asymptotically: the
// rejection rate at the 5% critical value 1.358 must lie in [2%, 9%]
// (binomial sd ≈ 1.1%), and the mean of √(n/2)·D must be within 0.06 of
// E[K] = √(π/2)·ln 2 ≈ 0.8687 (sd of the replicate mean ≈ 0.013, plus a
// finite-n bias of order 1/√(n/2) that puts it below the limit). Under a shift of 2 (2/3 sd) D ≈ 0.26 and the
// p-value is < 1e-4 in every replicate of 20.
func TestKS2Asymptotic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const n, reps = 1000, 400
	x, y := make([]float64, n), make([]float64, n)
	rejected := 0
	var mean float64
	for rep := 0; rep < reps; rep++ {
		for i := range x {
			x[i] = 3 * r.NormFloat64()
			y[i] = 3 * r.NormFloat64()
		}
		d, _ := KS2(x, y)
		l := math.Sqrt(n/2.0) * d
		mean += l / reps
		if l > 1.358 {
			rejected++
		}
		if p := KS2PValue(d, n, n); math.Abs(p-KolmogorovQ(l)) > 1e-15 {
			t.Fatal("KS2PValue inconsistent")
		}
	}
	rate := float64(rejected) / reps
	t.Logf("rejection rate %.3f, mean √(n/2)D %.4f", rate, mean)
	if rate < 0.02 || rate > 0.09 {
		t.Fatalf("null rejection rate %v", rate)
	}
	if math.Abs(mean-math.Sqrt(math.Pi/2)*math.Ln2) > 0.06 {
		t.Fatalf("mean of √(n/2)D = %v", mean)
	}
	for rep := 0; rep < 20; rep++ {
		for i := range x {
			x[i] = 3 * r.NormFloat64()
			y[i] = 3*r.NormFloat64() + 2
		}
		d, _ := KS2(x, y)
		if p := KS2PValue(d, n, n); p > 1e-4 {
			t.Fatalf("shifted: D = %v, p = %v", d, p)
		}
	}
}

// TestW1OneD: equal sizes vs the sorted mean absolute difference (1e-14);
// a hand example with unequal sizes (x = {0,1}, y = {0.5}: W1 = 1/2);
// a pure shift (W1 = |shift|); and N(0,1) vs N(1,1) samples (W1 ≈ 1 ± 0.1).
func TestW1OneD(t *testing.T) {
	got, _ := W1OneD([]float64{0, 1}, []float64{0.5})
	if math.Abs(got-0.5) > 1e-15 {
		t.Fatalf("W1 = %v, want 0.5", got)
	}
	got, _ = W1OneD([]float64{0, 1, 2}, []float64{0, 2})
	// F_x − F_y: on [0,1): 1/3 − 1/2; on [1,2): 2/3 − 1/2 → W1 = 1/6 + 1/6 = 1/3.
	if math.Abs(got-1.0/3) > 1e-15 {
		t.Fatalf("W1 = %v, want 1/3", got)
	}
	x := gaussCloud(1, 500, 1, 0)
	y := gaussCloud(2, 500, 1, 1)
	got, _ = W1OneD(x, y)
	w2, _ := W2Exact(x, y, 1) // sorted matching also solves W1 in 1-D
	var s float64
	for i, j := range w2.Match {
		s += math.Abs(x[i] - y[j])
	}
	if math.Abs(got-s/500) > 1e-14 || math.Abs(got-1) > 0.1 {
		t.Fatalf("W1 = %v, matched mean |Δ| %v", got, s/500)
	}
	// Unequal sizes, pure shift by 2: W1 = 2 exactly (up to rounding).
	z := make([]float64, 300)
	for i := range z {
		z[i] = x[i] + 2
	}
	got, _ = W1OneD(x[:300], z)
	if math.Abs(got-2) > 1e-12 {
		t.Fatalf("shift W1 = %v", got)
	}
	got, _ = W1OneD(x, z)
	if math.Abs(got-2) > 0.3 {
		t.Fatalf("W1 of sets of sizes 500 and 300 = %v", got)
	}
}
