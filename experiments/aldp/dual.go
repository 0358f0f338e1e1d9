package aldp

import "math"

// dual is a forward-mode dual number v + d·ε: a value and its directional derivative along
// the HVP direction. The OBC Born-radius chain of the HVP kernel runs on duals; the
// bonded and pair terms use hand-derived second derivatives.
type dual struct{ v, d float64 }

func cnst(c float64) dual           { return dual{c, 0} }
func (a dual) add(b dual) dual      { return dual{a.v + b.v, a.d + b.d} }
func (a dual) sub(b dual) dual      { return dual{a.v - b.v, a.d - b.d} }
func (a dual) addc(c float64) dual  { return dual{a.v + c, a.d} }
func (a dual) scale(s float64) dual { return dual{s * a.v, s * a.d} }
func (a dual) mul(b dual) dual      { return dual{a.v * b.v, a.d*b.v + a.v*b.d} }
func (a dual) inv() dual            { q := 1 / a.v; return dual{q, -a.d * q * q} }
func dexp(a dual) dual              { e := math.Exp(a.v); return dual{e, e * a.d} }
func dtanh(a dual) dual             { t := math.Tanh(a.v); return dual{t, (1 - t*t) * a.d} }
func dinvsqrt(a dual) dual {
	s := 1 / math.Sqrt(a.v)
	return dual{s, -0.5 * a.d * s * s * s}
}
