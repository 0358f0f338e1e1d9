package experiments

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/naas-go/naas/experiments/metrics"
)

// Selection criteria of --select-by: the networks kept in best/ are those of the validation
// check with the highest value of the criterion (no ground truth needed).
const (
	SelectELBO = "elbo"
	SelectESS  = "ess"
)

// SelectionCriteria lists the allowed --select-by values.
func SelectionCriteria() []string { return []string{SelectELBO, SelectESS} }

// CheckCriterion returns an error naming c and the allowed criteria unless c is one of them.
func CheckCriterion(c string) error {
	for _, k := range SelectionCriteria() {
		if c == k {
			return nil
		}
	}
	return fmt.Errorf("unknown selection criterion %q; known: %s", c, strings.Join(SelectionCriteria(), ", "))
}

// Validation is one model-selection check during training: the importance-weight summary of a
// fixed validation draw (no ground truth needed) and, beside it, the ground-truth metrics of
// the same samples, so that the agreement of the two can be measured.
//
// ELBO, ESS and LogZ are NaN when no log-weight of the draw is finite; they are written as
// JSON null then (and null reads back as NaN). A NaN criterion is never selected.
type Validation struct {
	Epoch int     `json:"epoch"` // epochs finished
	ELBO  float64 `json:"elbo"`
	ESS   float64 `json:"ess"`
	LogZ  float64 `json:"logz"`
	// SelectBy is the run's criterion for best/ ("elbo" or "ess"); lines written before the
	// criterion was recorded have none, and were selected by ELBO.
	SelectBy string `json:"select_by,omitempty"`
	// NewBest is true when this check beat every earlier one by SelectBy and its networks were
	// written to best/ (the last such check of a run is the one in best/).
	NewBest bool `json:"new_best,omitempty"`
	// Ground truth on the same samples against a fixed exact set.
	Truth Metrics `json:"truth"`
}

// validationJSON is Validation with nullable importance-weight fields.
type validationJSON struct {
	Epoch    int      `json:"epoch"`
	ELBO     *float64 `json:"elbo"`
	ESS      *float64 `json:"ess"`
	LogZ     *float64 `json:"logz"`
	SelectBy string   `json:"select_by,omitempty"`
	NewBest  bool     `json:"new_best,omitempty"`
	Truth    Metrics  `json:"truth"`
}

// finitePtr is &x, or nil when x is not finite.
func finitePtr(x float64) *float64 {
	if !finite(x) {
		return nil
	}
	return &x
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes non-finite ELBO, ESS and log Z as null.
func (v Validation) MarshalJSON() ([]byte, error) {
	return json.Marshal(validationJSON{Epoch: v.Epoch, ELBO: finitePtr(v.ELBO), ESS: finitePtr(v.ESS), LogZ: finitePtr(v.LogZ),
		SelectBy: v.SelectBy, NewBest: v.NewBest, Truth: v.Truth})
}

// UnmarshalJSON reads null or missing ELBO, ESS and log Z as NaN.
func (v *Validation) UnmarshalJSON(b []byte) error {
	var j validationJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*v = Validation{Epoch: j.Epoch, ELBO: orNaN(j.ELBO), ESS: orNaN(j.ESS), LogZ: orNaN(j.LogZ),
		SelectBy: j.SelectBy, NewBest: j.NewBest, Truth: j.Truth}
	return nil
}

// Score is the value of criterion c ("elbo" or "ess") of the check; higher is better, NaN
// means the check cannot be selected.
func (v Validation) Score(c string) float64 {
	switch c {
	case SelectELBO:
		return v.ELBO
	case SelectESS:
		return v.ESS
	}
	return math.NaN()
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

// Check samples N paths with the current networks and the validator's fixed noise. When no
// log-weight is finite, ELBO, ESS and log Z are NaN (so that the check is never selected).
func (v *Validator) Check(s *Sampler) (Validation, error) {
	out, err := s.SampleNAAS(v.N, rand.New(rand.NewPCG(v.Seed, 0x7a2)))
	if err != nil {
		return Validation{}, err
	}
	val := Validation{Epoch: s.Trainer.Epoch, ELBO: math.NaN(), ESS: math.NaN(), LogZ: math.NaN()}
	if is, err := metrics.ImportanceSummary(out.LogW); err == nil {
		val.ELBO, val.ESS, val.LogZ = is.ELBO, is.ESS, is.LogZ
	}
	val.Truth, err = SetMetrics(s.Target, out.X, v.ref, v.eps, false, nil)
	return val, err
}
