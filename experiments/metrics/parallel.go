package metrics

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelRows calls fn(lo, hi) for disjoint row blocks covering [0, n), using
// up to GOMAXPROCS goroutines that take blocks of `block` rows dynamically.
// fn must write only to per-row outputs; the caller reduces them in row order,
// which keeps results independent of the scheduling.
func parallelRows(n, block int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if block < 1 {
		block = 1
	}
	nb := (n + block - 1) / block
	workers := runtime.GOMAXPROCS(0)
	if workers > nb {
		workers = nb
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				lo := b * block
				hi := min(lo+block, n)
				fn(lo, hi)
			}
		}()
	}
	wg.Wait()
}
