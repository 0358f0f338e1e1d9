//go:build !amd64

package graph

// sigmoidSlice writes sigmoid(src[i]) (sigmoid(−src[i]) with neg) into dst[i].
func sigmoidSlice[T float](dst, src []T, neg bool) { sigmoidTail(dst[:len(src)], src, neg) }

func hasSigmoidAsmOn() bool { return false }

// siluForward sets, for the rows of z (row length len(b)), z += b, s = σ(z) and a = z ⊙ s.
func siluForward[T float](z, s, a, b []T) { siluForwardGo(z, s, a, b) }

// siluBackward sets out = (res +) (s ⊙ g) + ((s ⊙ σ(−z)) ⊙ (z ⊙ g)) (res nil: no term).
func siluBackward[T float](z, s, g, res, out, scratch []T) {
	siluBackwardGo(z, s, g, res, out, scratch)
}
