package dynamics

import (
	"fmt"
	"math"
)

// Config describes the annealed reference process of naas.md §2 and the prior stage of §5.
type Config struct {
	// PriorMean is m, the centre of the prior p₀ = N(m, s²I) (len d); nil means the origin.
	PriorMean []float64 `json:"prior_mean,omitempty"`
	// PriorStd is s > 0, the prior standard deviation (units of x).
	PriorStd float64 `json:"prior_std"`
	// Steps is K, the number of Euler steps on [0, 1] (K+1 grid points).
	Steps int `json:"steps"`
	// Beta names the annealing schedule β_t (see BetaNames).
	Beta string `json:"beta"`
	// Sigma names the diffusion schedule σ_t (see SigmaNames); SigmaMax is σ at t = 0 (the
	// value of the constant schedule), SigmaMin at t = 1.
	Sigma    string  `json:"sigma"`
	SigmaMax float64 `json:"sigma_max"`
	SigmaMin float64 `json:"sigma_min"`
	// PriorSigma is σ̃ of the prior-stage process dY = σ̃² v ds + σ̃ dW from Y₀ = m; 0 means
	// σ̃ = s, so that the uncontrolled sampler starts exactly from p₀ (naas.md §5 choice).
	PriorSigma float64 `json:"prior_sigma"`
	// PriorSteps is the number of Euler steps of the prior stage on [0, 1].
	PriorSteps int `json:"prior_steps"`
	// GradClip caps |∇E| per sample (0 = off), applied consistently in the drift and in the
	// Hessian–vector products of the adjoint.
	GradClip float64 `json:"grad_clip"`
	// AdjointClip caps |a_k| per path inside the adjoint recursion (0 = off; naas.md §6 guard).
	AdjointClip float64 `json:"adjoint_clip"`
	// ControlFrom is t₀ ∈ [0, 1): the control u acts only on grid times t_k ≥ t₀ and the AM
	// buffer only receives those times (0: everywhere, the method as specified). A study knob
	// for naas.md §9's observation that u is harmful at early, large-σ times.
	ControlFrom float64 `json:"control_from,omitempty"`
	// MeanFree treats x as d/3 particles in 3-D and keeps their centroid fixed at the prior
	// mean's: the noise of both stages and of the Brownian bridge and the outputs of u and v
	// are projected onto the centroid-free subspace (per path, the mean over particles of each
	// Cartesian component is subtracted), and m is centred. For energies invariant under
	// translation (∇E is then centroid-free) the states stay centroid-free, the adjoint too,
	// and the path log-weights are those of the process on that subspace (up to a constant).
	// Needs d divisible by 3. false: all d coordinates move freely.
	MeanFree bool `json:"mean_free,omitempty"`
}

// FirstControlled is the first grid index k with t_k ≥ ControlFrom.
func (p *Process) FirstControlled() int {
	return int(math.Ceil(p.Cfg.ControlFrom*float64(p.Grid.K) - 1e-9))
}

// Process is a configured annealed reference for one Energy: the schedules on the grid,
// the prior, and the drift b_t(x) = −(σ_t²/2) ∇U_t(x) with U_t = (1 − β_t) U₀ + β_t E.
// A Process holds no random state and is safe for concurrent use.
type Process struct {
	E    *Meter
	Cfg  Config
	Grid *Grid
	D    int       // dimension d
	M    []float64 // prior mean m (len d)
	S    float64   // prior std s
	SV   float64   // prior-stage σ̃
}

// NewProcess validates cfg against e and builds the process. The energy is wrapped in a
// Meter (parallel batches and call counters) unless it already is one.
func NewProcess(e Energy, cfg Config) (*Process, error) {
	d := e.Dim()
	if d < 1 {
		return nil, fmt.Errorf("energy dimension %d: must be at least 1", d)
	}
	if !(cfg.PriorStd > 0) || math.IsInf(cfg.PriorStd, 0) {
		return nil, fmt.Errorf("prior std s = %v: must be positive and finite", cfg.PriorStd)
	}
	if cfg.PriorMean != nil && len(cfg.PriorMean) != d {
		return nil, fmt.Errorf("prior mean has length %d; the energy has dimension %d", len(cfg.PriorMean), d)
	}
	if cfg.PriorSteps < 1 {
		return nil, fmt.Errorf("prior steps = %d: must be at least 1", cfg.PriorSteps)
	}
	if cfg.PriorSigma < 0 || math.IsNaN(cfg.PriorSigma) || math.IsInf(cfg.PriorSigma, 0) {
		return nil, fmt.Errorf("prior sigma = %v: must be finite and ≥ 0 (0 means s)", cfg.PriorSigma)
	}
	if cfg.GradClip < 0 || math.IsNaN(cfg.GradClip) {
		return nil, fmt.Errorf("grad clip = %v: must be ≥ 0 (0 = off)", cfg.GradClip)
	}
	if cfg.AdjointClip < 0 || math.IsNaN(cfg.AdjointClip) {
		return nil, fmt.Errorf("adjoint clip = %v: must be ≥ 0 (0 = off)", cfg.AdjointClip)
	}
	if !(cfg.ControlFrom >= 0 && cfg.ControlFrom < 1) {
		return nil, fmt.Errorf("control from t0 = %v: must be in [0, 1)", cfg.ControlFrom)
	}
	if cfg.MeanFree && d%3 != 0 {
		return nil, fmt.Errorf("mean-free coordinates need d divisible by 3 (particles in 3-D); d = %d", d)
	}
	g, err := NewGrid(cfg.Steps, cfg.Beta, cfg.Sigma, cfg.SigmaMax, cfg.SigmaMin)
	if err != nil {
		return nil, err
	}
	m := make([]float64, d)
	copy(m, cfg.PriorMean)
	if cfg.MeanFree {
		centroidFree(m, d)
	}
	meter, ok := e.(*Meter)
	if !ok {
		meter = NewMeter(e)
	}
	sv := cfg.PriorSigma
	if sv == 0 {
		sv = cfg.PriorStd
	}
	return &Process{E: meter, Cfg: cfg, Grid: g, D: d, M: m, S: cfg.PriorStd, SV: sv}, nil
}

