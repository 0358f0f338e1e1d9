package models

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is a time-conditioned vector field c(x, t) whose parameters live in one graph.
type Model interface {
	// Forward adds the nodes computing c(x, t) to the model's graph and returns the output
	// node. x is [B, d], t is [B, 1] (same B, same dtype as the model); the output is [B, d].
	// Every call shares the model's parameters.
	Forward(x, t *G.Node) (*G.Node, error)
	// Learnables returns the parameter nodes in a stable order (the construction order:
	// layer by layer, weight matrix before bias). Names are unique within the graph and
	// begin with the Spec's prefix. Every parameter is a 2-D matrix.
	Learnables() G.Nodes
}

// archBuilders is the registry of architectures by name. It is never modified.
var archBuilders = map[string]func(b *builder, s Spec, act Activation) (Model, error){
	ArchFourierMLP: buildMLP,
	ArchMLP:        buildMLP,
	ArchResMLP:     buildResMLP,
}

// New adds a freshly initialised model described by spec to graph g, with parameters of dtype
// dt (tensor.Float32 or tensor.Float64). Hidden weights are drawn from rng as
// N(0, gain²/fan_in) with gain √2 for silu and relu and 1 for tanh and softplus (the second
// layer of a residual block is further scaled by 1/√Depth); hidden biases are 0; the output
// layer's weights and bias are exactly 0, so the new model outputs exactly 0. The same spec
// and the same rng state give identical parameters. It fails if the spec is invalid or if a
// node name it needs already exists in g (use a different Spec.Prefix).
func New(g *G.ExprGraph, dt tensor.Dtype, spec Spec, rng *rand.Rand) (Model, error) {
	if rng == nil {
		return nil, errors.New("models: New needs a random generator (got nil)")
	}
	return build(g, dt, spec, &builder{rng: rng})
}

// NewShared adds to graph g (normally a different graph) a model of the same spec whose
// parameter nodes are bound to the very tensors of from's parameters, matched by position in
// Learnables() and checked by name, shape and dtype. No values are copied: an in-place update
// of from's parameter tensors (e.g. an optimiser step) is seen by the shared model. This is
// how a forward-only program of another batch size reuses a trained network. spec must equal
// the spec from was built with (checked for models built by this package), since the
// non-learnable inputs (shift, scale, frequencies) are rebuilt from it.
func NewShared(g *G.ExprGraph, dt tensor.Dtype, spec Spec, from Model) (Model, error) {
	if from == nil {
		return nil, errors.New("models: NewShared needs a source model (got nil)")
	}
	var fs Spec
	switch m := from.(type) {
	case *mlp:
		fs = m.spec
	case *resMLP:
		fs = m.spec
	}
	if fs.Arch != "" && !fs.Equal(spec) {
		return nil, fmt.Errorf("models: NewShared spec %v differs from the source model's %v", spec, fs)
	}
	src := from.Learnables()
	b := &builder{from: src}
	m, err := build(g, dt, spec, b)
	if err != nil {
		return nil, err
	}
	if len(b.params) != len(src) {
		return nil, fmt.Errorf("models: spec %v has %d parameters, source model has %d", spec, len(b.params), len(src))
	}
	return m, nil
}

