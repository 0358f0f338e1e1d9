package dynamics

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Calls counts per-sample evaluations of an Energy: one row of a batch is one call.
type Calls struct {
	Energy int64 `json:"energy"` // E(x) evaluations
	Grad   int64 `json:"grad"`   // ∇E(x) evaluations
	HVP    int64 `json:"hvp"`    // ∇²E(x)·v evaluations
}

// Sub returns c − o, the calls made between two readings.
func (c Calls) Sub(o Calls) Calls {
	return Calls{Energy: c.Energy - o.Energy, Grad: c.Grad - o.Grad, HVP: c.HVP - o.HVP}
}

// Meter wraps an Energy: it splits every batch over Workers goroutines (both cores by
// default) and counts the calls. It implements Energy itself and is safe for concurrent use.
type Meter struct {
	E       Energy
	Workers int // goroutines per batch; ≤ 0 means runtime.GOMAXPROCS(0)
	energy  atomic.Int64
	grad    atomic.Int64
	hvp     atomic.Int64
}

// NewMeter wraps e with call counters and parallel batch evaluation.
func NewMeter(e Energy) *Meter { return &Meter{E: e} }

// Dim is the dimension of the wrapped energy.
func (m *Meter) Dim() int { return m.E.Dim() }

// Calls returns the counts so far.
func (m *Meter) Calls() Calls {
	return Calls{Energy: m.energy.Load(), Grad: m.grad.Load(), HVP: m.hvp.Load()}
}

// Energy evaluates E row-wise in parallel; see Energy.Energy.
func (m *Meter) Energy(x, e []float64) {
	d := m.E.Dim()
	m.energy.Add(int64(len(e)))
	parallelRows(len(e), m.Workers, func(lo, hi int) { m.E.Energy(x[lo*d:hi*d], e[lo:hi]) })
}

// Grad evaluates ∇E row-wise in parallel; see Energy.Grad.
func (m *Meter) Grad(x, g []float64) {
	d := m.E.Dim()
	n := len(x) / d
	m.grad.Add(int64(n))
	parallelRows(n, m.Workers, func(lo, hi int) { m.E.Grad(x[lo*d:hi*d], g[lo*d:hi*d]) })
}

// HVP evaluates ∇²E·v row-wise in parallel; see Energy.HVP.
func (m *Meter) HVP(x, v, hv []float64) {
	d := m.E.Dim()
	n := len(x) / d
	m.hvp.Add(int64(n))
	parallelRows(n, m.Workers, func(lo, hi int) { m.E.HVP(x[lo*d:hi*d], v[lo*d:hi*d], hv[lo*d:hi*d]) })
}

// parallelRows calls fn on contiguous row ranges [lo, hi) covering [0, n), on up to
// workers goroutines (GOMAXPROCS when workers ≤ 0). Small batches run inline.
func parallelRows(n, workers int, fn func(lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 || n < 8 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, hi)
	}
	wg.Wait()
}
