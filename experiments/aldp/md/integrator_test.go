package md

import (
	"context"
	"math"
	"testing"

	"github.com/naas-go/naas/experiments/aldp"
)

// totalEnergy returns E + K (kJ/mol) of slot k.
func totalEnergy(s *Sim, k int) float64 {
	_, v, e := s.State(k)
	K := 0.0
	for i, vi := range v {
		K += 0.5 * vi * vi / s.invMass[i]
	}
	return e + K
}

// hamiltonianDeviation runs velocity Verlet (friction 0) for the given time and returns the
// largest |H(t) − H(0)| (kJ/mol) and the final drift H(end) − H(0).
func hamiltonianDeviation(t *testing.T, solvent aldp.Solvent, dt float64, steps int) (maxDev, drift float64) {
	t.Helper()
	s, err := New(Config{Solvent: solvent, Temperatures: []float64{300}, Dt: dt, Friction: 0, Seed: 3}, aldp.InitialPositions())
	if err != nil {
		t.Fatal(err)
	}
	h0 := totalEnergy(s, 0)
	every := max(1, steps/200)
	for s.Step() < int64(steps) {
		if err := s.Run(context.Background(), s.Step()+int64(every), RunOptions{}); err != nil {
			t.Fatal(err)
		}
		maxDev = math.Max(maxDev, math.Abs(totalEnergy(s, 0)-h0))
	}
	return maxDev, totalEnergy(s, 0) - h0
}

// TestEnergyConservation: with friction 0 BAOAB is velocity Verlet, which conserves the
// total energy up to O(dt²) fluctuations and no drift. Over 1 ps in implicit solvent from a
// 300 K start, the total energy stays within 0.15 kJ/mol (0.06 k_B T; 0.2% of the kinetic
// energy, ≈ 80 kJ/mol) at dt = 0.25 fs (measured 0.09), and halving dt divides the
// deviation by about 4 (measured 4.2).
func TestEnergyConservation(t *testing.T) {
	dev1, drift1 := hamiltonianDeviation(t, aldp.Implicit, 0.00025, 4000)
	dev2, _ := hamiltonianDeviation(t, aldp.Implicit, 0.000125, 8000)
	t.Logf("dt 0.25 fs: max |ΔH| = %.4g kJ/mol, drift %.3g; dt 0.125 fs: max |ΔH| = %.4g (ratio %.2f)", dev1, drift1, dev2, dev1/dev2)
	if dev1 > 0.15 {
		t.Errorf("max |ΔH| = %.4g kJ/mol at dt = 0.25 fs, want ≤ 0.15", dev1)
	}
	if r := dev1 / dev2; r < 2.5 || r > 6 {
		t.Errorf("halving dt divided the deviation by %.2f, want ≈ 4 (second order)", r)
	}
}

// TestEquipartition: plain Langevin at 300 K must give a mean kinetic temperature of
// 300 K. The full-step BAOAB velocities carry an O(dt²) bias (≈ −0.5% at 0.5 fs for the
// C–H stretches); with γ = 10/ps and 40 ps the statistical error is ≈ 0.7%. Tolerance 3%.
func TestEquipartition(t *testing.T) {
	s, err := New(Config{Solvent: aldp.Vacuum, Temperatures: []float64{300}, Dt: 0.0005, Friction: 10,
		Equilibrate: 4000, Seed: 9}, aldp.InitialPositions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), 84000, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	tk := st.MeanKineticTemperature(0)
	t.Logf("mean kinetic temperature %.2f K over %d steps, <E> = %.2f kJ/mol", tk, st.Steps, st.MeanEnergy(0))
	if math.Abs(tk-300)/300 > 0.03 {
		t.Errorf("mean kinetic temperature %.2f K, want 300 K within 3%%", tk)
	}
}

func TestConfigErrors(t *testing.T) {
	pos := aldp.InitialPositions()
	for name, c := range map[string]Config{
		"no temperatures": {},
		"decreasing":      {Temperatures: []float64{300, 290}},
		"negative T":      {Temperatures: []float64{-1}},
		"big dt":          {Temperatures: []float64{300}, Dt: 0.1},
		"friction":        {Temperatures: []float64{300}, Friction: -1},
		"solvent":         {Temperatures: []float64{300}, Solvent: 7},
	} {
		if _, err := New(c, pos); err == nil {
			t.Errorf("%s: New accepted %+v", name, c)
		}
	}
	if _, err := New(Config{Temperatures: []float64{300}}, pos[:10]); err == nil {
		t.Error("New accepted 10 coordinates")
	}
}

func TestGeometricLadder(t *testing.T) {
	l := GeometricLadder(300, 800, 6)
	if l[0] != 300 || l[5] != 800 {
		t.Fatalf("ladder %v", l)
	}
	for k := 1; k < 5; k++ {
		if r1, r2 := l[k]/l[k-1], l[k+1]/l[k]; math.Abs(r1-r2) > 1e-12 {
			t.Errorf("ratios %v, %v differ", r1, r2)
		}
	}
}

// TestIsCis rotates the NME side of the C–N peptide bond by 180° (Rodrigues' formula about
// the C→N axis): the trans LEaP geometry becomes cis.
func TestIsCis(t *testing.T) {
	pos := aldp.InitialPositions()
	if isCis(pos) {
		t.Fatal("LEaP geometry reported cis")
	}
	c, n := 14, 16
	ax := [3]float64{pos[3*n] - pos[3*c], pos[3*n+1] - pos[3*c+1], pos[3*n+2] - pos[3*c+2]}
	l := math.Sqrt(ax[0]*ax[0] + ax[1]*ax[1] + ax[2]*ax[2])
	for k := range ax {
		ax[k] /= l
	}
	for _, a := range []int{17, 18, 19, 20, 21} { // H, CH3 and its H's of NME
		var v [3]float64
		for k := range v {
			v[k] = pos[3*a+k] - pos[3*n+k]
		}
		d := ax[0]*v[0] + ax[1]*v[1] + ax[2]*v[2]
		for k := range v { // rotation by π: v → 2(a·v)a − v
			pos[3*a+k] = pos[3*n+k] + 2*d*ax[k] - v[k]
		}
	}
	if w := aldp.Dihedral(pos, 8, 14, 16, 18); math.Abs(w) > 0.3 {
		t.Fatalf("ω after the rotation = %v rad, want ≈ 0", w)
	}
	if !isCis(pos) {
		t.Error("cis geometry not detected")
	}
}
