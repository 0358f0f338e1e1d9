package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/naas-go/naas/models"
	"github.com/naas-go/naas/objectives"
	"gorgonia.org/tensor"
)

// Adam defaults, used when the corresponding Config field is 0.
const (
	DefaultBeta1 = 0.9
	DefaultBeta2 = 0.999
	DefaultEps   = 1e-8
)

// Config describes a Net. DefaultConfig fills every field with a usable default.
type Config struct {
	// Spec is the architecture (package models); Spec.Dim is d.
	Spec models.Spec
	// Dtype is the network dtype, tensor.Float32 or tensor.Float64. Host slices are always
	// []float64 and are converted internally.
	Dtype tensor.Dtype
	// Batch is the training batch size B: every Step takes exactly B rows.
	Batch int
	// LearnRate is Adam's step size α (> 0); SetLearnRate changes it later.
	LearnRate float64
	// Beta1, Beta2 are Adam's moment decay rates in [0, 1); 0 selects DefaultBeta1/DefaultBeta2.
	Beta1, Beta2 float64
	// Eps is Adam's denominator guard (> 0); 0 selects DefaultEps.
	Eps float64
	// ClipNorm, if > 0, rescales the gradient so that its global Euclidean norm over all
	// parameters is at most ClipNorm before the Adam update; 0 turns clipping off.
	ClipNorm float64
	// Objective is the training loss: "am" (naas.md §4) or "ram" (§5); see package objectives.
	Objective string
	// Seed seeds the weight initialisation when Rand is nil (PCG with this seed).
	Seed uint64
	// Rand, if non-nil, is used for the weight initialisation instead of Seed.
	Rand *rand.Rand
	// Engine selects how Apply, Step and Loss run: EngineNative (also the zero value "") or
	// EngineGorgonia. Both give bit-identical results; see Engine.
	Engine Engine
}

// Engine names the implementation that evaluates a Net.
type Engine string

// Engines accepted in Config.Engine.
const (
	// EngineNative runs the network, the loss and its gradients as plain Go loops around the
	// same BLAS calls the Gorgonia programs make, with buffers allocated once per batch size and
	// element-wise work split over GOMAXPROCS goroutines. It performs the Gorgonia programs'
	// floating-point operations in the same order, so outputs, losses, gradients and hence whole
	// training runs are bit-identical to EngineGorgonia on the same BLAS and dtype (tested), and
	// several times faster. It is the default (the zero value "" selects it).
	EngineNative Engine = "native"
	// EngineGorgonia runs the compiled Gorgonia programs (the reference implementation).
	EngineGorgonia Engine = "gorgonia"
)

// Engines returns the known engine names, sorted.
func Engines() []string { return []string{string(EngineGorgonia), string(EngineNative)} }

// DefaultConfig returns a configuration for spec with float32, batch 512, learning rate 1e-3,
// Adam β1 0.9, β2 0.999, ε 1e-8, no clipping, objective "am", seed 0 and the native engine.
func DefaultConfig(spec models.Spec) Config {
	return Config{
		Spec: spec, Dtype: tensor.Float32, Batch: 512, LearnRate: 1e-3,
		Beta1: DefaultBeta1, Beta2: DefaultBeta2, Eps: DefaultEps, Objective: objectives.NameAM,
	}
}

// withDefaults fills the zero Adam fields and the engine.
func (c Config) withDefaults() Config {
	if c.Engine == "" {
		c.Engine = EngineNative
	}
	if c.Beta1 == 0 {
		c.Beta1 = DefaultBeta1
	}
	if c.Beta2 == 0 {
		c.Beta2 = DefaultBeta2
	}
	if c.Eps == 0 {
		c.Eps = DefaultEps
	}
	return c
}

// validate returns an error naming the first invalid field (after withDefaults).
func (c Config) validate() error {
	if err := c.Spec.Validate(); err != nil {
		return err
	}
	if c.Dtype != tensor.Float32 && c.Dtype != tensor.Float64 {
		return fmt.Errorf("graph: dtype %v not supported; known: float32, float64", c.Dtype)
	}
	if c.Batch <= 0 {
		return fmt.Errorf("graph: training batch size %d must be positive", c.Batch)
	}
	if !(c.LearnRate > 0) || math.IsInf(c.LearnRate, 0) {
		return fmt.Errorf("graph: learning rate %v must be positive and finite", c.LearnRate)
	}
	if !(c.Beta1 >= 0 && c.Beta1 < 1) {
		return fmt.Errorf("graph: Adam beta1 %v must be in [0, 1)", c.Beta1)
	}
	if !(c.Beta2 >= 0 && c.Beta2 < 1) {
		return fmt.Errorf("graph: Adam beta2 %v must be in [0, 1)", c.Beta2)
	}
	if !(c.Eps > 0) || math.IsInf(c.Eps, 0) {
		return fmt.Errorf("graph: Adam eps %v must be positive and finite", c.Eps)
	}
	if !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 0) {
		return fmt.Errorf("graph: gradient clip norm %v must be 0 (off) or positive and finite", c.ClipNorm)
	}
	if _, err := objectives.ByName(c.Objective); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	if c.Engine != "" && c.Engine != EngineNative && c.Engine != EngineGorgonia {
		return fmt.Errorf("graph: unknown engine %q; known: %s", c.Engine, strings.Join(Engines(), ", "))
	}
	return nil
}

// dtypeName is the name of a supported dtype used in checkpoints and errors.
func dtypeName(dt tensor.Dtype) string {
	if dt == tensor.Float32 {
		return "float32"
	}
	return "float64"
}
