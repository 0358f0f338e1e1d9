package graph

import (
	"fmt"
	"math"
	"sync"

	"github.com/naas-go/naas/models"
	"gonum.org/v1/gonum/blas"
	"gorgonia.org/tensor"
)

// The native engine evaluates the network, the matching loss and its parameter gradients in
// plain Go on the same BLAS as Gorgonia, without a graph machine: all buffers are allocated once
// per batch size; the bias + activation + product steps (and their gradients) are fused loops,
// vectorised for SiLU (sigmoid_amd64.s) and split over GOMAXPROCS goroutines, as is the Adam
// update; the Fourier features are computed once per run of equal times (every row of a
// roll-out step has the same t); nothing the backward pass needs is recomputed except what
// Gorgonia recomputes too (σ(−z) of SiLU). It performs, value for value, the computation of the
// Gorgonia programs — the same BLAS calls (shapes, transposes, α = 1, β = 0), the same
// element-wise operations in the same order and dtype, the same sequential reductions — so its
// outputs, losses and gradients are bit-identical to theirs (TestNativeMatchesGorgonia), for
// float32 and float64 and every architecture and activation of package models. The Gorgonia
// programs stay the reference, the DOT source, and the engine of Config.Engine = "gorgonia".
//
// Shapes: a batch of B rows; x [B, d]; t [B, 1]; features [B, F] with F = d + 2·NFreq
// (fourier-mlp, resmlp) or d + 1 (mlp); hidden activations [B, Width]; output [B, d]. All
// matrices are row-major.

// nativeNet is a native engine of one dtype bound to a Net's parameter tensors.
type nativeNet interface {
	// apply writes c(x_b, t_b) into out for the len(t) rows of x (sizes checked by the caller).
	apply(x, t, out []float64)
	// loss runs the forward pass on a training batch (x, t, y: B rows; w nil means all ones)
	// and returns (1/B) Σ_b w_b |c_b + y_b|²; with grad it also writes the gradient of that
	// loss into the gradient tensors given at construction.
	loss(x, t, y, w []float64, grad bool) float64
	// gradNorm returns the global Euclidean norm of the gradients of the last loss(…, true),
	// summed in parameter order like gradNorm.
	gradNorm() float64
	// adamStep applies one Adam update with constants p to the parameters, from the gradients
	// of the last loss(…, true) and the moments m, v (indexed like the parameters).
	adamStep(p adamParams, m, v [][]float64)
	// workspaces is the number of cached per-batch-size workspaces.
	workspaces() int
}

// layer is one affine map h ↦ h·W + b of the network.
type layer[T float] struct {
	w, b    []T // W [in, out] and b [1, out]: the data of the Gorgonia parameter tensors
	gw, gb  []T // gradient buffers of the same shapes (nil for a forward-only kernel)
	in, out int
}

// kernel is the native engine for dtype T.
type kernel[T float] struct {
	resnet   bool   // resmlp (else fourier-mlp or mlp)
	fourier  bool   // Fourier time features (else raw t)
	act      string // activation name (models.Act*)
	d, feat  int    // dimension d and feature width F
	width    int
	depth    int
	shift    []T // input shift (nil: none)
	invScale T   // 1/InScale, used when scaled
	scaled   bool
	freqs    []T // Fourier frequencies [NFreq]
	// layers: fourier-mlp and mlp: Depth hidden layers, then the output layer; resmlp: the
	// input projection, then the two layers of each block, then the output layer.
	layers []layer[T]
	gemm   gemmFunc[T]
	batch  int // training batch size B
	work   map[int]*workspace[T]
}

// actBuf holds one activation site: pre-activation z, the auxiliary tensor the backward pass
// needs (σ(z) for silu, the 0/1 mask for relu; nil otherwise) and the activation a = act(z).
type actBuf[T float] struct{ z, s, a []T }