// U0 returns the prior potential U₀(x) = |x − m|²/(2s²) of one point x (len d).
func (p *Process) U0(x []float64) float64 {
	var r float64
	for i, xi := range x {
		z := xi - p.M[i]
		r += z * z
	}
	return r / (2 * p.S * p.S)
}

// LogZ0 returns log Z₀ = (d/2) log(2πs²), the normaliser of exp(−U₀).
func (p *Process) LogZ0() float64 {
	return 0.5 * float64(p.D) * math.Log(2*math.Pi*p.S*p.S)
}

// clippedGrad writes the (clipped) ∇E of the batch x into g and, when clipping is on, the
// per-row clip factors c_b = min(1, cap/|∇E(x_b)|) into c (len B). It returns the number
// of rows that were clipped.
func (p *Process) clippedGrad(x, g, c []float64) int {
	p.E.Grad(x, g)
	if p.Cfg.GradClip == 0 {
		return 0
	}
	d, limit := p.D, p.Cfg.GradClip
	n := 0
	for b := range len(x) / d {
		row := g[b*d : (b+1)*d]
		nrm := norm(row)
		c[b] = 1
		if nrm > limit {
			f := limit / nrm
			c[b] = f
			for i := range row {
				row[i] *= f
			}
			n++
		}
	}
	return n
}

// clippedHVP writes J_bᵀ a_b into out, where J is the Jacobian of the clipped gradient map
// x ↦ c(x)∇E(x) at the rows of x, given the clipped gradient g and clip factors c from
// clippedGrad: Jᵀa = c ∇²E (a − ĝ(ĝ·a)) on clipped rows and ∇²E a elsewhere
// (ĝ = g/|g|). With clipping off it is the plain Hessian–vector product.
func (p *Process) clippedHVP(x, g, c, a, out, scratch []float64) {
	if p.Cfg.GradClip == 0 {
		p.E.HVP(x, a, out)
		return
	}
	d := p.D
	copy(scratch, a)
	for b := range len(x) / d {
		if c[b] >= 1 {
			continue
		}
		gr, ar := g[b*d:(b+1)*d], scratch[b*d:(b+1)*d]
		gn := norm(gr)
		if gn == 0 {
			continue
		}
		dot := 0.0
		for i := range gr {
			dot += gr[i] * ar[i]
		}
		dot /= gn * gn
		for i := range gr {
			ar[i] -= dot * gr[i]
		}
	}
	p.E.HVP(x, scratch, out)
	for b := range len(x) / d {
		if c[b] < 1 {
			row := out[b*d : (b+1)*d]
			for i := range row {
				row[i] *= c[b]
			}
		}
	}
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// project removes, with Cfg.MeanFree, the centroid of every row (len d) of v: the orthogonal
// projection onto the centroid-free subspace. Without MeanFree it does nothing.
func (p *Process) project(v []float64) {
	if p.Cfg.MeanFree {
		centroidFree(v, p.D)
	}
}

// centroidFree subtracts, in every row of v (rows of d = 3n values, particle-major x, y, z),
// the mean over the n particles of each Cartesian component.
func centroidFree(v []float64, d int) {
	n := d / 3
	for r := 0; r+d <= len(v); r += d {
		row := v[r : r+d]
		var c [3]float64
		for i := 0; i < d; i++ {
			c[i%3] += row[i]
		}
		for j := range c {
			c[j] /= float64(n)
		}
		for i := range row {
			row[i] -= c[i%3]
		}
	}
}
