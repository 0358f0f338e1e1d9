package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/experiments"
	"github.com/naas-go/naas/experiments/atomicfile"
	"github.com/naas-go/naas/experiments/npy"
	"github.com/urfave/cli/v2"
)

func sampleCommand() *cli.Command {
	return &cli.Command{
		Name:  "sample",
		Usage: "draw samples from a trained run: NAME.npy (n × d; aldp: Cartesian positions in nm, n × 66), NAME_logw.npy and NAME.csv (x0..x{d-1}, logw)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "run", Required: true, Usage: "run folder (with config.json, u.ckpt, v.ckpt)"},
			&cli.IntFlag{Name: "n", Value: 10000, Usage: "number of samples"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the sampling noise"},
			&cli.StringFlag{Name: "name", Value: "draw", Usage: "output file prefix in the run folder (never overwritten)"},
			&cli.Float64Flag{Name: "smc", Usage: "draw the n samples as one population with sequential Monte Carlo resampling whenever the ESS falls below this fraction of n, and a final resampling by the same rule (0: independent samples)"},
			&cli.BoolFlag{Name: "baseline", Usage: "sample the uncontrolled annealed Langevin reference (u = v = 0) instead"},
		},
		Action: sampleAction,
	}
}

func sampleAction(c *cli.Context) error {
	dir, name, n := c.String("run"), c.String("name"), c.Int("n")
	if n < 1 {
		return fmt.Errorf("--n %d: need at least 1 sample", n)
	}
	paths := []string{filepath.Join(dir, name+".npy"), filepath.Join(dir, name+"_logw.npy"), filepath.Join(dir, name+".csv")}
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s already exists; choose another --name", p)
		}
	}
	smp, err := loadRun(dir)
	if err != nil {
		return err
	}
	defer smp.Close()
	rng := rand.New(rand.NewPCG(c.Uint64("seed"), 0x5a))
	u, v := dynamics.Control(smp.U), dynamics.Control(smp.V)
	if c.Bool("baseline") {
		u, v = nil, nil
	}
	var out *dynamics.Samples
	if th := c.Float64("smc"); th != 0 && smp.Basin != nil && u != nil {
		return fmt.Errorf("--smc %g: the run starts NAAS from a basin prior, which SMC does not support (use --baseline or no --smc)", th)
	} else if th != 0 {
		var steps int
		out, steps, err = smp.Proc.SampleResampled(n, u, v, rng, th)
		if err == nil {
			fmt.Printf("resampled at %d of %d steps\n", steps, smp.Proc.Grid.K+1)
		}
	} else if u == nil {
		out, err = smp.Proc.Sample(n, smp.Settings.Eval.Chunk, nil, nil, rng)
	} else {
		out, err = smp.SampleNAAS(n, rng)
	}
	if err != nil {
		return err
	}
	x, d := experiments.OutputCoordinates(smp.Target, out.X) // aldp: Cartesian nm
	if err := npy.WriteFile(paths[0], x, n, d); err != nil {
		return err
	}
	if err := npy.WriteFile(paths[1], out.LogW, n); err != nil {
		return err
	}
	err = atomicfile.Write(paths[2], func(f io.Writer) error {
		w := csv.NewWriter(f)
		head := make([]string, d+1)
		for i := 0; i < d; i++ {
			head[i] = "x" + strconv.Itoa(i)
		}
		head[d] = "logw"
		w.Write(head)
		row := make([]string, d+1)
		for b := 0; b < n; b++ {
			for i := 0; i < d; i++ {
				row[i] = strconv.FormatFloat(x[b*d+i], 'g', -1, 64)
			}
			row[d] = strconv.FormatFloat(out.LogW[b], 'g', -1, 64)
			w.Write(row)
		}
		w.Flush()
		return w.Error()
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d samples of d = %d to %s, %s, %s\n", n, d, paths[0], paths[1], paths[2])
	return nil
}