// workspace holds every buffer of one batch size B. Forward-only workspaces keep a aliased to
// z (the activation overwrites the pre-activation).
type workspace[T float] struct {
	rows  int
	train bool
	x, t  []T // inputs converted to T
	feats []T // [B, F]
	// fourier-mlp, mlp: sites[l] for hidden layer l. resmlp: sites[2i] = act(h_i) and
	// sites[2i+1] = act(z1_i) for block i, sites[2·Depth] = act(h_Depth).
	sites []actBuf[T]
	h     [][]T // resmlp residual stream h_0 … h_Depth [B, Width]
	u     []T   // output [B, d]
	// training only
	y, w       []T // target [B, d] and weights [B]
	r, du      []T // residual c + y and ∂L/∂c [B, d]
	dA, dZ, dH []T // [B, Width]
	tmp        []T // scratch [B, Width]
	nt         []T // scratch of exactSgemmNT (float32 only)
}

// newNative returns the native engine for n, with gradients written into grads (one tensor per
// parameter, in ParamNames order). It fails if the parameters do not have the names and shapes
// that package models gives the spec (the engine would then compute another function).
func newNative(n *Net, grads []*tensor.Dense) (nativeNet, error) {
	if n.cfg.Dtype == tensor.Float32 {
		return newKernel[float32](n, grads)
	}
	return newKernel[float64](n, grads)
}

func newKernel[T float](n *Net, grads []*tensor.Dense) (*kernel[T], error) {
	s := n.cfg.Spec
	k := &kernel[T]{
		resnet: s.Arch == models.ArchResMLP, fourier: s.Arch != models.ArchMLP, act: s.Act,
		d: s.Dim, width: s.Width, depth: s.Depth, gemm: newGemm[T](), batch: n.cfg.Batch,
		work: map[int]*workspace[T]{},
	}
	switch s.Act {
	case models.ActSiLU, models.ActTanh, models.ActReLU, models.ActSoftplus:
	default:
		return nil, fmt.Errorf("graph: the native engine has no activation %q; use Engine %q", s.Act, EngineGorgonia)
	}
	k.feat = s.Dim + 1
	if k.fourier {
		k.feat = s.Dim + 2*s.NFreq
		for _, f := range models.FourierFrequencies(s.NFreq) {
			k.freqs = append(k.freqs, T(f))
		}
	}
	for _, v := range s.InShift {
		if v != 0 {
			k.shift = make([]T, s.Dim)
			for i := range k.shift {
				k.shift[i] = T(s.InShift[i])
			}
			break
		}
	}
	if s.InScale != 1 {
		k.scaled, k.invScale = true, T(1/s.InScale)
	}

	// the expected parameters, in models' Learnables order
	type want struct {
		name    string
		in, out int
	}
	var ws []want
	if k.resnet {
		ws = append(ws, want{"in", k.feat, s.Width})
		for i := 0; i < s.Depth; i++ {
			ws = append(ws, want{fmt.Sprintf("r%d_a", i), s.Width, s.Width}, want{fmt.Sprintf("r%d_b", i), s.Width, s.Width})
		}
	} else {
		in := k.feat
		for i := 0; i < s.Depth; i++ {
			ws = append(ws, want{fmt.Sprintf("l%d", i), in, s.Width})
			in = s.Width
		}
	}
	ws = append(ws, want{"out", s.Width, s.Dim})
	if len(n.weights) != 2*len(ws) {
		return nil, fmt.Errorf("graph: native engine: %d parameter tensors, want %d for %v", len(n.weights), 2*len(ws), s)
	}
	prefix := ""
	if s.Prefix != "" {
		prefix = s.Prefix + "_"
	}
	for i, w := range ws {
		for j, suffix := range []string{"_W", "_b"} {
			p := 2*i + j
			shape := [2]int{w.in, w.out}
			if j == 1 {
				shape = [2]int{1, w.out}
			}
			if n.names[p] != prefix+w.name+suffix || n.shapes[p] != shape {
				return nil, fmt.Errorf("graph: native engine: parameter %d is %q %v, want %q %v", p, n.names[p], n.shapes[p], prefix+w.name+suffix, shape)
			}
		}
		l := layer[T]{w: n.weights[2*i].Data().([]T), b: n.weights[2*i+1].Data().([]T), in: w.in, out: w.out}
		if grads != nil {
			l.gw, l.gb = grads[2*i].Data().([]T), grads[2*i+1].Data().([]T)
		}
		k.layers = append(k.layers, l)
	}
	return k, nil
}

func (k *kernel[T]) workspaces() int { return len(k.work) }

