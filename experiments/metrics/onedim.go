package metrics

import (
	"fmt"
	"math"
	"slices"
)

func sortedCopy(name string, x []float64) ([]float64, error) {
	if len(x) == 0 {
		return nil, fmt.Errorf("metrics: %s is empty", name)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("metrics: %s[%d] = %v is not finite", name, i, v)
		}
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return s, nil
}

// KS2 returns the two-sample Kolmogorov–Smirnov statistic
// D = sup_t |F_x(t) − F_y(t)| ∈ [0, 1] between the empirical CDFs of the 1-D
// samples x and y (any sizes ≥ 1; ties handled exactly). The protocol uses it
// on the funnel's neck coordinate x₀. The inputs are not modified.
func KS2(x, y []float64) (float64, error) {
	xs, err := sortedCopy("x", x)
	if err != nil {
		return 0, err
	}
	ys, err := sortedCopy("y", y)
	if err != nil {
		return 0, err
	}
	n, m := len(xs), len(ys)
	i, j := 0, 0
	d := 0.0
	for i < n && j < m {
		t := math.Min(xs[i], ys[j])
		for i < n && xs[i] == t {
			i++
		}
		for j < m && ys[j] == t {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(n)-float64(j)/float64(m)))
	}
	// Once one sample is exhausted the gap only shrinks towards 0.
	return d, nil
}

// KolmogorovQ returns the survival function of the Kolmogorov distribution,
// Q(λ) = P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}, for λ ≥ 0 (Q(0) = 1).
// For λ < 1 it uses the equivalent Jacobi-theta form
// 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}, which converges fast there.
func KolmogorovQ(lambda float64) float64 {
	switch {
	case math.IsNaN(lambda):
		return math.NaN()
	case lambda <= 0:
		return 1
	case lambda < 1:
		var s float64
		for k := 1; k <= 20; k++ {
			t := float64(2*k - 1)
			s += math.Exp(-t * t * math.Pi * math.Pi / (8 * lambda * lambda))
		}
		return 1 - math.Sqrt(2*math.Pi)/lambda*s
	default:
		var s float64
		sign := 1.0
		for k := 1; k <= 100; k++ {
			term := math.Exp(-2 * float64(k*k) * lambda * lambda)
			s += sign * term
			if term < 1e-18 {
				break
			}
			sign = -sign
		}
		return 2 * s
	}
}

// KS2PValue returns the asymptotic p-value Q(√(nm/(n+m))·D) of a two-sample
// KS statistic D for sample sizes n and m (no finite-size correction; it is
// accurate for n, m ≳ 100).
func KS2PValue(d float64, n, m int) float64 {
	if n < 1 || m < 1 {
		return math.NaN()
	}
	ne := float64(n) * float64(m) / float64(n+m)
	return KolmogorovQ(math.Sqrt(ne) * d)
}

// W1OneD returns the 1-Wasserstein distance ∫|F_x(t) − F_y(t)| dt between the
// empirical measures of the 1-D samples x and y (any sizes ≥ 1; units of the
// samples, not squared). For equal sizes it equals the mean of
// |x_(i) − y_(i)| over the sorted samples. The inputs are not modified.
func W1OneD(x, y []float64) (float64, error) {
	xs, err := sortedCopy("x", x)
	if err != nil {
		return 0, err
	}
	ys, err := sortedCopy("y", y)
	if err != nil {
		return 0, err
	}
	n, m := len(xs), len(ys)
	if n == m {
		var s float64
		for i := range xs {
			s += math.Abs(xs[i] - ys[i])
		}
		return s / float64(n), nil
	}
	// Walk the merged support; between consecutive support points the CDFs
	// are constant.
	i, j := 0, 0
	var s float64
	prev := math.Min(xs[0], ys[0])
	for i < n || j < m {
		var t float64
		switch {
		case j == m || (i < n && xs[i] <= ys[j]):
			t = xs[i]
		default:
			t = ys[j]
		}
		s += math.Abs(float64(i)/float64(n)-float64(j)/float64(m)) * (t - prev)
		prev = t
		for i < n && xs[i] == t {
			i++
		}
		for j < m && ys[j] == t {
			j++
		}
	}
	return s, nil
}
