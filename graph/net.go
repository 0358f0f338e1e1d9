package graph

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/naas-go/naas/dynamics"
	"github.com/naas-go/naas/models"
	"github.com/naas-go/naas/objectives"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Net is a control network c(x, t): R^d × [0, 1] → R^d with its training program, its cached
// forward-only programs, its native engine (Config.Engine) and its Adam state. It implements
// dynamics.Learner.
//
// All methods are safe for concurrent use; they are serialised by a mutex (one Gorgonia
// machine is not reentrant).
type Net struct {
	mu  sync.Mutex
	cfg Config
	d   int
	lr  float64

	// model and params are the training graph's model and its parameter nodes; weights are
	// their value tensors, the single copy shared by every program.
	model   models.Model
	params  G.Nodes
	weights []*tensor.Dense
	names   []string
	shapes  [][2]int
	size    int // total number of scalar parameters

	adam     adamState
	gradNorm float64 // global gradient norm of the last Step, before clipping

	train  *trainProg
	fwd    map[int]*fwdProg
	closed bool

	// native is the native engine (nil with EngineGorgonia); it writes its gradients into
	// ngrads, one tensor per parameter.
	native nativeNet
	ngrads []*tensor.Dense
}

var _ dynamics.Learner = (*Net)(nil)

var errClosed = errors.New("graph: network is closed")

// trainProg is the compiled training program. lossV and uV are separately allocated Read
// targets (never fields of a struct that also holds the VM: finalizer-cycle leak).
type trainProg struct {
	g          *G.ExprGraph
	vm         G.VM
	x, t, y, w *tensor.Dense // host input tensors bound once, overwritten in place
	lossV, uV  *G.Value
	uNode      *G.Node
	lossNode   *G.Node
}

// fwdProg is a compiled forward-only program for one batch size.
type fwdProg struct {
	g    *G.ExprGraph
	vm   G.VM
	x, t *tensor.Dense
	outV *G.Value
}

