package experiments

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestRanksAverageTies(t *testing.T) {
	for _, tc := range []struct{ x, want []float64 }{
		{[]float64{3, 1, 2}, []float64{3, 1, 2}},
		{[]float64{10, 20, 20, 30}, []float64{1, 2.5, 2.5, 4}},
		{[]float64{5, 5, 5}, []float64{2, 2, 2}},
		{[]float64{2, 1, 2, 1, 2}, []float64{4, 1.5, 4, 1.5, 4}},
	} {
		got := Ranks(tc.x)
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("Ranks(%v) = %v, want %v", tc.x, got, tc.want)
				break
			}
		}
	}
}

func TestSpearmanHandComputed(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		x, y  []float64
		want  float64 // NaN: undefined
		wantN int
	}{
		{"monotone, not linear", []float64{1, 2, 3, 4, 5}, []float64{1, 4, 9, 16, 100}, 1, 5},
		{"perfectly anti-correlated", []float64{1, 2, 3, 4, 5}, []float64{50, 40, 30, 20, -1}, -1, 5},
		// no ties: 1 − 6Σd²/(n(n²−1)) with d = (−1, 1, −1, 1, 0): 1 − 24/120
		{"two swaps", []float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8, 5},
		// ranks of y (1, 2.5, 2.5, 4): Pearson of the ranks is 4.5/√(5·4.5) = 3/√10, not the
		// 0.95 of the no-ties shortcut formula
		{"ties in y", []float64{1, 2, 3, 4}, []float64{1, 2, 2, 3}, 3 / math.Sqrt(10), 4},
		{"ties in both, orthogonal", []float64{1, 1, 2, 2}, []float64{1, 2, 1, 2}, 0, 4},
		// ranks x (1.5, 1.5, 3, 4), y (1, 2, 3.5, 3.5), mean 2.5: dx (−1, −1, 0.5, 1.5),
		// dy (−1.5, −0.5, 1, 1); Σdxdy = 1.5 + 0.5 + 0.5 + 1.5 = 4, Σdx² = Σdy² = 4.5
		{"ties in both", []float64{0, 0, 1, 2}, []float64{7, 8, 9, 9}, 4 / 4.5, 4},
		{"constant criterion", []float64{0.002, 0.002, 0.002}, []float64{1, 2, 3}, nan, 3},
		// non-finite pairs are dropped: (1, 4), (3, 2), (4, 1) remain
		{"NaN and Inf skipped", []float64{1, nan, 3, 4, math.Inf(1)}, []float64{4, 100, 2, 1, 0}, -1, 3},
		{"one pair", []float64{1, nan}, []float64{1, 2}, nan, 1},
	} {
		got, n := Spearman(tc.x, tc.y)
		if n != tc.wantN || (math.IsNaN(tc.want) != math.IsNaN(got)) || (!math.IsNaN(tc.want) && math.Abs(got-tc.want) > 1e-12) {
			t.Errorf("%s: Spearman = %v (n %d), want %v (n %d)", tc.name, got, n, tc.want, tc.wantN)
		}
		if back, _ := Spearman(tc.y, tc.x); !(back == got || math.IsNaN(back) && math.IsNaN(got)) {
			t.Errorf("%s: not symmetric: %v vs %v", tc.name, got, back)
		}
	}
}

func TestArgBest(t *testing.T) {
	nan := math.NaN()
	x := []float64{nan, 2, 5, 5, 1, math.Inf(1), math.Inf(-1)}
	if i := ArgBest(x, true); i != 2 {
		t.Errorf("highest: index %d, want 2 (the earlier of the tied 5s; +Inf is not finite)", i)
	}
	if i := ArgBest(x, false); i != 4 {
		t.Errorf("lowest: index %d, want 4 (−Inf is not finite)", i)
	}
	if i := ArgBest([]float64{nan, nan}, true); i != -1 {
		t.Errorf("no finite value: index %d, want -1", i)
	}
}

func f(x float64) *float64 { return &x }

