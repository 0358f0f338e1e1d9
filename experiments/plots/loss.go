package plots

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is the training-loss curve of one stage, for example the AM loss of
// u or the RAM loss of v.
type Curve struct {
	// Name is shown as the title of the curve's panel.
	Name string
	// Epoch holds the x value of each point (epochs, possibly fractional).
	// If nil, the points are numbered 1, 2, …, len(Loss).
	Epoch []float64
	// Loss holds the loss at each point (units of the stage's loss).
	Loss []float64
}

// LossPNG writes to path a PNG with one panel per curve (in rows of at most
// three), loss against epoch. A panel's y axis is logarithmic when all the
// curve's finite losses are positive and linear otherwise. Points whose epoch
// or loss is NaN or ±Inf are dropped and counted in the panel title, which
// also shows the last finite loss. It is an error if curves is empty, a
// curve has no finite point, or len(Epoch) ≠ len(Loss) for a non-nil Epoch.
func LossPNG(path string, curves []Curve) error {
	if len(curves) == 0 {
		return fmt.Errorf("plots: LossPNG: no curves")
	}
	panels := make([]*plot.Plot, len(curves))
	for i, c := range curves {
		label := curveLabel(i, c.Name)
		if len(c.Loss) == 0 {
			return fmt.Errorf("plots: LossPNG: %s has no points", label)
		}
		if c.Epoch != nil && len(c.Epoch) != len(c.Loss) {
			return fmt.Errorf("plots: LossPNG: %s has %d epochs but %d losses", label, len(c.Epoch), len(c.Loss))
		}
		xy := make(plotter.XYs, 0, len(c.Loss))
		dropped := 0
		positive := true
		for k, l := range c.Loss {
			e := float64(k + 1)
			if c.Epoch != nil {
				e = c.Epoch[k]
			}
			if !isFinite(e) || !isFinite(l) {
				dropped++
				continue
			}
			positive = positive && l > 0
			xy = append(xy, plotter.XY{X: e, Y: l})
		}
		if len(xy) == 0 {
			return fmt.Errorf("plots: LossPNG: %s: none of its %d points is finite", label, len(c.Loss))
		}

		name := c.Name
		if name == "" {
			name = fmt.Sprintf("curve %d", i)
		}
		title := fmt.Sprintf("%s\nlast %s", name, strconv.FormatFloat(xy[len(xy)-1].Y, 'g', 4, 64))
		if dropped > 0 {
			title += fmt.Sprintf(", %d non-finite dropped", dropped)
		}
		ylabel := "loss"
		if positive {
			ylabel = "loss (log scale)"
		}
		p := newPlot(title, "epoch", ylabel)
		p.Title.TextStyle.Font = sansFont(10, true)
		p.Add(plotter.NewGrid())

		if positive {
			// Plot log10(loss) on a linear axis labelled in loss units: this
			// keeps gonum's layout (which mis-places the y label of a
			// plot.LogScale axis) and gives full control of the ticks.
			lo, hi := math.Inf(1), math.Inf(-1)
			for k := range xy {
				lo, hi = math.Min(lo, xy[k].Y), math.Max(hi, xy[k].Y)
				xy[k].Y = math.Log10(xy[k].Y)
			}
			if hi/lo < 1.5 { // nearly flat: keep a visible window
				lo, hi = lo/1.25, hi*1.25
			}
			p.Y.Min, p.Y.Max = math.Log10(lo), math.Log10(hi)
			p.Y.Tick.Marker = log10Ticks{}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("plots: LossPNG: %s: %w", label, err)
		}
		line.Color = seriesColour(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		if len(xy) <= 40 { // few points: mark them
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return fmt.Errorf("plots: LossPNG: %s: %w", label, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: seriesColour(i), Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
			p.Add(sc)
		}
		panels[i] = p
	}
	rows, cols := gridShape(len(panels), 3)
	w := vg.Length(4.5*float64(cols)) * vg.Inch
	h := vg.Length(3.4*float64(rows)) * vg.Inch
	return renderPNG(path, w, h, func(dc draw.Canvas) {
		drawGrid(dc, toGrid(panels, rows, cols))
	})
}

func curveLabel(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("curve %d", i)
	}
	return fmt.Sprintf("curve %d (%q)", i, name)
}

// log10Ticks marks an axis that shows log10 of positive values, labelled in
// the values themselves. It labels the multiples m·10^k with m in the finest
// of {1…9}, {1, 2, 5}, {1} that gives at most seven labels (with {1}, every
// n-th power of ten so that at most seven remain), and puts unlabelled minor
// ticks at the other multiples when the range spans at most eight decades.
type log10Ticks struct{}

func (log10Ticks) Ticks(llo, lhi float64) []plot.Tick {
	if !(llo < lhi) || math.IsInf(llo, 0) || math.IsInf(lhi, 0) {
		return nil
	}
	const eps = 1e-9 // tolerance in log10 units, so that the ends are kept
	k0 := int(math.Floor(llo))
	k1 := int(math.Ceil(lhi))
	type mark struct {
		m, k int
		v    float64 // log10(m·10^k)
	}
	var marks []mark
	for k := k0; k <= k1; k++ {
		for m := 1; m < 10; m++ {
			v := math.Log10(float64(m)) + float64(k)
			if v >= llo-eps && v <= lhi+eps {
				marks = append(marks, mark{m, k, v})
			}
		}
	}
	sets := []func(m int) bool{
		func(int) bool { return true },
		func(m int) bool { return m == 1 || m == 2 || m == 5 },
		func(m int) bool { return m == 1 },
	}
	pick := sets[len(sets)-1]
	for _, s := range sets {
		n := 0
		for _, mk := range marks {
			if s(mk.m) {
				n++
			}
		}
		if n <= 7 {
			pick = s
			break
		}
	}
	powers := 0
	for _, mk := range marks {
		if mk.m == 1 {
			powers++
		}
	}
	every := max(1, (powers+6)/7) // label every n-th power of ten
	minor := k1-k0 <= 8
	var ticks []plot.Tick
	for _, mk := range marks {
		t := plot.Tick{Value: mk.v}
		if pick(mk.m) && (mk.m != 1 || every == 1 || mk.k%every == 0) {
			// m·10^k parsed from its decimal form is the double nearest to
			// it, which formats back without round-off digits.
			v, _ := strconv.ParseFloat(strconv.Itoa(mk.m)+"e"+strconv.Itoa(mk.k), 64)
			t.Label = strconv.FormatFloat(v, 'g', -1, 64)
		} else if !minor && mk.m != 1 {
			continue
		}
		ticks = append(ticks, t)
	}
	return ticks
}
