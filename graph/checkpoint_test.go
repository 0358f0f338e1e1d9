package graph

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// trainedNet returns a network of cfg after 3 Adam steps from a perturbed start, and the rng
// that drew its batches.
func trainedNet(tb testing.TB, cfg Config) (*Net, *rand.Rand) {
	n := mustNew(tb, cfg)
	rng := rand.New(rand.NewPCG(31, 32))
	perturb(n, rng, 0.3)
	for s := 0; s < 3; s++ {
		x, tt, y, w := batch(rng, cfg.Batch, cfg.Spec.Dim)
		if _, err := n.Step(x, tt, y, w); err != nil {
			tb.Fatal(err)
		}
	}
	return n, rng
}

// TestCheckpointRoundTrip saves a trained network, loads it into a freshly initialised one
// (another seed) whose forward program already exists, and requires bit-identical Apply outputs
// and bit-identical losses and parameters over 3 further Steps (the Adam state is restored).
func TestCheckpointRoundTrip(t *testing.T) {
	for _, dt := range dtypes {
		cfg := tinyConfig(models.ArchResMLP, dt)
		a, rng := trainedNet(t, cfg)
		var buf bytes.Buffer
		if err := a.Save(&buf); err != nil {
			t.Fatal(err)
		}
		cfg.Seed = 77
		b := mustNew(t, cfg)
		x, tt, _, _ := batch(rng, 9, 3)
		ua, ub := make([]float64, 27), make([]float64, 27)
		b.Apply(x, tt, ub) // forward program bound before Load
		path := filepath.Join(t.TempDir(), "net.ckpt")
		if err := a.SaveFile(path); err != nil {
			t.Fatal(err)
		}
		if err := b.LoadFile(path); err != nil {
			t.Fatal(err)
		}
		a.Apply(x, tt, ua)
		b.Apply(x, tt, ub)
		if d := maxAbsDiff(ua, ub); d != 0 {
			t.Errorf("%v: outputs differ by %g after load", dt, d)
		}
		if b.Steps() != 3 {
			t.Errorf("%v: restored step count %d, want 3", dt, b.Steps())
		}
		for s := 0; s < 3; s++ {
			x, tt, y, w := batch(rng, cfg.Batch, 3)
			la, _ := a.Step(x, tt, y, w)
			lb, _ := b.Step(x, tt, y, w)
			if la != lb {
				t.Errorf("%v step %d: losses %.17g and %.17g differ", dt, s, la, lb)
			}
		}
		if d := maxAbsDiff(a.snapshot(), b.snapshot()); d != 0 {
			t.Errorf("%v: parameters differ by %g after 3 more steps", dt, d)
		}
		if !bytes.Equal(buf.Bytes()[:8], []byte("NAASNET\x01")) {
			t.Errorf("checkpoint starts with %q", buf.Bytes()[:8])
		}
	}
}

// TestCheckpointMismatch checks that loading into a different network fails, naming the field.
func TestCheckpointMismatch(t *testing.T) {
	base := tinyConfig(models.ArchFourierMLP, tensor.Float32)
	a, _ := trainedNet(t, base)
	var buf bytes.Buffer
	if err := a.Save(&buf); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Spec.Arch = models.ArchResMLP }, `architecture is "fourier-mlp", this network's is "resmlp"`},
		{func(c *Config) { c.Spec.Width = 7 }, "width is 6, this network's is 7"},
		{func(c *Config) { c.Spec.Depth = 3 }, "depth is 2, this network's is 3"},
		{func(c *Config) { c.Dtype = tensor.Float64 }, "dtype is float32, this network's is float64"},
		{func(c *Config) { c.Spec.Act = models.ActTanh }, "activation"},
		{func(c *Config) { c.Spec.Prefix = "v" }, "prefix"},
		{func(c *Config) { c.Spec.NFreq = 4 }, "Fourier frequencies is 3, this network's is 4"},
		{func(c *Config) { c.Spec.InScale = 3 }, "input scale is 2, this network's is 3"},
		{func(c *Config) { c.Spec.InShift = []float64{0, 0, 0} }, "input shift"},
	}
	for _, c := range cases {
		cfg := base
		cfg.Spec.InShift = append([]float64(nil), base.Spec.InShift...)
		c.mod(&cfg)
		b := mustNew(t, cfg)
		before := b.snapshot()
		err := b.Load(bytes.NewReader(buf.Bytes()))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
		if maxAbsDiff(before, b.snapshot()) != 0 {
			t.Error("failed Load changed the parameters")
		}
	}
}

