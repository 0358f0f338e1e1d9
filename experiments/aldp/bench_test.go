package aldp

import (
	"math/rand/v2"
	"testing"
)

// benchBatch returns b geometries cycled from the fixtures with a little noise (nm).
func benchBatch(tb testing.TB, b int) []float64 {
	xs, _ := readCoords(tb)
	rng := rand.New(rand.NewPCG(11, 12))
	out := make([]float64, 0, 66*b)
	for r := range b {
		for _, v := range xs[r%14] { // the 14 physical geometries, not the noisy ones
			out = append(out, v+0.002*rng.NormFloat64())
		}
	}
	return out
}

func BenchmarkForces(b *testing.B) {
	for _, s := range []Solvent{Implicit, Vacuum} {
		b.Run(s.String(), func(b *testing.B) {
			ff := MustDefault(s)
			x := InitialPositions()
			f := make([]float64, 66)
			for b.Loop() {
				ff.Forces(x, f)
			}
		})
	}
}

func BenchmarkHVP(b *testing.B) {
	ff := MustDefault(Implicit)
	x := InitialPositions()
	v := randomDirection(rand.New(rand.NewPCG(1, 1)), 66)
	hv := make([]float64, 66)
	for b.Loop() {
		ff.HVP(x, v, hv)
	}
}

// BenchmarkTarget512 times one batched call on 512 geometries, split over GOMAXPROCS
// goroutines by the Target (and, for comparison, one goroutine); ns/geom is the wall time
// per geometry.
func BenchmarkTarget512(b *testing.B) {
	const batch = 512
	x := benchBatch(b, batch)
	v := randomDirection(rand.New(rand.NewPCG(2, 2)), len(x))
	e := make([]float64, batch)
	g := make([]float64, len(x))
	tg := MustTarget(Implicit, TargetConfig{})
	perGeom(b, "Energy", batch, func() { tg.Energy(x, e) })
	perGeom(b, "EnergyGrad", batch, func() { tg.EnergyGrad(x, e, g) })
	one := MustTarget(Implicit, TargetConfig{Workers: 1})
	perGeom(b, "EnergyGrad/1worker", batch, func() { one.EnergyGrad(x, e, g) })
	perGeom(b, "HVP", batch, func() { tg.HVP(x, v, g) })
}

// BenchmarkInternal512 times the internal-coordinate target on 512 rows: the gradient (Z-matrix
// construction, Cartesian force call, reverse sweep) and the HVP (two gradients), next to the
// Cartesian EnergyGrad of the same geometries.
func BenchmarkInternal512(b *testing.B) {
	const batch = 512
	tg := MustTarget(Implicit, TargetConfig{})
	c := InitialPositions()
	if _, err := Minimize(tg, c, 1e-3, 200); err != nil {
		b.Fatal(err)
	}
	it, err := NewInternalTarget(tg, c, 0.5, 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	z := randomDirection(rng, batch*NumInternal)
	v := randomDirection(rng, len(z))
	g := make([]float64, len(z))
	x := make([]float64, 66*batch)
	it.Positions(z, x)
	gx := make([]float64, len(x))
	e := make([]float64, batch)
	perGeom(b, "CartesianEnergyGrad", batch, func() { tg.EnergyGrad(x, e, gx) })
	perGeom(b, "Grad", batch, func() { it.Grad(z, g) })
	perGeom(b, "HVP", batch, func() { it.HVP(z, v, g) })
}

// perGeom runs fn as sub-benchmark name and reports the wall time per geometry of a batch.
func perGeom(b *testing.B, name string, batch int, fn func()) {
	b.Run(name, func(b *testing.B) {
		for b.Loop() {
			fn()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/geom")
	})
}
