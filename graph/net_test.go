package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

var dtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}

// TestLossMatchesPlainGo compares the loss returned by Loss and by Step with an independent
// plain-Go (1/B) Σ_b w_b |u_b + y_b|², u from Apply; for w given and w nil (all ones).
// Tolerance: relative 1e-12 (float64), 1e-5 (float32).
func TestLossMatchesPlainGo(t *testing.T) {
	for _, dt := range dtypes {
		for _, obj := range []string{"am", "ram"} {
			for _, nilW := range []bool{false, true} {
				cfg := tinyConfig(models.ArchFourierMLP, dt)
				cfg.Objective = obj
				n := mustNew(t, cfg)
				rng := rand.New(rand.NewPCG(5, 6))
				perturb(n, rng, 0.3)
				x, tt, y, w := batch(rng, cfg.Batch, 3)
				if nilW {
					w = nil
				}
				u := make([]float64, len(x))
				if err := n.Apply(x, tt, u); err != nil {
					t.Fatal(err)
				}
				want := 0.0
				for b := 0; b < cfg.Batch; b++ {
					wb := 1.0
					if w != nil {
						wb = w[b]
					}
					for i := 0; i < 3; i++ {
						r := u[b*3+i] + y[b*3+i]
						want += wb * r * r
					}
				}
				want /= float64(cfg.Batch)
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				got, err := n.Loss(x, tt, y, w)
				if err != nil {
					t.Fatal(err)
				}
				stepLoss, err := n.Step(x, tt, y, w)
				if err != nil {
					t.Fatal(err)
				}
				for name, l := range map[string]float64{"Loss": got, "Step": stepLoss} {
					if math.Abs(l-want) > tol*want {
						t.Errorf("%v %s nilW=%v: %s %.15g, plain Go %.15g", dt, obj, nilW, name, l, want)
					}
				}
			}
		}
	}
}

// TestForwardMatchesTraining checks that the forward-only program (Apply) gives the same u as
// the training program (read via G.Read) for the same weights, before and after Adam steps
// (the forward program shares the weight tensors), and that u does change with the steps.
// Tolerance on max|Δu|: 1e-12 (float64), 1e-6·max(1, max|u|) (float32).
func TestForwardMatchesTraining(t *testing.T) {
	for _, dt := range dtypes {
		for _, arch := range models.Architectures() {
			for _, engine := range []Engine{EngineGorgonia, EngineNative} {
				testForwardMatchesTraining(t, dt, arch, engine)
			}
		}
	}
}

func testForwardMatchesTraining(t *testing.T, dt tensor.Dtype, arch string, engine Engine) {
	cfg := tinyConfig(arch, dt)
	cfg.Engine = engine
	n := mustNew(t, cfg)
	rng := rand.New(rand.NewPCG(7, 8))
	perturb(n, rng, 0.3)
	x, tt, y, w := batch(rng, n.cfg.Batch, 3)
	tol := 1e-12
	if dt == tensor.Float32 {
		tol = 1e-6
	}
	var prev []float64
	for step := 0; step < 3; step++ {
		u := make([]float64, len(x))
		if err := n.Apply(x, tt, u); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Step(x, tt, y, w); err != nil { // the training program computes u before updating
			t.Fatal(err)
		}
		ut := trainU(t, n)
		if d := maxAbsDiff(u, ut); d > tol*math.Max(1, maxAbs(u)) {
			t.Errorf("%v %s %s after %d steps: forward and training u differ by %.3g", dt, arch, engine, step, d)
		}
		if prev != nil && maxAbsDiff(prev, u) < 1e-4 {
			t.Errorf("%v %s %s: forward output did not change after an Adam step (shared weights not seen?)", dt, arch, engine)
		}
		prev = u
	}
}

// TestApplyBatchSizes checks that Apply at batch sizes 1, 2 and 7 gives, row by row, the same
// output as Apply at the training batch size (batch independence and per-size programs).
// Tolerance 1e-12 (float64), 1e-6 (float32).
func TestApplyBatchSizes(t *testing.T) {
	for _, dt := range dtypes {
		for _, engine := range []Engine{EngineGorgonia, EngineNative} {
			testApplyBatchSizes(t, dt, engine)
		}
	}
}

func testApplyBatchSizes(t *testing.T, dt tensor.Dtype, engine Engine) {
	cfg := tinyConfig(models.ArchResMLP, dt)
	cfg.Engine = engine
	n := mustNew(t, cfg)
	rng := rand.New(rand.NewPCG(9, 10))
	perturb(n, rng, 0.3)
	const B = 7
	x, tt, _, _ := batch(rng, B, 3)
	full := make([]float64, B*3)
	if err := n.Apply(x, tt, full); err != nil {
		t.Fatal(err)
	}
	tol := 1e-12
	if dt == tensor.Float32 {
		tol = 1e-6
	}
	for _, sz := range []int{1, 2} {
		for b0 := 0; b0+sz <= B; b0 += sz {
			out := make([]float64, sz*3)
			if err := n.Apply(x[b0*3:(b0+sz)*3], tt[b0:b0+sz], out); err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(out, full[b0*3:(b0+sz)*3]); d > tol {
				t.Errorf("%v B=%d rows %d..: differs from B=%d by %.3g", dt, sz, b0, B, d)
			}
		}
	}
	got := len(n.fwd)
	if n.native != nil {
		got = n.native.workspaces()
	}
	if got != 3 {
		t.Errorf("%s: %d cached forward programs, want 3 (B = 7, 1, 2)", engine, got)
	}
}

