package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/naas-go/naas/experiments"
	"github.com/urfave/cli/v2"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "print one markdown table over several run folders (NAAS, baseline, floor per run; rows named by folder)",
		ArgsUsage: "RUN_DIR...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "file", Value: "eval.json", Usage: "summary file inside each run folder (eval.json, or metrics.json for the single-seed evaluation of the run itself)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return fmt.Errorf("report needs at least one run folder")
			}
			var sums []*experiments.Summary
			var secs []string
			for _, dir := range c.Args().Slice() {
				b, err := os.ReadFile(filepath.Join(dir, c.String("file")))
				if err != nil {
					return err
				}
				s, err := readSummary(b)
				if err != nil {
					return fmt.Errorf("%s: %w", filepath.Join(dir, c.String("file")), err)
				}
				s.Experiment = filepath.Base(dir)
				sums = append(sums, s)
				secs = append(secs, trainSeconds(dir))
			}
			fmt.Print(experiments.CombinedMarkdown(sums, secs))
			return nil
		},
	}
}

// trainSeconds reads the training wall time recorded in a run's metrics.json.
func trainSeconds(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		return "–"
	}
	var m struct {
		TrainSeconds float64 `json:"train_seconds"`
	}
	if json.Unmarshal(b, &m) != nil || m.TrainSeconds == 0 {
		return "–"
	}
	return strings.TrimSpace(fmt.Sprintf("%.0f s", m.TrainSeconds))
}

// readSummary reads an eval.json summary, or the single report of a metrics.json.
func readSummary(b []byte) (*experiments.Summary, error) {
	var probe struct {
		Report *experiments.Report `json:"report"`
	}
	if err := json.Unmarshal(b, &probe); err == nil && probe.Report != nil {
		return experiments.Summarize([]*experiments.Report{probe.Report}), nil
	}
	var s experiments.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
