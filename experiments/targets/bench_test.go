package targets

import (
	"sync"
	"testing"
)

// benchBatch returns a 512-row batch of exact samples of tg and a direction batch.
func benchBatch(tb testing.TB, tg Target) (x, v []float64) {
	x = tg.Sample(newRNG(51), 512)
	rng := newRNG(52)
	v = make([]float64, len(x))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return x, v
}

func benchTarget(b *testing.B, tg Target, op string) {
	x, v := benchBatch(b, tg)
	out := make([]float64, len(x))
	e := make([]float64, len(x)/tg.Dim())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		switch op {
		case "Energy":
			tg.Energy(x, e)
		case "Grad":
			tg.Grad(x, out)
		case "EnergyGrad":
			tg.(EnergyGrader).EnergyGrad(x, e, out)
		case "HVP":
			tg.HVP(x, v, out)
		}
	}
}

func BenchmarkMoS50Energy512(b *testing.B)     { benchTarget(b, mustMoS50(b), "Energy") }
func BenchmarkMoS50Grad512(b *testing.B)       { benchTarget(b, mustMoS50(b), "Grad") }
func BenchmarkMoS50EnergyGrad512(b *testing.B) { benchTarget(b, mustMoS50(b), "EnergyGrad") }
func BenchmarkMoS50HVP512(b *testing.B)        { benchTarget(b, mustMoS50(b), "HVP") }
func BenchmarkGMM40Grad512(b *testing.B)       { benchTarget(b, mustGMM40(b), "Grad") }
func BenchmarkGMM40HVP512(b *testing.B)        { benchTarget(b, mustGMM40(b), "HVP") }

// TestConcurrentUse calls Energy, Grad and HVP of every target from several goroutines on
// disjoint parts of one batch (as the dynamics do) and compares with a serial call; run
// with -race to check for shared scratch.
func TestConcurrentUse(t *testing.T) {
	for _, name := range Names() {
		tg, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		d := tg.Dim()
		x, v := benchBatch(t, tg)
		x, v = x[:64*d], v[:64*d]
		n := len(x) / d
		e, g, hv := make([]float64, n), make([]float64, n*d), make([]float64, n*d)
		tg.Energy(x, e)
		tg.Grad(x, g)
		tg.HVP(x, v, hv)
		e2, g2, hv2 := make([]float64, n), make([]float64, n*d), make([]float64, n*d)
		var wg sync.WaitGroup
		const parts = 4
		for p := 0; p < parts; p++ {
			lo, hi := p*n/parts, (p+1)*n/parts
			wg.Add(1)
			go func() {
				defer wg.Done()
				tg.Energy(x[lo*d:hi*d], e2[lo:hi])
				tg.Grad(x[lo*d:hi*d], g2[lo*d:hi*d])
				tg.HVP(x[lo*d:hi*d], v[lo*d:hi*d], hv2[lo*d:hi*d])
			}()
		}
		wg.Wait()
		for i := range e {
			if e[i] != e2[i] {
				t.Fatalf("%s: concurrent energy %d differs", name, i)
			}
		}
		for i := range g {
			if g[i] != g2[i] || hv[i] != hv2[i] {
				t.Fatalf("%s: concurrent gradient or HVP %d differs", name, i)
			}
		}
	}
}
