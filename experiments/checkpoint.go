package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/naas-go/naas/experiments/atomicfile"
)

// CheckpointPointer is the file in a run folder that names the newest complete checkpoint
// folder. It is replaced atomically (rename) only after that folder is fully written, so a
// crash or kill at any moment leaves it naming a complete checkpoint.
const CheckpointPointer = "checkpoint"

// SaveCheckpoint writes the networks (with their optimiser state) and the trainer state
// (epoch, random stream, replay buffers) into dir/ckpt-EPOCH/, then points
// dir/checkpoint at it and removes the previous checkpoint folder.
func (s *Sampler) SaveCheckpoint(dir string) error {
	name := fmt.Sprintf("ckpt-%06d", s.Trainer.Epoch)
	old, _ := readPointer(dir)
	if old == name {
		return nil // this epoch is already checkpointed and nothing has run since
	}
	tmp := filepath.Join(dir, name+".tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	if err := s.U.SaveFile(filepath.Join(tmp, "u.ckpt")); err != nil {
		return err
	}
	if err := s.V.SaveFile(filepath.Join(tmp, "v.ckpt")); err != nil {
		return err
	}
	if s.UEMA != nil {
		if err := s.UEMA.SaveFile(filepath.Join(tmp, "u_ema.ckpt")); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(tmp, "trainer.state"))
	if err != nil {
		return err
	}
	if err := s.Trainer.SaveState(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	final := filepath.Join(dir, name)
	if err := os.RemoveAll(final); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, CheckpointPointer), []byte(name+"\n")); err != nil {
		return err
	}
	if old != "" {
		os.RemoveAll(filepath.Join(dir, old))
	}
	return nil
}

func readPointer(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, CheckpointPointer))
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, "ckpt-") || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s names %q, not a checkpoint folder", filepath.Join(dir, CheckpointPointer), name)
	}
	return name, nil
}

// LoadCheckpoint restores the networks and the trainer state from the checkpoint that
// dir/checkpoint names. The sampler must have been built with the run's settings.
func (s *Sampler) LoadCheckpoint(dir string) error {
	name, err := readPointer(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s has no checkpoint (no %s file)", dir, CheckpointPointer)
	}
	if err != nil {
		return err
	}
	ck := filepath.Join(dir, name)
	if err := s.U.LoadFile(filepath.Join(ck, "u.ckpt")); err != nil {
		return fmt.Errorf("%s: %w", ck, err)
	}
	if err := s.V.LoadFile(filepath.Join(ck, "v.ckpt")); err != nil {
		return fmt.Errorf("%s: %w", ck, err)
	}
	if s.UEMA != nil {
		if err := s.UEMA.LoadFile(filepath.Join(ck, "u_ema.ckpt")); err != nil {
			return fmt.Errorf("%s: %w", ck, err)
		}
	}
	f, err := os.Open(filepath.Join(ck, "trainer.state"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := s.Trainer.LoadState(f); err != nil {
		return fmt.Errorf("%s: %w", ck, err)
	}
	return nil
}
