package aldpeval

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/naas-go/naas/experiments/aldp/refdata"
)

// Ramachandran figure settings.
const (
	ramaBins    = 72 // 5° bins
	ramaDecades = 4  // colour range: densities from 1e-4 of the maximum to the maximum
	ramaDPI     = 120
)

// Panel is one (φ, ψ) sample set of a Ramachandran figure.
type Panel struct {
	// Name is the panel title (e.g. "NAAS", "reference").
	Name string
	// Frames hold the samples' torsions (only φ and ψ are used).
	Frames []refdata.Frame
}

// RamachandranPNG writes a PNG with the (φ, ψ) histograms of model (left) and ref (right)
// on [−180°, 180°)², 5° bins, log colour scale over four decades below each panel's
// maximum bin, with the basin populations under each title. Use ModelFrames to turn
// positions into frames.
func RamachandranPNG(path string, model, ref []refdata.Frame, title string) error {
	return RamachandranPanelsPNG(path, []Panel{{"model", model}, {"reference", ref}}, title)
}

// RamachandranPanelsPNG writes one Ramachandran panel per set, side by side (for example
// NAAS, the annealed-Langevin baseline and the reference). The file is written atomically.
func RamachandranPanelsPNG(path string, panels []Panel, title string) error {
	if path == "" {
		return fmt.Errorf("aldpeval: RamachandranPNG: empty output path")
	}
	if len(panels) == 0 {
		return fmt.Errorf("aldpeval: RamachandranPNG: no panels")
	}
	plots := make([]*plot.Plot, len(panels))
	for i, p := range panels {
		if len(p.Frames) == 0 {
			return fmt.Errorf("aldpeval: RamachandranPNG: panel %d (%q) has no samples", i, p.Name)
		}
		pl, err := ramaPanel(p)
		if err != nil {
			return err
		}
		plots[i] = pl
	}
	const side = 4.2 // inches per panel
	w := vg.Length(side*float64(len(plots))) * vg.Inch
	h := vg.Length(side)*vg.Inch + vg.Points(40)
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(ramaDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if title != "" {
		sty := text.Style{Color: color.Black, Font: sans(12, true), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Points(6)}, title)
		dc = draw.Crop(dc, 0, 0, 0, -(sty.Height(title) + vg.Points(12)))
	}
	caption := fmt.Sprintf("colour: log10 of the bin count relative to the panel's largest bin (%d decades, dark to yellow); white: empty; dashed: basin boundaries", ramaDecades)
	csty := text.Style{Color: color.Gray{Y: 60}, Font: sans(8, false), XAlign: draw.XCenter, YAlign: draw.YBottom, Handler: plot.DefaultTextHandler}
	dc.FillText(csty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Min.Y + vg.Points(3)}, caption)
	dc = draw.Crop(dc, 0, 0, csty.Height(caption)+vg.Points(6), 0)
	t := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Points(14), PadTop: vg.Points(4),
		PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{plots}, t, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("aldpeval: encoding %s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}

func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// ramaGrid is a plotter.GridXYZ of log10 relative densities in degrees.
type ramaGrid struct {
	n int
	z []float64 // row-major [ψ bin][φ bin]
}

func (g *ramaGrid) Dims() (c, r int)   { return g.n, g.n }
func (g *ramaGrid) Z(c, r int) float64 { return g.z[r*g.n+c] }
func (g *ramaGrid) X(c int) float64    { return -180 + (float64(c)+0.5)*360/float64(g.n) }
func (g *ramaGrid) Y(r int) float64    { return -180 + (float64(r)+0.5)*360/float64(g.n) }

func ramaPanel(p Panel) (*plot.Plot, error) {
	n := ramaBins
	g := &ramaGrid{n: n, z: make([]float64, n*n)}
	bin := func(a float64) int {
		b := int((refdata.Wrap(a) + math.Pi) / (2 * math.Pi) * float64(n))
		return min(max(b, 0), n-1)
	}
	skipped := 0
	for _, f := range p.Frames {
		phi, psi := f.Phi(), f.Psi()
		if math.IsNaN(phi) || math.IsNaN(psi) {
			skipped++
			continue
		}
		g.z[bin(psi)*n+bin(phi)]++
	}
	peak := 0.0
	for _, v := range g.z {
		peak = max(peak, v)
	}
	for k, v := range g.z {
		if v == 0 {
			g.z[k] = math.NaN()
		} else {
			g.z[k] = math.Log10(v / peak)
		}
	}
	pops := refdata.FramePopulations(p.Frames)
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("%s (n = %d)\nβ %.3f  αR %.3f  αL %.3f  C7ax %.3f", p.Name, len(p.Frames),
		pops.Frac[refdata.BasinBeta], pops.Frac[refdata.BasinAlphaR], pops.Frac[refdata.BasinAlphaL], pops.Frac[refdata.BasinC7ax])
	pl.Title.TextStyle.Font = sans(10, true)
	pl.X.Label.Text, pl.Y.Label.Text = "φ (degrees)", "ψ (degrees)"
	for _, a := range []*plot.Axis{&pl.X, &pl.Y} {
		a.Label.TextStyle.Font = sans(10, false)
		a.Tick.Label.Font = sans(9, false)
		a.Min, a.Max = -180, 180
		a.Tick.Marker = plot.ConstantTicks(degreeTicks())
	}
	hm := plotter.NewHeatMap(g, viridis())
	hm.Min, hm.Max = -ramaDecades, 0
	hm.NaN = color.White
	hm.Underflow = viridis()[0]
	hm.Rasterized = true
	pl.Add(hm)
	// Basin boundaries (thin grey lines): φ = 0°, 120°; ψ = −120°, 50° for φ < 0 or ≥ 120°;
	// ψ = 0° for 0 ≤ φ < 120°.
	lines := [][2][2]float64{
		{{0, -180}, {0, 180}}, {{120, -180}, {120, 180}},
		{{-180, -120}, {0, -120}}, {{-180, 50}, {0, 50}},
		{{120, -120}, {180, -120}}, {{120, 50}, {180, 50}},
		{{0, 0}, {120, 0}},
	}
	for _, l := range lines {
		ln, err := plotter.NewLine(plotter.XYs{{X: l[0][0], Y: l[0][1]}, {X: l[1][0], Y: l[1][1]}})
		if err != nil {
			return nil, err
		}
		ln.LineStyle.Color = color.RGBA{120, 120, 120, 255}
		ln.LineStyle.Width = vg.Points(0.5)
		ln.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		pl.Add(ln)
	}
	return pl, nil
}

func degreeTicks() []plot.Tick {
	var t []plot.Tick
	for d := -180; d <= 180; d += 30 {
		lab := ""
		if d%90 == 0 {
			lab = fmt.Sprint(d)
		}
		t = append(t, plot.Tick{Value: float64(d), Label: lab})
	}
	return t
}

// palette is a fixed list of colours.
type palette []color.Color

func (p palette) Colors() []color.Color { return p }

// viridis returns 64 colours interpolated through matplotlib's viridis key colours (dark
// purple = low density, yellow = high).
func viridis() palette {
	keys := [...]color.RGBA{
		{68, 1, 84, 255}, {72, 40, 120, 255}, {62, 74, 137, 255}, {49, 104, 142, 255},
		{38, 130, 142, 255}, {31, 158, 137, 255}, {53, 183, 121, 255}, {109, 205, 89, 255},
		{180, 222, 44, 255}, {253, 231, 37, 255},
	}
	const n = 64
	out := make(palette, n)
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

// writeAtomic writes data to a temporary file next to path, syncs it and renames it.
func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("aldpeval: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("aldpeval: writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("aldpeval: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("aldpeval: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("aldpeval: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("aldpeval: writing %s: %w", path, err)
	}
	return nil
}
