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
		Usage:     "print one markdown table over the eval.json of several run folders (NAAS, baseline, floor per run)",
		ArgsUsage: "RUN_DIR...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "file", Value: "eval.json", Usage: "summary file inside each run folder"},
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
				var s experiments.Summary
				if err := json.Unmarshal(b, &s); err != nil {
					return fmt.Errorf("%s: %w", filepath.Join(dir, c.String("file")), err)
				}
				sums = append(sums, &s)
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
