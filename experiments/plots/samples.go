package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Set is a named sample set: flat row-major n·d values (point i is
// X[i*d : (i+1)*d]), for example the samples of NAAS or of the annealed
// Langevin baseline.
type Set struct {
	// Name is shown as the title of the set's panel.
	Name string
	// X holds the n·d sample values.
	X []float64
}

// Coords selects the plane that [SamplesPNG] shows.
type Coords int

const (
	// CoordsAuto uses the first two principal axes of the reference when
	// d > 2 and the raw coordinates x0, x1 when d = 2.
	CoordsAuto Coords = iota
	// CoordsPCA uses the first two principal axes of the reference.
	CoordsPCA
	// CoordsRaw uses the raw coordinates x0 (horizontal) and x1 (vertical),
	// which tell more than principal axes for Neal's funnel.
	CoordsRaw
)

// SamplesOptions tunes [SamplesPNG]. The zero value gives the defaults.
type SamplesOptions struct {
	// Coords selects the plane shown (default [CoordsAuto]).
	Coords Coords
	// Projection, if non-nil and the plane is the principal one, is used
	// instead of PCA of the reference (for example to share axes between
	// figures). Its D must equal d.
	Projection *Projection
	// Title is drawn above the panels; empty gives a title that names the
	// plane and the size of the reference set.
	Title string
	// MaxPoints caps the number of samples drawn per panel (an evenly
	// strided subset is drawn; counts shown are of the whole set). 0 means
	// 3000; a negative value draws every sample.
	MaxPoints int
	// Bins is the number of histogram bins per axis of the reference density
	// (0 means 80).
	Bins int
	// PanelInches is the side of one square panel in inches at 120 dpi
	// (0 means 4, that is 480 pixels).
	PanelInches float64
}

// SamplesPNG writes to path a PNG with one panel per sample set, side by
// side (in rows of at most four). Each panel shows the reference set ref as
// a density (a smoothed 2-D histogram, shaded blue on a log scale spanning
// three decades) with the set's samples scattered on top in red, both
// projected on the plane chosen by opts. All panels share the axis limits,
// taken from the 0.5 and 99.5 percentiles of the projected reference padded
// by 15% of that range on each side; samples outside are counted in the
// panel title.
//
// ref and every sets[i].X are flat row-major with dimension d ≥ 2. Points
// holding a NaN or ±Inf are dropped and counted (in the panel title, or in
// the figure title for the reference). It is an error if sets is empty, a
// set or ref has no finite point, or a length is not a multiple of d.
func SamplesPNG(path string, ref []float64, sets []Set, d int, opts SamplesOptions) error {
	if d < 2 {
		return fmt.Errorf("plots: SamplesPNG needs d ≥ 2, got d = %d", d)
	}
	if len(sets) == 0 {
		return fmt.Errorf("plots: SamplesPNG: no sample sets")
	}
	refX, refDropped, err := finiteRows("reference", ref, d)
	if err != nil {
		return err
	}
	clean := make([][]float64, len(sets))
	dropped := make([]int, len(sets))
	for i, s := range sets {
		clean[i], dropped[i], err = finiteRows(setLabel(i, s.Name), s.X, d)
		if err != nil {
			return err
		}
	}

	coords := opts.Coords
	if coords == CoordsAuto {
		coords = CoordsPCA
		if d == 2 {
			coords = CoordsRaw
		}
	}
	var proj Projection
	var xlabel, ylabel string
	switch coords {
	case CoordsPCA:
		if opts.Projection != nil {
			proj = *opts.Projection
			if proj.D != d || len(proj.Mean) != d || len(proj.Axes[0]) != d || len(proj.Axes[1]) != d {
				return fmt.Errorf("plots: SamplesPNG: options' Projection is for d = %d, samples have d = %d", proj.D, d)
			}
		} else if proj, err = PCA(refX, d); err != nil {
			return err
		}
		ev := proj.Explained()
		xlabel = fmt.Sprintf("PC1 (%.0f%% of variance)", 100*ev[0])
		ylabel = fmt.Sprintf("PC2 (%.0f%% of variance)", 100*ev[1])
	case CoordsRaw:
		proj = rawProjection(d)
		xlabel, ylabel = "x0", "x1"
	default:
		return fmt.Errorf("plots: SamplesPNG: unknown Coords %d", opts.Coords)
	}

	maxPoints := opts.MaxPoints
	if maxPoints == 0 {
		maxPoints = 3000
	}
	bins := opts.Bins
	if bins <= 0 {
		bins = 80
	}
	side := opts.PanelInches
	if side <= 0 {
		side = 4
	}

	refY := proj.Apply(refX)
	xlo, xhi := viewRange(refY, 0)
	ylo, yhi := viewRange(refY, 1)
	grid := histogram2D(refY, bins, xlo, xhi, ylo, yhi)

	panels := make([]*plot.Plot, len(sets))
	for i, s := range sets {
		y := proj.Apply(clean[i])
		n := len(y) / 2
		outside := 0
		for k := range n {
			if y[2*k] < xlo || y[2*k] > xhi || y[2*k+1] < ylo || y[2*k+1] > yhi {
				outside++
			}
		}
		shown := strideXY(y, maxPoints)

		var info []string
		if len(shown) < n {
			info = append(info, fmt.Sprintf("%d of n = %d drawn", len(shown), n))
		} else {
			info = append(info, fmt.Sprintf("n = %d", n))
		}
		if outside > 0 {
			info = append(info, fmt.Sprintf("%d outside view", outside))
		}
		if dropped[i] > 0 {
			info = append(info, fmt.Sprintf("%d non-finite dropped", dropped[i]))
		}
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("set %d", i)
		}
		p := newPlot(name+"\n"+strings.Join(info, ", "), xlabel, ylabel)
		p.Title.TextStyle.Font = sansFont(10, true)

		hm := plotter.NewHeatMap(grid, bluesPalette())
		hm.Min, hm.Max = -densityDecades, 0
		hm.NaN = color.Transparent
		hm.Underflow = color.Transparent
		hm.Rasterized = true
		p.Add(hm)

		sc, err := plotter.NewScatter(shown)
		if err != nil {
			return fmt.Errorf("plots: SamplesPNG: %s: %w", setLabel(i, s.Name), err)
		}
		sc.GlyphStyle = draw.GlyphStyle{
			Color:  color.NRGBA{R: 214, G: 39, B: 40, A: 150},
			Radius: vg.Points(1.1),
			Shape:  draw.CircleGlyph{},
		}
		p.Add(sc)
		p.X.Min, p.X.Max = xlo, xhi
		p.Y.Min, p.Y.Max = ylo, yhi
		panels[i] = p
	}

	title := opts.Title
	if title == "" {
		title = fmt.Sprintf("Samples (red) over the reference density (blue, n = %d)", len(refX)/d)
	}
	if refDropped > 0 {
		title += fmt.Sprintf(" (%d non-finite reference points dropped)", refDropped)
	}

	rows, cols := gridShape(len(panels), 4)
	w := vg.Length(side*float64(cols)) * vg.Inch
	h := vg.Length(side*float64(rows))*vg.Inch + vg.Points(24)
	return renderPNG(path, w, h, func(dc draw.Canvas) {
		dc = figureTitle(dc, title)
		drawGrid(dc, toGrid(panels, rows, cols))
	})
}

