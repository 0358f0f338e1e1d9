package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/naas-go/naas/experiments/npy"
)

func runCLI(t *testing.T, args ...string) error {
	t.Helper()
	app := newApp()
	app.Writer, app.ErrWriter = os.Stderr, os.Stderr
	return app.RunContext(t.Context(), append([]string{"naas"}, args...))
}

// TestRunWritesRunFolder runs a tiny mos50 training through the command line and checks
// every artefact of the run folder, and that a second run never overwrites it.
func TestRunWritesRunFolder(t *testing.T) {
	out := t.TempDir()
	args := []string{"--exp", "mos50", "--out", out, "--name", "r1", "--quiet", "--no-w2", "--seed", "5",
		"--rounds", "1", "--am-epochs", "2", "--ram-epochs", "0", "--paths", "16", "--batch", "16",
		"--updates", "2", "--steps", "8", "--prior-steps", "4", "--width", "8", "--depth", "1", "--eval-n", "64",
		"--basin-paths", "300"}
	if err := runCLI(t, args...); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "r1")
	for _, f := range []string{"config.json", "metrics.json", "results.md", "log.jsonl", "u.ckpt", "v.ckpt",
		"samples_naas.npy", "samples_baseline.npy", "samples_exact.npy", "logw_naas.npy", "logw_baseline.npy",
		"samples.png", "loss.png", "modes.png", "basin.json", "graphs/u_forward.dot", "graphs/u_am_loss.dot", "graphs/v_forward.dot", "graphs/v_ram_loss.dot"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}
	var cfg struct {
		Settings struct {
			Seed    uint64 `json:"seed"`
			Process struct {
				Steps int `json:"steps"`
			} `json:"process"`
		} `json:"settings"`
		GoVersion string `json:"go_version"`
		Commit    string `json:"commit"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Settings.Seed != 5 || cfg.Settings.Process.Steps != 8 || cfg.GoVersion == "" || cfg.Commit == "" {
		t.Errorf("config.json = %+v", cfg)
	}
	x, shape, err := npy.ReadFile(filepath.Join(dir, "samples_naas.npy"))
	if err != nil || len(shape) != 2 || shape[0] != 64 || shape[1] != 50 || len(x) != 64*50 {
		t.Errorf("samples_naas.npy: shape %v, %d values, err %v", shape, len(x), err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	if n := strings.Count(string(log), "\n"); n != 2 {
		t.Errorf("log.jsonl has %d lines, want 2 epochs", n)
	}
	if err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second run into the same folder: %v", err)
	}
	// The run starts NAAS from its basin prior: sampling loads basin.json, SMC refuses it,
	// and a damaged file is named.
	if err := runCLI(t, "sample", "--run", dir, "--n", "20"); err != nil {
		t.Errorf("sample from a basin-prior run: %v", err)
	}
	if err := runCLI(t, "sample", "--run", dir, "--n", "20", "--smc", "0.5", "--name", "smc"); err == nil || !strings.Contains(err.Error(), "basin prior") {
		t.Errorf("sample --smc from a basin-prior run: %v, want a basin-prior error", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "basin.json"), []byte(`{"d": 50, "alpha": [1]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runCLI(t, "sample", "--run", dir, "--n", "20", "--name", "bad"); err == nil || !strings.Contains(err.Error(), "basin.json") {
		t.Errorf("sample with a damaged basin.json: %v, want an error naming it", err)
	}
	// naas basin fits it again: refused without --force, then the run samples again
	if err := runCLI(t, "basin", "--run", dir, "--paths", "200", "--quiet"); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("basin over an existing basin.json: %v, want a --force error", err)
	}
	if err := runCLI(t, "basin", "--run", dir, "--paths", "200", "--quiet", "--force"); err != nil {
		t.Fatalf("basin --force: %v", err)
	}
	var refit struct {
		Options struct {
			Paths int `json:"paths"`
		} `json:"options"`
		Alpha []float64 `json:"alpha"`
	}
	b, _ = os.ReadFile(filepath.Join(dir, "basin.json"))
	if err := json.Unmarshal(b, &refit); err != nil || refit.Options.Paths != 200 || len(refit.Alpha) == 0 {
		t.Errorf("refitted basin.json: %+v (err %v)", refit, err)
	}
	if err := runCLI(t, "sample", "--run", dir, "--n", "20", "--name", "again"); err != nil {
		t.Errorf("sample after the refit: %v", err)
	}
	if err := runCLI(t, "basin", "--run", dir, "--mass", "hsa", "--force"); err == nil || !strings.Contains(err.Error(), `"hsa"`) {
		t.Errorf("basin --mass hsa: %v, want an unknown-estimator error", err)
	}
	if err := runCLI(t, append(args[:len(args):len(args)], "--name", "r2", "--ram-epochs", "1")...); err == nil || !strings.Contains(err.Error(), "RAM epochs") {
		t.Errorf("basin prior with RAM epochs: %v, want a settings error", err)
	}
}

