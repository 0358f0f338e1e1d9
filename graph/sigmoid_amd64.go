package graph

import "golang.org/x/sys/cpu"

// The vectorised kernels of sigmoid_amd64.s evaluate Gorgonia's sigmoid (and the fused SiLU
// forward and backward steps) 4 or 8 lanes at a time, bit-identical to the scalar Go code:
// every lane performs the same IEEE operations in the same order (TestSigmoidSliceBitIdentical,
// TestSiLUKernelsBitIdentical).

// hasSigmoidAsm reports whether the vectorised sigmoid may be used: it replicates the FMA
// path of Go's math.Exp, which the runtime takes exactly when the CPU has AVX and FMA
// (math.useFMA), and it needs AVX2 for its integer steps.
var hasSigmoidAsm = cpu.X86.HasAVX && cpu.X86.HasFMA && cpu.X86.HasAVX2

// hasSigmoid512 reports whether the 8-lane AVX-512 variants of the float32 kernels may be used.
var hasSigmoid512 = hasSigmoidAsm && cpu.X86.HasAVX512F

//go:noescape
func sigmoid32x4(dst, src []float32, neg bool)

//go:noescape
func sigmoid32x8(dst, src []float32, neg bool)

//go:noescape
func sigmoid64x4(dst, src []float64, neg bool)

//go:noescape
func siluFwd32x4(z, s, a, b []float32, n int)

//go:noescape
func siluFwd32x8(z, s, a, b []float32, n int)

//go:noescape
func siluBwd32x4(z, s, g, res, out []float32)

//go:noescape
func siluBwd32x8(z, s, g, res, out []float32)

// sigmoidSlice writes sigmoid(src[i]) (sigmoid(−src[i]) with neg) into dst[i], bit-identical
// to the scalar sigmoid, 8 or 4 entries at a time where the CPU allows.
func sigmoidSlice[T float](dst, src []T, neg bool) {
	n := 0
	if hasSigmoidAsm {
		switch s := any(src).(type) {
		case []float32:
			d := any(dst).([]float32)
			if hasSigmoid512 {
				n = len(s) &^ 7
				sigmoid32x8(d, s, neg)
			}
			sigmoid32x4(d[n:], s[n:], neg)
		case []float64:
			sigmoid64x4(any(dst).([]float64), s, neg)
		}
		n = len(src) &^ 3
	}
	sigmoidTail(dst[n:len(src)], src[n:], neg)
}

// siluForward sets, for the rows of z (row length len(b)), z += b, s = σ(z) and a = z ⊙ s,
// bit-identical to siluForwardGo; a may alias z.
func siluForward[T float](z, s, a, b []T) {
	if zz, ok := any(z).([]float32); ok && hasSigmoidAsm && len(b)%4 == 0 && len(b) > 0 {
		if hasSigmoid512 && len(b)%8 == 0 {
			siluFwd32x8(zz, any(s).([]float32), any(a).([]float32), any(b).([]float32), len(b))
		} else {
			siluFwd32x4(zz, any(s).([]float32), any(a).([]float32), any(b).([]float32), len(b))
		}
		return
	}
	siluForwardGo(z, s, a, b)
}

// siluBackward sets out = (res +) (s ⊙ g) + ((s ⊙ σ(−z)) ⊙ (z ⊙ g)) (res nil: no term; res
// may alias out), bit-identical to siluBackwardGo, which uses scratch (len(z)) for σ(−z).
func siluBackward[T float](z, s, g, res, out, scratch []T) {
	n := 0
	if zz, ok := any(z).([]float32); ok && hasSigmoidAsm {
		var r []float32
		if res != nil {
			r = any(res).([]float32)
		}
		ss, gg, oo := any(s).([]float32), any(g).([]float32), any(out).([]float32)
		if hasSigmoid512 {
			n8 := len(zz) &^ 7
			siluBwd32x8(zz, ss, gg, r, oo)
			zz, ss, gg, oo = zz[n8:], ss[n8:], gg[n8:], oo[n8:]
			if r != nil {
				r = r[n8:]
			}
		}
		siluBwd32x4(zz, ss, gg, r, oo)
		n = len(z) &^ 3
	}
	var rt []T
	if res != nil {
		rt = res[n:]
	}
	siluBackwardGo(z[n:], s[n:], g[n:], rt, out[n:], scratch[n:])
}

func hasSigmoidAsmOn() bool { return hasSigmoidAsm }
