package experiments

import (
	"math"
	"strings"
	"testing"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/targets"
)

func manywellSampler(t *testing.T, prior0 float64, steps int) *Sampler {
	t.Helper()
	e, err := Lookup("manywell5")
	if err != nil {
		t.Fatal(err)
	}
	s := e.Defaults()
	s.Net.Width, s.Net.Depth = 16, 2
	s.Process.Steps = steps
	if prior0 != 0 {
		s.Process.PriorMean = []float64{prior0, 0, 0, 0, 0}
	}
	smp, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(smp.Close)
	return smp
}

// TestModeWeightsSymmetricReference: the many-well and a prior centred at 0 are invariant
// under every sign flip, so the annealed reference's mode weights are exactly 1/32 and its
// population TV must be sampling noise (NoiseTV); a prior shifted along x₀ breaks the symmetry
// and must show a bias far above the noise. With NAAS replaced by the reference (nil
// controls) no path moves and ΔTV is exactly 0.
func TestModeWeightsSymmetricReference(t *testing.T) {
	const n = 16000
	smp := manywellSampler(t, 0, 50)
	r, err := smp.modeWeights(ModeWeightsOptions{N: n, Seed: 5}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Moved != 0 || r.DeltaTV != 0 || r.NonFinite != 0 {
		t.Errorf("reference against itself: moved %d, ΔTV %g, non-finite %d; want 0, 0, 0", r.Moved, r.DeltaTV, r.NonFinite)
	}
	if r.Correction != nil || r.OffBias != nil {
		t.Errorf("unbiased reference: share %v and off-bias %v, want both undefined (nil)", r.Correction, r.OffBias)
	}
	if r.PriorCorr != nil || len(r.PriorLogDensity) != 32 {
		t.Errorf("centred prior: every centre is equally likely, so no prior fit (got %v, %d densities)", r.PriorCorr, len(r.PriorLogDensity))
	}
	t.Logf("symmetric: reference TV %.4f, exact TV %.4f, noise %.4f", r.TVReference, r.TVExact, r.NoiseTV)
	// The TV of a multinomial histogram has a spread of about 0.25 of its mean here.
	for name, v := range map[string]float64{"reference": r.TVReference, "exact": r.TVExact} {
		if v > 1.6*r.NoiseTV || v < 0.4*r.NoiseTV {
			t.Errorf("%s TV %.4f at n = %d; sampling noise alone gives %.4f", name, v, n, r.NoiseTV)
		}
	}
	// K = 400: at K = 50 the per-step weights are too uneven for resampling to help.
	shifted := manywellSampler(t, 4, 400)
	b, err := shifted.modeWeights(ModeWeightsOptions{N: n / 2, Seed: 5}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Correction == nil || *b.Correction != 0 || b.OffBias == nil || *b.OffBias != 0 {
		t.Errorf("biased reference against itself: share %v, off-bias %v; want 0 and 0", b.Correction, b.OffBias)
	}
	if b.TVReference < 2*b.NoiseTV {
		t.Errorf("shifted prior: reference TV %.4f, want far above the noise %.4f", b.TVReference, b.NoiseTV)
	}
	// The shifted prior favours modes with x₀ > 0 (sign patterns with bit 0 of the label
	// set or clear, whichever the target uses): the two halves must differ by far more than
	// noise.
	var half [2]float64
	for m, w := range b.Reference {
		lab := make([]int, 1)
		x := make([]float64, 5)
		for i := range x {
			x[i] = -2
			if m>>i&1 == 1 {
				x[i] = 2
			}
		}
		shifted.Target.(interface{ Modes([]float64, []int) }).Modes(x, lab)
		if lab[0] != m {
			t.Skip("many-well labels are not bit i ↔ x_i > 0; half test skipped")
		}
		half[m&1] += w
	}
	if b.PriorCorr == nil || *b.PriorCorr < 0.5 || *b.PriorExponent <= 0 {
		t.Errorf("shifted prior: fit of log weight on log p₀(centre): exponent %v, correlation %v; want a clear positive fit", b.PriorExponent, b.PriorCorr)
	} else {
		t.Logf("shifted: γ %.3f, correlation %.3f", *b.PriorExponent, *b.PriorCorr)
	}
	if b.PriorWeightCorr == nil || *b.PriorWeightCorr < 0.5 {
		t.Errorf("shifted prior: correlation of the reference's weights with the prior's own %v; want > 0.5", b.PriorWeightCorr)
	} else {
		t.Logf("shifted: correlation with the prior's weights %.3f", *b.PriorWeightCorr)
	}
	// Sequential Monte Carlo along the same reference removes part of the prior's bias
	// (measured: TV 0.445 → 0.19 at n = 8000).
	c, err := shifted.modeWeights(ModeWeightsOptions{N: n / 2, Seed: 5, SMC: 0.5}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shifted, SMC at ESS < 0.5n: reference TV %.4f (independent paths %.4f, noise %.4f)", c.TVReference, b.TVReference, c.NoiseTV)
	if c.TVReference > 0.75*b.TVReference || c.SMC != 0.5 {
		t.Errorf("shifted prior with resampling: reference TV %.4f, want well below the unresampled %.4f", c.TVReference, b.TVReference)
	}
	// Here the start basin hardly predicts the final mode, so reweighting start basins
	// cannot help much: the bias comes from the prior term during the annealing.
	o, err := shifted.oracleStart(n/2, 5, b.True)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shifted, oracle start: TV %.4f (stay %.2f, log-range %.2f)", o.TV, o.Stay, o.LogRange)
	t.Logf("shifted: reference TV %.4f; x₀ > 0 modes %.3f, x₀ < 0 %.3f", b.TVReference, half[1], half[0])
	if half[1]-half[0] < 0.06 {
		t.Errorf("shifted prior: weight of x₀ > 0 modes %.3f vs x₀ < 0 %.3f; want a clear excess", half[1], half[0])
	}
}

func TestModeWeightsErrors(t *testing.T) {
	smp := manywellSampler(t, 0, 50)
	if _, err := smp.ModeWeights(ModeWeightsOptions{N: 100, Seed: 1}); err == nil || !strings.Contains(err.Error(), "at least 320") {
		t.Errorf("n = 100 with 32 modes: error %v, want one naming the minimum 320", err)
	}
	e, _ := Lookup("funnel10")
	s := e.Defaults()
	s.Net.Width, s.Net.Depth = 16, 2
	f, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.ModeWeights(ModeWeightsOptions{N: 1000, Seed: 1}); err == nil || !strings.Contains(err.Error(), "no modes") {
		t.Errorf("funnel10: error %v, want 'no modes'", err)
	}
}

// TestOracleStart: a 2-d mixture of four unit Gaussians at (±5, ±5) with the prior centred
// at (2, 2) and slow dynamics, so that paths stay in their start basin: the reference
// over-weights the (+, +) mode, and the oracle-reweighted start brings the weights to the
// truth up to sampling noise.
func TestOracleStart(t *testing.T) {
	tgt, err := targets.NewGaussMixture("four", []float64{5, 5, 5, -5, -5, 5, -5, -5}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := tinySettings()
	s.Experiment = "four"
	s.Process = dynamics.Config{PriorStd: 4, PriorMean: []float64{2, 2}, Steps: 50, Beta: "linear", Sigma: "constant",
		SigmaMax: 1, PriorSteps: 10}
	smp, err := BuildFor(tgt, s)
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	const n = 8000
	r, err := smp.modeWeights(ModeWeightsOptions{N: n, Seed: 3, OracleStart: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := r.OracleStart
	t.Logf("reference TV %.4f, oracle start TV %.4f (stay %.3f, log-range %.2f), noise %.4f", r.TVReference, o.TV, o.Stay, o.LogRange, r.NoiseTV)
	if r.TVReference < 0.1 || o.Stay < 0.9 {
		t.Fatalf("test set-up: reference TV %.3f and stay %.3f; want a clearly biased reference whose paths stay", r.TVReference, o.Stay)
	}
	if o.TV > 0.2*r.TVReference {
		t.Errorf("oracle start TV %.4f; want most of the reference's %.4f removed (noise %.4f)", o.TV, r.TVReference, r.NoiseTV)
	}
	if o.LogRange < 1 {
		t.Errorf("log-range %.3f; the (+, +) basin needs a much smaller weight than the (−, −) one", o.LogRange)
	}
}

// TestFitStartWeights: with every path staying in its start basin the weights are
// truth_b/q0_b (normalised); with a mixing transition matrix the fitted mixture reproduces the
// truth.
func TestFitStartWeights(t *testing.T) {
	q0 := []float64{0.5, 0.3, 0.2}
	truth := []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}
	id := [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	a := fitStartWeights(id, q0, truth, 0)
	for b := range a {
		if want := truth[b] / q0[b]; math.Abs(a[b]-want) > 1e-9 {
			t.Errorf("identity transitions: α[%d] = %g, want %g", b, a[b], want)
		}
	}
	mix := [][]float64{{0.8, 0.1, 0.1}, {0.2, 0.7, 0.1}, {0.1, 0.2, 0.7}}
	a = fitStartWeights(mix, q0, truth, 0)
	for m := range truth {
		var c float64
		for b := range a {
			c += a[b] * q0[b] * mix[b][m]
		}
		if math.Abs(c-truth[m]) > 1e-6 {
			t.Errorf("mixing transitions: final weight of mode %d = %g, want %g", m, c, truth[m])
		}
		if a[m] < 0 {
			t.Errorf("α[%d] = %g < 0", m, a[m])
		}
	}
}

// TestDerive: NAAS = Ref + c·(True − Ref) + e with e orthogonal to the bias gives the share c
// and the off-bias ratio ‖e‖/‖True − Ref‖; a reference within noise of the truth gives neither.
func TestDerive(t *testing.T) {
	tr := []float64{0.25, 0.25, 0.25, 0.25}
	ref := []float64{0.35, 0.15, 0.25, 0.25}
	e := []float64{0, 0, 0.02, -0.02} // orthogonal to True − Ref = (−0.1, 0.1, 0, 0)
	naas := make([]float64, 4)
	for i := range naas {
		naas[i] = ref[i] + 0.4*(tr[i]-ref[i]) + e[i]
	}
	r := &ModeWeights{N: 100000, True: tr, Exact: tr, NAAS: naas, Reference: ref}
	if err := r.Derive(); err != nil {
		t.Fatal(err)
	}
	wantOff := math.Sqrt(2*0.02*0.02) / math.Sqrt(2*0.1*0.1)
	if r.Correction == nil || math.Abs(*r.Correction-0.4) > 1e-12 || r.OffBias == nil || math.Abs(*r.OffBias-wantOff) > 1e-12 {
		t.Errorf("share %v, off-bias %v; want 0.4 and %g", r.Correction, r.OffBias, wantOff)
	}
	if math.Abs(r.TVReference-0.1) > 1e-12 || math.Abs(r.DeltaTV-(tv(naas, tr)-0.1)) > 1e-12 {
		t.Errorf("TV reference %g (want 0.1), ΔTV %g", r.TVReference, r.DeltaTV)
	}
	r.N = 20 // noise TV at n = 20 is far above 0.1: the bias is not resolved
	if err := r.Derive(); err != nil {
		t.Fatal(err)
	}
	if r.Correction != nil || r.OffBias != nil {
		t.Errorf("n = 20: share %v, off-bias %v; want nil (reference within noise)", r.Correction, r.OffBias)
	}
	r.NAAS = r.NAAS[:3]
	if err := r.Derive(); err == nil {
		t.Error("mismatched lengths: no error")
	}
}

func TestCorrectionAndJackknife(t *testing.T) {
	tr := []float64{0.25, 0.25, 0.25, 0.25}
	ref := []float64{0.4, 0.2, 0.2, 0.2}
	for _, c := range []float64{0, 0.3, 1, -0.5} {
		a := make([]float64, 4)
		for i := range a {
			a[i] = ref[i] + c*(tr[i]-ref[i])
		}
		if got := correction(a, ref, tr); math.Abs(got-c) > 1e-12 {
			t.Errorf("move %g of the bias: correction %g", c, got)
		}
	}
	if sl, c := linearFit([]float64{1, 2, 3, 4}, []float64{5, 3, 1, -1}); math.Abs(sl+2) > 1e-12 || math.Abs(c+1) > 1e-12 {
		t.Errorf("exact line of slope −2: fit slope %g, correlation %g", sl, c)
	}
	if sl, _ := linearFit([]float64{1, 1}, []float64{1, 2}); !math.IsNaN(sl) {
		t.Error("constant x must give NaN")
	}
	if !math.IsNaN(correction(tr, tr, tr)) {
		t.Error("correction with an unbiased reference must be NaN")
	}
	// For the mean, the jackknife standard error equals s/√m exactly.
	v := []float64{1, 4, 2, 8, 5, 7}
	m := float64(len(v))
	var mean, ss float64
	for _, x := range v {
		mean += x / m
	}
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	want := math.Sqrt(ss / (m - 1) / m)
	loo := make([]float64, len(v))
	for i := range v {
		loo[i] = (mean*m - v[i]) / (m - 1)
	}
	if got := jackknifeSE(loo); math.Abs(got-want) > 1e-12 {
		t.Errorf("jackknife SE of the mean %g, want s/√m = %g", got, want)
	}
}
