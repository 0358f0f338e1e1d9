package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/naas-go/naas/experiments"
	"github.com/urfave/cli/v2"
)

func basinCommand() *cli.Command {
	return &cli.Command{
		Name: "basin",
		Usage: "fit the basin prior of a trained run (or fit it again) and write basin.json into the run folder; " +
			"eval, sample and modes then start NAAS from it (docs/study.md, \"Basin prior\")",
		Flags: append(basinOptionFlags(""), []cli.Flag{
			&cli.StringFlag{Name: "run", Required: true, Usage: "run folder (with config.json, u.ckpt, v.ckpt); its prior stage must be untrained (RAM epochs 0)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the fit"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing basin.json"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress lines"},
		}...),
		Action: basinAction,
	}
}

func basinAction(c *cli.Context) error {
	dir := c.String("run")
	path := filepath.Join(dir, basinFile)
	if _, err := os.Stat(path); err == nil && !c.Bool("force") {
		return fmt.Errorf("%s already exists; --force replaces it", path)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	o := basinOptions(c, "")
	if err := o.Validate(); err != nil {
		return err
	}
	smp, err := loadNetworks(dir)
	if err != nil {
		return err
	}
	defer smp.Close()
	if n := smp.Settings.Train.RAMEpochs; n != 0 {
		return fmt.Errorf("the run trained its prior stage (%d RAM epochs per round); a basin prior would replace it, so it is only fitted for runs with RAM epochs 0", n)
	}
	if smp.Settings.Process.MeanFree {
		return fmt.Errorf("the run's process is mean-free (centroid fixed); the basin prior does not support it")
	}
	logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, format, a...) }
	if c.Bool("quiet") {
		logf = nil
	}
	bp, err := smp.FitBasinPrior(o, smp.U, c.Uint64("seed"), logf)
	if err != nil {
		return err
	}
	if err := writeJSON(path, bp); err != nil {
		return err
	}
	fmt.Printf("%s: %d basins, %.0f%% of fit paths stay in their start basin, log α spans %.2f nats, acceptance %.2f\n",
		path, bp.K(), 100*bp.Stay, bp.LogAlphaRange(), bp.Accept)
	return nil
}

// basinOptionFlags are the settings of a basin-prior fit (experiments.BasinOptions), named
// prefix+"paths" etc., with the defaults of experiments.DefaultBasinOptions; basinOptions
// reads them back.
func basinOptionFlags(prefix string) []cli.Flag {
	def := experiments.DefaultBasinOptions()
	return []cli.Flag{
		&cli.IntFlag{Name: prefix + "paths", Value: def.Paths, Usage: "fit paths"},
		&cli.StringFlag{Name: prefix + "mass", Value: def.Mass, Usage: "basin-mass estimator: " + strings.Join(experiments.MassEstimators(), ", ")},
		&cli.Float64Flag{Name: prefix + "max-alpha", Value: def.MaxAlpha, Usage: "cap of a basin weight (their prior mean is 1)"},
		&cli.IntFlag{Name: prefix + "descents", Value: def.Descents, Usage: "end points descended to find the basins (0: all)"},
		&cli.IntFlag{Name: prefix + "draws", Value: def.Draws, Usage: "importance draws (mass is) or particles (mass ais) per basin"},
		&cli.IntFlag{Name: prefix + "temps", Value: def.Temps, Usage: "annealing levels per basin (mass ais)"},
		&cli.Float64Flag{Name: prefix + "inflate", Value: def.Inflate, Usage: "proposal std / end-point std (mass is)"},
	}
}

// basinOptions reads the flags of basinOptionFlags(prefix).
func basinOptions(c *cli.Context, prefix string) experiments.BasinOptions {
	return experiments.BasinOptions{Paths: c.Int(prefix + "paths"), Descents: c.Int(prefix + "descents"), Draws: c.Int(prefix + "draws"),
		Inflate: c.Float64(prefix + "inflate"), MaxAlpha: c.Float64(prefix + "max-alpha"), Mass: c.String(prefix + "mass"), Temps: c.Int(prefix + "temps")}
}
