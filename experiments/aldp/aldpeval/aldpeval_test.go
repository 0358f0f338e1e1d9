package aldpeval

import (
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/refdata"
)

func TestHistogramAndKLSelf(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 5000)
	for i := range x {
		x[i] = math.Remainder(rng.NormFloat64(), 2*math.Pi)
	}
	x[0], x[1] = math.Pi, -math.Pi
	h, err := Histogram(x, Bins)
	if err != nil {
		t.Fatal(err)
	}
	s := 0.0
	for _, v := range h {
		s += v
	}
	if math.Abs(s-1) > 1e-12 {
		t.Errorf("histogram sums to %v", s)
	}
	if kl, _ := TorsionKL(x, x); kl != 0 {
		t.Errorf("KL of a sample with itself = %v, want 0", kl)
	}
	if _, err := Histogram([]float64{4}, Bins); err == nil {
		t.Error("Histogram accepted 4 rad")
	}
	if _, err := Histogram([]float64{math.NaN()}, Bins); err == nil {
		t.Error("Histogram accepted NaN")
	}
}

// TestKLClosedForm: reference uniform over all 200 bins, model uniform over the first
// half: KL = ½ log((p+ε)/(2p+ε)) + ½ log((p+ε)/ε) with p = 1/200, which tends to log 2 as
// ε → 0 except for the smoothing of the empty half.
func TestKLClosedForm(t *testing.T) {
	var ref, model []float64
	for b := range Bins {
		c := -math.Pi + (float64(b)+0.5)*2*math.Pi/Bins // bin centres
		ref = append(ref, c)
		if b < Bins/2 {
			model = append(model, c, c)
		}
	}
	kl, err := TorsionKL(ref, model)
	if err != nil {
		t.Fatal(err)
	}
	p := 1.0 / Bins
	want := 0.5*math.Log((p+Epsilon)/(2*p+Epsilon)) + 0.5*math.Log((p+Epsilon)/Epsilon)
	if math.Abs(kl-want) > 1e-12 {
		t.Errorf("KL = %.15g, want %.15g", kl, want)
	}
	// Without smoothing on a shared support: KL(uniform on 4 bins ‖ (½, ¼, ⅛, ⅛)).
	pp := []float64{0.25, 0.25, 0.25, 0.25}
	qq := []float64{0.5, 0.25, 0.125, 0.125}
	want = 0.25 * (math.Log(0.5) + 0 + 2*math.Log(2))
	if got := KL(pp, qq, 0); math.Abs(got-want) > 1e-15 {
		t.Errorf("KL = %v, want %v", got, want)
	}
}

func TestW2TorusHand(t *testing.T) {
	// Two points across the φ = ±π seam: torus distance 0.2, Euclidean 2π − 0.2.
	x := []float64{math.Pi - 0.1, 0.5}
	y := []float64{-math.Pi + 0.1, 0.5}
	if w, _ := W2Torus(x, y); math.Abs(w-0.2) > 1e-12 {
		t.Errorf("torus W2 across the seam = %v, want 0.2", w)
	}
	if w, _ := W2Euclid(x, y); math.Abs(w-(2*math.Pi-0.2)) > 1e-12 {
		t.Errorf("Euclidean W2 across the seam = %v, want 2π − 0.2", w)
	}
	// Both coordinates wrap: (3, −3) to (−3, 3): each difference is 2π − 6.
	if w, _ := W2Torus([]float64{3, -3}, []float64{-3, 3}); math.Abs(w-math.Sqrt(2)*(2*math.Pi-6)) > 1e-12 {
		t.Errorf("torus W2 = %v", w)
	}
	// Two points each: the optimal matching pairs across the seam.
	x = []float64{-3.0, 0, 0, 0}
	y = []float64{0.1, 0, 3.0, 0}
	// Matching x0 (−3) ↔ y1 (3): wrapped distance 2π − 6 ≈ 0.283; x1 (0) ↔ y0 (0.1).
	d := 2*math.Pi - 6
	want := math.Sqrt((d*d + 0.01) / 2)
	if w, _ := W2Torus(x, y); math.Abs(w-want) > 1e-12 {
		t.Errorf("torus W2 = %v, want %v", w, want)
	}
	if w, _ := W2Torus(x, x); w != 0 {
		t.Errorf("W2 of a set with itself = %v", w)
	}
	if _, err := W2Torus(x, y[:2]); err == nil {
		t.Error("W2Torus accepted unequal sizes")
	}
}

