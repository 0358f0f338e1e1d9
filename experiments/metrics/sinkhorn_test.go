package metrics

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

// kernelSinkhorn is an independent reference: plain (non-log) Sinkhorn on the
// kernel K = exp(−C/ε) with uniform weights, iterated to machine precision.
// It returns the primal entropic cost ⟨P,C⟩ + ε KL(P ‖ a⊗b) and ⟨P,C⟩.
func kernelSinkhorn(c []float64, n, m int, eps float64) (reg, lin float64) {
	k := make([]float64, n*m)
	for i := range k {
		k[i] = math.Exp(-c[i] / eps)
	}
	a, b := 1/float64(n), 1/float64(m)
	u, v := make([]float64, n), make([]float64, m)
	for i := range u {
		u[i] = 1
	}
	for it := 0; it < 200000; it++ {
		for j := 0; j < m; j++ {
			var s float64
			for i := 0; i < n; i++ {
				s += k[i*m+j] * u[i]
			}
			v[j] = b / s
		}
		var worst float64
		for i := 0; i < n; i++ {
			var s float64
			for j := 0; j < m; j++ {
				s += k[i*m+j] * v[j]
			}
			worst = math.Max(worst, math.Abs(u[i]*s-a)/a)
			u[i] = a / s
		}
		if worst < 1e-15 {
			break
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			p := u[i] * k[i*m+j] * v[j]
			if p > 0 {
				lin += p * c[i*m+j]
				reg += eps * p * math.Log(p/(a*b))
			}
		}
	}
	return reg + lin, lin
}

var tight = Sinkhorn{Tol: 1e-13, MaxIter: 100000}

// TestSinkhornVsKernel: the log-domain solver agrees with the independent
// kernel-domain Sinkhorn (primal objective) to 1e-8 relative on small sets
// (n = 7, m = 9, d = 3) at moderate ε = 0.1 and 0.5 × mean cost, for the
// regularised cost and the linear cost ⟨P,C⟩.
func TestSinkhornVsKernel(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		x := gaussCloud(seed, 7, 3, 0)
		y := gaussCloud(seed+50, 9, 3, 0.8)
		c, _ := SqDist(x, y, 3)
		for _, frac := range []float64{0.1, 0.5} {
			eps, _ := RelativeEpsilon(x, y, 3, frac)
			got, err := tight.OTCost(c, 7, 9, eps)
			if err != nil {
				t.Fatal(err)
			}
			reg, lin := kernelSinkhorn(c, 7, 9, eps)
			if math.Abs(got.RegCost-reg) > 1e-8*math.Abs(reg) || math.Abs(got.LinCost-lin) > 1e-8*lin {
				t.Fatalf("seed %d ε=%g: reg %.15g vs kernel %.15g, lin %.15g vs %.15g", seed, eps, got.RegCost, reg, got.LinCost, lin)
			}
			if got.Eps != eps || !got.Converged || got.MarginalErr >= 1e-13 {
				t.Fatalf("result metadata %+v", got)
			}
			// Points API gives the same.
			viaPts, err := tight.OT(x, y, 3, eps)
			if err != nil || viaPts.RegCost != got.RegCost {
				t.Fatalf("OT on points %v (%v) ≠ OTCost %v", viaPts.RegCost, err, got.RegCost)
			}
			// Symmetric solver vs kernel Sinkhorn on (x, x).
			cxx, _ := SqDist(x, x, 3)
			self, err := tight.OTCostSelf(cxx, 7, eps)
			if err != nil {
				t.Fatal(err)
			}
			sreg, slin := kernelSinkhorn(cxx, 7, 7, eps)
			if math.Abs(self.RegCost-sreg) > 1e-8*math.Abs(sreg) || math.Abs(self.LinCost-slin) > 1e-8*slin {
				t.Fatalf("self seed %d ε=%g: reg %.15g vs %.15g, lin %.15g vs %.15g", seed, eps, self.RegCost, sreg, self.LinCost, slin)
			}
		}
	}
}

