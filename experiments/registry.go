package experiments

import (
	"fmt"
	"sort"
	"strings"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments/targets"
)

// Experiment is a named target with default settings.
type Experiment struct {
	Name    string
	Summary string // one line for `list`
	// Target builds the target energy and exact sampler.
	Target func() (targets.Target, error)
	// Defaults are the settings of the default run.
	Defaults func() Settings
}

func registry() map[string]Experiment {
	exps := []Experiment{mos50()}
	m := make(map[string]Experiment, len(exps))
	for _, e := range exps {
		m[e.Name] = e
	}
	return m
}

// Names lists the experiment names, sorted.
func Names() []string {
	var out []string
	for k := range registry() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the named experiment or an error listing the known names.
func Lookup(name string) (Experiment, error) {
	e, ok := registry()[name]
	if !ok {
		return Experiment{}, fmt.Errorf("unknown experiment %q; known: %s", name, strings.Join(Names(), ", "))
	}
	return e, nil
}

// defaultEval is the protocol of benchmarks.md: 2000 against 2000 samples, ε = 0.05 × mean cost.
func defaultEval() EvalSettings {
	return EvalSettings{N: 2000, EpsFrac: 0.05, W2: true, Chunk: 1000}
}

func defaultNet() NetSettings {
	return NetSettings{Arch: "fourier-mlp", Width: 128, Depth: 4, Act: "silu", NFreq: 16, Dtype: "float32"}
}

// mos50 is the 50-d mixture of 10 Student-t products of benchmarks.md.
func mos50() Experiment {
	return Experiment{
		Name:    "mos50",
		Summary: "50-d mixture of 10 products of Student-t (df 2), locations in [-10, 10]^50 (benchmarks.md)",
		Target:  func() (targets.Target, error) { return targets.New("mos50") },
		Defaults: func() Settings {
			return Settings{
				Experiment: "mos50",
				Seed:       1,
				Process: dynamics.Config{
					PriorStd: 6, Steps: 100, Beta: "linear", Sigma: "geometric", SigmaMax: 10, SigmaMin: 2,
					PriorSteps: 50, GradClip: 0, AdjointClip: 50,
				},
				Train: dynamics.TrainConfig{
					Rounds: 3, AMEpochs: 20, RAMEpochs: 10, Paths: 512, Updates: 40, Batch: 512,
					TimesPerPath: 8, KeepT0: true, BufferU: 100000, BufferV: 10000,
					LearnRateU: 3e-4, LearnRateV: 3e-4, LRFinal: 0.1, Weighting: "uniform",
				},
				Net:  defaultNet(),
				Eval: defaultEval(),
			}
		},
	}
}