func (k *kernel[T]) gradNorm() float64 {
	var ss float64
	for _, l := range k.layers {
		for _, g := range [2][]T{l.gw, l.gb} {
			for _, v := range g {
				ss += float64(v) * float64(v)
			}
		}
	}
	return math.Sqrt(ss)
}

// adamStep runs adamUpdate on every parameter, entries split over GOMAXPROCS goroutines (the
// update is entry-wise, so the split does not change any value).
func (k *kernel[T]) adamStep(p adamParams, m, v [][]float64) {
	for i, l := range k.layers {
		for j, pg := range [2][2][]T{{l.w, l.gw}, {l.b, l.gb}} {
			w, g, mi, vi := pg[0], pg[1], m[2*i+j], v[2*i+j]
			parallelFor(len(w), 16, func(lo, hi int) { adamUpdate(w[lo:hi], g[lo:hi], mi[lo:hi], vi[lo:hi], p) })
		}
	}
}

// workspace returns the cached workspace of B rows (training-capable if train), allocating it
// on first use. A training workspace also serves forward passes of its size.
func (k *kernel[T]) workspace(B int, train bool) *workspace[T] {
	if w, ok := k.work[B]; ok && (w.train || !train) {
		return w
	}
	w := &workspace[T]{rows: B, train: train}
	w.x, w.t = make([]T, B*k.d), make([]T, B)
	w.feats = make([]T, B*k.feat)
	site := func() actBuf[T] {
		ab := actBuf[T]{z: make([]T, B*k.width)}
		ab.a = ab.z
		if train {
			ab.a = make([]T, B*k.width)
		}
		if k.act == models.ActSiLU || k.act == models.ActReLU {
			ab.s = make([]T, B*k.width)
		}
		return ab
	}
	if k.resnet {
		for i := 0; i <= 2*k.depth; i++ {
			w.sites = append(w.sites, site())
		}
		for i := 0; i <= k.depth; i++ {
			w.h = append(w.h, make([]T, B*k.width))
		}
	} else {
		for i := 0; i < k.depth; i++ {
			w.sites = append(w.sites, site())
		}
	}
	w.u = make([]T, B*k.d)
	if train {
		w.y, w.w = make([]T, B*k.d), make([]T, B)
		w.r, w.du = make([]T, B*k.d), make([]T, B*k.d)
		w.dA, w.dZ, w.dH = make([]T, B*k.width), make([]T, B*k.width), make([]T, B*k.width)
		w.tmp = make([]T, B*k.width)
		if is32[T]() {
			w.nt = make([]T, (B+15)/16*16*max(k.width, k.d))
		}
	}
	k.work[B] = w
	return w
}

func (k *kernel[T]) apply(x, t, out []float64) {
	ws := k.workspace(len(t), false)
	k.forward(ws, x, t)
	for i, v := range ws.u {
		out[i] = float64(v)
	}
}

func (k *kernel[T]) loss(x, t, y, w []float64, grad bool) float64 {
	B := k.batch
	ws := k.workspace(B, true)
	k.forward(ws, x, t)
	for i, v := range y {
		ws.y[i] = T(v)
	}
	for b := range ws.w {
		if w == nil {
			ws.w[b] = 1
		} else {
			ws.w[b] = T(w[b])
		}
	}
	// objectives.weightedSquaredSum: r = c + y, (r ⊙ r) ⊙ w, a sequential Σ over the flat
	// [B, d] array (tensor's SumF32/SumF64), times the constant 1/B of the graph's dtype.
	invB := T(1 / float64(B))
	var sum T
	d := k.d
	for b := 0; b < B; b++ {
		wb := ws.w[b]
		for i := b * d; i < (b+1)*d; i++ {
			r := ws.u[i] + ws.y[i]
			ws.r[i] = r
			sum += T(T(r*r) * wb)
		}
	}
	loss := T(sum * invB)
	if grad {
		// ∂L/∂c = (r ⊙ 2) ⊙ (w ⊙ (1/B · 1)), as Gorgonia's gradient graph builds it
		for b := 0; b < B; b++ {
			g := T(ws.w[b] * invB)
			for i := b * d; i < (b+1)*d; i++ {
				ws.du[i] = T(ws.r[i]*2) * g
			}
		}
		k.backward(ws)
	}
	return float64(loss)
}

