package dynamics

// Control is a learned, time-dependent vector field c(x, t): R^d × [0, 1] → R^d evaluated on
// a batch (the u network of the annealed stage or the v network of the prior stage).
// Slices are flat and row-major as for Energy.
type Control interface {
	// Apply writes c(x_b, t_b) into out (len B·d) for the B = len(t) rows of x (len B·d).
	// It never changes the control's parameters.
	Apply(x, t, out []float64) error
}

// Learner is a Control that can be trained by matching: one call to Step takes one optimiser
// step on the loss
//
//	L = (1/B) Σ_b w_b |c(x_b, t_b) + y_b|²
//
// over the B = len(t) rows of a minibatch (y has the shape of x; w has length B, or is nil for
// all ones), and returns L evaluated before the step. Step may require a fixed B.
type Learner interface {
	Control
	Step(x, t, y, w []float64) (loss float64, err error)
	// SetLearnRate sets the optimiser's learning rate for the following steps.
	SetLearnRate(lr float64)
}
