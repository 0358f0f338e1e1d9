package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Projection maps d-dimensional points onto two axes: y_k = (x − Mean)·Axes[k]
// for k = 0, 1. [PCA] returns the projection on the first two principal axes
// of a reference set; a zero Projection is not usable.
type Projection struct {
	// D is the dimension of the points the projection applies to.
	D int
	// Mean is the centre subtracted before projecting (length D, units of x).
	Mean []float64
	// Axes are two orthonormal directions of length D: for [PCA], the
	// principal axes in order of decreasing variance, each signed so that its
	// largest-magnitude component is positive (so the result is
	// deterministic).
	Axes [2][]float64
	// Var are the variances of the reference along Axes (the two largest
	// eigenvalues of its sample covariance, units of x²).
	Var [2]float64
	// TotalVar is the total variance of the reference, the trace of its
	// sample covariance (units of x²).
	TotalVar float64
	// N is the number of reference points used and Dropped the number of
	// reference points dropped because they held a NaN or ±Inf.
	N, Dropped int
}

// Explained returns the fractions of the total variance of the reference
// explained by each axis, Var[k]/TotalVar (0 when TotalVar is 0).
func (p Projection) Explained() [2]float64 {
	if p.TotalVar <= 0 {
		return [2]float64{}
	}
	return [2]float64{p.Var[0] / p.TotalVar, p.Var[1] / p.TotalVar}
}

// Apply projects the n points of x (flat row-major, n·D values) and returns
// their coordinates as a flat row-major n×2 slice. A point holding a NaN
// projects to NaN. Apply panics if p is not usable or len(x) is not a
// multiple of D (callers holding unchecked input validate it first, as the
// PNG functions of this package do).
func (p Projection) Apply(x []float64) []float64 {
	d := p.D
	if d < 1 || len(p.Mean) != d || len(p.Axes[0]) != d || len(p.Axes[1]) != d {
		panic(fmt.Sprintf("plots: Projection.Apply on an unusable projection (D = %d)", d))
	}
	if len(x)%d != 0 {
		panic(fmt.Sprintf("plots: Projection.Apply: %d values is not a multiple of D = %d", len(x), d))
	}
	n := len(x) / d
	out := make([]float64, 2*n)
	a0, a1 := p.Axes[0], p.Axes[1]
	for i := range n {
		row := x[i*d : (i+1)*d]
		var s0, s1 float64
		for j, v := range row {
			c := v - p.Mean[j]
			s0 += c * a0[j]
			s1 += c * a1[j]
		}
		out[2*i], out[2*i+1] = s0, s1
	}
	return out
}

// PCA returns the projection of d-dimensional points on the mean and the
// first two principal axes of the reference set ref (flat row-major, n·d
// values): the eigenvectors of the d×d sample covariance (normalised by
// n − 1) with the two largest eigenvalues. Rows of ref holding a NaN or ±Inf
// are dropped and counted in Projection.Dropped. It is an error if d < 2,
// len(ref) is not a multiple of d, or fewer than two finite points remain.
// The cost is O(n·d² + d³).
func PCA(ref []float64, d int) (Projection, error) {
	if d < 2 {
		return Projection{}, fmt.Errorf("plots: PCA needs d ≥ 2, got d = %d", d)
	}
	x, dropped, err := finiteRows("PCA reference", ref, d)
	if err != nil {
		return Projection{}, err
	}
	n := len(x) / d
	if n < 2 {
		return Projection{}, fmt.Errorf("plots: PCA reference has %d finite point(s), need ≥ 2", n)
	}
	mean := make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n { // x is our own copy: centre it in place
		row := x[i*d : (i+1)*d]
		for j := range row {
			row[j] -= mean[j]
		}
	}
	xc := mat.NewDense(n, d, x)
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), xc.T()) // d×d: Xcᵀ Xc / (n − 1)

	var total float64
	for j := range d {
		total += cov.At(j, j)
	}
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return Projection{}, fmt.Errorf("plots: PCA: eigendecomposition of the %d×%d covariance failed", d, d)
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)

	p := Projection{D: d, Mean: mean, TotalVar: total, N: n, Dropped: dropped}
	for k := range 2 {
		col := d - 1 - k
		axis := mat.Col(nil, col, &vecs)
		var big float64
		for _, v := range axis {
			if math.Abs(v) > math.Abs(big) {
				big = v
			}
		}
		if big < 0 {
			for j := range axis {
				axis[j] = -axis[j]
			}
		}
		p.Axes[k] = axis
		p.Var[k] = math.Max(vals[col], 0) // round-off can make a zero eigenvalue slightly negative
	}
	return p, nil
}

// rawProjection returns the projection on the raw coordinates x0 and x1.
func rawProjection(d int) Projection {
	p := Projection{D: d, Mean: make([]float64, d)}
	p.Axes[0] = make([]float64, d)
	p.Axes[1] = make([]float64, d)
	p.Axes[0][0], p.Axes[1][1] = 1, 1
	return p
}
