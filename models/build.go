package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// builder creates the nodes of one model in one graph. In fresh mode (from == nil) parameter
// values are drawn from rng; in shared mode each parameter node is bound to the tensor of the
// corresponding parameter of from (same order, same name, same shape, same dtype).
type builder struct {
	g      *G.ExprGraph
	dt     tensor.Dtype
	prefix string
	rng    *rand.Rand
	from   G.Nodes
	params G.Nodes
}

// name returns the graph name of a model-local node name.
func (b *builder) name(local string) string {
	if b.prefix == "" {
		return local
	}
	return b.prefix + "_" + local
}

// claim returns the graph name for local, or an error if a node of that name already exists
// in the graph (Gorgonia would silently merge the two).
func (b *builder) claim(local string) (string, error) {
	name := b.name(local)
	if len(b.g.ByName(name)) > 0 {
		return "", fmt.Errorf("models: a node named %q already exists in the graph; give the model a distinct Spec.Prefix", name)
	}
	return name, nil
}

// param adds a learnable [r, c] matrix. In fresh mode its entries are drawn i.i.d. from
// N(0, std²) (std = 0 gives zeros); in shared mode it is bound to the next tensor of from.
func (b *builder) param(local string, r, c int, std float64) (*G.Node, error) {
	name, err := b.claim(local)
	if err != nil {
		return nil, err
	}
	var val *tensor.Dense
	if b.from != nil {
		i := len(b.params)
		if i >= len(b.from) {
			return nil, fmt.Errorf("models: source model has %d parameters; %q would be parameter %d", len(b.from), name, i)
		}
		src := b.from[i]
		if src.Name() != name {
			return nil, fmt.Errorf("models: parameter %d is %q here but %q in the source model", i, name, src.Name())
		}
		sv, ok := src.Value().(*tensor.Dense)
		if !ok || sv == nil {
			return nil, fmt.Errorf("models: source parameter %q has no dense value (%T)", name, src.Value())
		}
		if !sv.Shape().Eq(tensor.Shape{r, c}) || sv.Dtype() != b.dt {
			return nil, fmt.Errorf("models: source parameter %q is %v %v, want (%d, %d) %v", name, sv.Shape(), sv.Dtype(), r, c, b.dt)
		}
		val = sv
	} else {
		vals := make([]float64, r*c)
		if std != 0 {
			for i := range vals {
				vals[i] = std * b.rng.NormFloat64()
			}
		}
		val = denseOf(b.dt, r, c, vals)
	}
	n := G.NewMatrix(b.g, b.dt, G.WithShape(r, c), G.WithName(name), G.WithValue(val))
	b.params = append(b.params, n)
	return n, nil
}

// fixed adds a non-learnable [r, c] input node holding vals (row-major), e.g. Fourier
// frequencies or the input shift. Its value is derived from the Spec, so a shared model
// recomputes it rather than binding it.
func (b *builder) fixed(local string, r, c int, vals []float64) (*G.Node, error) {
	name, err := b.claim(local)
	if err != nil {
		return nil, err
	}
	return G.NewMatrix(b.g, b.dt, G.WithShape(r, c), G.WithName(name), G.WithValue(denseOf(b.dt, r, c, vals))), nil
}

// denseOf returns a new [r, c] tensor of dtype dt holding vals converted to dt.
// dt must be Float32 or Float64 (checked by New).
func denseOf(dt tensor.Dtype, r, c int, vals []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(f))
	}
	f := make([]float64, len(vals))
	copy(f, vals)
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(f))
}

// scalar returns a constant node holding v in dtype dt (Gorgonia constants must match the
// graph dtype).
func scalar(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// dense is an affine layer h ↦ h·W + b with W [in, out] and b [1, out].
type dense struct{ w, b *G.Node }

// newDense adds the parameters "<local>_W" and "<local>_b". The weights are drawn from
// N(0, gain²/in) (b = 0); zero = true gives W = 0 and b = 0 (the output layer).
func (b *builder) newDense(local string, in, out int, gain float64, zero bool) (dense, error) {
	std := gain / math.Sqrt(float64(in))
	if zero {
		std = 0
	}
	w, err := b.param(local+"_W", in, out, std)
	if err != nil {
		return dense{}, err
	}
	bias, err := b.param(local+"_b", 1, out, 0)
	if err != nil {
		return dense{}, err
	}
	return dense{w, bias}, nil
}

// apply returns h·W + b for h [B, in]; the result is [B, out].
func (d dense) apply(h *G.Node) (*G.Node, error) {
	z, err := G.Mul(h, d.w)
	if err != nil {
		return nil, fmt.Errorf("models: dense %s: %w", d.w.Name(), err)
	}
	return G.BroadcastAdd(z, d.b, nil, []byte{0})
}

// normaliser maps x [B, d] to (x − shift)/scale; nil fields skip their step.
type normaliser struct {
	shift    *G.Node // [1, d] or nil
	invScale *G.Node // scalar constant 1/scale or nil
}

func (b *builder) newNormaliser(s Spec) (normaliser, error) {
	var n normaliser
	if hasShift(s.InShift) {
		sh, err := b.fixed("in_shift", 1, s.Dim, s.InShift)
		if err != nil {
			return n, err
		}
		n.shift = sh
	}
	if s.InScale != 1 {
		n.invScale = scalar(b.dt, 1/s.InScale)
	}
	return n, nil
}

func (n normaliser) apply(x *G.Node) (*G.Node, error) {
	var err error
	if n.shift != nil {
		if x, err = G.BroadcastSub(x, n.shift, nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	if n.invScale != nil {
		if x, err = G.HadamardProd(x, n.invScale); err != nil {
			return nil, err
		}
	}
	return x, nil
}
