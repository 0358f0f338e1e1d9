package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// MMDResult is a Gaussian-kernel maximum mean discrepancy.
type MMDResult struct {
	// MMD is sqrt(max(MMD2V, 0)): the root of the biased V-statistic, in
	// kernel units (dimensionless, in [0, √2]). It is > 0 even for equal laws
	// (a finite-n floor of order 1/√n).
	MMD float64
	// MMD2V is the biased V-statistic of MMD² (squared, ≥ 0 up to rounding),
	// including the diagonal k(x_i, x_i) = 1 terms.
	MMD2V float64
	// MMD2U is the unbiased U-statistic of MMD² (squared, signed): its
	// expectation is 0 for equal laws.
	MMD2U float64
	// Bandwidth is σ of k(x, y) = exp(−|x − y|²/(2σ²)), in units of distance:
	// the median heuristic (see [MMDOptions]).
	Bandwidth float64
	// PairsForMedian is the number of pooled pairwise distances the median
	// was taken over (all pairs unless subsampled).
	PairsForMedian int
}

// MMDOptions configures [MMDWith]. The zero value gives the defaults.
type MMDOptions struct {
	// MaxPairs bounds the number of pooled pairwise distances over which the
	// median is taken exactly. Above it, the median is taken over
	// SamplePairs pairs drawn with a fixed-seed generator (deterministic).
	// 0 means 16·2²⁰ (as the PyTorch reference; about 5790 pooled points).
	MaxPairs int
	// SamplePairs is the subsample size when MaxPairs is exceeded; 0 means 4·2²⁰.
	SamplePairs int
	// Bandwidth, if > 0, fixes σ (units of distance) instead of the median heuristic.
	Bandwidth float64
}

// MMD returns the Gaussian-kernel MMD between the n points of x and the m
// points of y (flat row-major, dimension d; n, m ≥ 2) with the
// median-heuristic bandwidth: σ is the median of the distances |z_i − z_j|,
// i < j, over the pooled set z = x ∪ y (the lower median, element ⌊(P−1)/2⌋
// of the P sorted distances, as torch.median), and k(a, b) =
// exp(−|a − b|²/(2σ²)). See [MMDResult] for the returned statistics.
func MMD(x, y []float64, d int) (MMDResult, error) {
	return MMDWith(x, y, d, MMDOptions{})
}

// MMDWith is [MMD] with options.
func MMDWith(x, y []float64, d int, opt MMDOptions) (MMDResult, error) {
	n, err := checkPoints("x", x, d)
	if err != nil {
		return MMDResult{}, err
	}
	m, err := checkPoints("y", y, d)
	if err != nil {
		return MMDResult{}, err
	}
	if n < 2 || m < 2 {
		return MMDResult{}, fmt.Errorf("metrics: MMD needs at least 2 points per set, got %d and %d", n, m)
	}
	if opt.MaxPairs == 0 {
		opt.MaxPairs = 16 << 20
	}
	if opt.SamplePairs == 0 {
		opt.SamplePairs = 4 << 20
	}
	if opt.MaxPairs < 1 || opt.SamplePairs < 1 || opt.Bandwidth < 0 || math.IsNaN(opt.Bandwidth) || math.IsInf(opt.Bandwidth, 0) {
		return MMDResult{}, fmt.Errorf("metrics: invalid MMD options %+v", opt)
	}
	N := n + m
	z := make([]float64, 0, N*d)
	z = append(append(z, x...), y...)
	pt := func(i int) []float64 { return z[i*d : (i+1)*d] }

	res := MMDResult{Bandwidth: opt.Bandwidth}
	if opt.Bandwidth == 0 {
		var d2 []float64
		total := N * (N - 1) / 2
		if total <= opt.MaxPairs {
			d2 = make([]float64, total)
			// Row i holds pairs (i, j), j > i, at offset i·N − i(i+1)/2.
			parallelRows(N-1, 16, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					off := i*N - i*(i+1)/2
					zi := pt(i)
					for j := i + 1; j < N; j++ {
						d2[off+j-i-1] = sqDistRow(zi, pt(j))
					}
				}
			})
		} else {
			d2 = make([]float64, opt.SamplePairs)
			r := rand.New(rand.NewPCG(0x6d6d64, 0x6d656469616e)) // fixed seed: deterministic subsample
			for k := range d2 {
				i := r.IntN(N)
				j := r.IntN(N - 1)
				if j >= i {
					j++
				}
				d2[k] = sqDistRow(pt(i), pt(j))
			}
		}
		res.PairsForMedian = len(d2)
		res.Bandwidth = math.Sqrt(kthSmallestNonneg(d2, (len(d2)-1)/2))
		if res.Bandwidth == 0 {
			return MMDResult{}, fmt.Errorf("metrics: MMD median pairwise distance is 0 (at least half of the %d pooled pairs coincide); bandwidth undefined", len(d2))
		}
	}

	// Per-row kernel sums over j > i: row i < n gives (Σ_{x_j} k, Σ_{y_j} k),
	// row i ≥ n gives Σ_{y_j} k. Reduced in row order afterwards.
	sameSum := make([]float64, N)
	crossSum := make([]float64, n)
	c := -1 / (2 * res.Bandwidth * res.Bandwidth)
	parallelRows(N-1, 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			zi := pt(i)
			var s, t float64
			if i < n {
				for j := i + 1; j < n; j++ {
					s += expFast(c * sqDistRow(zi, pt(j)))
				}
				for j := n; j < N; j++ {
					t += expFast(c * sqDistRow(zi, pt(j)))
				}
				crossSum[i] = t
			} else {
				for j := i + 1; j < N; j++ {
					s += expFast(c * sqDistRow(zi, pt(j)))
				}
			}
			sameSum[i] = s
		}
	})
	var kxx, kyy, kxy float64 // off-diagonal sums over i < j, and the full cross sum
	for i := 0; i < n; i++ {
		kxx += sameSum[i]
		kxy += crossSum[i]
	}
	for i := n; i < N; i++ {
		kyy += sameSum[i]
	}
	fn, fm := float64(n), float64(m)
	cross := 2 * kxy / (fn * fm)
	res.MMD2U = 2*kxx/(fn*(fn-1)) + 2*kyy/(fm*(fm-1)) - cross
	res.MMD2V = (2*kxx+fn)/(fn*fn) + (2*kyy+fm)/(fm*fm) - cross
	res.MMD = math.Sqrt(math.Max(res.MMD2V, 0))
	return res, nil
}

// kthSmallestNonneg returns the k-th smallest (0-based) of a, whose values
// must be non-negative (as squared distances are). It is an exact radix
// select on the IEEE-754 bit patterns, which order like the values for
// non-negative floats: four passes of 16 bits, O(len(a)) time, no copy.
func kthSmallestNonneg(a []float64, k int) float64 {
	hist := make([]int, 1<<16)
	var prefix, mask uint64
	for shift := 48; shift >= 0; shift -= 16 {
		clear(hist)
		for _, v := range a {
			if b := math.Float64bits(v); b&mask == prefix {
				hist[(b>>uint(shift))&0xffff]++
			}
		}
		bucket := 0
		for ; bucket < len(hist); bucket++ {
			if k < hist[bucket] {
				break
			}
			k -= hist[bucket]
		}
		prefix |= uint64(bucket) << uint(shift)
		mask |= 0xffff << uint(shift)
	}
	return math.Float64frombits(prefix)
}