func TestW2OneD(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{0}, []float64{0, 1}, math.Sqrt(0.5)},
		{[]float64{0, 1, 2}, []float64{0, 2}, math.Sqrt(1.0 / 3)},
		{[]float64{3, 1, 2}, []float64{2, 3, 4}, 1},          // a shift by 1
		{[]float64{0, 0, 10, 10}, []float64{10, 0}, 0},       // same measure
		{[]float64{1, 2, 3, 4, 5, 6}, []float64{0, 0, 0}, 0}, // computed below
	} {
		if c.want == 0 && c.y[0] == 0 && len(c.x) == 6 {
			// quantiles of x at (0, 1/3]: 1, 2; (1/3, 2/3]: 3, 4; (2/3, 1]: 5, 6 against 0.
			c.want = math.Sqrt((1 + 4 + 9 + 16 + 25 + 36) / 6.0)
		}
		got, err := W2OneD(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("W2OneD(%v, %v) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	if _, err := W2OneD([]float64{math.Inf(1)}, []float64{0}); err == nil {
		t.Error("W2OneD accepted +Inf")
	}
}

// noisyGeometries returns n copies of the LEaP geometry with Gaussian noise (nm).
func noisyGeometries(rng *rand.Rand, n int, sd float64) []float64 {
	x0 := aldp.InitialPositions()
	out := make([]float64, 0, n*len(x0))
	for range n {
		for _, v := range x0 {
			out = append(out, v+sd*rng.NormFloat64())
		}
	}
	return out
}

// TestChiralityFraction mirrors 30 of 120 geometries (x → −x): D fraction 0.25; the mirror
// images have negated torsions and the same energy.
func TestChiralityFraction(t *testing.T) {
	ff := aldp.MustDefault(aldp.Implicit)
	rng := rand.New(rand.NewPCG(3, 4))
	x := noisyGeometries(rng, 120, 0.003)
	for i := range 30 {
		for k := range 22 {
			x[66*i+3*k] = -x[66*i+3*k]
		}
	}
	frames, dFrac, dropped, err := ModelFrames(x, ff, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if dFrac != 0.25 || dropped != 0 || len(frames) != 120 {
		t.Errorf("D fraction %v, dropped %d, %d frames; want 0.25, 0, 120", dFrac, dropped, len(frames))
	}
	y := noisyGeometries(rand.New(rand.NewPCG(3, 4)), 1, 0.003) // the unmirrored first row
	e, _ := ff.Energy(y)
	if math.Abs(float64(frames[0].Energy)-e) > 1e-3*math.Abs(e) {
		t.Errorf("mirror energy %v, original %v", frames[0].Energy, e)
	}
	tor := aldp.Torsions(y)
	for k := range tor {
		if math.Abs(float64(frames[0].Torsions[k])+tor[k]) > 1e-5 {
			t.Errorf("mirror torsion %d = %v, want %v", k, frames[0].Torsions[k], -tor[k])
		}
	}
	onlyL, dFrac2, _, _ := ModelFrames(x, ff, 1, true)
	if len(onlyL) != 90 || dFrac2 != 0.25 {
		t.Errorf("OnlyL kept %d frames (D fraction %v), want 90 (0.25)", len(onlyL), dFrac2)
	}
	// A NaN row is dropped and counted.
	x[66*50] = math.NaN()
	_, dFrac3, dropped, _ := ModelFrames(x, ff, 2, false)
	if dropped != 1 || math.Abs(dFrac3-30.0/119) > 1e-15 {
		t.Errorf("dropped %d, D fraction %v", dropped, dFrac3)
	}
}

// synthFrames draws frames from a two-basin toy distribution on the torus.
func synthFrames(rng *rand.Rand, n int, shift float64) []refdata.Frame {
	out := make([]refdata.Frame, n)
	for i := range out {
		c := [2]float64{-1.3, 2.6}
		if rng.Float64() < 0.3 {
			c = [2]float64{-1.3, -0.7}
		}
		f := &out[i]
		f.Torsions[0] = float32(refdata.Wrap(c[0] + shift + 0.3*rng.NormFloat64()))
		f.Torsions[1] = float32(refdata.Wrap(c[1] + 0.3*rng.NormFloat64()))
		for k := 2; k < aldp.NumTorsions; k++ {
			f.Torsions[k] = float32(refdata.Wrap(rng.Float64() * 2 * math.Pi))
		}
		f.Energy = float32(-100 + 10*rng.NormFloat64())
	}
	return out
}

func TestEvaluateFrames(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ref := &refdata.Reference{Name: "toy", Main: synthFrames(rng, 20000, 0), Independent: synthFrames(rng, 5000, 0)}
	good := synthFrames(rng, 3000, 0)
	bad := synthFrames(rng, 3000, 0.5)
	opt := Options{W2Samples: 400, Seed: 1}
	mg, err := EvaluateFrames(good, 0, ref, opt)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := EvaluateFrames(bad, 0.1, ref, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("good:\n%v\nbad:\n%v", mg, mb)
	if mg.Floor.N != 3000 || mg.Model.N != 3000 || mg.Model.W2N != 400 {
		t.Errorf("sizes: model %d, floor %d, W2 %d", mg.Model.N, mg.Floor.N, mg.Model.W2N)
	}
	// A sample from the reference distribution scores like the floor; a shifted one does not.
	if r := mg.Model.KL[aldp.Phi] / mg.Floor.KL[aldp.Phi]; r > 2 || r < 0.5 {
		t.Errorf("KL φ model/floor = %.3g", r)
	}
	// At 400 points per side the W2 of two samples of one distribution is ≈ 0.4 rad (the
	// finite-sample floor); the shift by 0.5 rad adds to it.
	if r := mg.Model.W2Torus / mg.Floor.W2Torus; r < 0.7 || r > 1.4 {
		t.Errorf("W2 model/floor = %.3g", r)
	}
	if mb.Model.KL[aldp.Phi] < 5*mg.Model.KL[aldp.Phi] || mb.Model.W2Torus < mg.Model.W2Torus+0.1 {
		t.Errorf("shifted model not detected: KL φ %.3g vs %.3g, W2 %.3g vs %.3g",
			mb.Model.KL[aldp.Phi], mg.Model.KL[aldp.Phi], mb.Model.W2Torus, mg.Model.W2Torus)
	}
	if math.Abs(mb.Model.KL[aldp.Psi]-mg.Model.KL[aldp.Psi]) > 0.05 {
		t.Errorf("ψ is not shifted but KL ψ = %.3g vs %.3g", mb.Model.KL[aldp.Psi], mg.Model.KL[aldp.Psi])
	}
	if mb.Model.DFraction != 0.1 || mg.Model.EnergyW2 > 1.5 {
		t.Errorf("D fraction %v, energy W2 %v", mb.Model.DFraction, mg.Model.EnergyW2)
	}
	// Deterministic given the seed.
	mg2, _ := EvaluateFrames(good, 0, ref, opt)
	if mg2 != mg {
		t.Error("EvaluateFrames is not deterministic")
	}
}

func TestEvaluatePositions(t *testing.T) {
	ff := aldp.MustDefault(aldp.Implicit)
	rng := rand.New(rand.NewPCG(9, 9))
	x := noisyGeometries(rng, 200, 0.002)
	ref := &refdata.Reference{Main: synthFrames(rng, 1000, 0)}
	m, err := EvaluateWith(x, ff, ref, Options{W2Samples: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m.Model.N != 200 || m.Floor.N != 0 || m.Model.DFraction != 0 || m.Model.NonFinite != 0 {
		t.Errorf("%+v", m.Model)
	}
	if _, err := Evaluate(x[:100], ff, ref); err == nil {
		t.Error("Evaluate accepted 100 coordinates")
	}
}

func TestRamachandranPNG(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	path := filepath.Join(t.TempDir(), "rama.png")
	if err := RamachandranPNG(path, synthFrames(rng, 2000, 0.3), synthFrames(rng, 5000, 0), "toy"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
		t.Errorf("image %v too small", b)
	}
	if err := RamachandranPNG(path, nil, synthFrames(rng, 10, 0), ""); err == nil {
		t.Error("empty model accepted")
	}
}

// TestEvaluateDefaultReference runs the whole path on the shipped reference with a few
// noisy copies of the LEaP geometry (all β, φ = ψ = 180°): the model's KL and W2 must be far
// above the floor.
func TestEvaluateDefaultReference(t *testing.T) {
	ref, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	ff := aldp.MustDefault(aldp.Implicit)
	x := noisyGeometries(rand.New(rand.NewPCG(5, 5)), 300, 0.002)
	m, err := EvaluateWith(x, ff, ref, Options{W2Samples: 300})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%v", m)
	if m.Floor.N != 300 || m.RefFrames != len(ref.Main) {
		t.Errorf("floor N %d, ref frames %d", m.Floor.N, m.RefFrames)
	}
	for k := range aldp.NumTorsions {
		if m.Model.KL[k] < 3*m.Floor.KL[k] {
			t.Errorf("torsion %d: model KL %.3g not above floor %.3g", k, m.Model.KL[k], m.Floor.KL[k])
		}
	}
	if m.Model.W2Torus < 2*m.Floor.W2Torus {
		t.Errorf("W2 model %.3g, floor %.3g", m.Model.W2Torus, m.Floor.W2Torus)
	}
}
