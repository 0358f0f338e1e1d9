// Command genref generates alanine-dipeptide reference frames by (replica-exchange) BAOAB
// Langevin dynamics on the aldp force field, resumably.
//
// It starts from the embedded LEaP geometry, or resumes from -state if that file exists
// (the settings must match the checkpoint), runs until -steps steps per replica, writes a
// checkpoint every -checkpoint-every steps and on SIGINT/SIGTERM, and at the end writes the
// recorded 300 K frames (φ, ψ, γ1, γ2, γ3 in rad, E in kJ/mol; float32 .npy of shape (n, 6))
// to -out and a JSON summary (settings, statistics, wall time) to -out with suffix .json.
// Running it again after an interruption continues the same trajectory bit-identically.
//
// The shipped main reference set (see experiments/aldp/refdata/README.md) was made with
//
//	genref -state main.state -out main.npy -temps 300,365,444,541,658,800 -exchange 200 -save 100 \
//	       -equil 100000 -steps 7000000 -seed 1 -workers 2 -checkpoint-every 100000 -progress-every 50000
//
// The progress lines report, per temperature, ⟨E⟩ (kJ/mol), the mean kinetic temperature (K)
// and the fraction of steps with a cis peptide bond, the exchange acceptance between
// neighbours, the walkers' round trips and the 300 K basin populations so far.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/md"
	"github.com/naas-go/naas/experiments/aldp/refdata"
)

