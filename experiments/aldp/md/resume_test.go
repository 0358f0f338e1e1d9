package md

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/naas-go/naas/experiments/aldp"
)

// TestResumeBitIdentical runs 2N steps straight and N + checkpoint + restore + N steps, and
// requires identical positions, velocities, frames and statistics, bit for bit.
func TestResumeBitIdentical(t *testing.T) {
	cfg := Config{Solvent: aldp.Vacuum, Temperatures: []float64{300, 400, 550}, ExchangeEvery: 7,
		SaveEvery: 5, Equilibrate: 20, Seed: 42, Friction: 1}
	const n = 150 // not a multiple of ExchangeEvery: the checkpoint falls inside an interval
	straight, err := New(cfg, aldp.InitialPositions())
	if err != nil {
		t.Fatal(err)
	}
	if err := straight.Run(context.Background(), 2*n, RunOptions{}); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "state")
	first, err := New(cfg, aldp.InitialPositions())
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Run(context.Background(), n, RunOptions{Checkpoint: path, CheckpointEvery: 1000}); err != nil {
		t.Fatal(err)
	}
	cfg1 := cfg
	cfg1.Workers = 1 // workers must not matter
	resumed, ok, err := Resume(path, cfg1, nil)
	if err != nil || !ok {
		t.Fatalf("Resume: ok=%v err=%v", ok, err)
	}
	if resumed.Step() != n {
		t.Fatalf("resumed at step %d, want %d", resumed.Step(), n)
	}
	if err := resumed.Run(context.Background(), 2*n, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	for k := range cfg.Temperatures {
		p1, v1, e1 := straight.State(k)
		p2, v2, e2 := resumed.State(k)
		if !slices.Equal(p1, p2) || !slices.Equal(v1, v2) || e1 != e2 {
			t.Errorf("slot %d differs after resume: E %v vs %v", k, e1, e2)
		}
	}
	if !slices.Equal(straight.Frames(), resumed.Frames()) {
		t.Errorf("frames differ: %d vs %d", straight.NumFrames(), resumed.NumFrames())
	}
	s1, s2 := straight.Stats(), resumed.Stats()
	if !slices.Equal(s1.SumE, s2.SumE) || !slices.Equal(s1.Accepts, s2.Accepts) || s1.Steps != s2.Steps || s1.RoundTrips != s2.RoundTrips {
		t.Errorf("stats differ: %+v vs %+v", s1, s2)
	}
	if got, want := straight.NumFrames(), (2*n-20)/5; got != want {
		t.Errorf("%d frames, want %d", got, want)
	}
	if s1.Attempts[0]+s1.Attempts[1] != 2*n/7 {
		t.Errorf("%v exchange attempts, want %d in total", s1.Attempts, 2*n/7)
	}

	// A different configuration must be refused.
	bad := cfg
	bad.Seed++
	if _, _, err := Resume(path, bad, nil); err == nil {
		t.Error("Resume accepted a checkpoint made with another seed")
	}
}
