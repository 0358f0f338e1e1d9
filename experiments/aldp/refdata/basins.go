package refdata

import (
	"fmt"
	"math"
	"strings"
)

// Basin is a region of the (φ, ψ) Ramachandran torus. The partition used here (degrees,
// angles wrapped to [−180°, 180°)) is
//
//	φ ∈ [0°, 120°):            αL if ψ ≥ 0°, C7ax if ψ < 0°   (together: the φ > 0 basins)
//	otherwise (φ < 0° or φ ≥ 120°):
//	                            αR if ψ ∈ [−120°, 50°), β otherwise
//
// β collects the extended region (C5, C7eq and polyproline II); φ ≥ 120° counts as φ < 0
// because the extended basin wraps across φ = ±180°. αR includes the αR/bridge region
// above it (ψ up to 50°).
type Basin int

// The basins, in the order of Populations.Frac.
const (
	BasinBeta   Basin = iota // β / C5 / C7eq / PII
	BasinAlphaR              // αR (right-handed helix) and bridge
	BasinAlphaL              // αL (left-handed helix), φ > 0, ψ ≥ 0
	BasinC7ax                // C7ax, φ > 0, ψ < 0
	NumBasins   = 4
)

// Basin boundaries in radians.
const (
	phiPosLo = 0.0
	phiPosHi = 120 * math.Pi / 180
	psiAlpha = -120 * math.Pi / 180
	psiBeta  = 50 * math.Pi / 180
)

func (b Basin) String() string {
	switch b {
	case BasinBeta:
		return "beta"
	case BasinAlphaR:
		return "alphaR"
	case BasinAlphaL:
		return "alphaL"
	case BasinC7ax:
		return "C7ax"
	}
	return fmt.Sprintf("Basin(%d)", int(b))
}

// Classify returns the basin of (φ, ψ) in radians (any real values; they are wrapped).
func Classify(phi, psi float64) Basin {
	phi, psi = Wrap(phi), Wrap(psi)
	if phi >= phiPosLo && phi < phiPosHi {
		if psi >= 0 {
			return BasinAlphaL
		}
		return BasinC7ax
	}
	if psi >= psiAlpha && psi < psiBeta {
		return BasinAlphaR
	}
	return BasinBeta
}

// Wrap maps an angle (radians) to [−π, π).
func Wrap(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// Populations are basin fractions of a set of frames.
type Populations struct {
	N    int
	Frac [NumBasins]float64
}

// PhiPositive is the total fraction of the φ > 0 basins (αL + C7ax).
func (p Populations) PhiPositive() float64 { return p.Frac[BasinAlphaL] + p.Frac[BasinC7ax] }

func (p Populations) String() string {
	var b strings.Builder
	for k, f := range p.Frac {
		if k > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%.4f", Basin(k), f)
	}
	return b.String()
}

// PopulationsOf returns the basin fractions of the (φ, ψ) pairs (radians) phi[i], psi[i].
func PopulationsOf(phi, psi []float64) Populations {
	if len(phi) != len(psi) {
		panic(fmt.Sprintf("refdata: PopulationsOf: %d φ and %d ψ values", len(phi), len(psi)))
	}
	p := Populations{N: len(phi)}
	for i := range phi {
		p.Frac[Classify(phi[i], psi[i])]++
	}
	for k := range p.Frac {
		p.Frac[k] /= float64(max(p.N, 1))
	}
	return p
}

// FramePopulations returns the basin fractions of frames.
func FramePopulations(frames []Frame) Populations {
	p := Populations{N: len(frames)}
	for _, f := range frames {
		p.Frac[Classify(f.Phi(), f.Psi())]++
	}
	for k := range p.Frac {
		p.Frac[k] /= float64(max(p.N, 1))
	}
	return p
}