// New builds a network from cfg: the model with weights drawn from cfg.Rand (or a PCG
// generator seeded with cfg.Seed), the loss named by cfg.Objective on a batch of cfg.Batch
// rows, its gradients, and the compiled training machine. The output layer is zero, so the new
// network outputs exactly 0 everywhere. Errors name the invalid field and its value.
func New(cfg Config) (*Net, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Spec.InShift = append([]float64(nil), cfg.Spec.InShift...)
	if len(cfg.Spec.InShift) == 0 {
		cfg.Spec.InShift = nil
	}
	rng := cfg.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	}
	cfg.Rand = nil // used once for the initialisation; not retained
	n := &Net{cfg: cfg, d: cfg.Spec.Dim, lr: cfg.LearnRate, fwd: map[int]*fwdProg{}}

	g := G.NewGraph()
	model, err := models.New(g, cfg.Dtype, cfg.Spec, rng)
	if err != nil {
		return nil, err
	}
	n.model = model
	n.params = model.Learnables()
	for _, p := range n.params {
		w, ok := p.Value().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("graph: parameter %q has value %T, want *tensor.Dense", p.Name(), p.Value())
		}
		s := w.Shape()
		n.weights = append(n.weights, w)
		n.names = append(n.names, p.Name())
		n.shapes = append(n.shapes, [2]int{s[0], s[1]})
		n.size += w.Size()
	}
	n.adam = newAdamState(n.weights)
	if n.train, err = n.buildTrain(g); err != nil {
		return nil, err
	}
	if cfg.Engine == EngineNative {
		if cfg.Objective != objectives.NameAM && cfg.Objective != objectives.NameRAM {
			return nil, fmt.Errorf("graph: the native engine implements the %s and %s losses, not %q; use Engine %q", objectives.NameAM, objectives.NameRAM, cfg.Objective, EngineGorgonia)
		}
		for _, s := range n.shapes {
			n.ngrads = append(n.ngrads, newInput(cfg.Dtype, s[0], s[1]))
		}
		if n.native, err = newNative(n, n.ngrads); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// buildTrain adds inputs, the forward pass, the loss and its gradients to g and compiles it.
func (n *Net) buildTrain(g *G.ExprGraph) (*trainProg, error) {
	dt, B, d := n.cfg.Dtype, n.cfg.Batch, n.d
	p := &trainProg{
		g: g,
		x: newInput(dt, B, d), t: newInput(dt, B, 1),
		y: newInput(dt, B, d), w: newInput(dt, B, 1),
		lossV: new(G.Value), uV: new(G.Value),
	}
	x := G.NewMatrix(g, dt, G.WithShape(B, d), G.WithName("x"), G.WithValue(p.x))
	t := G.NewMatrix(g, dt, G.WithShape(B, 1), G.WithName("t"), G.WithValue(p.t))
	y := G.NewMatrix(g, dt, G.WithShape(B, d), G.WithName("target"), G.WithValue(p.y))
	w := G.NewMatrix(g, dt, G.WithShape(B, 1), G.WithName("weight"), G.WithValue(p.w))
	u, err := n.model.Forward(x, t)
	if err != nil {
		return nil, err
	}
	obj, err := objectives.ByName(n.cfg.Objective)
	if err != nil {
		return nil, err
	}
	loss, err := obj(u, y, w)
	if err != nil {
		return nil, err
	}
	p.uNode, p.lossNode = u, loss
	G.Read(loss, p.lossV)
	G.Read(u, p.uV)
	if _, err := G.Grad(loss, n.params...); err != nil {
		return nil, fmt.Errorf("graph: gradient of the %s loss: %w", n.cfg.Objective, err)
	}
	p.vm = G.NewTapeMachine(g, G.BindDualValues(n.params...))
	return p, nil
}

// forward returns the forward-only program for batch size b, building and caching it on first
// use. Its parameter nodes are bound to n.weights (models.NewShared), so no copy is made.
func (n *Net) forward(b int) (*fwdProg, error) {
	if p, ok := n.fwd[b]; ok {
		return p, nil
	}
	dt, d := n.cfg.Dtype, n.d
	g := G.NewGraph()
	m, err := models.NewShared(g, dt, n.cfg.Spec, n.model)
	if err != nil {
		return nil, err
	}
	p := &fwdProg{g: g, x: newInput(dt, b, d), t: newInput(dt, b, 1), outV: new(G.Value)}
	x := G.NewMatrix(g, dt, G.WithShape(b, d), G.WithName("x"), G.WithValue(p.x))
	t := G.NewMatrix(g, dt, G.WithShape(b, 1), G.WithName("t"), G.WithValue(p.t))
	u, err := m.Forward(x, t)
	if err != nil {
		return nil, err
	}
	G.Read(u, p.outV)
	p.vm = G.NewTapeMachine(g)
	n.fwd[b] = p
	return p, nil
}

// Apply writes c(x_b, t_b) into out (len B·d) for the B = len(t) rows of x (len B·d), using the
// forward-only program of batch size B (built on first use, then cached). Times are in [0, 1].
// It never changes the parameters. Implements dynamics.Control.
func (n *Net) Apply(x, t, out []float64) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	B := len(t)
	if len(x) != B*n.d || len(out) != B*n.d {
		return fmt.Errorf("graph: Apply got len(x) %d, len(out) %d for %d times of dimension %d; want %d each", len(x), len(out), B, n.d, B*n.d)
	}
	if B == 0 {
		return nil
	}
	if n.closed {
		return errClosed
	}
	if n.native != nil {
		n.native.apply(x, t, out)
		return nil
	}
	return n.applyGorgonia(x, t, out)
}

// applyGorgonia is Apply on the Gorgonia forward program of batch size len(t) (sizes checked,
// B > 0, not closed).
func (n *Net) applyGorgonia(x, t, out []float64) error {
	B := len(t)
	p, err := n.forward(B)
	if err != nil {
		return err
	}
	setData(p.x, x)
	setData(p.t, t)
	p.vm.Reset()
	err = p.vm.RunAll()
	p.vm.Reset()
	if err != nil {
		return fmt.Errorf("graph: forward pass (B=%d): %w", B, err)
	}
	return readValue(*p.outV, out)
}

// checkBatch verifies the sizes of a training minibatch.
func (n *Net) checkBatch(x, t, y, w []float64) error {
	B, d := n.cfg.Batch, n.d
	if len(t) != B {
		return fmt.Errorf("graph: batch of %d rows, but the network trains on batches of %d", len(t), B)
	}
	if len(x) != B*d || len(y) != B*d {
		return fmt.Errorf("graph: len(x) %d and len(y) %d, want %d (%d rows × dimension %d)", len(x), len(y), B*d, B, d)
	}
	if w != nil && len(w) != B {
		return fmt.Errorf("graph: %d weights for a batch of %d rows", len(w), B)
	}
	return nil
}

