package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// bitsDiffer returns the index of the first entry where a and b differ bit for bit (NaNs of
// any payload count as equal; +0 and −0 differ), or −1.
func bitsDiffer(a, b []float64) int {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return i
		}
	}
	return -1
}

// nativeCase is one network configuration of the agreement tests.
type nativeCase struct {
	arch, act, obj string
	depth, d       int
	width          int // 0: tinySpec's 6 (not a multiple of 4: the Go loops, not the vector code)
}

func nativeCases() []nativeCase {
	var cs []nativeCase
	for _, arch := range models.Architectures() {
		for _, act := range models.Activations() {
			cs = append(cs, nativeCase{arch, act, "am", 3, 3, 0})
		}
	}
	return append(cs,
		nativeCase{models.ArchFourierMLP, models.ActSiLU, "ram", 1, 1, 0},
		nativeCase{models.ArchResMLP, models.ActSiLU, "ram", 1, 2, 0},
		nativeCase{models.ArchMLP, models.ActTanh, "am", 2, 4, 0},
		nativeCase{models.ArchFourierMLP, models.ActSiLU, "am", 3, 5, 16},
		nativeCase{models.ArchResMLP, models.ActSiLU, "am", 2, 3, 12},
		nativeCase{models.ArchMLP, models.ActSoftplus, "ram", 2, 3, 8})
}

// TestNativeMatchesGorgonia checks that the native engine is bit-identical to the Gorgonia
// programs for every architecture, activation, objective and dtype, on a network with
// perturbed (non-zero) weights and non-uniform sample weights: the forward output at the
// training batch size and at two other batch sizes (one with runs of equal times, ±0
// included, as in roll-outs), the loss (with weights and with nil
// weights) and every parameter gradient. The Gorgonia programs are run on the same Net, which
// shares the weight tensors.
func TestNativeMatchesGorgonia(t *testing.T) {
	for _, dt := range dtypes {
		for _, c := range nativeCases() {
			name := fmt.Sprintf("%v/%s/%s/%s/depth=%d/d=%d/width=%d", dt, c.arch, c.act, c.obj, c.depth, c.d, c.width)
			cfg := DefaultConfig(tinySpec(c.arch, c.act, c.d))
			cfg.Spec.Depth = c.depth
			if c.width > 0 {
				cfg.Spec.Width = c.width
			}
			cfg.Dtype, cfg.Batch, cfg.Objective, cfg.Seed = dt, 37, c.obj, 5
			n := mustNew(t, cfg)
			if n.native == nil {
				t.Fatalf("%s: the default engine is not native", name)
			}
			rng := rand.New(rand.NewPCG(31, 32))
			perturb(n, rng, 0.4)
			x, tt, y, w := batch(rng, cfg.Batch, c.d)
			for _, B := range []int{cfg.Batch, 1, 300} {
				xb, tb := x, tt
				if B != cfg.Batch {
					xb2, tb2, _, _ := batch(rng, B, c.d)
					xb, tb = xb2, tb2
				}
				if B == 300 { // one time per block of rows, as in a roll-out, with ±0
					for b := range tb {
						tb[b] = [...]float64{0.25, 0.25, 0, math.Copysign(0, -1), 0.7}[b*5/B]
					}
				}
				ug, un := make([]float64, len(xb)), make([]float64, len(xb))
				if err := n.applyGorgonia(xb, tb, ug); err != nil {
					t.Fatal(err)
				}
				if err := n.Apply(xb, tb, un); err != nil {
					t.Fatal(err)
				}
				if i := bitsDiffer(ug, un); i >= 0 || maxAbs(ug) == 0 {
					t.Errorf("%s B=%d: native output differs at %d: %v vs Gorgonia %v (max|u| %g)", name, B, i, un[max(i, 0)], ug[max(i, 0)], maxAbs(ug))
				}
			}
			for _, wb := range [][]float64{w, nil} {
				lg, gg := gradients(t, n, x, tt, y, wb)
				ln, err := n.nativeLoss(x, tt, y, wb, true)
				if err != nil {
					t.Fatal(err)
				}
				if ln != lg {
					t.Errorf("%s nilW=%v: native loss %.17g, Gorgonia %.17g", name, wb == nil, ln, lg)
				}
				for i, g := range gg {
					gn := make([]float64, len(g))
					getData(n.ngrads[i], gn)
					if j := bitsDiffer(g, gn); j >= 0 {
						t.Errorf("%s nilW=%v: gradient of %s differs at %d: native %.9g, Gorgonia %.9g", name, wb == nil, n.names[i], j, gn[j], g[j])
					}
				}
				lv, err := n.Loss(x, tt, y, wb)
				if err != nil || lv != lg {
					t.Errorf("%s: Loss %.17g (error %v), Gorgonia %.17g", name, lv, err, lg)
				}
			}
		}
	}
}

