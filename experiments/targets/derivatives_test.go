package targets

import (
	"math"
	"testing"
)

// derivCase is a target with test points (rows of pts) and the finite-difference step.
type derivCase struct {
	name string
	t    Target
	pts  [][]float64
	h    float64
}

// pairPoints returns points on the segment between the nearest two of the K centres
// (K×d row-major), at x = c_a + s(c_b − c_a) for each s, each shifted by a random vector
// orthogonal to c_b − c_a of norm ≈ jitter (which leaves the Gaussian log-odds unchanged).
func pairPoints(centres []float64, d int, ss []float64, jitter float64, seed uint64) [][]float64 {
	k := len(centres) / d
	rng := newRNG(seed)
	var pts [][]float64
	for a := 0; a < k && a < 4; a++ {
		// nearest other centre
		best, bestD := -1, math.Inf(1)
		for b := 0; b < k; b++ {
			if b == a {
				continue
			}
			s := 0.0
			for j := 0; j < d; j++ {
				z := centres[a*d+j] - centres[b*d+j]
				s += z * z
			}
			if s < bestD {
				best, bestD = b, s
			}
		}
		ca, cb := centres[a*d:(a+1)*d], centres[best*d:(best+1)*d]
		for _, s := range ss {
			w := make([]float64, d)
			dot := 0.0
			for j := range w {
				w[j] = rng.NormFloat64()
				dot += w[j] * (cb[j] - ca[j])
			}
			for j := range w { // project out the connecting direction
				w[j] -= dot / bestD * (cb[j] - ca[j])
			}
			norm := math.Sqrt(sumSq(w))
			x := make([]float64, d)
			for j := range x {
				x[j] = ca[j] + s*(cb[j]-ca[j]) + jitter*w[j]/norm
			}
			pts = append(pts, x)
		}
	}
	return pts
}

func sumSq(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s
}

func sampleRows(t Target, seed uint64, n int) [][]float64 {
	x := t.Sample(newRNG(seed), n)
	d := t.Dim()
	rows := make([][]float64, n)
	for b := range rows {
		rows[b] = x[b*d : (b+1)*d]
	}
	return rows
}

func derivCases(t *testing.T) []derivCase {
	gmm := mustGMM40(t)
	mos := mustMoS50(t)
	fun, err := NewFunnel(10, FunnelClip)
	if err != nil {
		t.Fatal(err)
	}
	mw, err := NewManyWell(5)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := NewGauss("gauss3", []float64{1, -2, 0.5}, []float64{0.25, 4, 1})
	if err != nil {
		t.Fatal(err)
	}

	// gmm40: the means are 162–288 apart, so responsibilities switch within ≈ 1/160 of
	// the bisector; s = 0.5 + δ/D (D = |μ_a − μ_b|²) puts the log-odds at 2δ.
	gmmPts := sampleRows(gmm, 1, 4)
	means := gmm.Means()
	for _, p := range pairPoints(means, 50, []float64{0.5}, 3, 2) {
		gmmPts = append(gmmPts, p)
	}
	// log-odds ±1 and 3 around the bisector of the first pair
	{
		d := 50
		a, b := means[0:d], nearestRow(means, d, 0)
		dd := 0.0
		for j := 0; j < d; j++ {
			dd += (b[j] - a[j]) * (b[j] - a[j])
		}
		for _, lo := range []float64{-1, 0.5, 3} {
			x := make([]float64, d)
			s := 0.5 + lo/dd
			for j := range x {
				x[j] = a[j] + s*(b[j]-a[j])
			}
			gmmPts = append(gmmPts, x)
		}
	}

	mosPts := sampleRows(mos, 3, 4)
	mosPts = append(mosPts, pairPoints(mos.Locations(), 50, []float64{0.3, 0.5, 0.7}, 2, 4)...)
	mosPts = append(mosPts, mosBisectorPoints(mos, []float64{-1.5, 0, 1.5})...)
	rng := newRNG(5)
	for i := 0; i < 3; i++ { // far out in the box, between everything
		x := make([]float64, 50)
		for j := range x {
			x[j] = 30 * (2*rng.Float64() - 1)
		}
		mosPts = append(mosPts, x)
	}

	funPts := sampleRows(fun, 6, 6)
	for _, x0 := range []float64{-6, -2, 0, 3, 6} {
		x := make([]float64, 10)
		x[0] = x0
		for j := 1; j < 10; j++ {
			x[j] = math.Exp(x0/2) * rng.NormFloat64()
		}
		funPts = append(funPts, x)
	}

	mwPts := sampleRows(mw, 7, 5)
	mwPts = append(mwPts, []float64{0, 0.01, -0.3, 1.2, -2.5}, []float64{2, -2, 2, -2, 0.7})

	return []derivCase{
		{"gmm40", gmm, gmmPts, 1e-4},
		{"mos50", mos, mosPts, 1e-3},
		{"funnel10", fun, funPts, 1e-4},
		{"manywell5", mw, mwPts, 1e-3},
		{"gauss3", gs, sampleRows(gs, 8, 5), 1e-3},
	}
}

