package metrics

import (
	"math/rand/v2"
	"testing"
)

// gaussCloud returns n points of N(shift·1, I) in dimension d from a fixed seed.
func gaussCloud(seed uint64, n, d int, shift float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64() + shift
	}
	return x
}

// mixtureCloud returns n points of an equal-weight mixture of k unit Gaussians
// whose means are uniform in [−scale, scale]^d (a small gmm40-like target).
func mixtureCloud(seed uint64, n, d, k int, scale float64) ([]float64, []int) {
	r := rand.New(rand.NewPCG(seed, 12345))
	mr := rand.New(rand.NewPCG(777, 777)) // same means for every seed
	mu := make([]float64, k*d)
	for i := range mu {
		mu[i] = (2*mr.Float64() - 1) * scale
	}
	x := make([]float64, n*d)
	lab := make([]int, n)
	for i := 0; i < n; i++ {
		c := r.IntN(k)
		lab[i] = c
		for j := 0; j < d; j++ {
			x[i*d+j] = mu[c*d+j] + r.NormFloat64()
		}
	}
	return x, lab
}

func BenchmarkSinkhornDivergence2000d50(b *testing.B) {
	x := gaussCloud(1, 2000, 50, 0)
	y := gaussCloud(2, 2000, 50, 0.3)
	eps, _ := RelativeEpsilon(x, y, 50, 0.05)
	b.ResetTimer()
	c0 := cpuSeconds()
	defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		r, err := SinkhornDivergence(x, y, 50, eps)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.XY.Iters), "iters_xy")
		b.ReportMetric(float64(r.XX.Iters), "iters_xx")
		b.ReportMetric(r.Divergence, "S_eps")
	}
}

func BenchmarkSinkhornDivergenceMixture2000d50(b *testing.B) {
	x, _ := mixtureCloud(1, 2000, 50, 40, 40)
	y, _ := mixtureCloud(2, 2000, 50, 40, 40)
	eps, _ := RelativeEpsilon(x, y, 50, 0.05)
	b.ResetTimer()
	c0 := cpuSeconds()
	defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		r, err := SinkhornDivergence(x, y, 50, eps)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.XY.Iters), "iters_xy")
		b.ReportMetric(float64(r.XX.Iters), "iters_xx")
		b.ReportMetric(r.Divergence, "S_eps")
	}
}

func BenchmarkW2Exact2000d50(b *testing.B) {
	x := gaussCloud(1, 2000, 50, 0)
	y := gaussCloud(2, 2000, 50, 0.3)
	b.ResetTimer()
	c0 := cpuSeconds()
	defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		r, err := W2Exact(x, y, 50)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.W2, "W2")
		b.ReportMetric(r.GapSq, "gapSq")
	}
}

func BenchmarkW2ExactMixture2000d50(b *testing.B) {
	x, _ := mixtureCloud(1, 2000, 50, 40, 40)
	y, _ := mixtureCloud(2, 2000, 50, 40, 40)
	b.ResetTimer()
	c0 := cpuSeconds()
	defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		r, err := W2Exact(x, y, 50)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.W2, "W2")
		b.ReportMetric(r.GapSq, "gapSq")
	}
}

func BenchmarkMMD2000d50(b *testing.B) {
	x := gaussCloud(1, 2000, 50, 0)
	y := gaussCloud(2, 2000, 50, 0.3)
	b.ResetTimer()
	c0 := cpuSeconds()
	defer func() { b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		r, err := MMD(x, y, 50)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.MMD, "MMD")
	}
}
