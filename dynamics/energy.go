package dynamics

// Energy is a target potential E: R^d → R, the negative log of an unnormalised density
// exp(−E(x)), evaluated on batches. All slices are flat and row-major: a batch of B points
// in R^d is a []float64 of length B·d, point b occupying x[b·d : (b+1)·d].
//
// Implementations must be safe for concurrent use on disjoint output slices: the
// dynamics split a batch across goroutines and call the same Energy from each of them.
// Energies are dimensionless (units of k_B T); gradients are per unit of x.
type Energy interface {
	// Dim is d, the dimension of one point.
	Dim() int
	// Energy writes E(x_b) into e[b] for the B = len(e) rows of x (len B·d).
	Energy(x, e []float64)
	// Grad writes ∇E(x_b) into g (len B·d) for the B = len(x)/d rows of x.
	Grad(x, g []float64)
	// HVP writes the Hessian–vector product ∇²E(x_b)·v_b into hv (len B·d)
	// for the B = len(x)/d rows of x, with v of the same shape as x.
	HVP(x, v, hv []float64)
}