// TestSinkhornEMDBounds: with the KL(P‖a⊗b) regulariser and uniform weights
// on n = m points, EMD ≤ OT_ε ≤ EMD + ε log n, with EMD from the exact
// assignment solver (an optimal plan of the balanced uniform problem is a
// permutation). Checked at ε = 0.01, 0.1, 1 × mean cost (Tol 1e−7); slack 1e−9·EMD.
func TestSinkhornEMDBounds(t *testing.T) {
	const n, d = 60, 4
	x := gaussCloud(3, n, d, 0)
	y := gaussCloud(4, n, d, 0.5)
	w, err := W2Exact(x, y, d)
	if err != nil {
		t.Fatal(err)
	}
	emd := w.W2Sq
	for _, frac := range []float64{0.01, 0.1, 1} {
		eps, _ := RelativeEpsilon(x, y, d, frac)
		r, err := (Sinkhorn{Tol: 1e-7, MaxIter: 500000}).OT(x, y, d, eps)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := emd, emd+eps*math.Log(n)
		if r.RegCost < lo-1e-9*emd || r.RegCost > hi+1e-9*emd {
			t.Fatalf("ε=%g: OT_ε = %v outside [EMD, EMD + ε log n] = [%v, %v]", eps, r.RegCost, lo, hi)
		}
		// ⟨P,C⟩ of any coupling is ≥ EMD.
		if r.LinCost < emd-1e-9*emd {
			t.Fatalf("ε=%g: ⟨P,C⟩ = %v < EMD = %v", eps, r.LinCost, emd)
		}
		t.Logf("ε=%8.4g  EMD %.6f  OT_ε %.6f  EMD+ε log n %.6f  iters %d", eps, emd, r.RegCost, hi, r.Iters)
	}
}

// TestSinkhornDivergenceProperties checks, on n = 150 points in d = 5:
//   - S_ε(x, x) = 0 (|S| ≤ 1e-9 × ε at Tol 1e-12);
//   - the exact translation identity S_ε(x, y + t) = S_ε(x, y) + |t|² − 2⟨x̄ − ȳ, t⟩
//     (the extra cost terms are separable and move into the potentials),
//     so S ≥ 0 grows with the shift; relative tolerance 1e-8;
//   - invariance to a common translation, S_ε(x + t, y + t) = S_ε(x, y), 1e-8 relative.
func TestSinkhornDivergenceProperties(t *testing.T) {
	const n, d = 150, 5
	x := gaussCloud(21, n, d, 0)
	y := gaussCloud(22, n, d, 0.2)
	eps, _ := RelativeEpsilon(x, y, d, 0.05)
	s := Sinkhorn{Tol: 1e-12, MaxIter: 100000}

	self, err := s.Divergence(x, x, d, eps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(self.Divergence) > 1e-9*eps {
		t.Fatalf("S(x, x) = %v, want 0", self.Divergence)
	}

	base, err := s.Divergence(x, y, d, eps)
	if err != nil {
		t.Fatal(err)
	}
	if base.Divergence < 0 {
		t.Fatalf("S(x, y) = %v < 0", base.Divergence)
	}
	mx, _ := meanAndSpread(x, n, d)
	my, _ := meanAndSpread(y, n, d)
	prev := base.Divergence
	for _, amp := range []float64{0.25, 0.5, 1, 2, 4} {
		tv := []float64{amp, -amp / 2, 0, amp / 3, 0.1}
		want := base.Divergence
		for k := 0; k < d; k++ {
			want += tv[k]*tv[k] - 2*(mx[k]-my[k])*tv[k]
		}
		ys := shifted(y, d, tv)
		got, err := s.Divergence(x, ys, d, eps)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Divergence-want) > 1e-8*want {
			t.Fatalf("shift %v: S = %.12g, translation identity gives %.12g", tv, got.Divergence, want)
		}
		if !(got.Divergence > prev) {
			t.Fatalf("S does not grow with the shift: %v after %v", got.Divergence, prev)
		}
		prev = got.Divergence

		both, err := s.Divergence(shifted(x, d, tv), ys, d, eps)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(both.Divergence-base.Divergence) > 1e-8*base.Divergence {
			t.Fatalf("common shift %v: S = %.12g, unshifted %.12g", tv, both.Divergence, base.Divergence)
		}
	}
}

func shifted(x []float64, d int, t []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + t[i%d]
	}
	return out
}