func main() {
	log.SetFlags(log.Ldate | log.Ltime)
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func parseTemps(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("-temps: %q is not a number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// summary is written next to the frames.
type summary struct {
	Config        md.Config
	Steps         int64
	Frames        int
	WallSeconds   float64 // of the last invocation
	SimulatedPS   float64 // per replica
	MeanEnergy    []float64
	StdEnergy     []float64
	MeanKinT      []float64
	CisFraction   []float64 // per temperature, fraction of steps with a cis peptide bond
	DSteps        int64     // steps (any temperature) with D-alanine; 0 expected
	Acceptance    []float64
	RoundTrips    int64
	Command       string
	Resumed       bool
	FinishedAtUTC string
}

func run() error {
	var (
		out       = flag.String("out", "aldp_ref.npy", "output .npy of frames (a .json summary is written beside it)")
		state     = flag.String("state", "aldp_ref.state", "checkpoint file (resumed if it exists)")
		temps     = flag.String("temps", "300,365,444,541,658,800", "comma-separated temperature ladder in K (first = sampled)")
		solvent   = flag.String("solvent", "implicit", "implicit or vacuum")
		dtFS      = flag.Float64("dt", 1, "time step in fs")
		friction  = flag.Float64("friction", 1, "Langevin friction in 1/ps")
		exchange  = flag.Int("exchange", 200, "steps between exchange attempts")
		save      = flag.Int("save", 100, "steps between saved frames of the lowest temperature")
		equil     = flag.Int64("equil", 100000, "equilibration steps (nothing recorded)")
		steps     = flag.Int64("steps", 1000000, "total steps per replica")
		seed      = flag.Uint64("seed", 1, "random seed")
		workers   = flag.Int("workers", 2, "goroutines (results do not depend on it)")
		cpEvery   = flag.Int64("checkpoint-every", 50000, "steps between checkpoints")
		progEvery = flag.Int64("progress-every", 0, "steps between progress lines (default = checkpoint-every)")
	)
	flag.Parse()
	ts, err := parseTemps(*temps)
	if err != nil {
		return err
	}
	var sol aldp.Solvent
	switch *solvent {
	case "implicit":
		sol = aldp.Implicit
	case "vacuum":
		sol = aldp.Vacuum
	default:
		return fmt.Errorf("-solvent %q, want implicit or vacuum", *solvent)
	}
	cfg := md.Config{Solvent: sol, Temperatures: ts, Dt: *dtFS / 1000, Friction: *friction,
		ExchangeEvery: *exchange, SaveEvery: *save, Equilibrate: *equil, Seed: *seed, Workers: *workers}
	sim, resumed, err := md.Resume(*state, cfg, aldp.InitialPositions())
	if err != nil {
		return err
	}
	if resumed {
		log.Printf("resumed %s at step %d with %d frames", *state, sim.Step(), sim.NumFrames())
	} else {
		log.Printf("new run: %+v", sim.Config())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	c := sim.Config()
	err = sim.Run(ctx, *steps, md.RunOptions{
		Checkpoint: *state, CheckpointEvery: *cpEvery, ProgressEvery: *progEvery,
		Progress: func(p md.Progress) {
			st := p.Stats
			var b strings.Builder
			fmt.Fprintf(&b, "step %d/%d (%.1f ps) frames %d  %.0f steps/s/replica", p.Step, p.Until, float64(p.Step)*c.Dt, p.Frames, p.StepsPerSec)
			if rem := float64(p.Until-p.Step) / p.StepsPerSec; p.StepsPerSec > 0 && !math.IsInf(rem, 0) {
				fmt.Fprintf(&b, " eta %s", (time.Duration(rem) * time.Second).Round(time.Second))
			}
			if st.Steps > 0 {
				b.WriteString("  <E>")
				for k := range c.Temperatures {
					fmt.Fprintf(&b, " %.1f", st.MeanEnergy(k))
				}
				b.WriteString("  Tkin")
				for k := range c.Temperatures {
					fmt.Fprintf(&b, " %.1f", st.MeanKineticTemperature(k))
				}
			}
			if st.Steps > 0 {
				b.WriteString("  cis")
				for k := range c.Temperatures {
					fmt.Fprintf(&b, " %.3f", float64(st.CisSteps[k])/float64(st.Steps))
				}
				var nD int64
				for _, d := range st.DSteps {
					nD += d
				}
				fmt.Fprintf(&b, "  Dsteps %d", nD)
			}
			if len(st.Attempts) > 0 {
				b.WriteString("  acc")
				for k := range st.Attempts {
					fmt.Fprintf(&b, " %.2f", st.Acceptance(k))
				}
				fmt.Fprintf(&b, "  trips %d", st.RoundTrips)
			}
			if fr := sim.Frames(); len(fr) > 0 {
				pop := refdata.FramePopulations(fr)
				fmt.Fprintf(&b, "  pop %v", pop)
			}
			log.Print(b.String())
		},
	})
	if err != nil {
		return err
	}
	frames := sim.Frames()
	if err := refdata.WriteFile(*out, frames); err != nil {
		return err
	}
	st := sim.Stats()
	sum := summary{Config: sim.Config(), Steps: sim.Step(), Frames: len(frames),
		WallSeconds: time.Since(start).Seconds(), SimulatedPS: float64(sim.Step()) * c.Dt,
		RoundTrips: st.RoundTrips, Command: strings.Join(os.Args, " "), Resumed: resumed,
		FinishedAtUTC: time.Now().UTC().Format(time.RFC3339)}
	for k := range c.Temperatures {
		sum.MeanEnergy = append(sum.MeanEnergy, st.MeanEnergy(k))
		sum.StdEnergy = append(sum.StdEnergy, st.StdEnergy(k))
		sum.MeanKinT = append(sum.MeanKinT, st.MeanKineticTemperature(k))
		sum.CisFraction = append(sum.CisFraction, float64(st.CisSteps[k])/float64(st.Steps))
		sum.DSteps += st.DSteps[k]
	}
	for k := range st.Attempts {
		sum.Acceptance = append(sum.Acceptance, st.Acceptance(k))
	}
	js, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(strings.TrimSuffix(*out, ".npy")+".json", append(js, '\n'), 0o644); err != nil {
		return err
	}
	log.Printf("done: %d steps, %d frames -> %s", sim.Step(), len(frames), *out)
	return nil
}
