package plots

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"

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
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("plots: writing %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file in the folder of path,
// syncs it and renames it over path. The file mode is 0644.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // best effort: persist the rename
		d.Sync()
		d.Close()
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
