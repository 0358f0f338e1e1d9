package metrics

import "math"

// MeanStd returns the mean and the sample standard deviation (divisor n − 1)
// of xs, for example a metric over seeds. NaN values propagate. For an empty
// slice both are NaN; for a single value the standard deviation is NaN
// (undefined), not 0.
func MeanStd(xs []float64) (mean, std float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if n == 1 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(n-1))
}
