package experiments

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/naas-go/naas/experiments/targets"
)

func tinySettings() Settings {
	s := gaussSettings()
	s.Train.Rounds, s.Train.AMEpochs, s.Train.RAMEpochs = 1, 2, 2
	s.Train.Paths, s.Train.Batch, s.Train.Updates = 32, 32, 3
	s.Net.Width, s.Net.Depth = 16, 2
	s.Process.Steps = 10
	return s
}

// TestCheckpointRoundTripSamples saves both networks of a trained sampler, loads them into
// a sampler built with another seed (other initial weights) and checks that sampling with
// the same noise gives bit-identical samples and log-weights.
func TestCheckpointRoundTripSamples(t *testing.T) {
	tgt, _ := targets.NewGauss("g", []float64{1, -1}, []float64{1, 2})
	for _, dtype := range []string{"float32", "float64"} {
		s := tinySettings()
		s.Net.Dtype = dtype
		a, err := BuildFor(tgt, s)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := a.Trainer.Run(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := a.U.SaveFile(filepath.Join(dir, "u.ckpt")); err != nil {
			t.Fatal(err)
		}
		if err := a.V.SaveFile(filepath.Join(dir, "v.ckpt")); err != nil {
			t.Fatal(err)
		}
		s.Seed = 99
		b, err := BuildFor(tgt, s)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if err := b.U.LoadFile(filepath.Join(dir, "u.ckpt")); err != nil {
			t.Fatal(err)
		}
		if err := b.V.LoadFile(filepath.Join(dir, "v.ckpt")); err != nil {
			t.Fatal(err)
		}
		sa, err := a.Proc.Sample(300, 100, a.U, a.V, rand.New(rand.NewPCG(4, 4)))
		if err != nil {
			t.Fatal(err)
		}
		sb, err := b.Proc.Sample(300, 100, b.U, b.V, rand.New(rand.NewPCG(4, 4)))
		if err != nil {
			t.Fatal(err)
		}
		moved := false
		for i := range sa.X {
			if sa.X[i] != sb.X[i] {
				t.Fatalf("%s: sample %d differs after the round trip: %v vs %v", dtype, i, sa.X[i], sb.X[i])
			}
		}
		for i := range sa.LogW {
			if sa.LogW[i] != sb.LogW[i] {
				t.Fatalf("%s: log-weight %d differs", dtype, i)
			}
		}
		// and the trained networks are not the zero control (the test would be vacuous)
		out := make([]float64, 2)
		if err := a.U.Apply([]float64{0.3, 0.1}, []float64{0.5}, out); err != nil {
			t.Fatal(err)
		}
		moved = out[0] != 0 || out[1] != 0
		if !moved {
			t.Errorf("%s: trained u is still zero", dtype)
		}
	}
}

func TestSameSeedSameSamples(t *testing.T) {
	tgt, _ := targets.NewGauss("g", []float64{1, -1}, []float64{1, 2})
	var first []float64
	for rep := 0; rep < 2; rep++ {
		s := tinySettings()
		s.Eval.N, s.Eval.Chunk, s.Eval.W2 = 200, 100, false
		smp, err := BuildFor(tgt, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := smp.Trainer.Run(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		r, err := smp.Evaluate(7)
		smp.Close()
		if err != nil {
			t.Fatal(err)
		}
		if rep == 0 {
			first = r.NAASX
			continue
		}
		for i := range first {
			if first[i] != r.NAASX[i] {
				t.Fatalf("same seed and settings gave different samples at %d", i)
			}
		}
	}
}

func TestLookupAndValidate(t *testing.T) {
	if _, err := Lookup("mos5"); err == nil || !strings.Contains(err.Error(), `unknown experiment "mos5"; known: `) {
		t.Errorf("Lookup(mos5) = %v", err)
	}
	for _, n := range Names() {
		e, err := Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Defaults().Validate(); err != nil {
			t.Errorf("%s defaults invalid: %v", n, err)
		}
	}
	s := tinySettings()
	s.Net.Dtype = "float16"
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "float16") {
		t.Errorf("float16 accepted: %v", err)
	}
}
