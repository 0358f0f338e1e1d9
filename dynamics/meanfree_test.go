package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// spring is a translation-invariant test energy for particles in 3-D: E(x) = (c/2)|Px|², P the
// projection that removes the particles' centroid, so ∇E = cPx and ∇²E·v = cPv.
type spring struct {
	d int
	c float64
}

func (s spring) Dim() int { return s.d }

func (s spring) Energy(x, e []float64) {
	q := append([]float64(nil), x...)
	centroidFree(q, s.d)
	for b := range e {
		var sum float64
		for _, v := range q[b*s.d : (b+1)*s.d] {
			sum += v * v
		}
		e[b] = 0.5 * s.c * sum
	}
}

func (s spring) Grad(x, g []float64) {
	copy(g, x)
	centroidFree(g, s.d)
	for i := range g {
		g[i] *= s.c
	}
}

func (s spring) HVP(x, v, hv []float64) { s.Grad(v, hv) }

// maxCentroid is the largest |component of a row's centroid| over the rows of v.
func maxCentroid(v []float64, d int) float64 {
	var m float64
	for r := 0; r+d <= len(v); r += d {
		var c [3]float64
		for i := 0; i < d; i++ {
			c[i%3] += v[r+i] / float64(d/3)
		}
		for _, x := range c {
			m = max(m, math.Abs(x))
		}
	}
	return m
}

// TestMeanFree checks that with Config.MeanFree the prior stage, the Brownian bridge, the
// controlled roll-out (states and kept gradients), the terminal gradient and the adjoint stay
// centroid-free for a translation-invariant energy, whatever the controls output and wherever
// the prior mean is; and that without it they do not (so the check can fail).
func TestMeanFree(t *testing.T) {
	const d, B = 9, 16
	rng := rand.New(rand.NewPCG(7, 8))
	m := randn(rng, d, 2) // not centred: NewProcess must centre it
	for _, on := range []bool{true, false} {
		cfg := Config{PriorMean: m, PriorStd: 0.7, Steps: 20, Beta: "linear", Sigma: "geometric", SigmaMax: 1.5,
			SigmaMin: 0.5, PriorSteps: 8, MeanFree: on}
		p := newProc(t, spring{d: d, c: 2}, cfg)
		u := &linearControl{d: d, slope: 0.3, offset: 0.8} // outputs have a centroid
		v := &linearControl{d: d, slope: -0.2, offset: 0.5}
		y1, _, err := p.SampleY(B, v, rand.New(rand.NewPCG(1, 2)), true)
		if err != nil {
			t.Fatal(err)
		}
		path, err := p.Rollout(y1, u, rand.New(rand.NewPCG(3, 4)), RolloutOptions{Keep: true, LogW: true})
		if err != nil {
			t.Fatal(err)
		}
		A, _, err := p.Adjoint(path)
		if err != nil {
			t.Fatal(err)
		}
		gg := make([]float64, len(y1))
		if err := p.TerminalGrad(y1, u, gg); err != nil {
			t.Fatal(err)
		}
		s := make([]float64, B)
		for i := range s {
			s[i] = rng.Float64()
		}
		br := make([]float64, len(y1))
		p.Bridge(y1, s, rand.New(rand.NewPCG(5, 6)), br)
		worst := max(maxCentroid(p.M, d), maxCentroid(y1, d), maxCentroid(gg, d), maxCentroid(br, d), maxCentroid(path.Final, d))
		for k := range path.X {
			worst = max(worst, maxCentroid(path.X[k], d))
		}
		for k := range A {
			worst = max(worst, maxCentroid(A[k], d))
		}
		for _, lw := range path.LogW {
			if math.IsNaN(lw) || math.IsInf(lw, 0) {
				t.Fatalf("MeanFree %v: non-finite log-weight", on)
			}
		}
		if on && worst > 1e-12 {
			t.Errorf("MeanFree: a centroid component reached %g", worst)
		}
		if !on && worst < 1e-3 {
			t.Errorf("without MeanFree the centroids stayed at %g: the check cannot tell", worst)
		}
	}
	if _, err := NewProcess(spring{d: 4, c: 1}, Config{PriorStd: 1, Steps: 4, Beta: "linear", Sigma: "constant", SigmaMax: 1, PriorSteps: 2, MeanFree: true}); err == nil {
		t.Error("MeanFree accepted d = 4")
	}
}
