// Command naas trains and evaluates NAAS samplers (Non-equilibrium Annealed Adjoint Sampler):
//
//	go run . --exp mos50          # train with the experiment's defaults, evaluate, write a run folder
//	go run . list                 # experiments and architectures
//	go run . graph --exp mos50    # DOT (and SVG with graphviz) of the networks and losses
//	go run . eval --run DIR       # re-evaluate a trained run over 5 seeds (mean ± std)
//	go run . sample --run DIR     # draw samples from a trained run (.npy and CSV)
//	go run . selection DIR...     # ELBO/ESS checkpoint selection against the ground truth
//
// Every hyper-parameter is a flag; a JSON config file (--config) sets many at once and
// flags override it. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := newApp()
	if err := app.RunContext(ctx, os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "naas:", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	return &cli.App{
		Name:  "naas",
		Usage: "train and evaluate Non-equilibrium Annealed Adjoint Samplers",
		Description: "With no command, trains the sampler of --exp with its default settings (overridden by\n" +
			"--config and by any flag), evaluates it against exact samples beside the uncontrolled\n" +
			"annealed Langevin baseline and the exact-vs-exact floor, and writes a run folder.",
		Flags:  runFlags(),
		Action: runAction,
		Commands: []*cli.Command{
			{Name: "train", Usage: "the same as running without a command: train, evaluate once, write a run folder",
				Flags: runFlags(), Action: runAction},
			evalCommand(),
			sampleCommand(),
			modesCommand(),
			basinCommand(),
			reportCommand(),
			selectionCommand(),
			benchCommand(),
			{Name: "list", Usage: "list experiments, architectures, activations and schedules", Action: listAction},
			{Name: "graph", Usage: "write the DOT graphs of u, v and both losses (SVG too when graphviz is installed)",
				Flags: append(runFlags(), &cli.StringFlag{Name: "dir", Value: "graphs", Usage: "output folder"}), Action: graphAction},
		},
	}
}
