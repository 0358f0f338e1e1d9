package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/naas-go/naas/experiments/bench"
	"github.com/naas-go/naas/graph"
	"github.com/urfave/cli/v2"
)

// benchCommand is `naas bench`: phase timings of training at an experiment's sizes (package
// experiments/bench), optionally side by side for both graph engines and with the PyTorch
// reference implementation in the same run.
func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "time forward pass, roll-out, adjoint, training steps and epochs (optionally against PyTorch)",
		Description: "Times every phase of training at the experiment's sizes (overridden by the flags) and prints\n" +
			"wall and CPU time per phase, energy/gradient/HVP calls per second, and the GFLOP/s of the network\n" +
			"against the measured GEMM peak of the BLAS in use. With an OpenBLAS build (-tags openblas) start it\n" +
			"with OPENBLAS_CORETYPE=SkylakeX on AVX-512 machines. --torch times the PyTorch reference at the same\n" +
			"sizes in the same run (PyTorch also reads OPENBLAS_CORETYPE and NAAS_THREADS, default 1 thread).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "exp", Value: "mos50", Usage: "experiment"},
			&cli.IntFlag{Name: "paths", Usage: "B, paths per roll-out and epoch (default: the experiment's)"},
			&cli.IntFlag{Name: "steps", Usage: "K, Euler steps (default: the experiment's)"},
			&cli.IntFlag{Name: "updates", Usage: "Adam steps per epoch (default: the experiment's)"},
			&cli.IntFlag{Name: "batch", Usage: "rows per Adam step (default: the experiment's)"},
			&cli.IntFlag{Name: "width", Usage: "hidden units per layer (default: the experiment's)"},
			&cli.IntFlag{Name: "depth", Usage: "hidden layers (default: the experiment's)"},
			&cli.StringFlag{Name: "dtype", Usage: "network precision: float32, float64 (default: the experiment's)"},
			&cli.StringFlag{Name: "engine", Value: string(graph.EngineNative), Usage: "graph engine: native, gorgonia, or both (side by side)"},
			&cli.IntFlag{Name: "reps", Value: 5, Usage: "timed repetitions per phase (the median is reported)"},
			&cli.StringFlag{Name: "phases", Usage: "comma-separated subset of: " + strings.Join(bench.PhaseNames(), ", ")},
			&cli.IntFlag{Name: "peak-size", Value: 1024, Usage: "m = n = k of the GEMM-peak measurement"},
			&cli.StringFlag{Name: "torch", Usage: "path of naas_torch.py: also time the PyTorch reference at the same sizes"},
			&cli.StringFlag{Name: "python", Value: "/usr/bin/python3", Usage: "Python interpreter for --torch"},
			&cli.IntFlag{Name: "torch-reps", Value: 3, Usage: "PyTorch epoch repetitions"},
			&cli.StringFlag{Name: "json", Usage: "also write the report as JSON to this file"},
		},
		Action: benchAction,
	}
}

func benchAction(c *cli.Context) error {
	if c.Args().Present() {
		return fmt.Errorf("bench: unexpected argument %q", c.Args().First())
	}
	o := bench.Options{
		Exp: c.String("exp"), Paths: c.Int("paths"), Steps: c.Int("steps"), Updates: c.Int("updates"),
		Batch: c.Int("batch"), Width: c.Int("width"), Depth: c.Int("depth"), Dtype: c.String("dtype"),
		Reps: c.Int("reps"), PeakSize: c.Int("peak-size"),
	}
	switch e := c.String("engine"); e {
	case "both":
		o.Engines = []graph.Engine{graph.EngineGorgonia, graph.EngineNative}
	default:
		o.Engines = []graph.Engine{graph.Engine(e)}
	}
	if p := c.String("phases"); p != "" {
		o.Phases = strings.Split(p, ",")
	}
	if graph.IsOpenBLAS && os.Getenv("OPENBLAS_CORETYPE") == "" {
		fmt.Fprintln(os.Stderr, "bench: warning: OPENBLAS_CORETYPE is not set; OpenBLAS 0.3.21 misdetects AVX-512 CPUs (set it to SkylakeX before starting)")
	}
	progress := func(s string) { fmt.Fprintln(os.Stderr, "bench:", s) }
	rep, err := bench.Run(o, progress)
	if err != nil {
		return err
	}
	if ref := c.String("torch"); ref != "" {
		progress("timing the PyTorch reference " + ref)
		if rep.Torch, err = bench.RunTorch(c.Context, c.String("python"), ref, o, c.Int("torch-reps")); err != nil {
			return err
		}
	}
	if err := rep.WriteText(os.Stdout); err != nil {
		return err
	}
	if p := c.String("json"); p != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(p, append(b, '\n'), 0o644)
	}
	return nil
}
