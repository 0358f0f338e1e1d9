package dynamics

import (
	"math"
	"math/rand/v2"
)

// resampler holds the work space of the sequential Monte Carlo option of Rollout
// (RolloutOptions.Resample).
type resampler struct {
	b, d      int
	threshold float64   // resample when ESS < threshold·B
	e, g, w   []float64 // E(x_k), the intermediate log-weights G and exp(G − max G) (len B)
	anc       []int     // ancestors (len B)
	tmp       []float64 // copy buffer (B·d)
	tmpc      []float64 // copy buffer (B)
}

func newResampler(b, d int, threshold float64) *resampler {
	return &resampler{b: b, d: d, threshold: threshold, e: make([]float64, b), g: make([]float64, b), w: make([]float64, b),
		anc: make([]int, b), tmp: make([]float64, b*d), tmpc: make([]float64, b)}
}

// step computes G_b = lw_b − U_{t_k}(x_b) at grid step k and, if the ESS of exp(G) is below
// threshold·B, resamples: the rows of every batch in rows (B·d each; nil entries skipped) and
// of perRow (len B, may be nil) are replaced by those of the ancestors, and lw is set so that
// every G_b equals log mean exp(G). Non-finite G count as zero weight. It reports whether it
// resampled.
func (r *resampler) step(p *Process, k int, x, lw []float64, rng *rand.Rand, rows [][]float64, perRow []float64) bool {
	p.E.Energy(x, r.e)
	beta := p.Grid.Beta[k]
	d := r.d
	mx := math.Inf(-1)
	for b := range r.g {
		u := (1-beta)*p.U0(x[b*d:(b+1)*d]) + beta*r.e[b]
		r.g[b] = lw[b] - u
		if math.IsNaN(r.g[b]) {
			r.g[b] = math.Inf(-1)
		}
		mx = math.Max(mx, r.g[b])
	}
	return r.resample(mx, lw, rng, rows, perRow)
}

// resample resamples when the ESS of exp(r.g) (maximum mx) is below threshold·B; see step.
func (r *resampler) resample(mx float64, lw []float64, rng *rand.Rand, rows [][]float64, perRow []float64) bool {
	if math.IsInf(mx, 0) {
		return false // no finite weight (or an infinite one): leave the batch alone
	}
	d := r.d
	var sw, sw2 float64
	for b, g := range r.g {
		w := math.Exp(g - mx)
		r.w[b] = w
		sw += w
		sw2 += w * w
	}
	if sw*sw/sw2 >= r.threshold*float64(r.b) {
		return false
	}
	logMean := mx + math.Log(sw/float64(r.b))
	Systematic(r.w, rng.Float64(), r.anc)
	for _, v := range rows {
		if v == nil {
			continue
		}
		copy(r.tmp, v)
		for b, a := range r.anc {
			copy(v[b*d:(b+1)*d], r.tmp[a*d:(a+1)*d])
		}
	}
	if perRow != nil {
		copy(r.tmpc, perRow)
		for b, a := range r.anc {
			perRow[b] = r.tmpc[a]
		}
	}
	// new lw_b: G_b = logMean, i.e. lw_b = logMean + (lw_a − G_a) (= logMean + U_{t_k}(x_b))
	copy(r.tmpc, lw)
	for b, a := range r.anc {
		lw[b] = logMean + (r.tmpc[a] - r.g[a])
	}
	return true
}

// final resamples the final states x (B·d) on their whole-path log-weights lw when the ESS
// is below threshold·B, leaving every lw_b = log mean exp(lw); it reports whether it did.
func (r *resampler) final(x, lw []float64, rng *rand.Rand) bool {
	mx := math.Inf(-1)
	for b, l := range lw {
		r.g[b] = l
		if math.IsNaN(l) {
			r.g[b] = math.Inf(-1)
		}
		mx = math.Max(mx, r.g[b])
	}
	return r.resample(mx, lw, rng, [][]float64{x}, nil)
}

// Systematic writes into anc (len M) the ancestors that systematic resampling picks from the
// non-negative weights w (len ≥ 1, not all 0; normalised here) with the single uniform
// u ∈ [0, 1): the M points (u + i)/M on the cumulative weights. Each index j is picked
// ⌊M·w_j⌋ or ⌈M·w_j⌉ times.
func Systematic(w []float64, u float64, anc []int) {
	var sw float64
	for _, v := range w {
		sw += v
	}
	m := len(anc)
	var cum float64
	j := 0
	for i := range anc {
		pt := (u + float64(i)) / float64(m)
		for j < len(w)-1 && cum+w[j]/sw <= pt {
			cum += w[j] / sw
			j++
		}
		anc[i] = j
	}
}
