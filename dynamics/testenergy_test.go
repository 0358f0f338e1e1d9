package dynamics

import "math"

// wells is a test energy with curvature that varies in space:
// E(x) = Σ_i (x_i² − 1)² + ½ xᵀAx with a fixed symmetric coupling A (A_ij = c for i ≠ j).
type wells struct {
	d int
	c float64
}

func (w wells) Dim() int { return w.d }

func (w wells) Energy(x, e []float64) {
	d := w.d
	for b := range e {
		r := x[b*d : (b+1)*d]
		var s, sum float64
		for _, v := range r {
			s += (v*v - 1) * (v*v - 1)
			sum += v
		}
		var q float64
		for _, v := range r {
			q += v * v
		}
		// ½ xᵀAx with A = c(11ᵀ − I): ½ c (sum² − |x|²)
		e[b] = s + 0.5*w.c*(sum*sum-q)
	}
}

func (w wells) Grad(x, g []float64) {
	d := w.d
	for b := 0; b < len(x)/d; b++ {
		r := x[b*d : (b+1)*d]
		var sum float64
		for _, v := range r {
			sum += v
		}
		for i, v := range r {
			g[b*d+i] = 4*v*(v*v-1) + w.c*(sum-v)
		}
	}
}

func (w wells) HVP(x, v, hv []float64) {
	d := w.d
	for b := 0; b < len(x)/d; b++ {
		r, vr := x[b*d:(b+1)*d], v[b*d:(b+1)*d]
		var sum float64
		for _, a := range vr {
			sum += a
		}
		for i, xi := range r {
			hv[b*d+i] = (12*xi*xi-4)*vr[i] + w.c*(sum-vr[i])
		}
	}
}

// gauss is the normalised isotropic Gaussian E(x) = |x − μ|²/(2τ²) + (d/2) log(2πτ²), log Z = 0.
type gauss struct {
	mu  []float64
	tau float64
}

func (g gauss) Dim() int { return len(g.mu) }

func (g gauss) Energy(x, e []float64) {
	d := len(g.mu)
	c := 0.5 * float64(d) * math.Log(2*math.Pi*g.tau*g.tau)
	for b := range e {
		var r2 float64
		for i, m := range g.mu {
			z := x[b*d+i] - m
			r2 += z * z
		}
		e[b] = r2/(2*g.tau*g.tau) + c
	}
}

func (g gauss) Grad(x, out []float64) {
	d := len(g.mu)
	for j := range x {
		out[j] = (x[j] - g.mu[j%d]) / (g.tau * g.tau)
	}
}

func (g gauss) HVP(x, v, out []float64) {
	for j := range v {
		out[j] = v[j] / (g.tau * g.tau)
	}
}

// linearControl is c(x, t) = A_t (x − center) + offset with A_t = slope·(1 + t): a smooth
// test control.
type linearControl struct {
	d              int
	slope, offset  float64
	center         []float64
	calls, rowsSum int
}

func (l *linearControl) Apply(x, t, out []float64) error {
	l.calls++
	l.rowsSum += len(t)
	for b, tb := range t {
		for i := 0; i < l.d; i++ {
			c := 0.0
			if l.center != nil {
				c = l.center[i]
			}
			out[b*l.d+i] = l.slope*(1+tb)*(x[b*l.d+i]-c) + l.offset
		}
	}
	return nil
}
