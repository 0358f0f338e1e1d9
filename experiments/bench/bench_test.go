package bench

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments"
	"github.com/naas-go/naas/graph"
	"gorgonia.org/tensor"
)

// tiny is a run small enough for a unit test: 16 paths, 6 steps, a 1×8 network.
func tiny() Options {
	return Options{Paths: 16, Steps: 6, Updates: 2, Batch: 16, Width: 8, Depth: 1, Reps: 2, PeakSize: 64, PeakTime: time.Millisecond,
		Engines: []graph.Engine{graph.EngineGorgonia, graph.EngineNative}}
}

// TestRunTiny runs every phase for both engines at tiny sizes and checks the report: a row per
// phase and engine with positive times, energy calls where the phase makes them, the epoch split,
// flops where counted, and a table that names every phase.
func TestRunTiny(t *testing.T) {
	rep, err := Run(tiny(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.PeakGFLOPS <= 0 || rep.LayerGFLOPS <= 0 || rep.BLAS == "" || rep.ParamsW != (50+32)*8+8*50 {
		t.Errorf("report header %+v", rep)
	}
	if len(rep.Rows) != 2*len(PhaseNames()) {
		t.Fatalf("%d rows, want %d", len(rep.Rows), 2*len(PhaseNames()))
	}
	for _, row := range rep.Rows {
		if row.Wall <= 0 || row.MinWall <= 0 || row.MinWall > row.Wall {
			t.Errorf("%s %s: wall %v, min %v", row.Phase, row.Engine, row.Wall, row.MinWall)
		}
		switch row.Phase {
		case PhaseRollout:
			if row.Calls.Grad != 16*6 || row.Flops == 0 {
				t.Errorf("rollout: calls %+v, flops %g", row.Calls, row.Flops)
			}
		case PhaseAdjoint:
			if row.Calls.HVP != 16*5 {
				t.Errorf("adjoint: calls %+v", row.Calls)
			}
		case PhaseAMEpoch:
			if row.Rollout <= 0 || row.Adjoint <= 0 || row.Train <= 0 || row.Calls.Grad == 0 {
				t.Errorf("am epoch: split %v %v %v, calls %+v", row.Rollout, row.Adjoint, row.Train, row.Calls)
			}
		}
	}
	// identical work: both engines make the same energy calls in every phase
	for _, ph := range PhaseNames() {
		g, _ := rep.Find(ph, graph.EngineGorgonia)
		n, _ := rep.Find(ph, graph.EngineNative)
		if g.Calls != n.Calls {
			t.Errorf("%s: calls %+v (gorgonia) vs %+v (native)", ph, g.Calls, n.Calls)
		}
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range append(PhaseNames(), "GEMM peak", "speed-up", "gorgonia", "native") {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Error(err)
	}
}

// TestOptionErrors checks that bad options are refused with errors naming the value.
func TestOptionErrors(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.Exp = "nope" }, `unknown experiment "nope"`},
		{func(o *Options) { o.Paths = -3 }, "paths = -3"},
		{func(o *Options) { o.Engines = []graph.Engine{"gpu"} }, `unknown engine "gpu"`},
		{func(o *Options) { o.Phases = []string{"sleep"} }, `unknown phase "sleep"`},
		{func(o *Options) { o.Dtype = "float16" }, `unknown network dtype "float16"`},
	} {
		o := tiny()
		c.mod(&o)
		if _, err := Run(o, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

// TestTorch runs the PyTorch comparison at tiny sizes when the reference and an interpreter
// with torch are present (skipped otherwise; CI has neither).
func TestTorch(t *testing.T) {
	const ref, py = "/work/shared/reference/naas_torch.py", "/usr/bin/python3"
	if _, err := os.Stat(ref); err != nil {
		t.Skip("no PyTorch reference:", err)
	}
	o := tiny()
	res, err := RunTorch(t.Context(), py, ref, o, 1)
	if err != nil {
		if strings.Contains(err.Error(), "No module named") || strings.Contains(err.Error(), "executable file not found") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	if res.AM.Wall <= 0 || res.RAM.Wall <= 0 || res.Forward <= 0 || res.AMStep <= 0 {
		t.Errorf("PyTorch result %+v", res)
	}
}

// The benchmarks time each phase at the experiment's default sizes (mos50: d = 50, B = 512
// paths, K = 100 steps, 40 updates × 512 rows, u and v fourier-mlp 4×128 silu float32), for
// both engines: go test -run '^$' -bench . ./experiments/bench (add -tags openblas and
// OPENBLAS_CORETYPE=SkylakeX for OpenBLAS).

func benchPhase(b *testing.B, phase string) {
	s, err := Options{}.Settings()
	if err != nil {
		b.Fatal(err)
	}
	exp, err := experiments.Lookup(s.Experiment)
	if err != nil {
		b.Fatal(err)
	}
	tgt, err := exp.Target()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range []graph.Engine{graph.EngineGorgonia, graph.EngineNative} {
		b.Run(string(e), func(b *testing.B) {
			sm, err := newSampler(tgt, s, e)
			if err != nil {
				b.Fatal(err)
			}
			defer sm.close()
			if err := sm.prepare(phase); err != nil {
				b.Fatal(err)
			}
			if _, err := sm.run(phase); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				if err := sm.prepare(phase); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := sm.run(phase); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkForward(b *testing.B)  { benchPhase(b, PhaseForward) }
func BenchmarkRollout(b *testing.B)  { benchPhase(b, PhaseRollout) }
func BenchmarkAdjoint(b *testing.B)  { benchPhase(b, PhaseAdjoint) }
func BenchmarkAMStep(b *testing.B)   { benchPhase(b, PhaseAMStep) }
func BenchmarkRAMStep(b *testing.B)  { benchPhase(b, PhaseRAMStep) }
func BenchmarkAMEpoch(b *testing.B)  { benchPhase(b, PhaseAMEpoch) }
func BenchmarkRAMEpoch(b *testing.B) { benchPhase(b, PhaseRAMEpoch) }

// BenchmarkGEMMPeak reports the GEMM peak of the BLAS in use (Sgemm 1024³, best of 3) as the
// metric GFLOP/s.
func BenchmarkGEMMPeak(b *testing.B) {
	var g float64
	for range b.N {
		var err error
		if g, err = graph.GEMMRate(tensor.Float32, 1024, 1024, 1024, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(g, "GFLOP/s")
}

// TestEnginesGiveIdenticalRuns trains the same tiny sampler with both engines from the same
// seed for four epochs (two AM, two RAM, including the warm-up) and requires byte-identical
// checkpoints of u and v and bit-identical samples: a fixed seed gives the same samples
// whatever the engine (for the BLAS and dtype of the build).
func TestEnginesGiveIdenticalRuns(t *testing.T) {
	s, err := tiny().Settings()
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := experiments.Lookup(s.Experiment)
	tgt, err := exp.Target()
	if err != nil {
		t.Fatal(err)
	}
	var ckpt [2][]byte
	var final [2][]float64
	for i, e := range []graph.Engine{graph.EngineGorgonia, graph.EngineNative} {
		sm, err := newSampler(tgt, s, e)
		if err != nil {
			t.Fatal(err)
		}
		defer sm.close()
		for range 2 {
			if _, err := sm.tr.Step(); err != nil {
				t.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := sm.u.Save(&b); err != nil {
			t.Fatal(err)
		}
		if err := sm.v.Save(&b); err != nil {
			t.Fatal(err)
		}
		ckpt[i] = b.Bytes()
		path, err := sm.proc.Rollout(sm.x0, sm.u, rand.New(rand.NewPCG(9, 9)), dynamics.RolloutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		final[i] = path.Final
	}
	if !bytes.Equal(ckpt[0], ckpt[1]) {
		t.Error("checkpoints differ between the engines")
	}
	for j := range final[0] {
		if math.Float64bits(final[0][j]) != math.Float64bits(final[1][j]) {
			t.Fatalf("samples differ at %d: %v (gorgonia) vs %v (native)", j, final[0][j], final[1][j])
		}
	}
}
