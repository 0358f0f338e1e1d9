package experiments

import (
	"fmt"
	"math/rand/v2"

	"github.com/naas-go/naas/experiments/metrics"
)

// Validation is one model-selection check during training: the importance-weight summary of a
// fixed validation draw (no ground truth needed) and, beside it, the ground-truth metrics of
// the same samples, so that the agreement of the two can be measured.
type Validation struct {
	Epoch int     `json:"epoch"` // epochs finished
	ELBO  float64 `json:"elbo"`
	ESS   float64 `json:"ess"`
	LogZ  float64 `json:"logz"`
	// Ground truth on the same samples against a fixed exact set.
	Truth Metrics `json:"truth"`
}

// Validator draws validation samples with fixed noise, so that successive checks differ only
// by the networks.
type Validator struct {
	N    int
	Seed uint64
	ref  []float64
	eps  float64
}

// NewValidator prepares a validator of n samples: a fixed exact set and Sinkhorn ε.
func (s *Sampler) NewValidator(n int, seed uint64) (*Validator, error) {
	if _, ok := s.Target.(noExact); ok {
		return nil, fmt.Errorf("validation needs exact samples; target %s has none (use --validate-every 0)", s.Target.Name())
	}
	rng := rand.New(rand.NewPCG(seed, 0x7a1))
	ref := s.Target.Sample(rng, n)
	ref2 := s.Target.Sample(rng, n)
	eps, err := metrics.RelativeEpsilon(ref, ref2, s.Proc.D, s.Settings.Eval.EpsFrac)
	if err != nil {
		return nil, err
	}
	return &Validator{N: n, Seed: seed, ref: ref, eps: eps}, nil
}

// Check samples N paths with the current networks and the validator's fixed noise.
func (v *Validator) Check(s *Sampler) (Validation, error) {
	out, err := s.Proc.Sample(v.N, s.Settings.Eval.Chunk, s.U, s.V, rand.New(rand.NewPCG(v.Seed, 0x7a2)))
	if err != nil {
		return Validation{}, err
	}
	val := Validation{Epoch: s.Trainer.Epoch}
	if is, err := metrics.ImportanceSummary(out.LogW); err == nil {
		val.ELBO, val.ESS, val.LogZ = is.ELBO, is.ESS, is.LogZ
	}
	val.Truth, err = SetMetrics(s.Target, out.X, v.ref, v.eps, false, nil)
	return val, err
}
