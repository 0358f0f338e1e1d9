package refdata

import (
	"fmt"
	"math"
)

// BlockEstimate is a mean with a block-averaging standard error.
type BlockEstimate struct {
	Mean   float64
	SE     float64 // standard error of Mean, from the spread of the block means
	Blocks int     // number of blocks used
}

func (b BlockEstimate) String() string { return fmt.Sprintf("%.5g ± %.2g", b.Mean, b.SE) }

// BlockAverage returns the mean of the time series x and its standard error from nBlocks
// contiguous blocks of equal length (a trailing remainder shorter than a block is dropped
// from the error estimate but kept in the mean): SE = sd(block means)/sqrt(nBlocks). The
// estimate is valid when a block is much longer than the correlation time of x. It needs
// nBlocks ≥ 2 and len(x) ≥ nBlocks.
func BlockAverage(x []float64, nBlocks int) (BlockEstimate, error) {
	if nBlocks < 2 || len(x) < nBlocks {
		return BlockEstimate{}, fmt.Errorf("refdata: BlockAverage: %d values in %d blocks, want ≥ 2 blocks and ≥ 1 value per block", len(x), nBlocks)
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	size := len(x) / nBlocks
	var bm []float64
	for b := range nBlocks {
		s := 0.0
		for _, v := range x[b*size : (b+1)*size] {
			s += v
		}
		bm = append(bm, s/float64(size))
	}
	mb, v := 0.0, 0.0
	for _, m := range bm {
		mb += m
	}
	mb /= float64(nBlocks)
	for _, m := range bm {
		v += (m - mb) * (m - mb)
	}
	v /= float64(nBlocks - 1)
	return BlockEstimate{Mean: mean, SE: math.Sqrt(v / float64(nBlocks)), Blocks: nBlocks}, nil
}

// IntegratedAutocorrTime returns the integrated autocorrelation time τ = 1 + 2 Σ_{t≥1} ρ(t)
// of the series x, in units of its sampling interval, with Sokal's automatic window (the
// sum stops at the first lag W ≥ c·τ(W), c = 5). τ = 1 means uncorrelated samples; the
// effective sample size is len(x)/τ. It returns 1 for a constant series.
func IntegratedAutocorrTime(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return 1
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	c0 := 0.0
	for _, v := range x {
		c0 += (v - mean) * (v - mean)
	}
	if c0 == 0 {
		return 1
	}
	tau := 1.0
	for t := 1; t < n; t++ {
		c := 0.0
		for i := 0; i+t < n; i++ {
			c += (x[i] - mean) * (x[i+t] - mean)
		}
		tau += 2 * c / c0
		if float64(t) >= 5*tau {
			break
		}
	}
	return max(tau, 1)
}

// Indicator returns the series 1{Classify(φ_i, ψ_i) = b} of frames.
func Indicator(frames []Frame, b Basin) []float64 {
	out := make([]float64, len(frames))
	for i, f := range frames {
		if Classify(f.Phi(), f.Psi()) == b {
			out[i] = 1
		}
	}
	return out
}

// Energies returns the potential energies (kJ/mol) of frames as float64.
func Energies(frames []Frame) []float64 {
	out := make([]float64, len(frames))
	for i, f := range frames {
		out[i] = float64(f.Energy)
	}
	return out
}

// Column returns torsion t (radians) of frames as float64.
func Column(frames []Frame, t int) []float64 {
	out := make([]float64, len(frames))
	for i, f := range frames {
		out[i] = float64(f.Torsions[t])
	}
	return out
}