// TestZeroInitAndSeeds checks that a new network outputs exactly 0, that the same seed gives
// bit-identical weights (via Seed and via Rand), and that another seed gives other weights.
func TestZeroInitAndSeeds(t *testing.T) {
	for _, dt := range dtypes {
		for _, arch := range models.Architectures() {
			cfg := tinyConfig(arch, dt)
			a, b := mustNew(t, cfg), mustNew(t, cfg)
			cfg.Seed = 2
			c := mustNew(t, cfg)
			cfg.Rand = rand.New(rand.NewPCG(1, 0x9e3779b97f4a7c15))
			d := mustNew(t, cfg)
			x, tt, _, _ := batch(rand.New(rand.NewPCG(1, 1)), 9, 3)
			out := make([]float64, len(x))
			if err := a.Apply(x, tt, out); err != nil {
				t.Fatal(err)
			}
			if m := maxAbs(out); m != 0 {
				t.Errorf("%v %s: new network output max|u| = %g, want exactly 0", dt, arch, m)
			}
			sa, sb, sc, sd := a.snapshot(), b.snapshot(), c.snapshot(), d.snapshot()
			if maxAbsDiff(sa, sb) != 0 || maxAbsDiff(sa, sd) != 0 {
				t.Errorf("%v %s: same seed gave different weights", dt, arch)
			}
			if maxAbsDiff(sa, sc) == 0 {
				t.Errorf("%v %s: seeds 1 and 2 gave identical weights", dt, arch)
			}
		}
	}
}

// TestNames checks parameter names: prefixed, unique within each graph (every named input node
// of the training and forward graphs), and disjoint between a "u" and a "v" network.
func TestNames(t *testing.T) {
	cu := tinyConfig(models.ArchResMLP, tensor.Float32)
	cv := cu
	cv.Spec.Prefix = "v"
	u, v := mustNew(t, cu), mustNew(t, cv)
	if _, err := v.forward(3); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range u.ParamNames() {
		if !strings.HasPrefix(name, "u_") {
			t.Errorf("u parameter %q lacks the prefix", name)
		}
		seen[name] = true
	}
	for _, name := range v.ParamNames() {
		if !strings.HasPrefix(name, "v_") || seen[name] {
			t.Errorf("v parameter %q lacks the prefix or collides with u", name)
		}
	}
	for _, g := range []*Net{u, v} {
		for _, gr := range append([]*trainProg{g.train}, nil...) {
			names := map[string]int{}
			for _, nd := range gr.g.Inputs() {
				names[nd.Name()]++
			}
			for name, k := range names {
				if k > 1 {
					t.Errorf("training graph has %d input nodes named %q", k, name)
				}
			}
			if want := len(g.ParamNames()) + 4 + 2; len(names) != want { // params, x t target weight, freqs, shift
				t.Errorf("training graph has %d distinct input names, want %d", len(names), want)
			}
		}
	}
	want := 0
	for _, s := range u.ParamShapes() {
		want += s[0] * s[1]
	}
	if u.NumParams() != want || want == 0 {
		t.Errorf("NumParams %d, shapes sum to %d", u.NumParams(), want)
	}
}

// TestCopyAndEMA checks CopyFrom (bit-identical outputs, including across dtypes to float32
// precision) and UpdateEMA (θ = ½θ + ½θ_src entry-wise at decay ½).
func TestCopyAndEMA(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	src := mustNew(t, tinyConfig(models.ArchFourierMLP, tensor.Float64))
	perturb(src, rng, 0.3)
	cfg := tinyConfig(models.ArchFourierMLP, tensor.Float64)
	cfg.Seed = 99
	dst := mustNew(t, cfg)
	x, tt, _, _ := batch(rng, 4, 3)
	if err := dst.Apply(x, tt, make([]float64, 12)); err != nil { // build a forward program first: it must see the copy
		t.Fatal(err)
	}
	before := dst.snapshot()
	if err := dst.UpdateEMA(src, 0.5); err != nil {
		t.Fatal(err)
	}
	s, a := src.snapshot(), dst.snapshot()
	for i := range a {
		if want := 0.5*before[i] + 0.5*s[i]; math.Abs(a[i]-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Fatalf("EMA entry %d = %v, want %v", i, a[i], want)
		}
	}
	if err := dst.CopyFrom(src); err != nil {
		t.Fatal(err)
	}
	u1, u2 := make([]float64, 12), make([]float64, 12)
	src.Apply(x, tt, u1)
	dst.Apply(x, tt, u2)
	if d := maxAbsDiff(u1, u2); d != 0 {
		t.Errorf("after CopyFrom outputs differ by %g", d)
	}
	c32 := tinyConfig(models.ArchFourierMLP, tensor.Float32)
	n32 := mustNew(t, c32)
	if err := n32.CopyFrom(src); err != nil {
		t.Fatal(err)
	}
	n32.Apply(x, tt, u2)
	if d := maxAbsDiff(u1, u2); d > 1e-5*math.Max(1, maxAbs(u1)) {
		t.Errorf("float64 → float32 copy: outputs differ by %g", d)
	}
	other := tinyConfig(models.ArchMLP, tensor.Float64)
	if err := mustNew(t, other).CopyFrom(src); err == nil {
		t.Error("CopyFrom between different architectures succeeded")
	}
}

