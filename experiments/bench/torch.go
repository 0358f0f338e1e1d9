package bench

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

//go:embed torch_bench.py
var torchScript []byte

// TorchResult holds the PyTorch reference implementation's times in seconds, medians and
// minima over the repetitions after a warm-up, at the same sizes as the Go run.
type TorchResult struct {
	Version          string     `json:"version"`
	Threads          int        `json:"threads"`
	OpenBLASCoreType string     `json:"openblas_coretype"`
	Params           int        `json:"params"`
	AM               TorchEpoch `json:"am"`
	RAM              TorchEpoch `json:"ram"`
	AMMin            TorchEpoch `json:"am_min"`
	RAMMin           TorchEpoch `json:"ram_min"`
	Forward          float64    `json:"forward"`
	AMStep           float64    `json:"am_step"`
	ForwardMin       float64    `json:"forward_min"`
	AMStepMin        float64    `json:"am_step_min"`
	Command          string     `json:"command"`
}

// TorchEpoch is the time of one PyTorch epoch and its split (seconds): adjoint and train from
// the reference's own timers, rollout the rest (prior stage, roll-out, buffer push).
type TorchEpoch struct {
	Wall    float64 `json:"wall"`
	Rollout float64 `json:"rollout"`
	Adjoint float64 `json:"adjoint"`
	Train   float64 `json:"train"`
}

// RunTorch times the PyTorch reference implementation ref (a path to naas_torch.py) with the
// interpreter python at the sizes of o (same experiment, paths, steps, updates, batch, width,
// depth; the reference's own preset for everything else, its own architecture and float32),
// reps repetitions of an AM and a RAM epoch after a warm-up, plus a forward pass and a training
// step. The environment is inherited: set OPENBLAS_CORETYPE (PyTorch's BLAS is OpenBLAS on
// Debian) and NAAS_THREADS (the reference's thread count, default 1) before starting.
func RunTorch(ctx context.Context, python, ref string, o Options, reps int) (*TorchResult, error) {
	s, err := o.Settings()
	if err != nil {
		return nil, err
	}
	if reps <= 0 {
		return nil, fmt.Errorf("bench: PyTorch repetitions %d must be positive", reps)
	}
	if _, err := os.Stat(ref); err != nil {
		return nil, fmt.Errorf("bench: PyTorch reference: %w", err)
	}
	dir, err := os.MkdirTemp("", "naas-torch-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "torch_bench.py")
	if err := os.WriteFile(script, torchScript, 0o644); err != nil {
		return nil, err
	}
	args := []string{script, "--ref", ref, "--target", s.Experiment,
		"--paths", fmt.Sprint(s.Train.Paths), "--steps", fmt.Sprint(s.Process.Steps), "--updates", fmt.Sprint(s.Train.Updates),
		"--batch", fmt.Sprint(s.Train.Batch), "--width", fmt.Sprint(s.Net.Width), "--depth", fmt.Sprint(s.Net.Depth),
		"--reps", fmt.Sprint(reps), "--seed", fmt.Sprint(s.Seed)}
	cmd := exec.CommandContext(ctx, python, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: %s %s: %w: %s", python, ref, err, strings.TrimSpace(errb.String()))
	}
	var res TorchResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("bench: PyTorch output %q: %w", strings.TrimSpace(out.String()), err)
	}
	res.Command = python + " " + ref
	return &res, nil
}

// writeText prints the side-by-side comparison with the Go rows of r: medians, then minima
// (on a shared machine the minimum is the better estimate of the intrinsic cost).
func (t *TorchResult) writeText(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "\nPyTorch reference (%s; torch %s, %d thread(s), OPENBLAS_CORETYPE=%q; %d parameters in u), same sizes, median | min:\n",
		t.Command, t.Version, t.Threads, t.OpenBLASCoreType, t.Params)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "phase\tpytorch ms\t"
	for _, row := range r.Rows {
		if row.Phase == PhaseAMEpoch {
			head += "go " + string(row.Engine) + " ms\tgo/pytorch\t"
		}
	}
	fmt.Fprintln(tw, head)
	sec := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	pair := func(a, b time.Duration) string { return ms(a) + " | " + ms(b) }
	ratio := func(g, t time.Duration) string {
		if t <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", g.Seconds()/t.Seconds())
	}
	line := func(name, phase string, med, mn float64, pick func(Row) (time.Duration, time.Duration)) {
		l := name + "\t" + pair(sec(med), sec(mn)) + "\t"
		for _, e := range r.Rows {
			if e.Phase != phase {
				continue
			}
			gm, gn := pick(e)
			l += pair(gm, gn) + "\t" + ratio(gm, sec(med)) + " | " + ratio(gn, sec(mn)) + "\t"
		}
		fmt.Fprintln(tw, l)
	}
	wall := func(r Row) (time.Duration, time.Duration) { return r.Wall, r.MinWall }
	split := func(f func(Row) time.Duration) func(Row) (time.Duration, time.Duration) {
		return func(r Row) (time.Duration, time.Duration) { return f(r), -1 }
	}
	line("am-epoch", PhaseAMEpoch, t.AM.Wall, t.AMMin.Wall, wall)
	line("  rollout", PhaseAMEpoch, t.AM.Rollout, -1, split(func(r Row) time.Duration { return r.Rollout }))
	line("  adjoint", PhaseAMEpoch, t.AM.Adjoint, -1, split(func(r Row) time.Duration { return r.Adjoint }))
	line("  train", PhaseAMEpoch, t.AM.Train, -1, split(func(r Row) time.Duration { return r.Train }))
	line("ram-epoch", PhaseRAMEpoch, t.RAM.Wall, t.RAMMin.Wall, wall)
	line("  rollout", PhaseRAMEpoch, t.RAM.Rollout, -1, split(func(r Row) time.Duration { return r.Rollout }))
	line("  train", PhaseRAMEpoch, t.RAM.Train, -1, split(func(r Row) time.Duration { return r.Train }))
	line("forward", PhaseForward, t.Forward, t.ForwardMin, wall)
	line("am-step", PhaseAMStep, t.AMStep, t.AMStepMin, wall)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "(epoch splits are medians; PyTorch's rollout is its epoch minus its adjoint and train timers, i.e. prior stage, roll-out and buffer push, as Go's)")
	return err
}