// TestCheckpointCorrupt checks that every truncation and a sample of single-byte corruptions
// of a valid checkpoint fail with an error (never a panic) and leave the network untouched.
func TestCheckpointCorrupt(t *testing.T) {
	cfg := tinyConfig(models.ArchMLP, tensor.Float64)
	a, _ := trainedNet(t, cfg)
	var buf bytes.Buffer
	a.Save(&buf)
	data := buf.Bytes()
	b := mustNew(t, cfg)
	before := b.snapshot()
	for k := 0; k < len(data); k += 1 + k/20 {
		if err := b.Load(bytes.NewReader(data[:k])); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", k, len(data))
		}
	}
	rng := rand.New(rand.NewPCG(41, 42))
	for i := 0; i < 200; i++ {
		c := bytes.Clone(data)
		c[rng.IntN(len(c))] ^= byte(1 + rng.IntN(255))
		if err := b.Load(bytes.NewReader(c)); err == nil {
			t.Fatalf("corruption %d: no error", i)
		}
	}
	if err := b.Load(bytes.NewReader(append(bytes.Clone(data), 0))); err == nil || !strings.Contains(err.Error(), "after the checkpoint") {
		t.Errorf("trailing byte: error %v", err)
	}
	if maxAbsDiff(before, b.snapshot()) != 0 || b.Steps() != 0 {
		t.Error("failed loads changed the network")
	}
	if err := b.Load(bytes.NewReader(data)); err != nil {
		t.Fatalf("valid checkpoint: %v", err)
	}
}

// FuzzLoad feeds arbitrary bytes to Load: it must never panic, and a failed load must leave
// the network unchanged. The seed corpus (a valid checkpoint, truncations, a header with a huge
// length, garbage) runs as part of the normal tests. To explore further run
//
//	go test -run '^$' -fuzz FuzzLoad -fuzzminimizetime 0s -parallel 1 ./graph/
//
// (-fuzzminimizetime 0s matters: minimising each new interesting input snapshots the coverage
// map of all of Gorgonia, tensor and gonum per execution and stalls the fuzzer at 0 execs/s).
func FuzzLoad(f *testing.F) {
	cfg := tinyConfig(models.ArchMLP, tensor.Float32)
	cfg.Spec.Width, cfg.Spec.Depth = 3, 1
	a, _ := trainedNet(f, cfg)
	var buf bytes.Buffer
	a.Save(&buf)
	valid := buf.Bytes()
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(valid[:12])
	f.Add([]byte("NAASNET\x01\xff\xff\xff\xff{"))
	f.Add([]byte("NAASNET\x02"))
	f.Add([]byte("not a checkpoint at all"))
	f.Add([]byte{})
	b := mustNew(f, cfg)
	before := b.snapshot()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := b.Load(bytes.NewReader(data)); err != nil {
			if maxAbsDiff(before, b.snapshot()) != 0 {
				t.Fatalf("failed Load (%v) changed the parameters", err)
			}
			return
		}
		// A successful load (the valid seed, or a collision-free variant) must give a
		// checkpoint that round-trips.
		var out bytes.Buffer
		if err := b.Save(&out); err != nil {
			t.Fatal(err)
		}
		if err := b.Load(bytes.NewReader(out.Bytes())); err != nil {
			t.Fatalf("re-saved checkpoint does not load: %v", err)
		}
		before = b.snapshot()
	})
}
