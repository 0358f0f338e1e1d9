package metrics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// ErrNotConverged is returned (wrapped, together with a fully filled result)
// when Sinkhorn iterations stop at MaxIter before the marginal violation
// reaches Tol. The result is then the last iterate: usable, but less accurate
// than requested. Test with errors.Is.
var ErrNotConverged = errors.New("sinkhorn did not converge")

// Sinkhorn configures the log-domain Sinkhorn solver for entropic optimal
// transport between uniform weights a = 1/n, b = 1/m. The zero value gives
// the defaults.
//
// The solver uses ε-scaling: the first stage runs at max(max C, ε)·Scaling
// (floored at ε), and each further stage multiplies the stage ε by Scaling
// (floored at ε) after StageIter iterations. Once the stage ε equals ε it
// iterates until the L1 marginal violation
// Σ_i |P1 − a|_i + Σ_j |Pᵀ1 − b|_j is below Tol or MaxIter iterations at the
// final ε have been made. One iteration is one update of each potential.
//
// The potentials are kept in the log domain; the iterations themselves run on
// a kernel stabilised by the current potentials (absorption, see the comment
// on absorbLog in sinkhorn.go), which is numerically equivalent to the
// log-sum-exp updates but costs a dot product per entry instead of an
// exponential. Any ε > 0 works: small ε only costs iterations.
type Sinkhorn struct {
	Tol       float64 // L1 marginal violation to reach (dimensionless, total mass 1); 0 means 1e-4
	MaxIter   int     // iterations allowed at the final ε; 0 means 5000
	Scaling   float64 // ε multiplier per stage, in (0, 1); 0 means 0.7
	StageIter int     // iterations per intermediate ε stage; 0 means 3
}

func (s Sinkhorn) withDefaults() (Sinkhorn, error) {
	if s.Tol == 0 {
		s.Tol = 1e-4
	}
	if s.MaxIter == 0 {
		s.MaxIter = 5000
	}
	if s.Scaling == 0 {
		s.Scaling = 0.7
	}
	if s.StageIter == 0 {
		s.StageIter = 3
	}
	switch {
	case !(s.Tol > 0) || math.IsInf(s.Tol, 0):
		return s, fmt.Errorf("metrics: Sinkhorn.Tol = %v, want a finite value > 0", s.Tol)
	case s.MaxIter < 1:
		return s, fmt.Errorf("metrics: Sinkhorn.MaxIter = %d, want ≥ 1", s.MaxIter)
	case !(s.Scaling > 0 && s.Scaling < 1):
		return s, fmt.Errorf("metrics: Sinkhorn.Scaling = %v, want a value in (0, 1)", s.Scaling)
	case s.StageIter < 1:
		return s, fmt.Errorf("metrics: Sinkhorn.StageIter = %d, want ≥ 1", s.StageIter)
	}
	return s, nil
}

// OTResult is the outcome of one entropic OT problem between uniform weights.
// All costs are in units of the cost matrix (squared distance for point sets).
type OTResult struct {
	// RegCost is the entropic OT cost OT_ε = min_P ⟨P,C⟩ + ε KL(P ‖ a⊗b),
	// evaluated as ott-jax's reg_ot_cost: the dual objective
	// ⟨a,f⟩ + ⟨b,g⟩ + ε(1 − Σ_ij P_ij) at the final potentials. The last term
	// vanishes at convergence (and is exactly 0 up to rounding for the
	// asymmetric solver, whose last update fixes the column marginal).
	RegCost float64
	// LinCost is the transport cost ⟨P,C⟩ of the final plan
	// P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε).
	LinCost float64
	// MarginalErr is the L1 marginal violation of the final plan.
	MarginalErr float64
	// Iters counts all iterations, ε-scaling stages included.
	Iters int
	// Eps is the absolute ε used (units of the cost).
	Eps float64
	// Converged reports MarginalErr < Tol.
	Converged bool
}

// DivergenceResult is a Sinkhorn divergence with its three parts.
type DivergenceResult struct {
	// Divergence is S_ε(x,y) = OT_ε(x,y) − ½OT_ε(x,x) − ½OT_ε(y,y) in units of
	// squared distance (it is a squared-distance-like quantity, not its root).
	Divergence float64
	Eps        float64  // absolute ε used, squared-distance units
	XY         OTResult // OT_ε(x, y)
	XX         OTResult // OT_ε(x, x), symmetric solver
	YY         OTResult // OT_ε(y, y), symmetric solver
	Converged  bool     // all three parts converged
}