func TestBadInput(t *testing.T) {
	out := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--exp", "mos5"}, `unknown experiment "mos5"; known: `},
		{[]string{"--batch", "0"}, "batch = 0"},
		{[]string{"--lr-u", "NaN"}, "lr_u"},
		{[]string{"--arch", "cnn"}, `"cnn"`},
		{[]string{"--beta", "exp"}, `unknown beta schedule "exp"`},
		{[]string{"--dtype", "float16"}, "float16"},
		{[]string{"--steps", "-3"}, "K = -3"},
		{[]string{"bassin"}, `unexpected argument "bassin"; commands: train, eval, sample, modes, basin, report`},
	} {
		err := runCLI(t, append([]string{"--out", out, "--quiet"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
}

// TestInterruptAndResume interrupts a run (as Ctrl-C would, once its log shows a few epochs),
// resumes it, and checks that its samples are bit-identical to an uninterrupted run's.
func TestInterruptAndResume(t *testing.T) {
	out := t.TempDir()
	args := []string{"--exp", "gauss2", "--out", out, "--quiet", "--no-w2", "--rounds", "8", "--am-epochs", "5",
		"--ram-epochs", "5", "--paths", "32", "--batch", "32", "--updates", "3", "--steps", "10", "--width", "8",
		"--depth", "1", "--eval-n", "50", "--checkpoint-every", "3"}
	if err := runCLI(t, append(args, "--name", "straight")...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { // cancel once the run has logged 5 epochs
		for ctx.Err() == nil {
			if b, err := os.ReadFile(filepath.Join(out, "cut", "log.jsonl")); err == nil && strings.Count(string(b), "\n") >= 5 {
				cancel()
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	app := newApp()
	err := app.RunContext(ctx, append([]string{"naas", "--name", "cut"}, args...))
	if err == nil {
		t.Skip("the run finished before the deadline; nothing was interrupted")
	}
	if !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("interrupted run: %v", err)
	}
	cut := filepath.Join(out, "cut")
	if err := runCLI(t, "--resume", cut, "--steps", "11"); err == nil || !strings.Contains(err.Error(), "--steps") {
		t.Errorf("resume with a changed setting: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(cut, "checkpoint")); err == nil {
		t.Logf("checkpoint pointer after the interruption: %s (err %v)", b, err)
	}
	if err := runCLI(t, "--resume", cut, "--quiet"); err != nil {
		t.Fatal(err)
	}
	a, _, err := npy.ReadFile(filepath.Join(out, "straight", "samples_naas.npy"))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := npy.ReadFile(filepath.Join(cut, "samples_naas.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("resumed run's sample %d differs: %v vs %v", i, b[i], a[i])
		}
	}
	log, _ := os.ReadFile(filepath.Join(cut, "log.jsonl"))
	if n := strings.Count(string(log), "\n"); n != 80 {
		t.Errorf("resumed log.jsonl has %d epochs, want 80", n)
	}
	if err := runCLI(t, "--resume", cut); err == nil || !strings.Contains(err.Error(), "finished") {
		t.Errorf("resuming a finished run: %v", err)
	}
}

func TestSampleAndEvalCommands(t *testing.T) {
	out := t.TempDir()
	if err := runCLI(t, "--exp", "manywell5", "--out", out, "--name", "r", "--quiet", "--no-w2", "--rounds", "1",
		"--am-epochs", "1", "--ram-epochs", "1", "--paths", "16", "--batch", "16", "--updates", "2", "--steps", "8",
		"--width", "8", "--depth", "1", "--eval-n", "64"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "r")
	if err := runCLI(t, "sample", "--run", dir, "--n", "30"); err != nil {
		t.Fatal(err)
	}
	x, shape, err := npy.ReadFile(filepath.Join(dir, "draw.npy"))
	if err != nil || shape[0] != 30 || shape[1] != 5 || len(x) != 150 {
		t.Errorf("draw.npy: shape %v err %v", shape, err)
	}
	csvb, _ := os.ReadFile(filepath.Join(dir, "draw.csv"))
	if lines := strings.Count(string(csvb), "\n"); lines != 31 || !strings.HasPrefix(string(csvb), "x0,x1,x2,x3,x4,logw\n") {
		t.Errorf("draw.csv: %d lines, header %q", lines, strings.SplitN(string(csvb), "\n", 2)[0])
	}
	if err := runCLI(t, "sample", "--run", dir, "--n", "30", "--smc", "0.5", "--name", "smc"); err != nil {
		t.Errorf("sample --smc 0.5: %v", err)
	}
	if err := runCLI(t, "sample", "--run", dir, "--n", "30", "--smc", "2", "--name", "smc2"); err == nil || !strings.Contains(err.Error(), "threshold") {
		t.Errorf("sample --smc 2: %v, want a threshold error", err)
	}
	if err := runCLI(t, "sample", "--run", dir, "--n", "30"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second sample into the same name: %v", err)
	}
	if err := runCLI(t, "eval", "--run", dir, "--seeds", "2", "--n", "40", "--no-w2", "--quiet"); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Seeds   []uint64                              `json:"seeds"`
		Methods map[string]map[string]struct{ N int } `json:"methods"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "eval.json"))
	if err := json.Unmarshal(b, &sum); err != nil || len(sum.Seeds) != 2 || sum.Methods["floor"]["mode_tv"].N != 2 {
		t.Errorf("eval.json: %+v (err %v)", sum, err)
	}
	for _, f := range []string{"eval.json", "metrics.json"} {
		if err := runCLI(t, "report", "--file", f, dir); err != nil {
			t.Errorf("report --file %s: %v", f, err)
		}
	}
	if err := runCLI(t, "modes", "--n", "640", "--quiet", dir); err != nil {
		t.Fatal(err)
	}
	var mw struct {
		N       int       `json:"n"`
		True    []float64 `json:"true"`
		NoiseTV float64   `json:"noise_tv"`
	}
	b, _ = os.ReadFile(filepath.Join(dir, "modes-pop.json"))
	if err := json.Unmarshal(b, &mw); err != nil || mw.N != 640 || len(mw.True) != 32 || !(mw.NoiseTV > 0) {
		t.Errorf("modes-pop.json: %+v (err %v)", mw, err)
	}
	csvb, _ = os.ReadFile(filepath.Join(dir, "modes-pop.csv"))
	if lines := strings.Count(string(csvb), "\n"); lines != 33 || !strings.HasPrefix(string(csvb), "mode,true,exact,naas,reference,") {
		t.Errorf("modes-pop.csv: %d lines, header %q", lines, strings.SplitN(string(csvb), "\n", 2)[0])
	}
	if _, err := os.Stat(filepath.Join(dir, "modes-pop.png")); err != nil {
		t.Error(err)
	}
	if err := runCLI(t, "modes", "--n", "640", dir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second modes into the same name: %v", err)
	}
	if err := runCLI(t, "modes", "--reuse", "--n", "640", "--quiet", dir); err != nil {
		t.Errorf("modes --reuse on a measured run: %v", err)
	}
	if err := runCLI(t, "basin", "--run", dir, "--paths", "200", "--quiet"); err == nil || !strings.Contains(err.Error(), "RAM epochs") {
		t.Errorf("basin on a run with a trained prior stage: %v, want a RAM-epochs error", err)
	}
	if err := runCLI(t, "modes"); err == nil || !strings.Contains(err.Error(), "at least one run") {
		t.Errorf("modes without runs: %v", err)
	}
	if err := runCLI(t, "sample", "--run", filepath.Join(out, "nope")); err == nil || !strings.Contains(err.Error(), "not a run folder") {
		t.Errorf("sample from a missing run: %v", err)
	}
}

// TestRunALDP runs a tiny alanine-dipeptide training through the command line and checks
// that the torsion evaluation gives finite KLs for NAAS and the baseline and that the run
// folder has the Ramachandran figure and no exact-sample file (aldp has no exact sampler).
func TestRunALDP(t *testing.T) {
	out := t.TempDir()
	if err := runCLI(t, "--exp", "aldp", "--out", out, "--name", "a", "--quiet", "--rounds", "1", "--am-epochs", "1",
		"--ram-epochs", "1", "--paths", "8", "--batch", "8", "--updates", "2", "--steps", "50", "--sigma-max", "3",
		"--sigma-min", "1", "--prior-steps", "4",
		"--width", "8", "--depth", "1", "--eval-n", "64"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "a")
	for _, f := range []string{"metrics.json", "results.md", "ramachandran.png", "loss.png", "samples_naas.npy", "samples_baseline.npy"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "samples_exact.npy")); err == nil {
		t.Error("samples_exact.npy written for aldp, which has no exact sampler")
	}
	// the sampler works in 60 internal coordinates; the run writes Cartesian positions
	if _, shape, err := npy.ReadFile(filepath.Join(dir, "samples_naas.npy")); err != nil || len(shape) != 2 || shape[0] != 64 || shape[1] != 66 {
		t.Errorf("samples_naas.npy shape %v (err %v), want [64 66]", shape, err)
	}
	var m struct {
		Report struct {
			ALDP *struct {
				NAAS, Baseline struct {
					Model struct {
						N  int
						KL []float64
					}
				}
			} `json:"aldp"`
		} `json:"report"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err := json.Unmarshal(b, &m); err != nil || m.Report.ALDP == nil {
		t.Fatalf("metrics.json has no aldp report (err %v)", err)
	}
	for name, s := range map[string]struct {
		N  int
		KL []float64
	}{"naas": m.Report.ALDP.NAAS.Model, "baseline": m.Report.ALDP.Baseline.Model} {
		if s.N != 64 || len(s.KL) != 5 {
			t.Errorf("%s: n = %d, %d KLs; want 64 and 5", name, s.N, len(s.KL))
		}
		for i, kl := range s.KL {
			if math.IsNaN(kl) || math.IsInf(kl, 0) || kl < 0 {
				t.Errorf("%s: KL[%d] = %v, want finite ≥ 0", name, i, kl)
			}
		}
	}
	if md, _ := os.ReadFile(filepath.Join(dir, "results.md")); !strings.Contains(string(md), "KL phi") {
		t.Errorf("results.md has no torsion table:\n%s", md)
	}
}