// runTrain fills the training inputs and runs the training program once. It returns the loss;
// the gradients are left accumulated in the parameters' dual values.
func (n *Net) runTrain(x, t, y, w []float64) (float64, error) {
	if n.closed {
		return 0, errClosed
	}
	if err := n.checkBatch(x, t, y, w); err != nil {
		return 0, err
	}
	p := n.train
	setData(p.x, x)
	setData(p.t, t)
	setData(p.y, y)
	if w == nil {
		fillOnes(p.w)
	} else {
		setData(p.w, w)
	}
	p.vm.Reset()
	err := p.vm.RunAll()
	p.vm.Reset()
	if err != nil {
		return 0, fmt.Errorf("graph: training program: %w", err)
	}
	return scalarOf(p.lossV)
}

// grads returns the gradient tensors of the parameters (valid after runTrain).
func (n *Net) grads() ([]*tensor.Dense, error) {
	gs := make([]*tensor.Dense, len(n.params))
	for i, p := range n.params {
		gv, err := p.Grad()
		if err != nil {
			return nil, fmt.Errorf("graph: gradient of %q: %w", p.Name(), err)
		}
		gd, ok := gv.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("graph: gradient of %q is %T", p.Name(), gv)
		}
		gs[i] = gd
	}
	return gs, nil
}

// zeroGrads resets the accumulated gradients to 0 (they accumulate across RunAll).
func (n *Net) zeroGrads() {
	for _, p := range n.params {
		if gv, err := p.Grad(); err == nil {
			if gd, ok := gv.(*tensor.Dense); ok {
				gd.Zero()
			}
		}
	}
}

// Step takes one Adam step on the configured loss (1/B) Σ_b w_b |c(x_b, t_b) + y_b|² over
// exactly Config.Batch rows (x, y: len B·d; t: len B; w: len B, or nil for all ones) and
// returns the loss evaluated before the step. If the loss or the gradient is not finite, no
// update is made and an error is returned with the loss. Implements dynamics.Learner.
func (n *Net) Step(x, t, y, w []float64) (float64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var loss float64
	var gs []*tensor.Dense
	var err error
	if n.native != nil {
		if loss, err = n.nativeLoss(x, t, y, w, true); err != nil {
			return 0, err
		}
	} else {
		defer n.zeroGrads()
		if loss, err = n.runTrain(x, t, y, w); err != nil {
			return 0, err
		}
		if gs, err = n.grads(); err != nil {
			return loss, err
		}
	}
	var norm float64
	if n.native != nil {
		norm = n.native.gradNorm()
	} else {
		norm = gradNorm(gs)
	}
	n.gradNorm = norm
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return loss, fmt.Errorf("graph: non-finite loss %v or gradient norm %v; step skipped", loss, norm)
	}
	scale := 1.0
	if c := n.cfg.ClipNorm; c > 0 && norm > c {
		scale = c / norm
	}
	if n.native != nil {
		n.native.adamStep(n.adam.next(scale, n.lr, n.cfg.Beta1, n.cfg.Beta2, n.cfg.Eps), n.adam.m, n.adam.v)
	} else {
		n.adam.step(n.weights, gs, scale, n.lr, n.cfg.Beta1, n.cfg.Beta2, n.cfg.Eps)
	}
	return loss, nil
}

// Loss evaluates the configured loss on a training-sized minibatch (same arguments as Step)
// without changing the parameters or the optimiser state (e.g. a validation loss).
func (n *Net) Loss(x, t, y, w []float64) (float64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.native != nil {
		return n.nativeLoss(x, t, y, w, false)
	}
	defer n.zeroGrads()
	return n.runTrain(x, t, y, w)
}

// nativeLoss checks the batch and runs the native engine's loss (and gradients with grad).
func (n *Net) nativeLoss(x, t, y, w []float64, grad bool) (float64, error) {
	if n.closed {
		return 0, errClosed
	}
	if err := n.checkBatch(x, t, y, w); err != nil {
		return 0, err
	}
	return n.native.loss(x, t, y, w, grad), nil
}

