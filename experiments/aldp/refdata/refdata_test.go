package refdata

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/npy"
)

func randomFrames(rng *rand.Rand, n int) []Frame {
	out := make([]Frame, n)
	for i := range out {
		for k := range out[i].Torsions {
			out[i].Torsions[k] = float32(rng.Float64()*2*math.Pi - math.Pi)
		}
		out[i].Energy = float32(-100 + 15*rng.NormFloat64())
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	frames := randomFrames(rand.New(rand.NewPCG(1, 2)), 1000)
	frames[0].Torsions[0] = float32(math.Pi) // the edge value must survive
	var buf bytes.Buffer
	if err := Write(&buf, frames); err != nil {
		t.Fatal(err)
	}
	if want := 128 + 1000*Columns*4; buf.Len() != want {
		t.Errorf("file is %d bytes, want %d (128-byte header + float32 data)", buf.Len(), want)
	}
	got, err := ReadBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, frames) {
		t.Error("frames changed in a write/read round trip")
	}
	path := filepath.Join(t.TempDir(), "f.npy")
	if err := WriteFile(path, frames); err != nil {
		t.Fatal(err)
	}
	data, shape, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{1000, Columns}) || data[Columns*5+Columns-1] != float64(frames[5].Energy) {
		t.Errorf("npy view: shape %v", shape)
	}
}

func TestReadErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := npy.WriteFloat32(&buf, make([]float32, 10), 2, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBytes(buf.Bytes()); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("shape (2, 5) accepted: %v", err)
	}
	buf.Reset()
	bad := make([]float32, Columns)
	bad[2] = 4 // γ1 = 4 rad > π
	if err := npy.WriteFloat32(&buf, bad, 1, Columns); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBytes(buf.Bytes()); err == nil || !strings.Contains(err.Error(), "gamma1") {
		t.Errorf("torsion 4 rad accepted: %v", err)
	}
	buf.Reset()
	bad[2], bad[5] = 0, float32(math.NaN())
	if err := npy.WriteFloat32(&buf, bad, 1, Columns); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBytes(buf.Bytes()); err == nil || !strings.Contains(err.Error(), "energy") {
		t.Errorf("NaN energy accepted: %v", err)
	}
	if _, err := Unflatten(make([]float32, 7)); err == nil {
		t.Error("Unflatten accepted 7 values")
	}
}

func TestFrameOf(t *testing.T) {
	pos := aldp.InitialPositions()
	f := FrameOf(pos, -139.5)
	tor := aldp.Torsions(pos)
	for k := range tor {
		if f.Torsions[k] != float32(tor[k]) {
			t.Errorf("torsion %d: %v, want %v", k, f.Torsions[k], tor[k])
		}
	}
	if f.Energy != -139.5 {
		t.Errorf("energy %v", f.Energy)
	}
}

func TestClassify(t *testing.T) {
	deg := math.Pi / 180
	for _, c := range []struct {
		phi, psi float64 // degrees
		want     Basin
	}{
		{-150, 155, BasinBeta}, {-75, 150, BasinBeta}, {-80, 70, BasinBeta}, {-75, -175, BasinBeta},
		{170, 170, BasinBeta}, {-75, -45, BasinAlphaR}, {-90, 0, BasinAlphaR}, {-75, 49, BasinAlphaR},
		{160, -40, BasinAlphaR}, {60, 40, BasinAlphaL}, {75, -65, BasinC7ax}, {60, 170, BasinAlphaL}, {60, 180, BasinC7ax},
		{-75 + 360, -45, BasinAlphaR}, // wrapped input
	} {
		if got := Classify(c.phi*deg, c.psi*deg); got != c.want {
			t.Errorf("Classify(%v°, %v°) = %v, want %v", c.phi, c.psi, got, c.want)
		}
	}
	p := PopulationsOf([]float64{-2.6, -1.3, 1.0, 1.2}, []float64{2.7, -0.8, 0.7, -1.1})
	if p.Frac != [NumBasins]float64{0.25, 0.25, 0.25, 0.25} || p.PhiPositive() != 0.5 {
		t.Errorf("populations %v", p)
	}
}

func TestWrap(t *testing.T) {
	for _, c := range [][2]float64{{0, 0}, {math.Pi, -math.Pi}, {-math.Pi, -math.Pi}, {3 * math.Pi / 2, -math.Pi / 2}, {-7, -7 + 2*math.Pi}} {
		if got := Wrap(c[0]); math.Abs(got-c[1]) > 1e-12 {
			t.Errorf("Wrap(%v) = %v, want %v", c[0], got, c[1])
		}
	}
}

// TestBlockAverageAR1 checks the block standard error and the integrated autocorrelation
// time on an AR(1) series x_t = ρ x_{t−1} + ε_t, whose τ_int is (1+ρ)/(1−ρ) and whose mean
// has variance ≈ τ_int·Var(x)/n.
func TestBlockAverageAR1(t *testing.T) {
	const rho, n = 0.8, 200000
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, n)
	for i := 1; i < n; i++ {
		x[i] = rho*x[i-1] + rng.NormFloat64()
	}
	tau := IntegratedAutocorrTime(x)
	wantTau := (1 + rho) / (1 - rho)
	if math.Abs(tau-wantTau)/wantTau > 0.1 {
		t.Errorf("τ_int = %.2f, want %.2f ± 10%%", tau, wantTau)
	}
	be, err := BlockAverage(x, 20)
	if err != nil {
		t.Fatal(err)
	}
	varX := 1 / (1 - rho*rho)
	wantSE := math.Sqrt(wantTau * varX / n)
	// With 20 blocks the SE estimate has a relative spread of ≈ 1/sqrt(2·19) ≈ 16%.
	if be.SE < 0.5*wantSE || be.SE > 1.6*wantSE {
		t.Errorf("block SE %.4g, want ≈ %.4g", be.SE, wantSE)
	}
	if math.Abs(be.Mean) > 5*wantSE {
		t.Errorf("mean %.4g, want 0 ± %.2g", be.Mean, wantSE)
	}
	if _, err := BlockAverage(x[:3], 5); err == nil {
		t.Error("BlockAverage accepted 3 values in 5 blocks")
	}
	if got := IntegratedAutocorrTime([]float64{1, 1, 1}); got != 1 {
		t.Errorf("τ of a constant = %v", got)
	}
}

// TestDefault checks the embedded sets: sizes, value ranges and the headline statistics
// recorded in README.md.
func TestDefault(t *testing.T) {
	ref, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Main) != 69000 || len(ref.Independent) != 29000 {
		t.Fatalf("%d and %d frames, want 69000 and 29000", len(ref.Main), len(ref.Independent))
	}
	for _, set := range [][]Frame{ref.Main, ref.Independent} {
		e, err := BlockAverage(Energies(set), 20)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e.Mean+98.5) > 1 {
			t.Errorf("mean energy %v kJ/mol, want ≈ −98.5", e)
		}
		p := FramePopulations(set)
		if p.Frac[BasinBeta] < 0.85 || p.Frac[BasinAlphaR] < 0.08 || p.PhiPositive() == 0 || p.PhiPositive() > 0.01 {
			t.Errorf("populations %v", p)
		}
	}
	// Fresh slices on every call.
	ref2, _ := Default()
	ref2.Main[0].Energy = 0
	if ref.Main[0].Energy == 0 {
		t.Error("Default shares its slices between calls")
	}
}