// forward computes the network output for the inputs x [B, d] and t [B] into ws.u.
func (k *kernel[T]) forward(ws *workspace[T], x, t []float64) {
	B := ws.rows
	for i, v := range x {
		ws.x[i] = T(v)
	}
	for i, v := range t {
		ws.t[i] = T(v)
	}
	parallelFor(B, k.feat*8, func(lo, hi int) { k.features(ws, lo, hi) })
	if !k.resnet {
		in := ws.feats
		for l := 0; l < k.depth; l++ {
			k.denseAct(&k.layers[l], in, ws.sites[l], B)
			in = ws.sites[l].a
		}
		k.denseOut(&k.layers[k.depth], in, ws.u, B)
		return
	}
	// resmlp: h_0 = feats·W_in + b_in; h_{i+1} = h_i + L_b(act(L_a(act(h_i)))); u = L_out(act(h_D))
	in := &k.layers[0]
	k.gemm(blas.NoTrans, blas.NoTrans, B, in.out, in.in, ws.feats, in.in, in.w, in.out, ws.h[0], in.out)
	k.addBias(ws.h[0], in.b, B)
	for i := 0; i < k.depth; i++ {
		la, lb := &k.layers[1+2*i], &k.layers[2+2*i]
		sh, s1 := ws.sites[2*i], ws.sites[2*i+1]
		k.actOnly(ws.h[i], sh, B)
		k.denseAct(la, sh.a, s1, B)
		// z2 = a1·W_b + b_b; h_{i+1} = h_i + z2
		hi, hn := ws.h[i], ws.h[i+1]
		k.gemm(blas.NoTrans, blas.NoTrans, B, lb.out, lb.in, s1.a, lb.in, lb.w, lb.out, hn, lb.out)
		n := lb.out
		parallelFor(B, n, func(r0, r1 int) {
			for r := r0; r < r1; r++ {
				row := hn[r*n : (r+1)*n]
				hrow := hi[r*n : (r+1)*n]
				for j, v := range row {
					row[j] = hrow[j] + (v + lb.b[j])
				}
			}
		})
	}
	last := ws.sites[2*k.depth]
	k.actOnly(ws.h[k.depth], last, B)
	k.denseOut(&k.layers[len(k.layers)-1], last.a, ws.u, B)
}

// features writes rows [lo, hi) of the input features: models' normaliser ((x − shift) ⊙
// 1/scale) concatenated with sin(t·f), cos(t·f) (Fourier) or t (raw).
func (k *kernel[T]) features(ws *workspace[T], lo, hi int) {
	d, F, nf := k.d, k.feat, len(k.freqs)
	for b := lo; b < hi; b++ {
		row := ws.feats[b*F : (b+1)*F]
		xr := ws.x[b*d : (b+1)*d]
		for i, v := range xr {
			if k.shift != nil {
				v -= k.shift[i]
			}
			if k.scaled {
				v *= k.invScale
			}
			row[i] = v
		}
		tb := ws.t[b]
		if !k.fourier {
			row[d] = tb
			continue
		}
		if b > lo && bitsOf(ws.t[b-1]) == bitsOf(tb) {
			// the same time as the previous row (every row of a roll-out step): same features
			copy(row[d:], ws.feats[(b-1)*F+d:b*F])
			continue
		}
		for j, f := range k.freqs {
			arg := tb * f
			row[d+j] = sin(arg)
			row[d+nf+j] = cos(arg)
		}
	}
}

// bitsOf returns the bits of v as float64 (a one-to-one map for both dtypes).
func bitsOf[T float](v T) uint64 { return math.Float64bits(float64(v)) }

// denseAct computes site.z = in·W + b and the activation of it (rows of in: B).
func (k *kernel[T]) denseAct(l *layer[T], in []T, site actBuf[T], B int) {
	k.gemm(blas.NoTrans, blas.NoTrans, B, l.out, l.in, in, l.in, l.w, l.out, site.z, l.out)
	n := l.out
	parallelFor(B, n*8, func(lo, hi int) {
		if k.act == models.ActSiLU { // fused bias, σ and product
			siluForward(site.z[lo*n:hi*n], site.s[lo*n:hi*n], site.a[lo*n:hi*n], l.b)
			return
		}
		z := site.z[lo*n : hi*n]
		for r := 0; r < hi-lo; r++ {
			row := z[r*n : (r+1)*n]
			for j := range row {
				row[j] += l.b[j]
			}
		}
		k.activate(site, lo*n, hi*n)
	})
}

