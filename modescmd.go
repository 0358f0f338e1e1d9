package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/naas-go/naas/experiments"
	"github.com/naas-go/naas/experiments/atomicfile"
	"github.com/naas-go/naas/experiments/plots"
	"github.com/urfave/cli/v2"
)

func modesCommand() *cli.Command {
	return &cli.Command{
		Name:      "modes",
		ArgsUsage: "RUN...",
		Usage: "population mode weights of trained runs (RUN...): n NAAS, reference (same noise) and exact samples against the true weights; " +
			"TVs beside the sampling-noise TV, the paired ΔTV and the share of the reference's bias removed (NAME.json, NAME.md, NAME.csv, NAME.png in each run folder; one table row per run)",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "n", Value: 20000, Usage: "samples per set"},
			&cli.Uint64Flag{Name: "seed", Value: 2000, Usage: "seed of the exact set and of the sampling noise"},
			&cli.Float64Flag{Name: "smc", Usage: "sample NAAS and the reference as one population each with sequential Monte Carlo resampling whenever the ESS falls below this fraction of n (0: independent paths)"},
			&cli.BoolFlag{Name: "oracle-start", Usage: "also measure what a prior stage with V₀ constant on each start basin could do at best: the reference started from p₀ reweighted per basin by weights fitted to the true mode weights (a diagnostic; 2n more reference paths)"},
			&cli.BoolFlag{Name: "basin", Usage: "start NAAS from a basin prior fitted now (without ground truth) with the --basin-* settings (paths, mass, max-alpha, descents, draws, temps, inflate, as for naas basin), in place of the run's own (a run with basin.json uses it without this flag)"},
			&cli.BoolFlag{Name: "basin-reference", Usage: "with --basin: the NAAS set is the uncontrolled reference started from a basin prior fitted under the reference (what the start law does without u)"},
			&cli.StringFlag{Name: "name", Value: "modes-pop", Usage: "output file prefix in the run folder (never overwritten)"},
			&cli.BoolFlag{Name: "reuse", Usage: "a run that already has NAME.json is tabulated from it instead of measured again"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the table"},
		}, basinOptionFlags("basin-")...),
		Action: modesAction,
	}
}

// modesAction measures each run folder given (trained runs of gmm40, manywell5 or mos50)
// and prints one table row per run.
func modesAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return fmt.Errorf("give at least one run folder (trained run of gmm40, manywell5 or mos50)")
	}
	var b strings.Builder
	b.WriteString("| run | n | noise TV | exact TV | NAAS TV | reference TV | ΔTV (NAAS − ref.) | bias removed | moved paths | γ (corr.) | corr. with p₀'s weights | oracle start: TV (stay, log-range) | basin prior: K (stay, log-range, mass TV) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, dir := range c.Args().Slice() {
		r, err := modesRun(c, dir)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		gamma := "–"
		if r.PriorCorr != nil {
			gamma = fmt.Sprintf("%.3f (%.2f)", *r.PriorExponent, *r.PriorCorr)
		}
		pw := "–"
		if r.PriorWeightCorr != nil {
			pw = fmt.Sprintf("%.2f", *r.PriorWeightCorr)
		}
		moved := fmt.Sprint(r.Moved)
		if r.SMC > 0 {
			moved = fmt.Sprintf("– (SMC %g)", r.SMC)
		}
		if r.Basin != nil {
			moved = "– (basin prior)"
		}
		basin := "–"
		if bp := r.Basin; bp != nil {
			basin = fmt.Sprintf("%d (%.2f, %.2f, %.4f)", bp.K, bp.Stay, bp.LogAlphaRange, bp.MassTV)
		}
		oracle := "–"
		if o := r.OracleStart; o != nil {
			oracle = fmt.Sprintf("%.4f (%.2f, %.2f)", o.TV, o.Stay, o.LogRange)
		}
		fmt.Fprintf(&b, "| %s | %d | %.4f | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s | %s | %s |\n", filepath.Base(dir), r.N, r.NoiseTV,
			r.TVExact, r.TVNAAS, r.TVReference, r.DeltaTVText(), r.CorrectionText(), moved, gamma, pw, oracle, basin)
	}
	fmt.Print(b.String())
	return nil
}

// modesRun measures one run folder and writes its files.
func modesRun(c *cli.Context, dir string) (*experiments.ModeWeights, error) {
	name := c.String("name")
	if c.Bool("reuse") {
		b, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err == nil {
			var r experiments.ModeWeights
			if err := json.Unmarshal(b, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name+".json"), err)
			}
			if err := r.Derive(); err != nil { // files of older versions lack the newer fields
				return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name+".json"), err)
			}
			return &r, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	var paths []string
	for _, ext := range []string{".json", ".md", ".csv", ".png"} {
		p := filepath.Join(dir, name+ext)
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("%s already exists; choose another --name", p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		paths = append(paths, p)
	}
	smp, err := loadRun(dir)
	if err != nil {
		return nil, err
	}
	defer smp.Close()
	logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, "%s: "+format, append([]any{dir}, a...)...) }
	if c.Bool("quiet") {
		logf = nil
	}
	o := experiments.ModeWeightsOptions{N: c.Int("n"), Seed: c.Uint64("seed"), SMC: c.Float64("smc"),
		OracleStart: c.Bool("oracle-start"), Logf: logf}
	if c.Bool("basin") {
		bo := basinOptions(c, "basin-")
		o.Basin = &bo
		o.BasinReference = c.Bool("basin-reference")
	} else if c.Bool("basin-reference") {
		return nil, fmt.Errorf("--basin-reference needs --basin")
	}
	r, err := smp.ModeWeights(o)
	if err != nil {
		return nil, err
	}
	if err := writeJSON(paths[0], r); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteBytes(paths[1], []byte(r.Markdown())); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(paths[2], func(w io.Writer) error { return r.WriteCSV(w) }); err != nil {
		return nil, err
	}
	sets := []plots.Hist{{Name: "exact", Weights: r.Exact}, {Name: "NAAS", Weights: r.NAAS}, {Name: "reference", Weights: r.Reference}}
	if err := plots.ModeWeightsPNG(paths[3], r.True, sets); err != nil {
		return nil, err
	}
	return r, nil
}
