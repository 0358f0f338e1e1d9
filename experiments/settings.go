package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/models"
)

// Settings is the complete configuration of a run: everything needed to reproduce it.
type Settings struct {
	Experiment string               `json:"experiment"`
	Seed       uint64               `json:"seed"`
	Process    dynamics.Config      `json:"process"`
	Train      dynamics.TrainConfig `json:"train"`
	Net        NetSettings          `json:"net"`
	Eval       EvalSettings         `json:"eval"`
	// Basin, with Paths > 0, fits a basin prior after training that replaces the prior
	// stage as NAAS's start law (BasinPrior; needs Train.RAMEpochs = 0). Paths = 0 (and
	// configurations written before it existed) leave it off.
	Basin BasinOptions `json:"basin"`
}

// NetSettings sizes the two control networks u and v (the same architecture for both).
type NetSettings struct {
	Arch  string `json:"arch"`  // one of models.Architectures()
	Width int    `json:"width"` // hidden units per layer
	Depth int    `json:"depth"` // hidden layers (residual blocks for resmlp)
	Act   string `json:"act"`   // one of models.Activations()
	NFreq int    `json:"nfreq"` // Fourier frequencies of the time embedding
	// Dtype of the networks: "float32" or "float64". The dynamics are always float64.
	Dtype string `json:"dtype"`
	// ClipNorm caps the global gradient norm of each Adam step (0 = off).
	ClipNorm float64 `json:"clip_norm"`
	// Engine evaluates the networks: "native" (default; plain Go loops around the same BLAS
	// calls) or "gorgonia" (the compiled Gorgonia programs). Both give bit-identical results
	// (tested in package graph).
	Engine string `json:"engine,omitempty"`
}

// EvalSettings is the evaluation protocol (benchmarks.md).
type EvalSettings struct {
	N int `json:"n"` // samples per set (model, baseline, exact reference, second exact set)
	// EpsFrac sets the Sinkhorn ε = EpsFrac × mean squared distance between the two exact
	// sets (one absolute ε per target and seed, units of squared distance).
	EpsFrac float64 `json:"eps_frac"`
	// W2 also computes the exact W2 by an assignment solver (O(N³)).
	W2 bool `json:"w2"`
	// Chunk is the number of paths simulated at once when sampling.
	Chunk int `json:"chunk"`
}

// Validate checks the settings that the packages below do not check themselves.
func (s Settings) Validate() error {
	if err := s.Train.Validate(); err != nil {
		return err
	}
	n := s.Net
	if n.Width < 1 || n.Depth < 1 || n.NFreq < 1 {
		return fmt.Errorf("network width %d, depth %d, nfreq %d: each must be at least 1", n.Width, n.Depth, n.NFreq)
	}
	if n.Dtype != "float32" && n.Dtype != "float64" {
		return fmt.Errorf("unknown network dtype %q; known: float32, float64", n.Dtype)
	}
	if n.Engine != "" && n.Engine != "native" && n.Engine != "gorgonia" {
		return fmt.Errorf("unknown engine %q; known: native, gorgonia", n.Engine)
	}
	if n.ClipNorm < 0 || math.IsNaN(n.ClipNorm) {
		return fmt.Errorf("clip norm = %v: must be ≥ 0 (0 = off)", n.ClipNorm)
	}
	if s.Basin.Paths != 0 {
		if err := s.Basin.Validate(); err != nil {
			return err
		}
		if s.Train.RAMEpochs != 0 {
			return fmt.Errorf("basin prior with %d RAM epochs: the basin prior replaces the prior stage; set the RAM epochs to 0 or the basin paths to 0", s.Train.RAMEpochs)
		}
		if s.Process.MeanFree {
			return fmt.Errorf("basin prior with a mean-free (centroid-fixed) process: not supported; set the basin paths to 0")
		}
	}
	if s.Eval.N < 2 {
		return fmt.Errorf("evaluation samples n = %d: must be at least 2", s.Eval.N)
	}
	if !(s.Eval.EpsFrac > 0) || math.IsInf(s.Eval.EpsFrac, 0) {
		return fmt.Errorf("sinkhorn eps fraction = %v: must be positive and finite", s.Eval.EpsFrac)
	}
	return nil
}

// Spec returns the model specification of network name ("u" or "v") for dimension d,
// normalising inputs by the prior mean and scale.
func (s Settings) Spec(name string, d int, m []float64) models.Spec {
	sp := models.DefaultSpec(d, name)
	sp.Arch, sp.Width, sp.Depth, sp.Act, sp.NFreq = s.Net.Arch, s.Net.Width, s.Net.Depth, s.Net.Act, s.Net.NFreq
	sp.InShift = m
	sp.InScale = s.Process.PriorStd
	return sp
}

// LoadSettingsFile reads settings from a JSON file on top of base: fields absent from the
// file keep base's values; unknown fields are an error.
func LoadSettingsFile(path string, base Settings) (Settings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return base, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	out := base
	if err := dec.Decode(&out); err != nil {
		return base, fmt.Errorf("config file %s: %w", path, err)
	}
	return out, nil
}
