package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// binomialMADDirect sums |x − np| over the binomial pmf: an independent check of de Moivre's
// closed form.
func binomialMADDirect(n int, p float64) float64 {
	var s float64
	for x := 0; x <= n; x++ {
		lg1, _ := math.Lgamma(float64(n) + 1)
		lg2, _ := math.Lgamma(float64(x) + 1)
		lg3, _ := math.Lgamma(float64(n-x) + 1)
		lp := lg1 - lg2 - lg3 + float64(x)*math.Log(p) + float64(n-x)*math.Log1p(-p)
		s += math.Abs(float64(x)-float64(n)*p) * math.Exp(lp)
	}
	return s
}

func TestBinomialMADMatchesPMFSum(t *testing.T) {
	for _, c := range []struct {
		n int
		p float64
	}{{1, 0.5}, {7, 0.3}, {10, 0.1}, {2000, 0.1}, {2000, 1.0 / 32}, {999, 0.77}, {5, 0.999}} {
		got, want := binomialMAD(c.n, c.p), binomialMADDirect(c.n, c.p)
		if math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("n=%d p=%g: de Moivre %.12g, pmf sum %.12g", c.n, c.p, got, want)
		}
	}
	if binomialMAD(10, 0) != 0 || binomialMAD(10, 1) != 0 {
		t.Error("degenerate p must give 0")
	}
}

// TestNoiseTVMatchesSimulation compares NoiseTV with the mean TV of simulated exact
// histograms (multinomial draws), for uniform and for uneven weights.
func TestNoiseTVMatchesSimulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		n int
		w []float64
	}{{2000, nil}, {500, []float64{1, 2, 3, 4}}} {
		k := 10
		if c.w != nil {
			k = len(c.w)
		}
		want, err := NoiseTV(c.n, k, c.w)
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, k)
		var s float64
		for i := range w {
			w[i] = 1
			if c.w != nil {
				w[i] = c.w[i]
			}
			s += w[i]
		}
		const reps = 4000
		var mean float64
		labels := make([]int, c.n)
		for r := 0; r < reps; r++ {
			for b := range labels {
				u := rng.Float64() * s
				j := 0
				for u > w[j] && j < k-1 {
					u -= w[j]
					j++
				}
				labels[b] = j
			}
			var st ModeResult
			st, err = ModeStats(labels, k, c.w)
			if err != nil {
				t.Fatal(err)
			}
			mean += st.TV / reps
		}
		// The simulated mean has a standard error of about 0.4·want/√reps.
		if math.Abs(mean-want) > 4*0.4*want/math.Sqrt(reps) {
			t.Errorf("n=%d w=%v: NoiseTV %.5f, simulated %.5f", c.n, c.w, want, mean)
		}
	}
}

func TestNoiseTVRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		n, k int
		w    []float64
	}{{0, 3, nil}, {10, 0, nil}, {10, 2, []float64{1}}, {10, 2, []float64{-1, 1}}, {10, 2, []float64{0, 0}}, {10, 2, []float64{math.NaN(), 1}}} {
		if _, err := NoiseTV(c.n, c.k, c.w); err == nil {
			t.Errorf("NoiseTV(%d, %d, %v): no error", c.n, c.k, c.w)
		}
	}
}
