package graph

import "golang.org/x/sys/cpu"

// hasAdam512 reports whether adam32x8 (AVX-512) may be used.
var hasAdam512 = cpu.X86.HasAVX512F

//go:noescape
func adam32x8(w, g []float32, m, v []float64, c *[9]float64)

// adamVector32 updates the first len(w)&^7 entries with adam32x8 where the CPU allows and
// returns how many it updated.
func adamVector32(w, g []float32, m, v []float64, p adamParams) int {
	if !hasAdam512 || len(w) < 8 {
		return 0
	}
	c := [9]float64{p.scale, p.b1, 1 - p.b1, p.b2, 1 - p.b2, p.lr, p.bc1, p.bc2, p.eps}
	adam32x8(w, g[:len(w)], m[:len(w)], v[:len(w)], &c)
	return len(w) &^ 7
}
