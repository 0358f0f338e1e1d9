package dynamics

import (
	"encoding/gob"
	"fmt"
	"io"
	"math/rand/v2"
)

// trainerState is the serialised form of a Trainer's mutable state (the networks are saved
// by their owner).
type trainerState struct {
	Version int
	Epoch   int
	RNG     []byte
	BufU    bufferState
	BufV    bufferState
	Config  TrainConfig
	LastR2  float64
}

type bufferState struct {
	Widths []int
	Cap    int
	N      int
	Next   int
	Data   [][]float64
}

func (b *Buffer) state() bufferState {
	st := bufferState{Widths: b.widths, Cap: b.cap, N: b.n, Next: b.next, Data: make([][]float64, len(b.data))}
	for f, w := range b.widths {
		st.Data[f] = b.data[f][:b.n*w] // rows beyond n were never written
	}
	return st
}

// check validates a saved buffer against b without changing b.
func (b *Buffer) check(st bufferState, name string) error {
	if st.Cap != b.cap || len(st.Widths) != len(b.widths) {
		return fmt.Errorf("%s buffer: saved capacity %d with %d fields; this trainer has %d with %d", name, st.Cap, len(st.Widths), b.cap, len(b.widths))
	}
	for f, w := range b.widths {
		if st.Widths[f] != w || len(st.Data[f]) != st.N*w {
			return fmt.Errorf("%s buffer: field %d saved with width %d and %d values; want width %d", name, f, st.Widths[f], len(st.Data[f]), w)
		}
	}
	if st.N < 0 || st.N > st.Cap || st.Next < 0 || st.Next >= st.Cap {
		return fmt.Errorf("%s buffer: saved fill %d, next %d out of range for capacity %d", name, st.N, st.Next, st.Cap)
	}
	return nil
}

// restore copies a checked saved buffer into b.
func (b *Buffer) restore(st bufferState) {
	for f := range b.widths {
		clear(b.data[f])
		copy(b.data[f], st.Data[f])
	}
	b.n, b.next = st.N, st.Next
}

// SaveState writes the trainer's state — next epoch, random stream, both replay buffers and
// the training configuration — so that LoadState on a trainer built with the same settings
// continues bit-identically.
func (t *Trainer) SaveState(w io.Writer) error {
	rng, err := t.Src.MarshalBinary()
	if err != nil {
		return err
	}
	return gob.NewEncoder(w).Encode(trainerState{Version: 1, Epoch: t.Epoch, RNG: rng, BufU: t.BufU.state(), BufV: t.BufV.state(), Config: t.Cfg, LastR2: t.lastR2})
}

// LoadState restores a state written by SaveState. The training configuration must match.
func (t *Trainer) LoadState(r io.Reader) error {
	var st trainerState
	if err := gob.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("trainer state: %w", err)
	}
	if st.Version != 1 {
		return fmt.Errorf("trainer state version %d; this build reads version 1", st.Version)
	}
	if st.Config != t.Cfg {
		return fmt.Errorf("trainer state was saved with training settings %+v; these are %+v", st.Config, t.Cfg)
	}
	if st.Epoch < 0 || st.Epoch > t.Cfg.TotalEpochs() {
		return fmt.Errorf("trainer state epoch %d outside [0, %d]", st.Epoch, t.Cfg.TotalEpochs())
	}
	if err := t.BufU.check(st.BufU, "u"); err != nil {
		return err
	}
	if err := t.BufV.check(st.BufV, "v"); err != nil {
		return err
	}
	var src rand.PCG
	if err := src.UnmarshalBinary(st.RNG); err != nil {
		return fmt.Errorf("trainer state random stream: %w", err)
	}
	t.BufU.restore(st.BufU)
	t.BufV.restore(st.BufV)
	*t.Src = src
	t.Epoch = st.Epoch
	t.lastR2 = st.LastR2
	return nil
}
