package graph

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/naas-go/naas/models"
	"gorgonia.org/tensor"
)

// TestNoLeakAcrossRebuilds builds, uses and drops 30 networks (training and two forward
// programs each, half of them never Closed) and requires the live heap to grow by less than
// 1 MiB between network 10 and network 30. A Read target inside the struct owning a VM (a
// finalizer cycle) leaks every graph: about 150 KiB per network here, 3 MiB over the 20
// (measured by planting that mistake).
func TestNoLeakAcrossRebuilds(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	cfg := tinyConfig(models.ArchFourierMLP, tensor.Float64)
	cfg.Spec.Width, cfg.Batch = 32, 16
	rng := rand.New(rand.NewPCG(1, 2))
	x, tt, y, w := batch(rng, 16, 3)
	var h10 uint64
	for i := 0; i < 30; i++ {
		if i == 10 {
			h10 = heap()
		}
		n, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Step(x, tt, y, w); err != nil {
			t.Fatal(err)
		}
		n.Apply(x, tt, make([]float64, len(x)))
		n.Apply(x[:3], tt[:1], make([]float64, 3))
		if i%2 == 0 {
			n.Close()
		}
	}
	h30 := heap()
	t.Logf("live heap after 10 networks %.2f MiB, after 30 %.2f MiB", float64(h10)/(1<<20), float64(h30)/(1<<20))
	if h30 > h10+1<<20 {
		t.Errorf("live heap grew from %d to %d bytes over 20 dropped networks", h10, h30)
	}
}

// TestConcurrentUse runs Apply from two goroutines (two batch sizes) while a third takes Steps;
// with -race this checks the locking. Every Apply must succeed.
func TestConcurrentUse(t *testing.T) {
	n := mustNew(t, tinyConfig(models.ArchMLP, tensor.Float32))
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for i := 0; i < 20; i++ {
				x, tt, y, w := batch(rng, 5, 3)
				var err error
				if g == 0 {
					_, err = n.Step(x, tt, y, w)
				} else {
					err = n.Apply(x[:3*(g+1)], tt[:g+1], make([]float64, 3*(g+1)))
				}
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", g, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n.Steps() != 20 {
		t.Errorf("Steps() = %d, want 20", n.Steps())
	}
}
