// Command refstats prints the validation statistics of reference frame files written by
// genref: mean potential energy and (φ, ψ) basin populations with block-averaging standard
// errors, integrated autocorrelation times (in frames), and the number of entries into the
// φ > 0 basins. Arguments may also be genref checkpoint files (their frames so far). With
// -png it draws a Ramachandran plot with one panel per file.
//
//	refstats [-blocks 20] [-png rama.png] a.npy [b.npy ...]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/naas-go/naas/experiments/aldp/aldpeval"
	"github.com/naas-go/naas/experiments/aldp/md"
	"github.com/naas-go/naas/experiments/aldp/refdata"
	"github.com/naas-go/naas/experiments/npy"
)

func main() {
	blocks := flag.Int("blocks", 20, "number of blocks for the standard errors")
	png := flag.String("png", "", "write a Ramachandran plot (one panel per file) to this path")
	title := flag.String("title", "", "title of the -png figure")
	compare := flag.Int("compare", 0, "if > 0, score this many frames drawn from each further file against the first file with aldpeval (W2 on 2000 points)")
	flag.Parse()
	var panels []aldpeval.Panel
	for _, path := range flag.Args() {
		frames, err := load(path)
		if err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		if err := report(path, frames, *blocks); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		panels = append(panels, aldpeval.Panel{Name: filepath.Base(path), Frames: frames})
	}
	if *compare > 0 && len(panels) > 1 {
		ref := &refdata.Reference{Name: panels[0].Name, Main: panels[0].Frames}
		for _, p := range panels[1:] {
			rng := rand.New(rand.NewPCG(1, 1))
			n := min(*compare, len(p.Frames))
			sub := make([]refdata.Frame, n)
			for i, j := range rng.Perm(len(p.Frames))[:n] {
				sub[i] = p.Frames[j]
			}
			m, err := aldpeval.EvaluateFrames(sub, 0, ref, aldpeval.Options{Seed: 1})
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%d frames of %s scored against %s (model column; no floor):\n%v", n, p.Name, panels[0].Name, m)
		}
	}
	if *png != "" {
		if err := aldpeval.RamachandranPanelsPNG(*png, panels, *title); err != nil {
			log.Fatal(err)
		}
	}
}

// load reads a .npy frame file or the frames of a genref checkpoint.
func load(path string) ([]refdata.Frame, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte(npy.Magic)) {
		return refdata.ReadBytes(data)
	}
	sim, err := md.Restore(data)
	if err != nil {
		return nil, err
	}
	return sim.Frames(), nil
}

func report(path string, frames []refdata.Frame, blocks int) error {
	fmt.Printf("%s: %d frames\n", path, len(frames))
	e := refdata.Energies(frames)
	be, err := refdata.BlockAverage(e, blocks)
	if err != nil {
		return err
	}
	fmt.Printf("  <E> = %.3f ± %.3f kJ/mol (%d blocks), tau_int = %.1f frames\n", be.Mean, be.SE, be.Blocks, refdata.IntegratedAutocorrTime(e))
	for b := range refdata.Basin(refdata.NumBasins) {
		x := refdata.Indicator(frames, b)
		bb, err := refdata.BlockAverage(x, blocks)
		if err != nil {
			return err
		}
		fmt.Printf("  %-7s %.5f ± %.5f   tau_int = %.1f frames\n", b, bb.Mean, bb.SE, refdata.IntegratedAutocorrTime(x))
	}
	pos := make([]float64, len(frames))
	entries := 0
	for i, f := range frames {
		b := refdata.Classify(f.Phi(), f.Psi())
		if b == refdata.BasinAlphaL || b == refdata.BasinC7ax {
			pos[i] = 1
			if i > 0 && pos[i-1] == 0 {
				entries++
			}
		}
	}
	bp, err := refdata.BlockAverage(pos, blocks)
	if err != nil {
		return err
	}
	fmt.Printf("  phi>0   %.5f ± %.5f   entries %d\n", bp.Mean, bp.SE, entries)
	for t, name := range []string{"phi", "psi", "gamma1", "gamma2", "gamma3"} {
		c := refdata.Column(frames, t)
		// cos is a smooth, periodic observable.
		for i, v := range c {
			c[i] = cosf(v)
		}
		fmt.Printf("  tau_int(cos %s) = %.1f frames\n", name, refdata.IntegratedAutocorrTime(c))
	}
	return nil
}

func cosf(v float64) float64 { return math.Cos(v) }