// actOnly applies the activation to pre (copied into site.z when they differ).
func (k *kernel[T]) actOnly(pre []T, site actBuf[T], B int) {
	n := k.width
	parallelFor(B, n*8, func(lo, hi int) {
		copy(site.z[lo*n:hi*n], pre[lo*n:hi*n])
		k.activate(site, lo*n, hi*n)
	})
}

// activate computes site.a[i] = act(site.z[i]) (and site.s) for i in [lo, hi), with Gorgonia's
// formulas: silu z ⊙ σ(z); tanh; relu z ⊙ (z ≥ 0); softplus.
func (k *kernel[T]) activate(site actBuf[T], lo, hi int) {
	z, a := site.z[lo:hi], site.a[lo:hi]
	var s []T
	if site.s != nil {
		s = site.s[lo:hi]
	}
	switch k.act {
	case models.ActSiLU:
		sigmoidSlice(s, z, false)
		for i, v := range z {
			a[i] = v * s[i]
		}
	case models.ActTanh:
		for i, v := range z {
			a[i] = tanh(v)
		}
	case models.ActReLU:
		for i, v := range z {
			var m T
			if v >= 0 {
				m = 1
			}
			s[i] = m
			a[i] = v * m
		}
	case models.ActSoftplus:
		for i, v := range z {
			a[i] = softplus(v)
		}
	}
}

// denseOut computes out = in·W + b for the output layer.
func (k *kernel[T]) denseOut(l *layer[T], in, out []T, B int) {
	k.gemm(blas.NoTrans, blas.NoTrans, B, l.out, l.in, in, l.in, l.w, l.out, out, l.out)
	k.addBias(out, l.b, B)
}

func (k *kernel[T]) addBias(z, b []T, B int) {
	n := len(b)
	parallelFor(B, n, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := z[r*n : (r+1)*n]
			for j := range row {
				row[j] += b[j]
			}
		}
	})
}

// backward writes the parameter gradients from ws.du = ∂L/∂c and the activations of the last
// forward pass.
func (k *kernel[T]) backward(ws *workspace[T]) {
	B := ws.rows
	out := &k.layers[len(k.layers)-1]
	var lastA []T
	if k.resnet {
		lastA = ws.sites[2*k.depth].a
	} else {
		lastA = ws.sites[k.depth-1].a
	}
	if !k.resnet {
		// The parameter gradients of a layer (∂L/∂W = inᵀ·dz, ∂L/∂b) are needed by nothing
		// else, so each runs on its own goroutine while the chain ∂L/∂a → ∂L/∂z → ∂L/∂a of
		// the layer below goes on (with a single-threaded BLAS that otherwise leaves a core
		// idle). dZ and dH alternate as ∂L/∂z so that the running paramGrads keeps its
		// input. Every value is computed by the same operations as sequentially.
		var pg sync.WaitGroup
		async := func(l *layer[T], in, dz []T) {
			pg.Add(1)
			go func() {
				defer pg.Done()
				k.paramGrads(l, in, dz, B)
			}()
		}
		k.gemmNT(ws, B, out.in, out.out, ws.du, out.out, out.w, out.out, ws.dA, out.in)
		async(out, lastA, ws.du)
		dz := [2][]T{ws.dZ, ws.dH}
		for l := k.depth - 1; l >= 0; l-- {
			z := dz[l%2]
			k.actBackward(ws.sites[l], ws.dA, nil, z, ws.tmp, B)
			ly := &k.layers[l]
			in := ws.feats
			if l > 0 {
				in = ws.sites[l-1].a
				k.gemmNT(ws, B, ly.in, ly.out, z, ly.out, ly.w, ly.out, ws.dA, ly.in)
			}
			pg.Wait() // the layer above, which read the other buffer
			async(ly, in, z)
		}
		pg.Wait()
		return
	}
	k.paramGrads(out, lastA, ws.du, B)
	k.gemmNT(ws, B, out.in, out.out, ws.du, out.out, out.w, out.out, ws.dA, out.in)
	k.actBackward(ws.sites[2*k.depth], ws.dA, nil, ws.dH, ws.tmp, B)
	for i := k.depth - 1; i >= 0; i-- {
		la, lb := &k.layers[1+2*i], &k.layers[2+2*i]
		sh, s1 := ws.sites[2*i], ws.sites[2*i+1]
		// z2 = a1·W_b + b_b receives ∂L/∂h_{i+1} unchanged (h_{i+1} = h_i + z2)
		k.paramGrads(lb, s1.a, ws.dH, B)
		k.gemmNT(ws, B, lb.in, lb.out, ws.dH, lb.out, lb.w, lb.out, ws.dA, lb.in)
		k.actBackward(s1, ws.dA, nil, ws.dZ, ws.tmp, B)
		k.paramGrads(la, sh.a, ws.dZ, B)
		k.gemmNT(ws, B, la.in, la.out, ws.dZ, la.out, la.w, la.out, ws.dA, la.in)
		// ∂L/∂h_i = ∂L/∂h_{i+1} + act'(h_i)ᵀ ∂L/∂act(h_i), in place
		k.actBackward(sh, ws.dA, ws.dH, ws.dH, ws.tmp, B)
	}
	k.paramGrads(&k.layers[0], ws.feats, ws.dH, B)
}