// TestErrors checks that invalid configurations and wrongly sized batches fail with errors
// that name the offending value.
func TestErrors(t *testing.T) {
	n := mustNew(t, tinyConfig(models.ArchMLP, tensor.Float64))
	x, tt, y, w := batch(rand.New(rand.NewPCG(1, 2)), 6, 3)
	newErr := func(mod func(*Config)) error {
		c := tinyConfig(models.ArchMLP, tensor.Float64)
		mod(&c)
		_, err := New(c)
		return err
	}
	_, stepErr := n.Step(x, tt, y, w)
	_, weightErr := n.Step(x[:15], tt[:5], y[:15], w)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"step batch", stepErr, "batch of 6 rows, but the network trains on batches of 5"},
		{"weights", weightErr, "6 weights for a batch of 5"},
		{"apply", n.Apply(x, tt[:5], make([]float64, 18)), "len(x) 18"},
		{"objective", newErr(func(c *Config) { c.Objective = "amm" }), `unknown objective "amm"; known: am, ram`},
		{"arch", newErr(func(c *Config) { c.Spec.Arch = "mlpp" }), `unknown architecture "mlpp"; known: fourier-mlp, mlp, resmlp`},
		{"dtype", newErr(func(c *Config) { c.Dtype = tensor.Int }), "dtype int not supported"},
		{"batch", newErr(func(c *Config) { c.Batch = 0 }), "batch size 0"},
		{"lr", newErr(func(c *Config) { c.LearnRate = -1 }), "learning rate -1"},
		{"beta", newErr(func(c *Config) { c.Beta2 = 1 }), "beta2 1"},
		{"clip", newErr(func(c *Config) { c.ClipNorm = -2 }), "clip norm -2"},
		{"program", n.WriteDOT(new(strings.Builder), "loss"), `unknown program "loss"; known: forward, train`},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

// TestTrainingDecreasesLoss fits a fixed affine target u*(x, t) = A x + c t (AM target
// y = −u*) with 300 Adam steps on fresh minibatches and requires the loss to fall by a factor
// of at least 20 (average of the last 20 losses against the first).
func TestTrainingDecreasesLoss(t *testing.T) {
	for _, dt := range dtypes {
		spec := models.Spec{Arch: models.ArchMLP, Dim: 2, Width: 32, Depth: 2, Act: models.ActTanh, InScale: 1}
		cfg := DefaultConfig(spec)
		cfg.Dtype, cfg.Batch, cfg.LearnRate, cfg.Seed = dt, 64, 1e-2, 3
		n := mustNew(t, cfg)
		A := [2][2]float64{{1.5, -0.5}, {0.3, 2}}
		c := [2]float64{1, -1}
		rng := rand.New(rand.NewPCG(13, 14))
		var first, last float64
		const steps = 300
		for s := 0; s < steps; s++ {
			x, tt, y, _ := batch(rng, cfg.Batch, 2)
			for b := 0; b < cfg.Batch; b++ {
				x[2*b], x[2*b+1] = x[2*b]/2, x[2*b+1]/2
				for i := 0; i < 2; i++ {
					y[2*b+i] = -(A[i][0]*x[2*b] + A[i][1]*x[2*b+1] + c[i]*tt[b])
				}
			}
			l, err := n.Step(x, tt, y, nil)
			if err != nil {
				t.Fatal(err)
			}
			if s == 0 {
				first = l
			}
			if s >= steps-20 {
				last += l / 20
			}
		}
		t.Logf("%v: loss %.4g → %.4g (factor %.0f)", dt, first, last, first/last)
		if !(last < first/20) {
			t.Errorf("%v: loss fell from %.4g to %.4g, less than a factor 20", dt, first, last)
		}
		if n.Steps() != steps {
			t.Errorf("Steps() = %d, want %d", n.Steps(), steps)
		}
	}
}