func setLabel(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("set %d", i)
	}
	return fmt.Sprintf("set %d (%q)", i, name)
}

// viewRange returns axis limits for column col of the flat n×2 slice y: the
// 0.5 and 99.5 percentiles padded by 15% of their range on each side.
func viewRange(y []float64, col int) (lo, hi float64) {
	v := make([]float64, 0, len(y)/2)
	for k := col; k < len(y); k += 2 {
		v = append(v, y[k])
	}
	slices.Sort(v)
	lo, hi = quantile(v, 0.005), quantile(v, 0.995)
	pad := 0.15 * (hi - lo)
	if pad <= 0 { // degenerate reference: a unit window around it
		pad = math.Max(1, 0.1*math.Abs(lo))
	}
	return lo - pad, hi + pad
}

// quantile returns the q-quantile of sorted v by linear interpolation.
func quantile(v []float64, q float64) float64 {
	if len(v) == 1 {
		return v[0]
	}
	pos := q * float64(len(v)-1)
	i := int(math.Floor(pos))
	if i >= len(v)-1 {
		return v[len(v)-1]
	}
	f := pos - float64(i)
	return v[i] + f*(v[i+1]-v[i])
}

// strideXY returns at most max points (all if max < 0) of the flat n×2 slice
// y, evenly strided so that the subset follows the order of the input.
func strideXY(y []float64, max int) plotter.XYs {
	n := len(y) / 2
	m := n
	if max >= 0 && max < n {
		m = max
	}
	out := make(plotter.XYs, m)
	for k := range m {
		i := k * n / m
		out[k] = plotter.XY{X: y[2*i], Y: y[2*i+1]}
	}
	return out
}

