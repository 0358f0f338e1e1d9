package graph

import (
	"math"

	"gorgonia.org/tensor"
)

// adamState is the state of the Adam optimiser (Kingma & Ba 2015, Algorithm 1): first and
// second moment estimates m, v per parameter entry (kept in float64 whatever the network
// dtype) and the step count t.
type adamState struct {
	m, v [][]float64
	t    int64
}

func newAdamState(ws []*tensor.Dense) adamState {
	s := adamState{m: make([][]float64, len(ws)), v: make([][]float64, len(ws))}
	for i, w := range ws {
		s.m[i] = make([]float64, w.Size())
		s.v[i] = make([]float64, w.Size())
	}
	return s
}

// step applies one Adam update in place to the weights ws with gradients gs multiplied by
// scale (the clipping factor):
//
//	g ← scale·g;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;
//	θ ← θ − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε).
func (s *adamState) step(ws, gs []*tensor.Dense, scale, lr, b1, b2, eps float64) {
	p := s.next(scale, lr, b1, b2, eps)
	for i, w := range ws {
		switch wd := w.Data().(type) {
		case []float32:
			adamUpdate(wd, gs[i].Data().([]float32), s.m[i], s.v[i], p)
		case []float64:
			adamUpdate(wd, gs[i].Data().([]float64), s.m[i], s.v[i], p)
		}
	}
}

// next counts one more step and returns the constants of its update.
func (s *adamState) next(scale, lr, b1, b2, eps float64) adamParams {
	s.t++
	bc1 := 1 - math.Pow(b1, float64(s.t))
	bc2 := 1 - math.Pow(b2, float64(s.t))
	return adamParams{scale: scale, lr: lr, b1: b1, b2: b2, eps: eps, bc1: bc1, bc2: bc2}
}

type adamParams struct{ scale, lr, b1, b2, eps, bc1, bc2 float64 }

// adamUpdate applies one Adam step to the entries of w (float32 entries 8 at a time through
// adamVector32 where the CPU allows, with identical results). The explicit float64
// conversions round every product, so that no build fuses them into FMAs.
func adamUpdate[T float32 | float64](w, g []T, m, v []float64, p adamParams) {
	i0 := 0
	if w32, ok := any(w).([]float32); ok {
		i0 = adamVector32(w32, any(g).([]float32), m, v, p)
	}
	c1, c2 := 1-p.b1, 1-p.b2
	for i := i0; i < len(w); i++ {
		gi := float64(p.scale * float64(g[i]))
		m[i] = float64(p.b1*m[i]) + float64(c1*gi)
		v[i] = float64(p.b2*v[i]) + float64(float64(c2*gi)*gi)
		w[i] = T(float64(w[i]) - float64(p.lr*(m[i]/p.bc1))/(math.Sqrt(v[i]/p.bc2)+p.eps))
	}
}

// gradNorm returns the global Euclidean norm of all gradient entries.
func gradNorm(gs []*tensor.Dense) float64 {
	var ss float64
	for _, g := range gs {
		switch d := g.Data().(type) {
		case []float32:
			for _, v := range d {
				ss += float64(v) * float64(v)
			}
		case []float64:
			for _, v := range d {
				ss += v * v
			}
		}
	}
	return math.Sqrt(ss)
}
