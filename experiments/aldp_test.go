package experiments

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/naas-go/naas/experiments/aldp"
)

// TestALDPReportJSON checks that a non-finite aldp metric does not stop metrics.json.
func TestALDPReportJSON(t *testing.T) {
	var a ALDPReport
	a.NAAS.Model.MeanEnergy = math.NaN()
	a.NAAS.Model.EnergyW2 = math.Inf(1)
	a.Baseline.Model.KL[0] = 0.5
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"MeanEnergy":"NaN"`, `"EnergyW2":"+Inf"`, `"KL":[0.5,0,0,0,0]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "NAASFrames") {
		t.Error("frames serialised")
	}
}

// TestALDPCartesianRegistered checks the aldp-cartesian defaults: the prior is centred on a
// 66-d β-strand geometry, both clippings are on, and the target has no exact sampler, so
// validation refuses it.
func TestALDPCartesianRegistered(t *testing.T) {
	e, err := Lookup("aldp-cartesian")
	if err != nil {
		t.Fatal(err)
	}
	s := e.Defaults()
	if len(s.Process.PriorMean) != 66 || s.Process.GradClip <= 0 || s.Process.AdjointClip <= 0 || e.Evaluate == nil {
		t.Fatalf("aldp defaults: prior mean len %d, grad clip %v, adjoint clip %v", len(s.Process.PriorMean), s.Process.GradClip, s.Process.AdjointClip)
	}
	var c [3]float64
	for i, v := range s.Process.PriorMean {
		c[i%3] += v / 22
	}
	for _, v := range c {
		if math.Abs(v) > 1e-12 {
			t.Errorf("prior mean not centred: centroid %v", c)
		}
	}
	// the prior is centred on the β-strand backbone (φ, ψ) = (−120°, 120°), L-alanine
	tor := aldp.Torsions(s.Process.PriorMean)
	for i, want := range []float64{-120, 120} {
		if d := math.Remainder(tor[i]*180/math.Pi-want, 360); math.Abs(d) > 1e-9 {
			t.Errorf("prior mean torsion %d = %v°, want %v°", i, tor[i]*180/math.Pi, want)
		}
	}
	if !aldp.IsL(s.Process.PriorMean) {
		t.Error("prior mean is not L-alanine")
	}
	s.Train.Rounds, s.Train.AMEpochs, s.Train.RAMEpochs, s.Train.Paths, s.Train.Batch = 1, 1, 1, 4, 4
	s.Net.Width, s.Net.Depth = 4, 1
	smp, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	if _, err := smp.NewValidator(8, 1); err == nil || !strings.Contains(err.Error(), "exact samples") {
		t.Errorf("validator on aldp: %v", err)
	}
}

// TestALDPRegistered checks the aldp experiment: it samples 60 scaled internal coordinates
// whose origin is an L-alanine energy minimum in the β region, evaluates Cartesian
// positions, and refuses validation (no exact sampler).
func TestALDPRegistered(t *testing.T) {
	e, err := Lookup("aldp")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := e.Target()
	if err != nil {
		t.Fatal(err)
	}
	it, ok := tg.(ALDPInternalTarget)
	if !ok || tg.Dim() != aldp.NumInternal || tg.Name() != "aldp" {
		t.Fatalf("aldp target %T, dimension %d, name %q", tg, tg.Dim(), tg.Name())
	}
	for _, tor := range []aldp.Torsion{aldp.Gamma1, aldp.Gamma2, aldp.Gamma3} {
		if sc := it.Scale[aldp.InternalIndex(tor)]; sc < aldpRotorScale {
			t.Errorf("methyl rotor %v has scale %g rad, want ≥ %g", tor, sc, aldpRotorScale)
		}
	}
	pos := it.PositionsNM(make([]float64, 2*aldp.NumInternal))
	if len(pos) != 132 {
		t.Fatalf("PositionsNM of 2 rows gave %d values", len(pos))
	}
	tor := aldp.Torsions(pos[:66])
	if phi, psi := tor[aldp.Phi]*180/math.Pi, tor[aldp.Psi]*180/math.Pi; phi > -90 || psi < 90 || !aldp.IsL(pos[:66]) {
		t.Errorf("centre at (φ, ψ) = (%.0f°, %.0f°), L = %v; want the β region of L-alanine", phi, psi, aldp.IsL(pos[:66]))
	}
	g := make([]float64, aldp.NumInternal)
	tg.Grad(make([]float64, aldp.NumInternal), g)
	for i, v := range g {
		if math.Abs(v) > 0.1 { // the volume factor adds 2·scale/r ≈ 0.05 per bond
			t.Errorf("gradient %g in coordinate %d at the centre, want ≈ 0 (a minimum; the volume factor and windows add little)", v, i)
		}
	}
	s := e.Defaults()
	s.Train.Rounds, s.Train.AMEpochs, s.Train.RAMEpochs, s.Train.Paths, s.Train.Batch = 1, 1, 1, 4, 4
	s.Net.Width, s.Net.Depth = 4, 1
	smp, err := BuildFor(tg, s)
	if err != nil {
		t.Fatal(err)
	}
	defer smp.Close()
	if _, err := smp.NewValidator(8, 1); err == nil || !strings.Contains(err.Error(), "exact samples") {
		t.Errorf("validator on aldp: %v", err)
	}
}