// gemmNT computes C = A·Bᵀ like k.gemm(NoTrans, Trans, …), through exactSgemmNT (the same bits
// as gonum, faster) where it applies.
func (k *kernel[T]) gemmNT(ws *workspace[T], m, n, kk int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if a32, ok := any(a).([]float32); ok {
		if exactSgemmNT(m, n, kk, a32, lda, any(b).([]float32), ldb, any(c).([]float32), ldc, any(ws.nt).([]float32)) {
			return
		}
	}
	k.gemm(blas.NoTrans, blas.Trans, m, n, kk, a, lda, b, ldb, c, ldc)
}

// paramGrads writes ∂L/∂b = Σ_rows dz (tensor's ReduceFirst: row 0, then each further row
// added in order) and ∂L/∂W = inᵀ·dz.
func (k *kernel[T]) paramGrads(l *layer[T], in, dz []T, B int) {
	n := l.out
	parallelFor(n, B, func(lo, hi int) {
		g := l.gb[lo:hi]
		copy(g, dz[lo:hi])
		for r := 1; r < B; r++ {
			row := dz[r*n+lo : r*n+hi]
			for j := range g {
				g[j] += row[j]
			}
		}
	})
	k.gemm(blas.Trans, blas.NoTrans, l.in, l.out, B, in, l.in, dz, l.out, l.gw, l.out)
}

// actBackward writes dz = act'(z)ᵀ da (plus res when res is non-nil; dz may alias res) with the
// operations of Gorgonia's gradient graph:
//
//	silu:     (res +) (σ(z) ⊙ da) + ((σ(z) ⊙ σ(−z)) ⊙ (z ⊙ da))
//	tanh:     (1 − a ⊙ a) ⊙ da
//	relu:     (z ≥ 0) ⊙ da
//	softplus: σ(z) ⊙ da
func (k *kernel[T]) actBackward(site actBuf[T], da, res, dz, tmp []T, B int) {
	n := k.width
	parallelFor(B, n*8, func(lo, hi int) {
		lo, hi = lo*n, hi*n
		z, g, out, sc := site.z[lo:hi], da[lo:hi], dz[lo:hi], tmp[lo:hi]
		var rs []T
		if res != nil {
			rs = res[lo:hi]
		}
		switch k.act {
		case models.ActSiLU:
			siluBackward(z, site.s[lo:hi], g, rs, out, sc)
		case models.ActTanh:
			a := site.a[lo:hi]
			for i := range z {
				v := T(T(1-T(a[i]*a[i])) * g[i])
				if rs != nil {
					v += rs[i]
				}
				out[i] = v
			}
		case models.ActReLU:
			s := site.s[lo:hi]
			for i := range z {
				v := T(s[i] * g[i])
				if rs != nil {
					v += rs[i]
				}
				out[i] = v
			}
		case models.ActSoftplus:
			sigmoidSlice(sc, z, false)
			for i := range z {
				u := T(sc[i] * g[i])
				if rs != nil {
					u += rs[i]
				}
				out[i] = u
			}
		}
	})
}
