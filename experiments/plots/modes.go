package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Hist is a named vector of mode weights: Weights[k] is the fraction of a
// sample set assigned to mode k of a mixture target (dimensionless, ≥ 0).
type Hist struct {
	// Name is shown in the legend, for example "NAAS".
	Name string
	// Weights holds one weight per mode, in the order of the truth.
	Weights []float64
}

// ModeWeightsPNG writes to path a grouped bar chart of mode weights: for
// each mode index k, a bar for truth[k] (grey, legend "truth") followed by one
// bar per set. NaN weights are left out (no bar) and counted in the legend.
// It is an error if truth is empty, a set's length differs from len(truth),
// or a weight is negative or ±Inf.
func ModeWeightsPNG(path string, truth []float64, sets []Hist) error {
	k := len(truth)
	if k == 0 {
		return fmt.Errorf("plots: ModeWeightsPNG: truth has no modes")
	}
	type series struct {
		label  string
		values plotter.Values
		colour color.Color
	}
	check := func(what string, w []float64) (plotter.Values, int, error) {
		vals := make(plotter.Values, len(w))
		nan := 0
		for j, v := range w {
			switch {
			case math.IsNaN(v):
				nan++
				vals[j] = 0
			case math.IsInf(v, 0) || v < 0:
				return nil, 0, fmt.Errorf("plots: ModeWeightsPNG: %s has weight %v at mode %d, want finite and ≥ 0", what, v, j)
			default:
				vals[j] = v
			}
		}
		return vals, nan, nil
	}
	all := make([]series, 0, len(sets)+1)
	nanMask := make([][]bool, 0, len(sets)+1)
	add := func(what, name string, w []float64, c color.Color) error {
		vals, nan, err := check(what, w)
		if err != nil {
			return err
		}
		if nan > 0 {
			name += fmt.Sprintf(" (%d NaN left out)", nan)
		}
		mask := make([]bool, len(w))
		for j, v := range w {
			mask[j] = math.IsNaN(v)
		}
		all = append(all, series{name, vals, c})
		nanMask = append(nanMask, mask)
		return nil
	}
	if err := add("truth", "truth", truth, truthColour()); err != nil {
		return err
	}
	for i, s := range sets {
		what := fmt.Sprintf("set %d", i)
		if s.Name != "" {
			what = fmt.Sprintf("set %d (%q)", i, s.Name)
		}
		if len(s.Weights) != k {
			return fmt.Errorf("plots: ModeWeightsPNG: %s has %d weights, truth has %d modes", what, len(s.Weights), k)
		}
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("set %d", i)
		}
		if err := add(what, name, s.Weights, seriesColour(i)); err != nil {
			return err
		}
	}

	// Figure size: wide enough for every bar, within reason.
	g := len(all)
	width := math.Min(math.Max(6, 0.5+float64(k*g)*0.09), 16) * float64(vg.Inch)
	height := 3.6 * float64(vg.Inch)
	// Approximate data-area width: the figure less the y axis and margins.
	dataW := width - float64(vg.Inch)*0.9
	slot := dataW / float64(k)
	barW := vg.Length(0.8 * slot / float64(g))

	p := newPlot("Mode weights", "mode", "weight")
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil // vertical lines would cut through the groups
	p.Add(grid)
	ymax := 0.0
	for si, s := range all {
		bc, err := plotter.NewBarChart(s.values, barW)
		if err != nil {
			return fmt.Errorf("plots: ModeWeightsPNG: %s: %w", s.label, err)
		}
		bc.Color = s.colour
		bc.LineStyle.Width = 0
		bc.Offset = vg.Length(float64(si)-float64(g-1)/2) * barW
		p.Add(bc)
		p.Legend.Add(s.label, bc)
		for j, v := range s.values {
			if !nanMask[si][j] {
				ymax = math.Max(ymax, v)
			}
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	p.X.Min, p.X.Max = -0.5, float64(k)-0.5
	p.X.Padding = 0
	p.Y.Min, p.Y.Max = 0, ymax*1.12+0.06*ymax*float64(g) // headroom for the legend
	p.Y.Padding = 0
	p.X.Tick.Marker = modeTicks(k)
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(4)
	p.Legend.YOffs = -vg.Points(2)
	return renderPNG(path, vg.Length(width), vg.Length(height), func(dc draw.Canvas) {
		p.Draw(dc)
	})
}

// modeTicks labels mode indices 0…k−1, every one when k ≤ 20 and every
// {1, 2, 5}·10^n-th otherwise, with unlabelled ticks in between.
func modeTicks(k int) plot.ConstantTicks {
	step := 1
	if k > 20 {
		step = int(niceStep(float64(k) / 20))
	}
	ticks := make(plot.ConstantTicks, 0, k)
	for j := range k {
		t := plot.Tick{Value: float64(j)}
		if j%step == 0 {
			t.Label = strconv.Itoa(j)
		}
		ticks = append(ticks, t)
	}
	return ticks
}