// SetLearnRate sets Adam's step size α (≥ 0; 0 freezes the weights) for the following steps.
// It is not validated. Implements dynamics.Learner.
func (n *Net) SetLearnRate(lr float64) {
	n.mu.Lock()
	n.lr = lr
	n.mu.Unlock()
}

// LearnRate returns Adam's current step size α.
func (n *Net) LearnRate() float64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lr
}

// GradNorm returns the global Euclidean norm of the gradient at the last Step, before
// clipping (0 before the first step).
func (n *Net) GradNorm() float64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.gradNorm
}

// Steps returns the number of Adam steps taken (restored by Load).
func (n *Net) Steps() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.adam.t
}

// Config returns the configuration the network was built with (defaults filled in; Rand nil).
func (n *Net) Config() Config {
	c := n.cfg
	c.Spec.InShift = append([]float64(nil), c.Spec.InShift...)
	return c
}

// Dim returns d, the dimension of x and of the output.
func (n *Net) Dim() int { return n.d }

// NumParams returns the total number of scalar parameters.
func (n *Net) NumParams() int { return n.size }

// ParamNames returns the parameter names in Learnables order (e.g. "u_l0_W", "u_l0_b", …).
func (n *Net) ParamNames() []string { return append([]string(nil), n.names...) }

// ParamShapes returns the [rows, cols] shape of every parameter, in ParamNames order.
func (n *Net) ParamShapes() [][2]int { return append([][2]int(nil), n.shapes...) }

// snapshot returns a float64 copy of all parameters, concatenated in ParamNames order.
func (n *Net) snapshot() []float64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]float64, 0, n.size)
	for _, w := range n.weights {
		k := len(out)
		out = out[:k+w.Size()]
		getData(w, out[k:])
	}
	return out
}

// compatible returns an error unless src has parameters of the same shapes as n.
func (n *Net) compatible(src *Net) error {
	if len(src.shapes) != len(n.shapes) {
		return fmt.Errorf("graph: source network has %d parameter tensors, this one %d", len(src.shapes), len(n.shapes))
	}
	for i := range n.shapes {
		if src.shapes[i] != n.shapes[i] {
			return fmt.Errorf("graph: parameter %d (%q) is %v in the source network, %v here", i, n.names[i], src.shapes[i], n.shapes[i])
		}
	}
	return nil
}

// CopyFrom overwrites n's parameters with src's (same shapes required, dtypes may differ; the
// names may differ, e.g. by prefix). The copy is made into n's existing tensors, so n's forward
// programs stay bound. The optimiser state of n is unchanged.
func (n *Net) CopyFrom(src *Net) error { return n.mix(src, 0) }

// UpdateEMA moves n's parameters towards src's: θ ← decay·θ + (1 − decay)·θ_src, with decay in
// [0, 1] (decay 0 is CopyFrom). Used for exponential-moving-average or target networks.
func (n *Net) UpdateEMA(src *Net, decay float64) error {
	if !(decay >= 0 && decay <= 1) {
		return fmt.Errorf("graph: EMA decay %v must be in [0, 1]", decay)
	}
	return n.mix(src, decay)
}

func (n *Net) mix(src *Net, keep float64) error {
	if src == nil {
		return errors.New("graph: nil source network")
	}
	if src == n {
		return nil
	}
	if err := n.compatible(src); err != nil {
		return err
	}
	vals := src.snapshot() // locks src only, so two nets copying into each other cannot deadlock
	n.mu.Lock()
	defer n.mu.Unlock()
	k := 0
	buf := make([]float64, 0)
	for _, w := range n.weights {
		s := w.Size()
		if keep == 0 {
			setData(w, vals[k:k+s])
		} else {
			buf = append(buf[:0], make([]float64, s)...)
			getData(w, buf)
			for i := range buf {
				buf[i] = keep*buf[i] + (1-keep)*vals[k+i]
			}
			setData(w, buf)
		}
		k += s
	}
	return nil
}

// Close releases the Gorgonia machines of all programs. The Net must not be used afterwards.
func (n *Net) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	var first error
	for b, p := range n.fwd {
		if err := p.vm.Close(); err != nil && first == nil {
			first = err
		}
		delete(n.fwd, b)
	}
	if !n.closed {
		if err := n.train.vm.Close(); err != nil && first == nil {
			first = err
		}
	}
	n.closed = true
	n.native = nil // its workspaces are released; Apply, Step and Loss report errClosed
	return first
}
