package experiments

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/naas-go/naas/experiments/targets"
)

// TestResumeIsBitIdentical trains a sampler straight through, and another one that is
// checkpointed after 3 epochs, "killed" in the middle of writing a later checkpoint, rebuilt
// from scratch and resumed: both must give bit-identical samples.
// With a moving-average RAM target (--ram-target-ema) the averaged copy of u is part of the
// checkpoint: the resumed run starts with a RAM epoch whose target is that copy.
func TestResumeIsBitIdentical(t *testing.T) {
	for _, ema := range []float64{0, 0.9} {
		s := tinySettings()
		s.Train.RAMTargetEMA = ema
		t.Run(fmt.Sprintf("ema%v", ema), func(t *testing.T) { resumeIsBitIdentical(t, s) })
	}
}

func resumeIsBitIdentical(t *testing.T, s Settings) {
	tgt, _ := targets.NewGauss("g", []float64{1, -1}, []float64{1, 2})
	sample := func(smp *Sampler) []float64 {
		out, err := smp.Proc.Sample(200, 100, smp.U, smp.V, rand.New(rand.NewPCG(8, 8)))
		if err != nil {
			t.Fatal(err)
		}
		return out.X
	}
	a, err := BuildFor(tgt, s)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Trainer.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	want := sample(a)

	dir := t.TempDir()
	b, err := BuildFor(tgt, s)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for range 3 {
		if _, err := b.Trainer.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	// a later checkpoint interrupted while its files were being written
	if _, err := b.Trainer.Step(); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(dir, "ckpt-000004.tmp")
	if err := os.MkdirAll(partial, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(partial, "u.ckpt"), []byte("NAAS half-written"), 0o644); err != nil {
		t.Fatal(err)
	}

	c, err := BuildFor(tgt, s)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.LoadCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	if c.Trainer.Epoch != 3 {
		t.Fatalf("resumed at epoch %d, want 3", c.Trainer.Epoch)
	}
	if err := c.Trainer.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	got := sample(c)
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("resumed run differs at %d: %v vs %v", i, got[i], want[i])
		}
	}
	// the checkpoint after resuming replaces the old one and leaves one folder
	if err := c.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ckpt-000003")); !os.IsNotExist(err) {
		t.Errorf("old checkpoint folder still there: %v", err)
	}
	// a mismatching run refuses the state
	s2 := s
	s2.Train.Paths = 64
	d, err := BuildFor(tgt, s2)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.LoadCheckpoint(dir); err == nil {
		t.Error("checkpoint of other training settings accepted")
	}
}
