package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/naas-go/naas/experiments"
)

func selCLI(t *testing.T, args ...string) error {
	t.Helper()
	app := newApp()
	app.Writer, app.ErrWriter = os.Stderr, os.Stderr
	return app.RunContext(t.Context(), append([]string{"naas"}, args...))
}

// tinyGauss2 are the flags of a training of a fraction of a second.
var tinyGauss2 = []string{"--exp", "gauss2", "--quiet", "--no-w2", "--rounds", "2", "--am-epochs", "3", "--ram-epochs", "3",
	"--paths", "32", "--batch", "32", "--updates", "3", "--steps", "10", "--width", "8", "--depth", "1", "--eval-n", "50",
	"--validate-every", "2", "--validate-n", "50"}

func TestSelectByBadValue(t *testing.T) {
	out := t.TempDir()
	err := selCLI(t, append(tinyGauss2, "--out", out, "--name", "x", "--select-by", "best")...)
	if err == nil || !strings.Contains(err.Error(), `unknown selection criterion "best"; known: elbo, ess`) {
		t.Errorf("--select-by best: %v", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("a bad --select-by wrote %v", ents)
	}
}

// TestSelectByESS trains a tiny run selected by ESS and checks that best/ holds the check the
// analysis says ESS selects, that the criterion is recorded, and that a resume cannot change it.
func TestSelectByESS(t *testing.T) {
	out := t.TempDir()
	if err := selCLI(t, append(tinyGauss2, "--out", out, "--name", "r", "--select-by", "ess")...); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "r")
	if got := recordedCriterion(dir); got != "ess" {
		t.Errorf("config.json records %q, want ess", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "best", "u.ckpt")); err != nil {
		t.Error(err)
	}
	r, err := analyseRun(dir, []string{"mmd", "sinkhorn_divergence"})
	if err != nil {
		t.Fatal(err)
	}
	if r.SelectBy != "ess" || r.Checks != 6 || r.BestEpoch < 0 || r.BestEpoch != r.ESSEpoch || len(r.Metrics) != 2 {
		t.Errorf("analysis: select_by %q, %d checks, best/ epoch %d, ESS picks %d, %d metrics; want ess, 6, best = ESS pick, 2",
			r.SelectBy, r.Checks, r.BestEpoch, r.ESSEpoch, len(r.Metrics))
	}
	err = selCLI(t, "--resume", dir, "--select-by", "elbo", "--validate-every", "2")
	if err == nil || !strings.Contains(err.Error(), `criterion "ess"`) {
		t.Errorf("resume with another criterion: %v", err)
	}
	js := filepath.Join(out, "sel.json")
	if err := selCLI(t, "selection", "--json", js, dir); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(js); err != nil || !strings.Contains(string(b), `"select_by": "ess"`) {
		t.Errorf("selection JSON: %v\n%s", err, b)
	}
	if err := selCLI(t, "selection", "--metrics", "tv", dir); err == nil || !strings.Contains(err.Error(), `"tv"; known: sinkhorn_divergence`) {
		t.Errorf("unknown metric: %v", err)
	}
	if err := selCLI(t, "selection", out); err == nil || !strings.Contains(err.Error(), "--validate-every") {
		t.Errorf("folder without validation.jsonl: %v", err)
	}
}

// TestBestValidationCriterion reads old-format lines (no select_by), a line without weights
// (null) and lines after the resume point, for both criteria; and the resume truncation.
func TestBestValidationCriterion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "validation.jsonl")
	lines := `{"epoch":3,"elbo":-63,"ess":0.004,"logz":-35,"truth":{"mmd":0.09,"nonfinite":0}}
{"epoch":6,"elbo":-60,"ess":0.002,"logz":-31,"truth":{"mmd":0.10,"nonfinite":0}}
{"epoch":9,"elbo":null,"ess":null,"logz":null,"select_by":"elbo","truth":{"mmd":0.5,"nonfinite":0}}
{"epoch":12,"elbo":-41,"ess":0.009,"logz":-29,"truth":{"mmd":0.3,"nonfinite":0}}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		crit string
		upTo int
		want float64
	}{{"elbo", 9, -60}, {"ess", 9, 0.004}, {"elbo", 12, -41}, {"ess", 12, 0.009}, {"ess", 2, math.Inf(-1)}} {
		if got := bestValidation(path, tc.upTo, tc.crit); got != tc.want {
			t.Errorf("bestValidation(%s, ≤ %d) = %v, want %v", tc.crit, tc.upTo, got, tc.want)
		}
	}
	if got := bestValidation(filepath.Join(t.TempDir(), "none"), 9, "elbo"); !math.IsInf(got, -1) {
		t.Errorf("missing file: %v", got)
	}
	if err := truncateValidation(path, 9); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "\n"); n != 3 || strings.Contains(string(b), `"epoch":12`) {
		t.Errorf("after truncation to epoch 9:\n%s", b)
	}
	if got := bestValidation(path, 100, experiments.SelectELBO); got != -60 {
		t.Errorf("after truncation, best ELBO %v, want -60", got)
	}
}

// TestResumeKeepsSelection interrupts a run selected by ESS, plants a validation line after its
// checkpoint (as a kill between a check and the next checkpoint leaves), resumes it without
// --select-by, and checks that validation.jsonl and best/ equal those of an uninterrupted run.
func TestResumeKeepsSelection(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"--out", out, "--select-by", "ess", "--checkpoint-every", "3"}, tinyGauss2...)
	args = append(args, "--rounds", "6")
	if err := selCLI(t, append(args, "--name", "straight")...); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(out, "cut")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { // cancel once the run has logged 7 epochs
		for ctx.Err() == nil {
			if b, err := os.ReadFile(filepath.Join(cut, "log.jsonl")); err == nil && strings.Count(string(b), "\n") >= 7 {
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
	val := filepath.Join(cut, "validation.jsonl")
	f, err := os.OpenFile(val, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, `{"epoch":1000,"elbo":1e9,"ess":1,"logz":0,"select_by":"ess","new_best":true,"truth":{"mmd":9,"nonfinite":0}}`)
	f.Close()
	if err := selCLI(t, "--resume", cut, "--quiet", "--validate-every", "2", "--validate-n", "50"); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"validation.jsonl", filepath.Join("best", "u.ckpt"), filepath.Join("best", "v.ckpt")} {
		a, errA := os.ReadFile(filepath.Join(out, "straight", file))
		b, errB := os.ReadFile(filepath.Join(cut, file))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the straight and the resumed run (errors %v, %v)", file, errA, errB)
		}
	}
}