// EntropicOT returns OT_ε between the uniform empirical measures on the n
// points of x and the m points of y (flat row-major, dimension d) with
// squared-Euclidean cost and absolute ε (units: squared distance), using the
// default Sinkhorn settings.
func EntropicOT(x, y []float64, d int, eps float64) (OTResult, error) {
	return Sinkhorn{}.OT(x, y, d, eps)
}

// EntropicOTSelf returns OT_ε(x, x) with the symmetric solver, default settings.
func EntropicOTSelf(x []float64, d int, eps float64) (OTResult, error) {
	return Sinkhorn{}.OTSelf(x, d, eps)
}

// SinkhornDivergence returns S_ε(x, y) = OT_ε(x,y) − ½OT_ε(x,x) − ½OT_ε(y,y)
// with squared-Euclidean cost and absolute ε (units: squared distance; see
// [RelativeEpsilon]), using the default Sinkhorn settings.
func SinkhornDivergence(x, y []float64, d int, eps float64) (DivergenceResult, error) {
	return Sinkhorn{}.Divergence(x, y, d, eps)
}

// OT returns OT_ε(x, y); see [EntropicOT].
func (s Sinkhorn) OT(x, y []float64, d int, eps float64) (OTResult, error) {
	n, err := checkPoints("x", x, d)
	if err != nil {
		return OTResult{}, err
	}
	m, err := checkPoints("y", y, d)
	if err != nil {
		return OTResult{}, err
	}
	c := sqDist(x, y, n, m, d)
	return s.OTCost(c, n, m, eps)
}

// OTSelf returns OT_ε(x, x) computed with the symmetric solver; see [Sinkhorn.OTCostSelf].
func (s Sinkhorn) OTSelf(x []float64, d int, eps float64) (OTResult, error) {
	n, err := checkPoints("x", x, d)
	if err != nil {
		return OTResult{}, err
	}
	c := sqDist(x, x, n, n, d)
	return s.OTCostSelf(c, n, eps)
}

// Divergence returns the Sinkhorn divergence S_ε(x, y); see [SinkhornDivergence].
// The result is filled even when an error wrapping [ErrNotConverged] is returned.
func (s Sinkhorn) Divergence(x, y []float64, d int, eps float64) (DivergenceResult, error) {
	if _, err := checkPoints("x", x, d); err != nil {
		return DivergenceResult{}, err
	}
	if _, err := checkPoints("y", y, d); err != nil {
		return DivergenceResult{}, err
	}
	xy, errXY := s.OT(x, y, d, eps)
	if errXY != nil && !errors.Is(errXY, ErrNotConverged) {
		return DivergenceResult{}, errXY
	}
	xx, errXX := s.OTSelf(x, d, eps)
	if errXX != nil && !errors.Is(errXX, ErrNotConverged) {
		return DivergenceResult{}, errXX
	}
	yy, errYY := s.OTSelf(y, d, eps)
	if errYY != nil && !errors.Is(errYY, ErrNotConverged) {
		return DivergenceResult{}, errYY
	}
	return CombineDivergence(xy, xx, yy)
}

// CombineDivergence assembles S_ε = xy − ½xx − ½yy from separately computed
// parts, for example to reuse the self term of an exact sample set across
// methods. All three must share the same ε. If a part did not converge the
// result is returned with an error wrapping [ErrNotConverged].
func CombineDivergence(xy, xx, yy OTResult) (DivergenceResult, error) {
	if xy.Eps != xx.Eps || xy.Eps != yy.Eps {
		return DivergenceResult{}, fmt.Errorf("metrics: divergence parts use different ε: xy %v, xx %v, yy %v", xy.Eps, xx.Eps, yy.Eps)
	}
	r := DivergenceResult{
		Divergence: xy.RegCost - 0.5*xx.RegCost - 0.5*yy.RegCost,
		Eps:        xy.Eps,
		XY:         xy, XX: xx, YY: yy,
		Converged: xy.Converged && xx.Converged && yy.Converged,
	}
	if !r.Converged {
		return r, fmt.Errorf("metrics: Sinkhorn divergence: %w (marginal errors xy %.3g, xx %.3g, yy %.3g)",
			ErrNotConverged, xy.MarginalErr, xx.MarginalErr, yy.MarginalErr)
	}
	return r, nil
}

