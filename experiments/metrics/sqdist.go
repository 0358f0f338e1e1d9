package metrics

import (
	"fmt"
	"math"
)

// checkPoints validates a flat row-major point set of dimension d and returns
// the number of points. name is used in error messages.
func checkPoints(name string, x []float64, d int) (int, error) {
	if d < 1 {
		return 0, fmt.Errorf("metrics: dimension d = %d, want d ≥ 1", d)
	}
	if len(x) == 0 {
		return 0, fmt.Errorf("metrics: %s is empty", name)
	}
	if len(x)%d != 0 {
		return 0, fmt.Errorf("metrics: len(%s) = %d is not a multiple of d = %d", name, len(x), d)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("metrics: %s[%d] (point %d, coordinate %d) = %v is not finite", name, i, i/d, i%d, v)
		}
	}
	return len(x) / d, nil
}

// sqDistRow returns |a − b|² for two points of equal length.
func sqDistRow(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		d0 := a[k] - b[k]
		d1 := a[k+1] - b[k+1]
		d2 := a[k+2] - b[k+2]
		d3 := a[k+3] - b[k+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; k < len(a); k++ {
		dk := a[k] - b[k]
		s0 += dk * dk
	}
	return (s0 + s1) + (s2 + s3)
}

// SqDist returns the n×m squared-Euclidean cost matrix C[i*m+j] = |x_i − y_j|²
// (units: squared distance) between the n points of x and the m points of y,
// both flat row-major with dimension d. Differences are formed coordinate by
// coordinate (no |x|²+|y|²−2x·y cancellation), so C[i*m+j] is exactly 0 for
// identical points and the matrix is invariant to a common translation up to
// the rounding of the translated inputs.
func SqDist(x, y []float64, d int) ([]float64, error) {
	n, err := checkPoints("x", x, d)
	if err != nil {
		return nil, err
	}
	m, err := checkPoints("y", y, d)
	if err != nil {
		return nil, err
	}
	return sqDist(x, y, n, m, d), nil
}

func sqDist(x, y []float64, n, m, d int) []float64 {
	c := make([]float64, n*m)
	parallelRows(n, 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := x[i*d : (i+1)*d]
			row := c[i*m : (i+1)*m]
			for j := range row {
				row[j] = sqDistRow(xi, y[j*d:(j+1)*d])
			}
		}
	})
	return c
}

// transposeInto writes the m×n transpose of the n×m row-major matrix c into t.
func transposeInto(t, c []float64, n, m int) {
	const bs = 64
	parallelRows((m+bs-1)/bs, 1, func(lo, hi int) {
		for jb := lo * bs; jb < min(hi*bs, m); jb += bs {
			je := min(jb+bs, m)
			for ib := 0; ib < n; ib += bs {
				ie := min(ib+bs, n)
				for j := jb; j < je; j++ {
					tr := t[j*n : (j+1)*n]
					for i := ib; i < ie; i++ {
						tr[i] = c[i*m+j]
					}
				}
			}
		}
	})
}

// MeanSqDist returns the mean over all n·m pairs of |x_i − y_j|² (units:
// squared distance), computed in O((n+m)d) through the exact identity
//
//	mean |x_i − y_j|² = |x̄ − ȳ|² + (1/n)Σ|x_i − x̄|² + (1/m)Σ|y_j − ȳ|².
func MeanSqDist(x, y []float64, d int) (float64, error) {
	n, err := checkPoints("x", x, d)
	if err != nil {
		return 0, err
	}
	m, err := checkPoints("y", y, d)
	if err != nil {
		return 0, err
	}
	mx, vx := meanAndSpread(x, n, d)
	my, vy := meanAndSpread(y, m, d)
	var dm float64
	for k := 0; k < d; k++ {
		t := mx[k] - my[k]
		dm += t * t
	}
	return dm + vx + vy, nil
}

// meanAndSpread returns the mean point and (1/n)Σ|x_i − x̄|².
func meanAndSpread(x []float64, n, d int) ([]float64, float64) {
	mu := make([]float64, d)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			mu[k] += x[i*d+k]
		}
	}
	for k := range mu {
		mu[k] /= float64(n)
	}
	var s float64
	for i := 0; i < n; i++ {
		s += sqDistRow(x[i*d:(i+1)*d], mu)
	}
	return mu, s / float64(n)
}

// RelativeEpsilon returns the absolute entropic regularisation
// ε = frac × mean_{i,j} |x_i − y_j|² (units: squared distance), the analogue of
// ott-jax's relative ε (0.05 × mean cost by default there). The protocol fixes
// one ε per target from two independent exact sample sets with frac = 0.05
// and uses it for every method on that target.
func RelativeEpsilon(x, y []float64, d int, frac float64) (float64, error) {
	if !(frac > 0) || math.IsInf(frac, 0) {
		return 0, fmt.Errorf("metrics: relative ε fraction %v, want a finite value > 0", frac)
	}
	mc, err := MeanSqDist(x, y, d)
	if err != nil {
		return 0, err
	}
	if mc == 0 {
		return 0, fmt.Errorf("metrics: mean squared distance is 0 (all points coincide); relative ε undefined")
	}
	return frac * mc, nil
}