func nearestRow(c []float64, d, a int) []float64 {
	k := len(c) / d
	best, bestD := -1, math.Inf(1)
	for b := 0; b < k; b++ {
		if b == a {
			continue
		}
		s := 0.0
		for j := 0; j < d; j++ {
			z := c[a*d+j] - c[b*d+j]
			s += z * z
		}
		if s < bestD {
			best, bestD = b, s
		}
	}
	return c[best*d : (best+1)*d]
}

// TestGradFiniteDifference compares Grad with a five-point central difference of Energy.
// Tolerance: max_j |FD_j − ∇E_j| ≤ 1e-6·max(1, max_j |∇E_j|) per point, i.e. 1e-6 relative
// to the gradient's scale. Points: exact samples (near modes), points on and near the
// bisectors between nearest modes (mixed responsibilities), far points and, for the
// many-well, the barrier.
func TestGradFiniteDifference(t *testing.T) {
	for _, c := range derivCases(t) {
		d := c.t.Dim()
		worst := 0.0
		for i, x := range c.pts {
			g := make([]float64, d)
			c.t.Grad(x, g)
			fd := fdGrad(c.t, x, c.h)
			scale := math.Max(1, maxAbs(g))
			err := maxAbsDiff(g, fd) / scale
			worst = math.Max(worst, err)
			if err > 1e-6 {
				t.Errorf("%s point %d: Grad vs FD relative error %.3g > 1e-6", c.name, i, err)
			}
		}
		t.Logf("%s: %d points, worst relative Grad error %.2g", c.name, len(c.pts), worst)
	}
}

// TestHVPFiniteDifference compares HVP with a five-point central difference of Grad along
// random directions v. Tolerance: 1e-6 relative to max(1, max_j |∇²E·v|_j) per point.
func TestHVPFiniteDifference(t *testing.T) {
	rng := newRNG(11)
	for _, c := range derivCases(t) {
		d := c.t.Dim()
		worst := 0.0
		for i, x := range c.pts {
			v := make([]float64, d)
			for j := range v {
				v[j] = rng.NormFloat64()
			}
			hv := make([]float64, d)
			c.t.HVP(x, v, hv)
			fd := fdHVP(c.t, x, v, c.h/math.Sqrt(float64(d)))
			scale := math.Max(1, maxAbs(hv))
			err := maxAbsDiff(hv, fd) / scale
			worst = math.Max(worst, err)
			if err > 1e-6 {
				t.Errorf("%s point %d: HVP vs FD relative error %.3g > 1e-6", c.name, i, err)
			}
		}
		t.Logf("%s: %d points, worst relative HVP error %.2g", c.name, len(c.pts), worst)
	}
}

