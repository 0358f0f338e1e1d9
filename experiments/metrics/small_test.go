package metrics

import (
	"math"
	"strings"
	"testing"
)

// TestModeStats on hand-made label sets.
func TestModeStats(t *testing.T) {
	// Two of four modes, evenly: hit 1/2, coverage log2/log4 = 1/2, TV vs uniform = 1/2.
	r, err := ModeStats([]int{0, 1, 0, 1}, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Hit != 0.5 || math.Abs(r.EntropicCoverage-0.5) > 1e-15 || math.Abs(r.TV-0.5) > 1e-15 {
		t.Fatalf("%+v", r)
	}
	// All modes, evenly: 1, 1, 0.
	r, _ = ModeStats([]int{2, 0, 1, 2, 0, 1}, 3, nil)
	if r.Hit != 1 || math.Abs(r.EntropicCoverage-1) > 1e-15 || r.TV > 1e-15 {
		t.Fatalf("%+v", r)
	}
	// One mode only: coverage 0, TV = 1 − 1/K.
	r, _ = ModeStats([]int{1, 1, 1}, 5, nil)
	if r.Hit != 0.2 || r.EntropicCoverage != 0 || math.Abs(r.TV-0.8) > 1e-15 || r.Counts[1] != 3 {
		t.Fatalf("%+v", r)
	}
	// Hist (3/4, 1/4) vs weights (1, 3) → (1/4, 3/4): TV = 1/2.
	// Coverage = H(3/4,1/4)/log 2 = 0.8112781244591328.
	r, _ = ModeStats([]int{0, 0, 0, 1}, 2, []float64{1, 3})
	if math.Abs(r.TV-0.5) > 1e-15 || math.Abs(r.EntropicCoverage-0.8112781244591328) > 1e-15 {
		t.Fatalf("%+v", r)
	}
	if r, _ := ModeStats([]int{0}, 1, nil); r.EntropicCoverage != 1 || r.Hit != 1 {
		t.Fatalf("K = 1: %+v", r)
	}
	for _, c := range []struct {
		labels  []int
		k       int
		weights []float64
		want    string
	}{
		{[]int{0, 5}, 4, nil, "labels[1] = 5 outside [0, 4)"},
		{[]int{-1}, 4, nil, "labels[0] = -1"},
		{nil, 4, nil, "no labels"},
		{[]int{0}, 0, nil, "k = 0"},
		{[]int{0}, 2, []float64{1}, "len(weights) = 1"},
		{[]int{0}, 2, []float64{1, -2}, "weights[1] = -2"},
	} {
		if _, err := ModeStats(c.labels, c.k, c.weights); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ModeStats(%v, %d, %v): error %v, want %q", c.labels, c.k, c.weights, err, c.want)
		}
	}
}

// TestImportanceSummary: ESS = 1 for equal weights and 1/N for one dominant
// weight; log-mean-exp equals a direct computation (1e-13) and is stable for
// log-weights around ±1000; non-finite values are counted and excluded.
func TestImportanceSummary(t *testing.T) {
	eq := []float64{3.5, 3.5, 3.5, 3.5}
	r, err := ImportanceSummary(eq)
	if err != nil || r.ESS != 1 || r.LogZ != 3.5 || r.ELBO != 3.5 || r.N != 4 {
		t.Fatalf("equal weights: %+v %v", r, err)
	}
	dom := []float64{0, -1000, -1000, -1000, -1000}
	r, _ = ImportanceSummary(dom)
	if math.Abs(r.ESS-0.2) > 1e-15 || math.Abs(r.LogZ-math.Log(1.0/5)) > 1e-15 {
		t.Fatalf("dominant: %+v", r)
	}
	// Direct computation for moderate values.
	lw := gaussCloud(4, 1000, 1, 0)
	var s1, s2, sum float64
	for _, v := range lw {
		s1 += math.Exp(v)
		s2 += math.Exp(2 * v)
		sum += v
	}
	r, _ = ImportanceSummary(lw)
	if math.Abs(r.LogZ-math.Log(s1/1000)) > 1e-13 || math.Abs(r.ESS-s1*s1/(1000*s2)) > 1e-13 || math.Abs(r.ELBO-sum/1000) > 1e-15 {
		t.Fatalf("direct: %+v vs %v %v", r, math.Log(s1/1000), s1*s1/(1000*s2))
	}
	// Shifting by ±1000 shifts LogZ and ELBO and leaves ESS unchanged.
	for _, c := range []float64{1000, -1000} {
		sh := make([]float64, len(lw))
		for i := range lw {
			sh[i] = lw[i] + c
		}
		q, _ := ImportanceSummary(sh)
		if math.Abs(q.LogZ-(r.LogZ+c)) > 1e-10 || math.Abs(q.ESS-r.ESS) > 1e-13 || math.IsInf(q.LogZ, 0) {
			t.Fatalf("shift %v: %+v", c, q)
		}
	}
	// log-mean-exp of {1000, 1000 + log 3} = 1000 + log 2.
	q, _ := ImportanceSummary([]float64{1000, 1000 + math.Log(3)})
	if math.Abs(q.LogZ-(1000+math.Ln2)) > 1e-12 {
		t.Fatalf("LogZ = %v", q.LogZ)
	}
	// Non-finite.
	q, err = ImportanceSummary([]float64{math.NaN(), 0, math.Inf(1), 0, math.Inf(-1)})
	if err != nil || q.N != 2 || q.NonFinite != 3 || q.LogZ != 0 || q.ESS != 1 {
		t.Fatalf("non-finite: %+v %v", q, err)
	}
	q, err = ImportanceSummary([]float64{math.NaN()})
	if err == nil || !math.IsNaN(q.LogZ) || q.NonFinite != 1 {
		t.Fatalf("all non-finite: %+v %v", q, err)
	}
}

func TestMeanStd(t *testing.T) {
	m, s := MeanStd([]float64{1, 2, 3, 4})
	if m != 2.5 || math.Abs(s-math.Sqrt(5.0/3)) > 1e-15 {
		t.Fatalf("MeanStd = %v, %v", m, s)
	}
	if m, s := MeanStd([]float64{7}); m != 7 || !math.IsNaN(s) {
		t.Fatalf("single value: %v, %v", m, s)
	}
	if m, s := MeanStd(nil); !math.IsNaN(m) || !math.IsNaN(s) {
		t.Fatalf("empty: %v, %v", m, s)
	}
}