func build(g *G.ExprGraph, dt tensor.Dtype, spec Spec, b *builder) (Model, error) {
	if g == nil {
		return nil, errors.New("models: nil graph")
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("models: dtype %v not supported; known: float32, float64", dt)
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	act, err := ActivationByName(spec.Act)
	if err != nil {
		return nil, err
	}
	b.g, b.dt, b.prefix = g, dt, spec.Prefix
	return archBuilders[spec.Arch](b, spec, act)
}

// gain returns the initialisation gain of an activation.
func gain(act string) float64 {
	if act == ActSiLU || act == ActReLU {
		return math.Sqrt2
	}
	return 1
}

// checkInputs verifies that x is [B, d] and t is [B, 1] in dtype dt.
func checkInputs(x, t *G.Node, d int, dt tensor.Dtype) error {
	if x == nil || t == nil {
		return errors.New("models: Forward needs non-nil x and t")
	}
	xs, ts := x.Shape(), t.Shape()
	if len(xs) != 2 || xs[1] != d {
		return fmt.Errorf("models: x has shape %v, want (B, %d)", xs, d)
	}
	if len(ts) != 2 || ts[0] != xs[0] || ts[1] != 1 {
		return fmt.Errorf("models: t has shape %v, want (%d, 1) to match x %v", ts, xs[0], xs)
	}
	if x.Dtype() != dt || t.Dtype() != dt {
		return fmt.Errorf("models: x is %v and t is %v, want the model dtype %v", x.Dtype(), t.Dtype(), dt)
	}
	return nil
}

// mlp implements fourier-mlp (Fourier time embedding) and mlp (raw time).
type mlp struct {
	spec   Spec
	dt     tensor.Dtype
	norm   normaliser
	emb    timeEmbed
	act    Activation
	hidden []dense
	out    dense
	params G.Nodes
}

func buildMLP(b *builder, s Spec, act Activation) (Model, error) {
	m := &mlp{spec: s, dt: b.dt, act: act}
	var err error
	if m.norm, err = b.newNormaliser(s); err != nil {
		return nil, err
	}
	if s.Arch == ArchFourierMLP {
		if m.emb, err = b.newFourierEmbed(s.NFreq); err != nil {
			return nil, err
		}
	} else {
		m.emb = rawEmbed{}
	}
	in := s.Dim + m.emb.dim()
	for i := 0; i < s.Depth; i++ {
		l, err := b.newDense(fmt.Sprintf("l%d", i), in, s.Width, gain(s.Act), false)
		if err != nil {
			return nil, err
		}
		m.hidden = append(m.hidden, l)
		in = s.Width
	}
	if m.out, err = b.newDense("out", in, s.Dim, 0, true); err != nil {
		return nil, err
	}
	m.params = b.params
	return m, nil
}

// Learnables implements Model.
func (m *mlp) Learnables() G.Nodes { return append(G.Nodes(nil), m.params...) }

// Forward implements Model.
func (m *mlp) Forward(x, t *G.Node) (*G.Node, error) {
	if err := checkInputs(x, t, m.spec.Dim, m.dt); err != nil {
		return nil, err
	}
	h, err := inputFeatures(m.norm, m.emb, x, t)
	if err != nil {
		return nil, err
	}
	for _, l := range m.hidden {
		if h, err = l.apply(h); err != nil {
			return nil, err
		}
		if h, err = m.act(h); err != nil {
			return nil, err
		}
	}
	return m.out.apply(h)
}

// inputFeatures returns concat(normalised x, embedded t) along columns.
func inputFeatures(norm normaliser, emb timeEmbed, x, t *G.Node) (*G.Node, error) {
	xn, err := norm.apply(x)
	if err != nil {
		return nil, err
	}
	e, err := emb.embed(t)
	if err != nil {
		return nil, err
	}
	return G.Concat(1, xn, e)
}

// resMLP implements resmlp.
type resMLP struct {
	spec   Spec
	dt     tensor.Dtype
	norm   normaliser
	emb    timeEmbed
	act    Activation
	in     dense
	blocks [][2]dense
	out    dense
	params G.Nodes
}

func buildResMLP(b *builder, s Spec, act Activation) (Model, error) {
	m := &resMLP{spec: s, dt: b.dt, act: act}
	var err error
	if m.norm, err = b.newNormaliser(s); err != nil {
		return nil, err
	}
	if m.emb, err = b.newFourierEmbed(s.NFreq); err != nil {
		return nil, err
	}
	if m.in, err = b.newDense("in", s.Dim+m.emb.dim(), s.Width, 1, false); err != nil {
		return nil, err
	}
	for i := 0; i < s.Depth; i++ {
		l1, err := b.newDense(fmt.Sprintf("r%d_a", i), s.Width, s.Width, gain(s.Act), false)
		if err != nil {
			return nil, err
		}
		l2, err := b.newDense(fmt.Sprintf("r%d_b", i), s.Width, s.Width, gain(s.Act)/math.Sqrt(float64(s.Depth)), false)
		if err != nil {
			return nil, err
		}
		m.blocks = append(m.blocks, [2]dense{l1, l2})
	}
	if m.out, err = b.newDense("out", s.Width, s.Dim, 0, true); err != nil {
		return nil, err
	}
	m.params = b.params
	return m, nil
}

// Learnables implements Model.
func (m *resMLP) Learnables() G.Nodes { return append(G.Nodes(nil), m.params...) }

// Forward implements Model.
func (m *resMLP) Forward(x, t *G.Node) (*G.Node, error) {
	if err := checkInputs(x, t, m.spec.Dim, m.dt); err != nil {
		return nil, err
	}
	h, err := inputFeatures(m.norm, m.emb, x, t)
	if err != nil {
		return nil, err
	}
	if h, err = m.in.apply(h); err != nil {
		return nil, err
	}
	for _, blk := range m.blocks {
		r, err := m.act(h)
		if err != nil {
			return nil, err
		}
		if r, err = blk[0].apply(r); err != nil {
			return nil, err
		}
		if r, err = m.act(r); err != nil {
			return nil, err
		}
		if r, err = blk[1].apply(r); err != nil {
			return nil, err
		}
		if h, err = G.Add(h, r); err != nil {
			return nil, err
		}
	}
	if h, err = m.act(h); err != nil {
		return nil, err
	}
	return m.out.apply(h)
}
