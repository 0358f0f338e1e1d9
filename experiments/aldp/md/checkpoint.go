package md

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/refdata"
)

// checkpointVersion identifies the checkpoint layout.
const checkpointVersion = 1

// checkpoint is the complete state of a Sim; forces are recomputed from the positions on load
// (the force field is deterministic, so they are bit-identical).
type checkpoint struct {
	Version int
	Config  Config
	Step    int64
	Slots   []slotState
	ExRNG   []byte
	Frames  []float32 // refdata.Flatten of the recorded frames
	Stats   Stats
}

type slotState struct {
	Pos, Vel []float64
	Walker   int
	RNG      []byte
}

// MarshalBinary encodes the complete simulation state (gob).
func (s *Sim) MarshalBinary() ([]byte, error) {
	cp := checkpoint{Version: checkpointVersion, Config: s.cfg, Step: s.step, Stats: s.stats,
		Frames: refdata.Flatten(s.frames)}
	for _, r := range s.slots {
		b, err := r.src.MarshalBinary()
		if err != nil {
			return nil, err
		}
		cp.Slots = append(cp.Slots, slotState{Pos: r.pos, Vel: r.vel, Walker: r.walker, RNG: b})
	}
	b, err := s.exSrc.MarshalBinary()
	if err != nil {
		return nil, err
	}
	cp.ExRNG = b
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&cp); err != nil {
		return nil, fmt.Errorf("md: encode checkpoint: %w", err)
	}
	return buf.Bytes(), nil
}

// Restore decodes a state written by MarshalBinary.
func Restore(data []byte) (*Sim, error) {
	var cp checkpoint
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&cp); err != nil {
		return nil, fmt.Errorf("md: decode checkpoint: %w", err)
	}
	if cp.Version != checkpointVersion {
		return nil, fmt.Errorf("md: checkpoint version %d, want %d", cp.Version, checkpointVersion)
	}
	cfg, err := cp.Config.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("md: checkpoint: %w", err)
	}
	n := len(cfg.Temperatures)
	st := cp.Stats
	if st.CisSteps == nil && st.DSteps == nil { // checkpoints written before these diagnostics
		st.CisSteps, st.DSteps = make([]int64, n), make([]int64, n)
	}
	if len(cp.Slots) != n || len(st.SumE) != n || len(st.SumE2) != n || len(st.SumKinT) != n ||
		len(st.Attempts) != n-1 || len(st.Accepts) != n-1 || len(st.WalkerState) != n ||
		len(st.CisSteps) != n || len(st.DSteps) != n {
		return nil, fmt.Errorf("md: checkpoint: inconsistent sizes for %d temperatures", n)
	}
	ff, err := aldp.NewDefault(cfg.Solvent)
	if err != nil {
		return nil, err
	}
	s := newSim(cfg, ff)
	s.step = cp.Step
	s.stats = st
	if s.frames, err = refdata.Unflatten(cp.Frames); err != nil {
		return nil, fmt.Errorf("md: checkpoint: %w", err)
	}
	for k, ss := range cp.Slots {
		r := s.slots[k]
		if len(ss.Pos) != ff.Dim() || len(ss.Vel) != ff.Dim() {
			return nil, fmt.Errorf("md: checkpoint: slot %d has %d positions and %d velocities, want %d", k, len(ss.Pos), len(ss.Vel), ff.Dim())
		}
		if ss.Walker < 0 || ss.Walker >= n {
			return nil, fmt.Errorf("md: checkpoint: slot %d walker %d out of range [0, %d)", k, ss.Walker, n)
		}
		r.pos, r.vel, r.walker = ss.Pos, ss.Vel, ss.Walker
		r.src = &rand.PCG{}
		if err := r.src.UnmarshalBinary(ss.RNG); err != nil {
			return nil, fmt.Errorf("md: checkpoint: slot %d random state: %w", k, err)
		}
		r.rng = rand.New(r.src)
		if err := s.initForces(k); err != nil {
			return nil, err
		}
	}
	s.exSrc = &rand.PCG{}
	if err := s.exSrc.UnmarshalBinary(cp.ExRNG); err != nil {
		return nil, fmt.Errorf("md: checkpoint: exchange random state: %w", err)
	}
	s.exRNG = rand.New(s.exSrc)
	return s, nil
}

// SaveCheckpoint writes the state to path atomically: a temporary file in the same
// directory is written, synced and renamed over path.
func (s *Sim) SaveCheckpoint(path string) error {
	data, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("md: checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("md: checkpoint %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("md: checkpoint %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("md: checkpoint %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("md: checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint file written by SaveCheckpoint.
func LoadCheckpoint(path string) (*Sim, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("md: %w", err)
	}
	s, err := Restore(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Resume loads the checkpoint at path if it exists and checks that it was made with cfg
// (Workers may differ and is taken from cfg); otherwise it starts New(cfg, pos0). The bool
// reports whether a checkpoint was resumed.
func Resume(path string, cfg Config, pos0 []float64) (*Sim, bool, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		s, err := New(cfg, pos0)
		return s, false, err
	}
	s, err := LoadCheckpoint(path)
	if err != nil {
		return nil, false, err
	}
	want, err := cfg.withDefaults()
	if err != nil {
		return nil, false, err
	}
	if !sameRun(s.cfg, want) {
		return nil, false, fmt.Errorf("md: checkpoint %s was made with %+v, not %+v", path, s.cfg, want)
	}
	s.cfg.Workers = want.Workers
	return s, true, nil
}
