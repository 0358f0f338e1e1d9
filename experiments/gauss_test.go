package experiments

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gaussSettings are the defaults of the gauss2 experiment: prior N(0, I) in 2-d, target
// N((2, −1), diag(0.25, 4)), σ = 1 constant, so that the uncontrolled annealed Langevin
// dynamics are far too slow to reach the target's mean and variance on [0, 1] (relaxation
// time 2τ²/σ² = 8 on the wide coordinate) and only the learned controls can.
func gaussSettings() Settings {
	e, _ := Lookup("gauss2")
	return e.Defaults()
}

// TestGaussianToGaussian trains NAAS end to end on a Gaussian-to-Gaussian problem, whose
// optimally controlled process ends exactly at the target, and checks that the samples
// recover the target mean to within 0.1 (0.2 target std on the narrow coordinate) and
// the variances to within 15% relative, while the uncontrolled baseline misses both.
func TestGaussianToGaussian(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a sampler (about a minute)")
	}
	mean, vars := []float64{2, -1}, []float64{0.25, 4}
	exp, _ := Lookup("gauss2")
	tgt, err := exp.Target()
	if err != nil {
		t.Fatal(err)
	}
	smp, err := BuildFor(tgt, gaussSettings())
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	if err := smp.Trainer.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	n := 20000
	got, err := smp.Proc.Sample(n, 5000, smp.U, smp.V, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	base, err := smp.Proc.Sample(n, 5000, nil, nil, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	gm, gv := moments(got.X, 2)
	bm, bv := moments(base.X, 2)
	t.Logf("NAAS mean %.3f var %.3f; baseline mean %.3f var %.3f; target mean %v var %v", gm, gv, bm, bv, mean, vars)
	for i := range mean {
		if math.Abs(gm[i]-mean[i]) > 0.1 {
			t.Errorf("coord %d: NAAS mean %.3f, want %.3f ± 0.1", i, gm[i], mean[i])
		}
		if math.Abs(gv[i]/vars[i]-1) > 0.15 {
			t.Errorf("coord %d: NAAS variance %.3f, want %.3f ± 15%%", i, gv[i], vars[i])
		}
	}
	// the test is only meaningful if the reference alone fails it
	if math.Abs(bm[1]-mean[1]) < 0.3 || math.Abs(bv[1]/vars[1]-1) < 0.3 {
		t.Errorf("baseline already close (mean %.3f var %.3f): the problem does not test the controls", bm[1], bv[1])
	}
}

func moments(x []float64, d int) (m, v []float64) {
	n := len(x) / d
	m, v = make([]float64, d), make([]float64, d)
	for b := 0; b < n; b++ {
		for i := 0; i < d; i++ {
			m[i] += x[b*d+i] / float64(n)
		}
	}
	for b := 0; b < n; b++ {
		for i := 0; i < d; i++ {
			z := x[b*d+i] - m[i]
			v[i] += z * z / float64(n-1)
		}
	}
	return m, v
}