func checkCost(c []float64, n, m int, eps float64) error {
	if n < 1 || m < 1 {
		return fmt.Errorf("metrics: cost matrix shape %d×%d, want both ≥ 1", n, m)
	}
	if len(c) != n*m {
		return fmt.Errorf("metrics: len(C) = %d, want n·m = %d·%d = %d", len(c), n, m, n*m)
	}
	if !(eps > 0) || math.IsInf(eps, 0) {
		return fmt.Errorf("metrics: ε = %v, want a finite value > 0", eps)
	}
	for k, v := range c {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("metrics: C[%d] (row %d, column %d) = %v is not finite", k, k/m, k%m, v)
		}
	}
	return nil
}

// The solver keeps the dual potentials f, g in the log domain and runs the
// Sinkhorn iterations on scalings u, v against the stabilised kernel
// K̃_ij = exp((f_i + g_j − C_ij)/ε) ("absorption", Schmitzer 2019): the
// current potentials are f + ε log u and g + ε log v, and the plan is
// P_ij = a_i b_j K̃_ij u_i v_j. Whenever ε changes or a scaling leaves
// [e^−absorbLog, e^absorbLog], the scalings are folded into the potentials and
// K̃ is rebuilt, so every iterate equals the log-domain iterate up to rounding
// while the inner loop costs dot products instead of exponentials. If a
// kernel sum ever underflows, one exact log-sum-exp step is taken instead.
const absorbLog = 30

const (
	absorbHi = 10686474581524.463 // e^absorbLog
	absorbLo = 1 / absorbHi
)

// lseCut: terms with (s_j − max)/ε below −lseCut are skipped in log-sum-exp;
// e^{−60} ≈ 9e−27, so even 10⁸ such terms change the sum (≥ 1) by < 1e−18.
const lseCut = 60

// otState is the working state of one Sinkhorn solve.
type otState struct {
	c      []float64 // n×m cost, row-major
	n, m   int
	sym    bool      // symmetric solver (g ≡ f, kt unused)
	k, kt  []float64 // stabilised kernel and its transpose
	f, g   []float64 // absorbed potentials
	u, v   []float64 // scalings
	unew   []float64
	eps    float64 // current ε of the stage
	errL1  float64 // L1 marginal violation of the current plan (u, v)
	mass   float64 // total mass of the current plan
	tmp    []float64
	tmpCol []float64
	// logSteps counts exact log-domain fallback steps (diagnostics, tests).
	logSteps int
}

func newOTState(c []float64, n, m int, sym bool) *otState {
	s := &otState{c: c, n: n, m: m, sym: sym,
		k: make([]float64, n*m),
		f: make([]float64, n), u: ones(n), unew: make([]float64, n), tmp: make([]float64, n),
	}
	if sym {
		s.g, s.v = s.f, s.u
	} else {
		s.kt = make([]float64, n*m)
		s.g, s.v = make([]float64, m), ones(m)
		s.tmpCol = make([]float64, m)
	}
	return s
}

func ones(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

// fold moves the scalings into the potentials at the current ε.
func (s *otState) fold() {
	for i, ui := range s.u {
		s.f[i] += s.eps * math.Log(ui)
		s.u[i] = 1
	}
	if !s.sym {
		for j, vj := range s.v {
			s.g[j] += s.eps * math.Log(vj)
			s.v[j] = 1
		}
	}
}

// rebuild recomputes the stabilised kernel from f, g at the current ε.
func (s *otState) rebuild() {
	n, m, inv := s.n, s.m, 1/s.eps
	parallelRows(n, 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fi := s.f[i]
			row := s.c[i*m : (i+1)*m]
			kr := s.k[i*m : (i+1)*m]
			g := s.g[:m]
			for j, cij := range row {
				kr[j] = expFast(((fi + g[j]) - cij) * inv)
			}
		}
	})
	if !s.sym {
		transposeInto(s.kt, s.k, n, m)
	}
}

