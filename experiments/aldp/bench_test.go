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
	b.Run("Energy", func(b *testing.B) {
		for b.Loop() {
			tg.Energy(x, e)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/geom")
	})
	b.Run("EnergyGrad", func(b *testing.B) {
		for b.Loop() {
			tg.EnergyGrad(x, e, g)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/geom")
	})
	one := MustTarget(Implicit, TargetConfig{Workers: 1})
	b.Run("EnergyGrad/1worker", func(b *testing.B) {
		for b.Loop() {
			one.EnergyGrad(x, e, g)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/geom")
	})
	b.Run("HVP", func(b *testing.B) {
		for b.Loop() {
			tg.HVP(x, v, g)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/geom")
	})
}
