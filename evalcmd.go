package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/naas-go/naas/experiments"
	"github.com/urfave/cli/v2"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "re-evaluate a trained run over several seeds (the benchmarks.md protocol): mean ± std of NAAS, baseline and floor",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "run", Required: true, Usage: "run folder (with config.json, u.ckpt, v.ckpt)"},
			&cli.IntFlag{Name: "seeds", Value: 5, Usage: "number of evaluation seeds"},
			&cli.Uint64Flag{Name: "first-seed", Value: 1000, Usage: "seeds are first-seed, first-seed+1, ..."},
			&cli.IntFlag{Name: "n", Usage: "samples per set (default: the run's)"},
			&cli.BoolFlag{Name: "no-w2", Usage: "skip the exact W2"},
			&cli.StringFlag{Name: "name", Value: "eval", Usage: "output files NAME.json and NAME.md in the run folder (never overwritten)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the table"},
		},
		Action: evalAction,
	}
}

// loadRun rebuilds the sampler of a finished run folder and loads its final networks and
// its basin prior (basin.json, when present; required when the run's settings fit one).
func loadRun(dir string) (*experiments.Sampler, error) {
	smp, err := loadNetworks(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, basinFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		smp.Basin = new(experiments.BasinPrior)
		if err = json.Unmarshal(b, smp.Basin); err == nil {
			err = smp.Basin.Check(smp.Proc.D)
		}
		if err != nil {
			smp.Close()
			return nil, fmt.Errorf("%s: %w (naas basin --run %s --force fits it again)", path, err, dir)
		}
	case !errors.Is(err, os.ErrNotExist):
		smp.Close()
		return nil, err
	case smp.Settings.Basin.Paths > 0:
		smp.Close()
		return nil, fmt.Errorf("the run's settings start NAAS from a basin prior, but %s is missing (naas basin --run %s fits it)", path, dir)
	}
	return smp, nil
}

// loadNetworks rebuilds the sampler of a finished run folder and loads its final networks.
func loadNetworks(dir string) (*experiments.Sampler, error) {
	s, err := runSettings(dir)
	if err != nil {
		return nil, err
	}
	smp, err := experiments.Build(s)
	if err != nil {
		return nil, err
	}
	for _, n := range []struct {
		file string
		load func(string) error
	}{{"u.ckpt", smp.U.LoadFile}, {"v.ckpt", smp.V.LoadFile}} {
		if err := n.load(filepath.Join(dir, n.file)); err != nil {
			smp.Close()
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, n.file), err)
		}
	}
	return smp, nil
}

// basinFile is the basin prior's file in a run folder.
const basinFile = "basin.json"

func evalAction(c *cli.Context) error {
	dir := c.String("run")
	jsonPath := filepath.Join(dir, c.String("name")+".json")
	mdPath := filepath.Join(dir, c.String("name")+".md")
	for _, p := range []string{jsonPath, mdPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s already exists; choose another --name", p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if c.Int("seeds") < 1 {
		return fmt.Errorf("--seeds %d: need at least 1", c.Int("seeds"))
	}
	smp, err := loadRun(dir)
	if err != nil {
		return err
	}
	defer smp.Close()
	if c.IsSet("n") {
		if c.Int("n") < 2 {
			return fmt.Errorf("--n %d: need at least 2 samples", c.Int("n"))
		}
		smp.Settings.Eval.N = c.Int("n")
	}
	if c.Bool("no-w2") {
		smp.Settings.Eval.W2 = false
	}
	seeds := make([]uint64, c.Int("seeds"))
	for i := range seeds {
		seeds[i] = c.Uint64("first-seed") + uint64(i)
	}
	sum, err := smp.EvaluateSeeds(seeds, func(i int, r *experiments.Report) {
		if !c.Bool("quiet") {
			fmt.Fprintf(os.Stderr, "seed %d (%d/%d) done in %.1f s\n", r.Seed, i+1, len(seeds), r.Seconds)
		}
	})
	if err != nil {
		return err
	}
	if err := writeJSON(jsonPath, sum); err != nil {
		return err
	}
	if err := os.WriteFile(mdPath, []byte(sum.Markdown()), 0o644); err != nil {
		return err
	}
	fmt.Println(sum.Markdown())
	return nil
}