// kernelMeans sets out_i = 1 / ((1/cols) Σ_j K_ij x_j) for the rows of the
// rows×cols matrix k and reports whether every result is finite and > 0.
func kernelMeans(k []float64, rows, cols int, x, out []float64) bool {
	parallelRows(rows, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = float64(cols) / floats.Dot(k[i*cols:(i+1)*cols], x)
		}
	})
	for _, v := range out {
		if !(v > 0) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// step makes one Sinkhorn iteration on the scalings. On success the current
// plan's marginal error and mass are in errL1 and mass and the updated row
// scaling is in unew (not yet applied). It returns false if a kernel sum
// under- or overflowed, leaving u, v unchanged.
func (s *otState) step() bool {
	if s.sym {
		// t = T(u): t_i = 1/((1/n) Σ_j K_ij u_j); row sums of P(u, u) are a_i u_i / t_i.
		if !kernelMeans(s.k, s.n, s.n, s.u, s.unew) {
			return false
		}
		var e, mass float64
		for i, ui := range s.u {
			r := ui / s.unew[i]
			mass += r
			e += math.Abs(r - 1)
		}
		s.errL1 = 2 * e / float64(s.n)
		s.mass = mass / float64(s.n)
		return true
	}
	copy(s.tmpCol, s.v)
	if !kernelMeans(s.kt, s.m, s.n, s.u, s.v) { // column marginals now exact
		copy(s.v, s.tmpCol)
		return false
	}
	if !kernelMeans(s.k, s.n, s.m, s.v, s.unew) {
		copy(s.v, s.tmpCol)
		return false
	}
	// Row sums of P(u, v) are a_i u_i / unew_i.
	var e, mass float64
	for i, ui := range s.u {
		r := ui / s.unew[i]
		mass += r
		e += math.Abs(r - 1)
	}
	s.errL1 = e / float64(s.n)
	s.mass = mass / float64(s.n)
	return true
}

// apply accepts unew and folds the scalings into the potentials if they grew.
func (s *otState) apply() {
	big := false
	if s.sym {
		for i, ui := range s.u {
			s.u[i] = math.Sqrt(ui * s.unew[i]) // f ← ½(f + T(f))
			big = big || s.u[i] > absorbHi || s.u[i] < absorbLo
		}
	} else {
		for i, x := range s.unew {
			s.u[i] = x
			big = big || x > absorbHi || x < absorbLo
		}
		for _, x := range s.v {
			big = big || x > absorbHi || x < absorbLo
		}
	}
	if big {
		s.fold()
		s.rebuild()
	}
}

// logStep replaces one iteration by exact log-domain updates of the
// potentials (used only if a kernel sum under- or overflowed), then rebuilds.
func (s *otState) logStep() {
	s.logSteps++
	s.fold()
	if s.sym {
		// A full step f ← T(f), not the averaged one: it repairs every
		// potential at once (T(f)_i does not depend on f_i's own size).
		softminRows(s.c, s.n, s.n, s.f, s.eps, s.eps*math.Log(float64(s.n)), s.tmp)
		copy(s.f, s.tmp)
	} else {
		softminCols(s.c, s.n, s.m, s.f, s.eps, s.eps*math.Log(float64(s.n)), s.g)
		softminRows(s.c, s.n, s.m, s.g, s.eps, s.eps*math.Log(float64(s.m)), s.f)
	}
	s.rebuild()
}

// solve runs ε-scaling and the final iterations, returning the result.
func (s *otState) solve(opt Sinkhorn, eps float64) (OTResult, error) {
	cmax := maxOf(s.c)
	e := math.Max(cmax, eps)
	it := 0
	converged := false
	for {
		e = math.Max(e*opt.Scaling, eps)
		s.fold()
		s.eps = e
		s.rebuild()
		last := e == eps
		stage := opt.StageIter
		if last {
			stage = opt.MaxIter
		}
		for k := 0; k < stage; k++ {
			it++
			ok := s.step()
			for tries := 0; !ok && tries < 3; tries++ {
				s.logStep()
				ok = s.step()
			}
			if !ok {
				// Not expected after rebuilding from log-domain potentials.
				return OTResult{Eps: eps, Iters: it}, fmt.Errorf("metrics: Sinkhorn kernel sums under- or overflow at ε = %g even after log-domain steps", e)
			}
			if last && (s.errL1 < opt.Tol || k == stage-1) {
				converged = s.errL1 < opt.Tol
				break // keep (u, v), whose marginal error is errL1
			}
			s.apply()
		}
		if last {
			break
		}
	}
	// Final potentials f + ε log u, g + ε log v.
	var fa, gb float64
	for i, fi := range s.f {
		fa += fi + e*math.Log(s.u[i])
	}
	for j, gj := range s.g {
		gb += gj + e*math.Log(s.v[j])
	}
	res := OTResult{
		RegCost:     fa/float64(s.n) + gb/float64(s.m) + e*(1-s.mass),
		LinCost:     s.linearCost(),
		MarginalErr: s.errL1,
		Iters:       it,
		Eps:         eps,
		Converged:   converged,
	}
	if !converged {
		kind := "entropic OT"
		if s.sym {
			kind = "symmetric entropic OT"
		}
		return res, fmt.Errorf("metrics: %s %d×%d at ε = %g: %w after %d iterations (marginal error %.3g ≥ tol %g)",
			kind, s.n, s.m, eps, ErrNotConverged, res.Iters, res.MarginalErr, opt.Tol)
	}
	return res, nil
}

// linearCost returns ⟨P, C⟩ for P_ij = K̃_ij u_i v_j /(n m).
func (s *otState) linearCost() float64 {
	n, m := s.n, s.m
	rows := make([]float64, n)
	parallelRows(n, 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			kr := s.k[i*m : (i+1)*m]
			cr := s.c[i*m : (i+1)*m]
			v := s.v[:m]
			var acc float64
			for j, kij := range kr {
				acc += kij * v[j] * cr[j]
			}
			rows[i] = acc * s.u[i]
		}
	})
	var t float64
	for _, r := range rows {
		t += r
	}
	return t / (float64(n) * float64(m))
}

