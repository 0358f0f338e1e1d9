package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// tinySpec is a small network with a non-trivial input normalisation.
func tinySpec(arch, act string, d int) models.Spec {
	s := models.Spec{Arch: arch, Dim: d, Width: 6, Depth: 2, Act: act, NFreq: 3, InScale: 2, Prefix: "u"}
	s.InShift = make([]float64, d)
	for i := range s.InShift {
		s.InShift[i] = 0.5 - 0.75*float64(i)
	}
	return s
}

func tinyConfig(arch string, dt tensor.Dtype) Config {
	c := DefaultConfig(tinySpec(arch, models.ActSiLU, 3))
	c.Dtype, c.Batch, c.LearnRate, c.Seed = dt, 5, 1e-2, 1
	return c
}

func mustNew(tb testing.TB, c Config) *Net {
	tb.Helper()
	n, err := New(c)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { n.Close() })
	return n
}

// batch draws a minibatch of B rows in dimension d: x ~ N(0, 2²), t ~ U(0, 1), y ~ N(0, 1),
// w ~ U(0.5, 1.5).
func batch(rng *rand.Rand, B, d int) (x, t, y, w []float64) {
	x, t, y, w = make([]float64, B*d), make([]float64, B), make([]float64, B*d), make([]float64, B)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
		y[i] = rng.NormFloat64()
	}
	for b := range t {
		t[b] = rng.Float64()
		w[b] = 0.5 + rng.Float64()
	}
	return
}

// perturb adds N(0, std²) noise to every parameter, the zero output layer included
// (the test-only way to make the output layer non-zero).
func perturb(n *Net, rng *rand.Rand, std float64) {
	for _, w := range n.weights {
		v := make([]float64, w.Size())
		getData(w, v)
		for i := range v {
			v[i] += std * rng.NormFloat64()
		}
		setData(w, v)
	}
}

// paramAt and setParamAt read and write entry j of parameter i as float64.
func paramAt(n *Net, i, j int) float64 {
	switch d := n.weights[i].Data().(type) {
	case []float32:
		return float64(d[j])
	default:
		return d.([]float64)[j]
	}
}

func setParamAt(n *Net, i, j int, v float64) {
	switch d := n.weights[i].Data().(type) {
	case []float32:
		d[j] = float32(v)
	case []float64:
		d[j] = v
	}
}

// gradients runs the training program once and returns a copy of every parameter gradient,
// leaving the accumulated gradients zeroed.
func gradients(tb testing.TB, n *Net, x, t, y, w []float64) (float64, [][]float64) {
	tb.Helper()
	defer n.zeroGrads()
	loss, err := n.runTrain(x, t, y, w)
	if err != nil {
		tb.Fatal(err)
	}
	gs, err := n.grads()
	if err != nil {
		tb.Fatal(err)
	}
	out := make([][]float64, len(gs))
	for i, g := range gs {
		out[i] = make([]float64, g.Size())
		getData(g, out[i])
	}
	return loss, out
}

// trainU returns the u the training program computed at its last run (read via G.Read), or
// with the native engine the u of its training workspace.
func trainU(tb testing.TB, n *Net) []float64 {
	tb.Helper()
	u := make([]float64, n.cfg.Batch*n.d)
	switch k := n.native.(type) {
	case *kernel[float32]:
		for i, v := range k.work[n.cfg.Batch].u {
			u[i] = float64(v)
		}
		return u
	case *kernel[float64]:
		copy(u, k.work[n.cfg.Batch].u)
		return u
	}
	if err := readValue(*n.train.uV, u); err != nil {
		tb.Fatal(err)
	}
	return u
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