// TestBatchConsistency checks that batched calls equal row-by-row calls, that EnergyGrad
// equals Energy and Grad, and that the mixed-responsibility points really are mixed.
func TestBatchConsistency(t *testing.T) {
	for _, c := range derivCases(t) {
		d := c.t.Dim()
		n := len(c.pts)
		x := make([]float64, 0, n*d)
		for _, p := range c.pts {
			x = append(x, p...)
		}
		v := make([]float64, n*d)
		for i := range v {
			v[i] = math.Sin(float64(i))
		}
		e, g, hv := make([]float64, n), make([]float64, n*d), make([]float64, n*d)
		c.t.Energy(x, e)
		c.t.Grad(x, g)
		c.t.HVP(x, v, hv)
		e2, g2 := make([]float64, n), make([]float64, n*d)
		c.t.(EnergyGrader).EnergyGrad(x, e2, g2)
		for b := 0; b < n; b++ {
			eb, gb, hb := make([]float64, 1), make([]float64, d), make([]float64, d)
			c.t.Energy(x[b*d:(b+1)*d], eb)
			c.t.Grad(x[b*d:(b+1)*d], gb)
			c.t.HVP(x[b*d:(b+1)*d], v[b*d:(b+1)*d], hb)
			if eb[0] != e[b] || e2[b] != e[b] {
				t.Errorf("%s row %d: energy batch %v, single %v, EnergyGrad %v", c.name, b, e[b], eb[0], e2[b])
			}
			for j := 0; j < d; j++ {
				if gb[j] != g[b*d+j] || g2[b*d+j] != g[b*d+j] || hb[j] != hv[b*d+j] {
					t.Fatalf("%s row %d coord %d: batch and single results differ", c.name, b, j)
				}
			}
		}
	}
	// The bisector points have responsibilities well inside (0, 1).
	cases := derivCases(t)
	for i, want := range []int{6, 12} {
		c := cases[i]
		k := c.t.(Moded).NModes()
		r := make([]float64, k)
		mixed := 0
		for _, p := range c.pts {
			switch m := c.t.(type) {
			case *GaussMixture:
				m.resp(p, r)
			case *StudentTMixture:
				m.resp(p, r)
			}
			for _, rk := range r {
				if rk > 0.01 && rk < 0.99 {
					mixed++
					break
				}
			}
		}
		if mixed < want {
			t.Errorf("%s: only %d test points have mixed responsibilities, want ≥ %d", c.name, mixed, want)
		}
	}
}

// mosBisectorPoints returns, for the first four locations ℓ_a and their nearest neighbours
// ℓ_b, the points x = ℓ_a + s(ℓ_b − ℓ_a) where the log-odds log p_a(x) − log p_b(x) of the
// two components equals each target value, found by bisection on s ∈ [0, 1].
func mosBisectorPoints(m *StudentTMixture, targets []float64) [][]float64 {
	d := m.Dim()
	locs := m.Locations()
	logDens := func(x, l []float64) float64 { // up to the shared constant
		s := 0.0
		for j := range x {
			z := x[j] - l[j]
			s -= 1.5 * math.Log(1+z*z/2)
		}
		return s
	}
	var pts [][]float64
	for a := 0; a < 4; a++ {
		la, lb := locs[a*d:(a+1)*d], nearestRow(locs, d, a)
		at := func(s float64) []float64 {
			x := make([]float64, d)
			for j := range x {
				x[j] = la[j] + s*(lb[j]-la[j])
			}
			return x
		}
		for _, target := range targets {
			lo, hi := 0.0, 1.0 // log-odds decreases from > 0 at s = 0 to < 0 at s = 1
			for it := 0; it < 60; it++ {
				mid := 0.5 * (lo + hi)
				x := at(mid)
				if logDens(x, la)-logDens(x, lb) > target {
					lo = mid
				} else {
					hi = mid
				}
			}
			pts = append(pts, at(0.5*(lo+hi)))
		}
	}
	return pts
}