// TestAnalyseSelection builds a run in which the ELBO rises while the mode TV worsens (the
// mos50 failure of the README), the ESS peaks in the middle and is NaN once, and checks every
// selection and value.
func TestAnalyseSelection(t *testing.T) {
	nan := math.NaN()
	mk := func(epoch int, elbo, ess, tv, mmd float64) Validation {
		return Validation{Epoch: epoch, ELBO: elbo, ESS: ess, LogZ: 0, Truth: Metrics{Sinkhorn: 10 - float64(epoch), MMD: mmd, ModeTV: f(tv)}}
	}
	vals := []Validation{ // out of order, epoch 9 twice (a resumed run): the later line counts
		mk(6, -60, 0.30, 0.20, 0.05),
		mk(3, -63, 0.10, 0.13, 0.09),
		mk(9, -70, 0.99, 0.99, 0.99),
		mk(12, -58, nan, 0.40, 0.06),
		mk(9, -59, 0.50, 0.25, 0.04),
		mk(15, -41, 0.20, 0.70, 0.07),
	}
	vals[0].SelectBy, vals[0].NewBest = SelectESS, true
	r, err := AnalyseSelection("run", vals, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Checks != 5 || r.FirstEpoch != 3 || r.LastEpoch != 15 || r.SelectBy != SelectESS || r.BestEpoch != 6 {
		t.Errorf("checks %d, epochs %d–%d, select_by %q, best %d; want 5, 3–15, ess, 6", r.Checks, r.FirstEpoch, r.LastEpoch, r.SelectBy, r.BestEpoch)
	}
	if r.ELBOEpoch != 15 || r.ESSEpoch != 9 || r.ESSSkipped != 1 || r.ELBOSkipped != 0 {
		t.Errorf("ELBO picks %d, ESS picks %d (skipped %d, %d); want 15, 9 (1, 0)", r.ELBOEpoch, r.ESSEpoch, r.ESSSkipped, r.ELBOSkipped)
	}
	got := map[string]MetricSelection{}
	for _, m := range r.Metrics {
		got[m.Metric] = m
	}
	if len(got) != 3 {
		t.Errorf("metrics %v; want sinkhorn_divergence, mmd, mode_tv (w2, modes, ks_x0 absent)", r.Metrics)
	}
	tv := got["mode_tv"]
	// ELBO order of the checks 3, 6, 9, 12, 15 is 1, 2, 3, 4, 5; mode TV 0.13, 0.20, 0.25, 0.40, 0.70
	if tv.RhoELBO == nil || *tv.RhoELBO != 1 || tv.NELBO != 5 {
		t.Errorf("ρ(ELBO, mode TV) = %v (n %d), want +1 (n 5)", tv.RhoELBO, tv.NELBO)
	}
	// without epoch 12: ESS 0.1, 0.3, 0.5, 0.2 against TV 0.13, 0.20, 0.25, 0.70 → ranks
	// (1, 3, 4, 2) and (1, 2, 3, 4): 1 − 6·(0+1+1+4)/60 = 0.4
	if tv.RhoESS == nil || math.Abs(*tv.RhoESS-0.4) > 1e-12 || tv.NESS != 4 {
		t.Errorf("ρ(ESS, mode TV) = %v (n %d), want 0.4 (n 4)", tv.RhoESS, tv.NESS)
	}
	for _, c := range []struct {
		name string
		p    *float64
		want float64
	}{{"first", tv.First, 0.13}, {"last", tv.Last, 0.70}, {"ELBO-selected", tv.ELBOSelected, 0.70},
		{"ESS-selected", tv.ESSSelected, 0.25}, {"oracle", tv.Oracle, 0.13}} {
		if c.p == nil || *c.p != c.want {
			t.Errorf("mode TV %s = %v, want %v", c.name, c.p, c.want)
		}
	}
	if tv.OracleEpoch != 3 {
		t.Errorf("mode TV oracle epoch %d, want 3", tv.OracleEpoch)
	}
	if m := got["mmd"]; m.Oracle == nil || *m.Oracle != 0.04 || m.OracleEpoch != 9 {
		t.Errorf("MMD oracle %v at %d, want 0.04 at 9 (the resumed line, not 0.99)", m.Oracle, m.OracleEpoch)
	}
	if _, err := AnalyseSelection("run", vals, []string{"tv"}); err == nil || !strings.Contains(err.Error(), `"tv"`) || !strings.Contains(err.Error(), "mode_tv") {
		t.Errorf("unknown metric: %v", err)
	}
	md := SelectionMarkdown([]RunSelection{r})
	if !strings.Contains(md, "| run | mode_tv ↓ | +1.00 | +0.40 | 0.13 | 0.7 | 0.7 | 0.25 | 0.13 (3) |") {
		t.Errorf("markdown lacks the mode TV row:\n%s", md)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("JSON of the analysis: %v", err)
	}
}

// TestAnalyseSelectionNoFiniteCriterion: when no ESS is finite nothing is selected by it.
func TestAnalyseSelectionNoFiniteCriterion(t *testing.T) {
	vals := []Validation{{Epoch: 1, ELBO: -3, ESS: math.NaN(), Truth: Metrics{MMD: 0.2}},
		{Epoch: 2, ELBO: -2, ESS: math.NaN(), Truth: Metrics{MMD: 0.1}}}
	r, err := AnalyseSelection("r", vals, []string{"mmd"})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Metrics[0]
	if r.ESSEpoch != -1 || m.ESSSelected != nil || m.RhoESS != nil || r.ELBOEpoch != 2 || *m.ELBOSelected != 0.1 || *m.RhoELBO != -1 {
		t.Errorf("ESS epoch %d, value %v, ρ %v; ELBO epoch %d; want -1, nil, nil; 2", r.ESSEpoch, m.ESSSelected, m.RhoESS, r.ELBOEpoch)
	}
	if _, err := AnalyseSelection("r", nil, nil); err == nil {
		t.Error("no checks: no error")
	}
}

// TestValidationJSONNull: NaN importance-weight fields are written as null and read back as
// NaN; old lines (no select_by) read as before.
func TestValidationJSONNull(t *testing.T) {
	b, err := json.Marshal(Validation{Epoch: 3, ELBO: math.NaN(), ESS: 0.5, LogZ: math.Inf(-1), SelectBy: SelectESS, NewBest: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"elbo":null`) || !strings.Contains(s, `"logz":null`) || !strings.Contains(s, `"select_by":"ess","new_best":true`) {
		t.Errorf("JSON %s", s)
	}
	var v Validation
	if err := json.Unmarshal(b, &v); err != nil || !math.IsNaN(v.ELBO) || v.ESS != 0.5 || !v.NewBest || !math.IsNaN(v.Score(SelectELBO)) || v.Score(SelectESS) != 0.5 {
		t.Errorf("read back %+v, %v", v, err)
	}
	old := `{"epoch":3,"elbo":-62.9,"ess":0.004,"logz":-35.2,"truth":{"sinkhorn_divergence":2054.5,"mmd":0.09,"mode_tv":0.128,"nonfinite":0}}`
	if err := json.Unmarshal([]byte(old), &v); err != nil || v.ELBO != -62.9 || v.SelectBy != "" || v.Truth.ModeTV == nil || *v.Truth.ModeTV != 0.128 {
		t.Errorf("old line read as %+v, %v", v, err)
	}
	if err := CheckCriterion("ELBO"); err == nil || !strings.Contains(err.Error(), `"ELBO"; known: elbo, ess`) {
		t.Errorf("CheckCriterion(ELBO) = %v", err)
	}
}

func TestSummariseSelection(t *testing.T) {
	run := func(name string, rho float64, sel, last, oracle float64) RunSelection {
		return RunSelection{Run: name, Metrics: []MetricSelection{{Metric: "mmd", RhoELBO: f(rho), RhoESS: nil,
			ELBOSelected: f(sel), ESSSelected: f(last), Last: f(last), Oracle: f(oracle)}}}
	}
	// a and a-seed2 pool; a-seed2x and b do not
	sums := SummariseSelection([]RunSelection{run("a", -1, 0.1, 0.2, 0.1), run("b", 0.5, 0.3, 0.3, 0.3), run("a-seed2", 0.5, 0.4, 0.2, 0.2),
		{Run: "a-seed3", Metrics: []MetricSelection{{Metric: "modes_hit", HigherBetter: true, ELBOSelected: f(1), Last: f(0.9), Oracle: f(1)}}},
		run("a-seed2x", 0, 0, 0, 0)})
	if len(sums) != 4 || sums[0].Group != "a" || sums[0].Metric != "mmd" || sums[1].Group != "b" || sums[2].Metric != "modes_hit" || sums[3].Group != "a-seed2x" {
		t.Fatalf("groups %+v", sums)
	}
	a := sums[0]
	if a.Runs != 2 || a.MeanRhoELBO == nil || *a.MeanRhoELBO != -0.25 || a.MeanRhoESS != nil ||
		a.ELBOVsLast != (VsLast{1, 0, 1}) || a.ESSVsLast != (VsLast{0, 2, 0}) || a.OracleVsLast != (VsLast{1, 1, 0}) {
		t.Errorf("experiment a, mmd: %+v", a)
	}
	if h := sums[2]; h.ELBOVsLast != (VsLast{1, 0, 0}) || h.ESSVsLast != (VsLast{}) {
		t.Errorf("modes_hit (higher is better; no ESS pick): %+v", h)
	}
	if md := SummaryMarkdown(sums); !strings.Contains(md, "| a | mmd ↓ | 2 | -0.25 | – | 1 / 0 / 1 | 0 / 2 / 0 | 1 / 1 / 0 |") {
		t.Errorf("summary markdown:\n%s", md)
	}
}
