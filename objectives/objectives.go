// Package objectives owns the matching losses of NAAS as graph builders: functions from the
// output node of a control network (and the target and weight input nodes) to a scalar loss
// node. It touches no data and runs nothing; package graph compiles and runs the result.
//
// Both losses have the form of dynamics.Learner's loss,
//
//	L = (1/B) Σ_b w_b |c_b + y_b|²,
//
// with c the network output [B, d], y a constant target [B, d] and w per-sample weights
// [B, 1]; they differ in what y is (naas.md §4 and §5). Every node is kept 2-D.
package objectives

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Loss builds a scalar loss node from a network output out [B, d], a target [B, d] and
// per-sample weights w [B, 1].
type Loss func(out, target, w *G.Node) (*G.Node, error)

// Objective names accepted by ByName.
const (
	NameAM  = "am"
	NameRAM = "ram"
)

// losses is the registry of objectives by name. It is never modified.
var losses = map[string]Loss{NameAM: AM, NameRAM: RAM}

// Names returns the known objective names, sorted.
func Names() []string {
	ns := make([]string, 0, len(losses))
	for n := range losses {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// ByName returns the objective called name ("am" or "ram"), or an error listing the known names.
func ByName(name string) (Loss, error) {
	l, ok := losses[name]
	if !ok {
		return nil, fmt.Errorf("objectives: unknown objective %q; known: %s", name, strings.Join(Names(), ", "))
	}
	return l, nil
}

// AM is the Adjoint Matching loss of naas.md §4 for the control u of the annealed stage:
//
//	L_AM(θ) = (1/B) Σ_b w_b |u_θ(x_b, t_b) + a_b|²,
//
// where u [B, d] is the network output at stored (t_k, x_k), a [B, d] the lean adjoint a_k
// at those points (a constant: no gradient flows into it) and w [B, 1] per-sample weights
// (all ones for the plain mean of §4). The result is a scalar node.
func AM(u, a, w *G.Node) (*G.Node, error) { return weightedSquaredSum(u, a, w) }

// RAM is the Reciprocal Adjoint Matching loss of naas.md §5 for the control v of the prior
// stage:
//
//	L_RAM(φ) = (1/B) Σ_b w_b |v_φ(Y_{s_b}, s_b) + ∇g̃(Y₁,b)|²,
//
// where v [B, d] is the network output at Brownian-bridge points (s, Y_s), grad [B, d] the
// terminal-cost gradient ∇g̃(Y₁) of the path each bridge point was drawn from (the constant
// lean adjoint of the driftless reference) and w [B, 1] per-sample weights. The result is a
// scalar node.
func RAM(v, grad, w *G.Node) (*G.Node, error) { return weightedSquaredSum(v, grad, w) }

// weightedSquaredSum returns (1/B) Σ_b w_b Σ_i (c_bi + y_bi)² for c, y [B, d] and w [B, 1].
// The weights are broadcast along columns, so every node stays 2-D.
func weightedSquaredSum(c, y, w *G.Node) (*G.Node, error) {
	if c == nil || y == nil || w == nil {
		return nil, errors.New("objectives: output, target and weight nodes must be non-nil")
	}
	cs, ys, ws := c.Shape(), y.Shape(), w.Shape()
	if len(cs) != 2 {
		return nil, fmt.Errorf("objectives: output has shape %v, want (B, d)", cs)
	}
	if !ys.Eq(cs) {
		return nil, fmt.Errorf("objectives: target has shape %v, want the output's %v", ys, cs)
	}
	if len(ws) != 2 || ws[0] != cs[0] || ws[1] != 1 {
		return nil, fmt.Errorf("objectives: weights have shape %v, want (%d, 1)", ws, cs[0])
	}
	dt := c.Dtype()
	if y.Dtype() != dt || w.Dtype() != dt {
		return nil, fmt.Errorf("objectives: dtypes output %v, target %v, weights %v must agree", dt, y.Dtype(), w.Dtype())
	}
	var invB *G.Node
	switch dt {
	case tensor.Float32:
		invB = G.NewConstant(float32(1 / float64(cs[0])))
	case tensor.Float64:
		invB = G.NewConstant(1 / float64(cs[0]))
	default:
		return nil, fmt.Errorf("objectives: dtype %v not supported; known: float32, float64", dt)
	}
	r, err := G.Add(c, y)
	if err != nil {
		return nil, err
	}
	if r, err = G.Square(r); err != nil {
		return nil, err
	}
	if r, err = G.BroadcastHadamardProd(r, w, nil, []byte{1}); err != nil {
		return nil, err
	}
	if r, err = G.Sum(r); err != nil {
		return nil, err
	}
	return G.HadamardProd(r, invB)
}
