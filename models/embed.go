package models

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// MaxFourierFrequency is the largest angular frequency of the Fourier time embedding, in
// radians per unit of t (t ∈ [0, 1]); the smallest is 1.
const MaxFourierFrequency = 100.0

// FourierFrequencies returns the n fixed angular frequencies (radians per unit of t) of the
// Fourier time embedding, geometric from 1 to MaxFourierFrequency:
// f_j = MaxFourierFrequency^{j/(n−1)}, j = 0..n−1. n = 1 gives {1}; n ≤ 0 gives nil.
func FourierFrequencies(n int) []float64 {
	if n <= 0 {
		return nil
	}
	f := make([]float64, n)
	for j := range f {
		if n == 1 {
			f[j] = 1
			continue
		}
		f[j] = math.Pow(MaxFourierFrequency, float64(j)/float64(n-1))
	}
	return f
}

// timeEmbed maps times t [B, 1] to features [B, dim()].
type timeEmbed interface {
	embed(t *G.Node) (*G.Node, error)
	dim() int
}

// fourierEmbed maps t to [sin(f_1 t) … sin(f_K t), cos(f_1 t) … cos(f_K t)], [B, 2K].
type fourierEmbed struct {
	freqs *G.Node // [1, K], non-learnable
	k     int
}

func (b *builder) newFourierEmbed(k int) (fourierEmbed, error) {
	f, err := b.fixed("fourier_freqs", 1, k, FourierFrequencies(k))
	if err != nil {
		return fourierEmbed{}, err
	}
	return fourierEmbed{f, k}, nil
}

func (e fourierEmbed) dim() int { return 2 * e.k }

func (e fourierEmbed) embed(t *G.Node) (*G.Node, error) {
	arg, err := G.BroadcastHadamardProd(t, e.freqs, []byte{1}, []byte{0})
	if err != nil {
		return nil, err
	}
	s, err := G.Sin(arg)
	if err != nil {
		return nil, err
	}
	c, err := G.Cos(arg)
	if err != nil {
		return nil, err
	}
	return G.Concat(1, s, c)
}

// rawEmbed passes t [B, 1] through unchanged.
type rawEmbed struct{}

func (rawEmbed) dim() int                         { return 1 }
func (rawEmbed) embed(t *G.Node) (*G.Node, error) { return t, nil }