// OTCost solves entropic OT for an n×m row-major cost matrix C (any units;
// the results are in the same units) between uniform weights a = 1/n and
// b = 1/m, with absolute ε in the units of C. The result is filled even when
// an error wrapping [ErrNotConverged] is returned.
func (s Sinkhorn) OTCost(c []float64, n, m int, eps float64) (OTResult, error) {
	s, err := s.withDefaults()
	if err != nil {
		return OTResult{}, err
	}
	if err := checkCost(c, n, m, eps); err != nil {
		return OTResult{}, err
	}
	return newOTState(c, n, m, false).solve(s, eps)
}

// OTCostSelf solves entropic OT between the uniform measure on n points and
// itself for a symmetric n×n cost matrix C, using the averaged update
// f ← ½(f + T(f)) of the symmetric Sinkhorn iteration (g = f throughout), as
// used for the self terms of the Sinkhorn divergence. The result is filled
// even when an error wrapping [ErrNotConverged] is returned.
func (s Sinkhorn) OTCostSelf(c []float64, n int, eps float64) (OTResult, error) {
	s, err := s.withDefaults()
	if err != nil {
		return OTResult{}, err
	}
	if err := checkCost(c, n, n, eps); err != nil {
		return OTResult{}, err
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			if c[i*n+j] != c[j*n+i] {
				return OTResult{}, fmt.Errorf("metrics: self-OT cost matrix is not symmetric: C[%d,%d] = %v, C[%d,%d] = %v",
					i, j, c[i*n+j], j, i, c[j*n+i])
			}
		}
	}
	return newOTState(c, n, n, true).solve(s, eps)
}

// softminRows sets out_i = −ε log Σ_j exp((h_j − C_ij)/ε) + shift for the
// rows of the r×c row-major matrix cm: the log-domain Sinkhorn update with
// uniform weights when shift = ε log c.
func softminRows(cm []float64, r, c int, h []float64, eps, shift float64, out []float64) {
	inv := 1 / eps
	parallelRows(r, 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := cm[i*c : (i+1)*c]
			hh := h[:len(row)]
			mx := math.Inf(-1)
			for j, cij := range row {
				if s := hh[j] - cij; s > mx {
					mx = s
				}
			}
			thr := mx - lseCut*eps
			var sum float64
			for j, cij := range row {
				if s := hh[j] - cij; s > thr {
					sum += expFast((s - mx) * inv)
				}
			}
			out[i] = -(mx + eps*math.Log(sum)) + shift
		}
	})
}

// softminCols is softminRows for the columns of the r×c matrix cm:
// out_j = −ε log Σ_i exp((h_i − C_ij)/ε) + shift.
func softminCols(cm []float64, r, c int, h []float64, eps, shift float64, out []float64) {
	inv := 1 / eps
	const bs = 64
	parallelRows((c+bs-1)/bs, 1, func(lo, hi int) {
		mx := make([]float64, bs)
		sum := make([]float64, bs)
		for b := lo; b < hi; b++ {
			j0, j1 := b*bs, min((b+1)*bs, c)
			w := j1 - j0
			for t := 0; t < w; t++ {
				mx[t], sum[t] = math.Inf(-1), 0
			}
			for i := 0; i < r; i++ {
				seg := cm[i*c+j0 : i*c+j1]
				for t, cij := range seg {
					if s := h[i] - cij; s > mx[t] {
						mx[t] = s
					}
				}
			}
			for i := 0; i < r; i++ {
				seg := cm[i*c+j0 : i*c+j1]
				for t, cij := range seg {
					if s := h[i] - cij; s > mx[t]-lseCut*eps {
						sum[t] += expFast((s - mx[t]) * inv)
					}
				}
			}
			for t := 0; t < w; t++ {
				out[j0+t] = -(mx[t] + eps*math.Log(sum[t])) + shift
			}
		}
	})
}

func maxOf(c []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range c {
		if v > mx {
			mx = v
		}
	}
	return mx
}
