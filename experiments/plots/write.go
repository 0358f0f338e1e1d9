package plots

import (
	"bytes"
	"fmt"
	"github.com/naas-go/naas/experiments/atomicfile"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// dpi is the resolution of every PNG written by the package.
const dpi = 120

// renderPNG draws a figure of size w×h onto a white canvas with draw and
// writes it atomically to path as a PNG.
func renderPNG(path string, w, h vg.Length, drawFn func(dc draw.Canvas)) error {
	if path == "" {
		return fmt.Errorf("plots: empty output path")
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	drawFn(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("plots: encoding %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("plots: writing %s: %w", path, err)
	}
	return nil
}

// finiteRows checks that x holds whole rows of d values and returns the rows
// whose values are all finite (a new slice) and the number of dropped rows.
// what names the input in errors.
func finiteRows(what string, x []float64, d int) ([]float64, int, error) {
	if d < 1 {
		return nil, 0, fmt.Errorf("plots: %s: dimension d = %d, want ≥ 1", what, d)
	}
	if len(x) == 0 {
		return nil, 0, fmt.Errorf("plots: %s is empty", what)
	}
	if len(x)%d != 0 {
		return nil, 0, fmt.Errorf("plots: %s has %d values, not a multiple of d = %d", what, len(x), d)
	}
	n := len(x) / d
	out := make([]float64, 0, len(x))
	dropped := 0
	for i := range n {
		row := x[i*d : (i+1)*d]
		if allFinite(row) {
			out = append(out, row...)
		} else {
			dropped++
		}
	}
	if len(out) == 0 {
		return nil, dropped, fmt.Errorf("plots: %s: none of its %d points is finite", what, n)
	}
	return out, dropped, nil
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
