package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// setData copies src into the backing array of t (float32 or float64), converting.
func setData(t *tensor.Dense, src []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range src {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, src)
	}
}

// getData copies the backing array of t (float32 or float64) into dst, converting.
func getData(t *tensor.Dense, dst []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d {
			dst[i] = float64(v)
		}
	case []float64:
		copy(dst, d)
	}
}

// fillOnes sets every entry of t to 1.
func fillOnes(t *tensor.Dense) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 1
		}
	case []float64:
		for i := range d {
			d[i] = 1
		}
	}
}

// readValue copies a value read with G.Read (a [B, d] tensor or a scalar) into dst.
func readValue(v G.Value, dst []float64) error {
	switch x := v.(type) {
	case *tensor.Dense:
		if x.Size() != len(dst) {
			return fmt.Errorf("graph: read value has %d entries, want %d", x.Size(), len(dst))
		}
		getData(x, dst)
	case *G.F64:
		dst[0] = float64(*x)
	case *G.F32:
		dst[0] = float64(*x)
	default:
		return fmt.Errorf("graph: unexpected read value %T", v)
	}
	return nil
}

// scalarOf returns a scalar read with G.Read as float64.
func scalarOf(p *G.Value) (float64, error) {
	if p == nil || *p == nil {
		return 0, fmt.Errorf("graph: program produced no value")
	}
	var s [1]float64
	if err := readValue(*p, s[:]); err != nil {
		return 0, err
	}
	return s[0], nil
}

// newInput returns a zero [r, c] host tensor of dtype dt.
func newInput(dt tensor.Dtype, r, c int) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(r, c))
}
