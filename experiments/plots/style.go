package plots

import (
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// seriesColour returns the colour of data series i from a colour-blind-safe
// qualitative palette (Tableau 10, without its grey, which is kept for the
// truth).
func seriesColour(i int) color.RGBA {
	palette := [...]color.RGBA{
		{31, 119, 180, 255},  // blue
		{255, 127, 14, 255},  // orange
		{44, 160, 44, 255},   // green
		{214, 39, 40, 255},   // red
		{148, 103, 189, 255}, // purple
		{140, 86, 75, 255},   // brown
		{227, 119, 194, 255}, // pink
		{188, 189, 34, 255},  // olive
		{23, 190, 207, 255},  // cyan
	}
	return palette[i%len(palette)]
}

// truthColour is the colour of the truth/reference series.
func truthColour() color.RGBA { return color.RGBA{90, 90, 90, 255} }

func sansFont(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// newPlot returns a plot with sans-serif text of readable sizes.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansFont(11, true)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sansFont(10, false)
		a.Tick.Label.Font = sansFont(9, false)
	}
	p.Legend.TextStyle.Font = sansFont(9, false)
	p.X.Tick.Marker = linearTicks{}
	p.Y.Tick.Marker = linearTicks{}
	return p
}

// linearTicks marks a linear axis with three to six labelled ticks at
// multiples of a {1, 2, 5}·10^k step and unlabelled minor ticks between.
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step := niceStep((hi - lo) / 6)
	minor := step / 5
	if m := step / math.Pow(10, math.Floor(math.Log10(step))); math.Abs(m-2) < 1e-9 {
		minor = step / 4
	}
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	big := math.Max(math.Abs(lo), math.Abs(hi))
	var ticks []plot.Tick
	for i := math.Ceil(lo/minor - 1e-9); i*minor <= hi+1e-9*minor; i++ {
		v := i * minor
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			v = math.Round(r) * step
			if math.Abs(v) < 1e-9*step {
				v = 0
			}
			t.Value = v
			if big >= 1e5 || step < 1e-4 {
				t.Label = strconv.FormatFloat(v, 'g', 4, 64)
			} else {
				t.Label = strconv.FormatFloat(v, 'f', prec, 64)
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// figureTitle draws txt centred at the top of dc and returns the canvas below
// it. An empty txt leaves dc unchanged.
func figureTitle(dc draw.Canvas, txt string) draw.Canvas {
	if txt == "" {
		return dc
	}
	sty := text.Style{
		Color:   color.Black,
		Font:    sansFont(12, true),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
	pad := vg.Points(6)
	h := sty.Height(txt) + 2*pad
	pt := vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - pad}
	dc.FillText(sty, pt, txt)
	return draw.Crop(dc, 0, 0, 0, -h)
}

// drawGrid lays out plots (row-major, nil entries left empty) with aligned
// data areas on dc.
func drawGrid(dc draw.Canvas, plots [][]*plot.Plot) {
	t := draw.Tiles{
		Rows:      len(plots),
		Cols:      len(plots[0]),
		PadX:      vg.Points(14),
		PadY:      vg.Points(10),
		PadTop:    vg.Points(4),
		PadBottom: vg.Points(4),
		PadLeft:   vg.Points(4),
		PadRight:  vg.Points(10),
	}
	canvases := plot.Align(plots, t, dc)
	for j, row := range plots {
		for i, p := range row {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
}

// gridShape returns the rows and columns for n panels, at most maxCols wide.
func gridShape(n, maxCols int) (rows, cols int) {
	cols = min(n, maxCols)
	rows = (n + cols - 1) / cols
	return rows, cols
}

// toGrid arranges panels row-major into rows×cols (missing ones nil).
func toGrid(panels []*plot.Plot, rows, cols int) [][]*plot.Plot {
	g := make([][]*plot.Plot, rows)
	for j := range g {
		g[j] = make([]*plot.Plot, cols)
		for i := range cols {
			if k := j*cols + i; k < len(panels) {
				g[j][i] = panels[k]
			}
		}
	}
	return g
}

// niceStep returns a step of the form {1, 2, 5}·10^k that is at least raw.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= raw {
			return m * e
		}
	}
	return 10 * e
}