// TestSinkhornDefaultTolerance: at the protocol's settings (Tol 1e−4,
// relative ε 0.05) on a small clustered problem the divergence of a set with
// itself stays below 1e-4·ε and the result reports ε and convergence.
func TestSinkhornDefaultTolerance(t *testing.T) {
	x, _ := mixtureCloud(1, 200, 10, 5, 10)
	y, _ := mixtureCloud(2, 200, 10, 5, 10)
	eps, err := RelativeEpsilon(x, y, 10, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	r, err := SinkhornDivergence(x, y, 10, eps)
	if err != nil {
		t.Fatal(err)
	}
	if r.Eps != eps || r.XY.Eps != eps || !r.Converged || r.XY.MarginalErr >= 1e-4 || r.XX.MarginalErr >= 1e-4 {
		t.Fatalf("metadata %+v", r)
	}
	self, err := SinkhornDivergence(x, x, 10, eps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(self.Divergence) > 1e-4*eps {
		t.Fatalf("S(x,x) = %v at default tolerance (ε = %v)", self.Divergence, eps)
	}
	// Recombining cached parts gives the same number.
	c, err := CombineDivergence(r.XY, r.XX, r.YY)
	if err != nil || c.Divergence != r.Divergence {
		t.Fatalf("CombineDivergence %v (%v), want %v", c.Divergence, err, r.Divergence)
	}
	if _, err := CombineDivergence(r.XY, r.XX, self.XY); err != nil {
		t.Fatalf("same ε should combine: %v", err)
	}
	other := r.YY
	other.Eps *= 2
	if _, err := CombineDivergence(r.XY, r.XX, other); err == nil || !strings.Contains(err.Error(), "different ε") {
		t.Fatalf("want ε mismatch error, got %v", err)
	}
}

// TestSinkhornDeterministic: results are bitwise identical with 1 and 2 workers.
func TestSinkhornDeterministic(t *testing.T) {
	x, _ := mixtureCloud(3, 300, 6, 4, 8)
	y, _ := mixtureCloud(4, 300, 6, 4, 8)
	eps, _ := RelativeEpsilon(x, y, 6, 0.05)
	prev := runtime.GOMAXPROCS(1)
	r1, err1 := SinkhornDivergence(x, y, 6, eps)
	runtime.GOMAXPROCS(2)
	r2, err2 := SinkhornDivergence(x, y, 6, eps)
	runtime.GOMAXPROCS(prev)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if r1.Divergence != r2.Divergence || r1.XY.LinCost != r2.XY.LinCost || r1.XX.Iters != r2.XX.Iters {
		t.Fatalf("1 worker %+v\n2 workers %+v", r1, r2)
	}
}

// TestSinkhornNotConverged: with MaxIter 1 the solver reports ErrNotConverged
// and still fills the result.
func TestSinkhornNotConverged(t *testing.T) {
	x, _ := mixtureCloud(1, 100, 10, 5, 10)
	y, _ := mixtureCloud(2, 100, 10, 5, 10)
	eps, _ := RelativeEpsilon(x, y, 10, 0.05)
	r, err := (Sinkhorn{MaxIter: 1, Tol: 1e-12}).Divergence(x, y, 10, eps)
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("want ErrNotConverged, got %v", err)
	}
	if r.Converged || r.Eps != eps || r.XY.Iters == 0 || r.XY.MarginalErr < 1e-12 || math.IsNaN(r.Divergence) {
		t.Fatalf("result %+v", r)
	}
}

// TestSinkhornLogFallback: if the stabilised kernel underflows (here forced
// by starting from absurd potentials), the solver takes exact log-domain steps
// and reaches the same optimum (potentials are unique up to a constant that
// cancels in the dual objective): 1e-9 relative.
func TestSinkhornLogFallback(t *testing.T) {
	x := gaussCloud(8, 40, 3, 0)
	y := gaussCloud(9, 50, 3, 1)
	c, _ := SqDist(x, y, 3)
	eps, _ := RelativeEpsilon(x, y, 3, 0.05)
	opt, _ := tight.withDefaults()
	ref, _ := newOTState(c, 40, 50, false).solve(opt, eps)
	st := newOTState(c, 40, 50, false)
	st.f[3] = -1e6 // row 3 of the kernel underflows to 0 at every ε
	st.g[7] = -1e6
	got, err := st.solve(opt, eps)
	if err != nil {
		t.Fatal(err)
	}
	if st.logSteps == 0 {
		t.Fatal("the log-domain fallback was not exercised")
	}
	if !got.Converged || math.Abs(got.RegCost-ref.RegCost) > 1e-9*math.Abs(ref.RegCost) {
		t.Fatalf("fallback %+v, reference %+v", got, ref)
	}
	cxx, _ := SqDist(x, x, 3)
	sref, _ := newOTState(cxx, 40, 40, true).solve(opt, eps)
	ss := newOTState(cxx, 40, 40, true)
	ss.f[5] = -1e6
	sgot, err := ss.solve(opt, eps)
	if err != nil {
		t.Fatal(err)
	}
	if ss.logSteps == 0 {
		t.Fatal("the symmetric log-domain fallback was not exercised")
	}
	if !sgot.Converged || math.Abs(sgot.RegCost-sref.RegCost) > 1e-9*math.Abs(sref.RegCost) {
		t.Fatalf("symmetric fallback %+v, reference %+v", sgot, sref)
	}
}

// TestMeanSqDist: the closed form equals the direct double loop (1e-12 relative).
func TestMeanSqDist(t *testing.T) {
	x := gaussCloud(1, 37, 4, 0)
	y := gaussCloud(2, 23, 4, 3)
	c, _ := SqDist(x, y, 4)
	var want float64
	for _, v := range c {
		want += v
	}
	want /= float64(len(c))
	got, err := MeanSqDist(x, y, 4)
	if err != nil || math.Abs(got-want) > 1e-12*want {
		t.Fatalf("MeanSqDist = %v (%v), direct %v", got, err, want)
	}
	eps, err := RelativeEpsilon(x, y, 4, 0.05)
	if err != nil || math.Abs(eps-0.05*want) > 1e-12*want {
		t.Fatalf("RelativeEpsilon = %v (%v), want %v", eps, err, 0.05*want)
	}
	// A direct entry.
	if d := c[5*23+7]; math.Abs(d-sqDistRow(x[20:24], y[28:32])) != 0 {
		t.Fatalf("C[5,7] = %v", d)
	}
}

func TestSinkhornErrors(t *testing.T) {
	x := gaussCloud(1, 5, 2, 0)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"d=0", func() error { _, e := EntropicOT(x, x, 0, 1); return e }(), "d = 0"},
		{"len", func() error { _, e := EntropicOT(x[:9], x, 2, 1); return e }(), "len(x) = 9"},
		{"eps", func() error { _, e := EntropicOT(x, x, 2, -1); return e }(), "ε = -1"},
		{"nan", func() error {
			y := append([]float64(nil), x...)
			y[3] = math.NaN()
			_, e := EntropicOT(x, y, 2, 1)
			return e
		}(), "y[3] (point 1, coordinate 1) = NaN"},
		{"scaling", func() error { _, e := (Sinkhorn{Scaling: 1.5}).OT(x, x, 2, 1); return e }(), "Scaling = 1.5"},
		{"asym", func() error { _, e := tight.OTCostSelf([]float64{0, 1, 2, 0}, 2, 1); return e }(), "not symmetric"},
		{"relfrac", func() error { _, e := RelativeEpsilon(x, x, 2, 0); return e }(), "fraction 0"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, c.err, c.want)
		}
	}
}

// TestSinkhornTiny: one point against m points: the only coupling is
// P_1j = 1/m, so OT_ε = mean_j C_1j exactly (KL(P‖a⊗b) = 0), for any ε.
func TestSinkhornTiny(t *testing.T) {
	x := []float64{0.5, -1}
	y := []float64{0, 0, 1, 1, 2, -3}
	c, _ := SqDist(x, y, 2)
	want := (c[0] + c[1] + c[2]) / 3
	for _, eps := range []float64{1e-3, 1, 100} {
		r, err := EntropicOT(x, y, 2, eps)
		if err != nil || math.Abs(r.RegCost-want) > 1e-12*want || math.Abs(r.LinCost-want) > 1e-12*want {
			t.Fatalf("ε=%v: %+v (%v), want %v", eps, r, err, want)
		}
		s, err := EntropicOTSelf(x, 2, eps)
		if err != nil || math.Abs(s.RegCost) > 1e-12 {
			t.Fatalf("self ε=%v: %+v (%v)", eps, s, err)
		}
	}
}