// TestNativeTrainingMatchesGorgonia trains two networks built from the same seed, one per
// engine, for 8 Adam steps (clipping active, learning-rate change) on the same minibatches and
// requires bit-identical losses and weights after every step: a fixed seed gives the same run
// whatever the engine.
func TestNativeTrainingMatchesGorgonia(t *testing.T) {
	for _, dt := range dtypes {
		for _, arch := range models.Architectures() {
			cfg := tinyConfig(arch, dt)
			cfg.ClipNorm = 0.5
			cfg.Engine = EngineGorgonia
			ref := mustNew(t, cfg)
			cfg.Engine = ""
			nat := mustNew(t, cfg)
			if ref.native != nil || nat.native == nil {
				t.Fatalf("engines not selected: gorgonia %v, default %v", ref.native, nat.native)
			}
			rng := rand.New(rand.NewPCG(41, 42))
			for s := 0; s < 8; s++ {
				x, tt, y, w := batch(rng, cfg.Batch, 3)
				if s == 4 {
					ref.SetLearnRate(3e-3)
					nat.SetLearnRate(3e-3)
				}
				lr, err1 := ref.Step(x, tt, y, w)
				ln, err2 := nat.Step(x, tt, y, w)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if lr != ln || ref.GradNorm() != nat.GradNorm() {
					t.Errorf("%v %s step %d: loss %.17g / %.17g, grad norm %.17g / %.17g (gorgonia / native)", dt, arch, s, lr, ln, ref.GradNorm(), nat.GradNorm())
				}
				if i := bitsDiffer(ref.snapshot(), nat.snapshot()); i >= 0 {
					t.Fatalf("%v %s step %d: weights differ at %d", dt, arch, s, i)
				}
			}
		}
	}
}

// TestNativeNoAllocs checks that after the first call (which allocates the workspace) Apply and
// Step of the native engine allocate no buffers: at most a few closures for the goroutines that
// split the loops and overlap the parameter gradients (under 128 objects, the gofma build
// splitting more products, and 8 KiB per call; the workspace is 60 KiB).
func TestNativeNoAllocs(t *testing.T) {
	cfg := DefaultConfig(models.DefaultSpec(4, "u"))
	cfg.Spec.Width, cfg.Batch = 16, 64
	n := mustNew(t, cfg)
	x, tt, y, w := batch(rand.New(rand.NewPCG(1, 1)), 64, 4)
	out := make([]float64, len(x))
	step := func() {
		if _, err := n.Step(x, tt, y, w); err != nil {
			t.Fatal(err)
		}
	}
	apply := func() {
		if err := n.Apply(x, tt, out); err != nil {
			t.Fatal(err)
		}
	}
	step()
	apply()
	for name, f := range map[string]func(){"Step": step, "Apply": apply} {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		const runs = 20
		for range runs {
			f()
		}
		runtime.ReadMemStats(&m1)
		objs := float64(m1.Mallocs-m0.Mallocs) / runs
		bytes := float64(m1.TotalAlloc-m0.TotalAlloc) / runs
		t.Logf("%s: %.1f allocations, %.0f bytes per call", name, objs, bytes)
		if objs > 128 || bytes > 8192 {
			t.Errorf("%s allocates %.1f objects, %.0f bytes per call", name, objs, bytes)
		}
	}
}

// TestEngineConfig checks the engine selection and its error message.
func TestEngineConfig(t *testing.T) {
	c := tinyConfig(models.ArchMLP, tensor.Float32)
	if n := mustNew(t, c); n.Config().Engine != EngineNative || n.native == nil {
		t.Errorf("zero Engine gives %q", n.Config().Engine)
	}
	c.Engine = "gpu"
	if _, err := New(c); err == nil || !strings.Contains(err.Error(), `unknown engine "gpu"; known: gorgonia, native`) {
		t.Errorf("error %v", err)
	}
}