// densityDecades is the dynamic range of the shaded reference density: cells
// below 10^-densityDecades of the peak are left blank.
const densityDecades = 3

// densityGrid is a bins×bins grid of log10 densities relative to the peak,
// implementing plotter.GridXYZ. Cells below the dynamic range are NaN.
type densityGrid struct {
	n              int
	x0, y0, dx, dy float64
	z              []float64 // row r (y), column c (x) at z[r*n+c]
}

func (g *densityGrid) Dims() (c, r int)   { return g.n, g.n }
func (g *densityGrid) Z(c, r int) float64 { return g.z[r*g.n+c] }
func (g *densityGrid) X(c int) float64    { return g.x0 + (float64(c)+0.5)*g.dx }
func (g *densityGrid) Y(r int) float64    { return g.y0 + (float64(r)+0.5)*g.dy }

// histogram2D bins the flat n×2 points y on a bins×bins grid over the given
// limits, smooths the counts with a Gaussian of one bin width and returns
// log10 of the result relative to its peak.
func histogram2D(y []float64, bins int, xlo, xhi, ylo, yhi float64) *densityGrid {
	g := &densityGrid{
		n:  bins,
		x0: xlo, y0: ylo,
		dx: (xhi - xlo) / float64(bins),
		dy: (yhi - ylo) / float64(bins),
	}
	counts := make([]float64, bins*bins)
	for k := 0; k+1 < len(y); k += 2 {
		c := int(math.Floor((y[k] - xlo) / g.dx))
		r := int(math.Floor((y[k+1] - ylo) / g.dy))
		if c < 0 || c >= bins || r < 0 || r >= bins {
			continue
		}
		counts[r*bins+c]++
	}
	smooth := blur(counts, bins, 1.5)
	peak := 0.0
	for _, v := range smooth {
		peak = math.Max(peak, v)
	}
	g.z = make([]float64, len(smooth))
	floor := math.Pow(10, -densityDecades)
	for i, v := range smooth {
		if peak == 0 || v < floor*peak {
			g.z[i] = math.NaN()
			continue
		}
		g.z[i] = math.Log10(v / peak)
	}
	return g
}

// blur convolves the n×n grid a with a separable Gaussian of standard
// deviation sigma cells (truncated at 3σ, zero outside the grid).
func blur(a []float64, n int, sigma float64) []float64 {
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	for i := range k {
		t := float64(i-rad) / sigma
		k[i] = math.Exp(-0.5 * t * t)
	}
	tmp := make([]float64, len(a))
	for r := range n {
		for c := range n {
			var s float64
			for i, w := range k {
				if cc := c + i - rad; cc >= 0 && cc < n {
					s += w * a[r*n+cc]
				}
			}
			tmp[r*n+c] = s
		}
	}
	out := make([]float64, len(a))
	for r := range n {
		for c := range n {
			var s float64
			for i, w := range k {
				if rr := r + i - rad; rr >= 0 && rr < n {
					s += w * tmp[rr*n+c]
				}
			}
			out[r*n+c] = s
		}
	}
	return out
}

// rampPalette is a palette.Palette of fixed colours.
type rampPalette []color.Color

func (p rampPalette) Colors() []color.Color { return p }

// bluesPalette returns 64 colours from pale to dark blue, interpolated
// through the ColorBrewer "Blues" sequence.
func bluesPalette() rampPalette {
	keys := [...]color.RGBA{
		{239, 243, 255, 255},
		{198, 219, 239, 255},
		{158, 202, 225, 255},
		{107, 174, 214, 255},
		{66, 146, 198, 255},
		{33, 113, 181, 255},
		{8, 69, 148, 255},
	}
	const n = 64
	out := make(rampPalette, n)
	for i := range n {
		t := float64(i) / (n - 1) * float64(len(keys)-1)
		j := min(int(t), len(keys)-2)
		f := t - float64(j)
		a, b := keys[j], keys[j+1]
		lerp := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
		out[i] = color.RGBA{lerp(a.R, b.R), lerp(a.G, b.G), lerp(a.B, b.B), 255}
	}
	return out
}
