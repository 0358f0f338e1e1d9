package aldpeval

import (
	"fmt"
	"math"
	"slices"

	"github.com/naas-go/naas/experiments/metrics"
)

// Protocol constants.
const (
	// Bins is the number of histogram bins on [−π, π] for the torsion KL.
	Bins = 200
	// Epsilon is added to every bin probability inside the KL logarithm.
	Epsilon = 1e-5
	// DefaultW2Samples is the default number of points per side of the (φ, ψ) W2.
	DefaultW2Samples = 2000
)

// Histogram returns the fraction of the angles (radians, in [−π, π]) in each of bins equal
// bins on [−π, π]; π itself falls in the last bin. Angles outside [−π, π] or NaN are an
// error. An empty input gives all zeros.
func Histogram(angles []float64, bins int) ([]float64, error) {
	if bins < 1 {
		return nil, fmt.Errorf("aldpeval: %d histogram bins, want ≥ 1", bins)
	}
	h := make([]float64, bins)
	for i, a := range angles {
		if !(a >= -math.Pi && a <= math.Pi) {
			return nil, fmt.Errorf("aldpeval: angle %d = %v rad, want in [-π, π]", i, a)
		}
		b := int((a + math.Pi) / (2 * math.Pi) * float64(bins))
		h[min(max(b, 0), bins-1)]++
	}
	if len(angles) > 0 {
		for b := range h {
			h[b] /= float64(len(angles))
		}
	}
	return h, nil
}

// KL returns Σ_b p_b log((p_b + eps)/(q_b + eps)) for the bin probabilities p (reference)
// and q (model), in nats; terms with p_b = 0 contribute 0.
func KL(p, q []float64, eps float64) float64 {
	if len(p) != len(q) {
		panic(fmt.Sprintf("aldpeval: KL of %d and %d bins", len(p), len(q)))
	}
	s := 0.0
	for b, pb := range p {
		if pb > 0 {
			s += pb * math.Log((pb+eps)/(q[b]+eps))
		}
	}
	return s
}

// TorsionKL returns KL(ref ‖ model) of two samples of one angle (radians in [−π, π]) with
// the protocol's Bins and Epsilon.
func TorsionKL(ref, model []float64) (float64, error) {
	p, err := Histogram(ref, Bins)
	if err != nil {
		return 0, fmt.Errorf("reference: %w", err)
	}
	q, err := Histogram(model, Bins)
	if err != nil {
		return 0, fmt.Errorf("model: %w", err)
	}
	return KL(p, q, Epsilon), nil
}

// wrapDiff returns the periodic difference |a − b| reduced to [0, π] (radians).
func wrapDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 2*math.Pi)
	return min(d, 2*math.Pi-d)
}

// TorusSqDist returns the squared geodesic distance on the flat torus between the angle
// pairs (a0, a1) and (b0, b1), radians².
func TorusSqDist(a0, a1, b0, b1 float64) float64 {
	d0, d1 := wrapDiff(a0, b0), wrapDiff(a1, b1)
	return d0*d0 + d1*d1
}

// W2Torus returns the exact W2 (radians) between the uniform measures on the n points of x
// and of y (flat n×2: angle pairs in radians) on the flat torus (see the package doc). Both
// must have the same number of points.
func W2Torus(x, y []float64) (float64, error) { return w2Pairs(x, y, true) }

// W2Euclid is W2Torus with the plain Euclidean distance on the (φ, ψ) square.
func W2Euclid(x, y []float64) (float64, error) { return w2Pairs(x, y, false) }

func w2Pairs(x, y []float64, torus bool) (float64, error) {
	if len(x)%2 != 0 || len(y)%2 != 0 {
		return 0, fmt.Errorf("aldpeval: W2 on (φ, ψ): lengths %d and %d are not multiples of 2", len(x), len(y))
	}
	n := len(x) / 2
	if n == 0 || len(y) != len(x) {
		return 0, fmt.Errorf("aldpeval: W2 on (φ, ψ) needs equal non-zero sizes, got %d and %d points", n, len(y)/2)
	}
	c := make([]float64, n*n)
	for i := range n {
		a0, a1 := x[2*i], x[2*i+1]
		row := c[i*n : (i+1)*n]
		for j := range n {
			b0, b1 := y[2*j], y[2*j+1]
			if torus {
				row[j] = TorusSqDist(a0, a1, b0, b1)
			} else {
				row[j] = (a0-b0)*(a0-b0) + (a1-b1)*(a1-b1)
			}
		}
	}
	_, total, _, err := metrics.Assign(c, n)
	if err != nil {
		return 0, fmt.Errorf("aldpeval: W2 on (φ, ψ): %w", err)
	}
	return math.Sqrt(max(total, 0) / float64(n)), nil
}

// W2OneD returns the exact 2-Wasserstein distance between the empirical measures of x and
// y (any sizes ≥ 1, finite values): sqrt(∫₀¹ (F_x⁻¹(u) − F_y⁻¹(u))² du), computed by
// merging the two sorted samples' quantile steps. For equal sizes it is
// sqrt(mean((x_(k) − y_(k))²)).
func W2OneD(x, y []float64) (float64, error) {
	if len(x) == 0 || len(y) == 0 {
		return 0, fmt.Errorf("aldpeval: W2OneD of %d and %d values, want ≥ 1 each", len(x), len(y))
	}
	for _, v := range [2][]float64{x, y} {
		for i, a := range v {
			if math.IsNaN(a) || math.IsInf(a, 0) {
				return 0, fmt.Errorf("aldpeval: W2OneD: value %d = %v is not finite", i, a)
			}
		}
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	slices.Sort(xs)
	slices.Sort(ys)
	n, m := float64(len(xs)), float64(len(ys))
	i, j := 0, 0
	u, s := 0.0, 0.0
	for i < len(xs) && j < len(ys) {
		// Next quantile breakpoint: (i+1)/n or (j+1)/m, compared exactly in integers.
		ni, nj := int64(i+1)*int64(len(ys)), int64(j+1)*int64(len(xs))
		var next float64
		switch {
		case ni < nj:
			next = float64(i+1) / n
		default:
			next = float64(j+1) / m
		}
		d := xs[i] - ys[j]
		s += (next - u) * d * d
		u = next
		switch {
		case ni < nj:
			i++
		case nj < ni:
			j++
		default:
			i++
			j++
		}
	}
	return math.Sqrt(s), nil
}
