package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/naas-go/naas/experiments"
	"github.com/urfave/cli/v2"
)

func selectionCommand() *cli.Command {
	return &cli.Command{
		Name: "selection",
		Usage: "model selection without ground truth, checked against it: per run (trained with --validate-every) and " +
			"ground-truth metric, Spearman correlation of ELBO and ESS with the metric over the validation checks, and the " +
			"metric at the first, last, ELBO-selected, ESS-selected and oracle checks (markdown; see docs/selection.md)",
		ArgsUsage: "RUN_DIR...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "json", Usage: "also write the analysis as JSON to this file"},
			&cli.StringFlag{Name: "metrics", Value: strings.Join(experiments.DefaultSelectionMetrics(), ","),
				Usage: "comma-separated ground-truth metrics (a metric a run lacks is left out); known: " + knownSelectionMetrics()},
		},
		Action: selectionAction,
	}
}

func knownSelectionMetrics() string {
	var names []string
	for _, m := range experiments.SelectionMetrics() {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

func selectionAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return fmt.Errorf("selection needs at least one run folder trained with --validate-every")
	}
	var mets []string
	for _, m := range strings.Split(c.String("metrics"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			mets = append(mets, m)
		}
	}
	if len(mets) == 0 {
		return fmt.Errorf("--metrics is empty; known: %s", knownSelectionMetrics())
	}
	var runs []experiments.RunSelection
	for _, dir := range c.Args().Slice() {
		r, err := analyseRun(dir, mets)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	fmt.Print(experiments.SelectionMarkdown(runs))
	sums := experiments.SummariseSelection(runs)
	fmt.Print("\nOver runs, per configuration (run names without -seedN): selected check against the last check by each metric " +
		"(counts of runs better / equal / worse; equal includes selecting the last check itself).\n\n")
	fmt.Print(experiments.SummaryMarkdown(sums))
	if p := c.String("json"); p != "" {
		return writeJSON(p, map[string]any{"runs": runs, "summary": sums})
	}
	return nil
}

// analyseRun reads a run folder's validation.jsonl (and the experiment and criterion of its
// config.json) and analyses it. A line that does not parse is an error naming the line.
func analyseRun(dir string, mets []string) (experiments.RunSelection, error) {
	path := filepath.Join(dir, "validation.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return experiments.RunSelection{}, fmt.Errorf("%w (train the run with --validate-every N)", err)
	}
	defer f.Close()
	var vals []experiments.Validation
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for ln := 1; sc.Scan(); ln++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var v experiments.Validation
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return experiments.RunSelection{}, fmt.Errorf("%s:%d: %w", path, ln, err)
		}
		vals = append(vals, v)
	}
	if err := sc.Err(); err != nil {
		return experiments.RunSelection{}, err
	}
	r, err := experiments.AnalyseSelection(filepath.Base(filepath.Clean(dir)), vals, mets)
	if err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	if s, err := runSettings(dir); err == nil {
		r.Experiment = s.Experiment
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
		r.SelectBy = recordedCriterion(dir)
	}
	// best/ must hold the check the recorded criterion selects
	pick := r.ELBOEpoch
	if r.SelectBy == experiments.SelectESS {
		pick = r.ESSEpoch
	}
	if r.BestEpoch >= 0 && r.BestEpoch != pick {
		fmt.Fprintf(os.Stderr, "warning: %s: best/ holds epoch %d by its new_best flags, but %s selects epoch %d\n", dir, r.BestEpoch, r.SelectBy, pick)
	}
	return r, nil
}
