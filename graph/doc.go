// Package graph is the only package of the project that owns Gorgonia machines: it compiles
// a network (package models) and a loss (package objectives) into
//
//   - one training program per network: loss, symbolic gradients (G.Grad) and a TapeMachine,
//     built once, with host input tensors bound once and overwritten in place at every step,
//     followed by a hand-written Adam update on the weight tensors in place;
//   - forward-only programs, one per batch size, created lazily and cached, whose parameter
//     nodes are bound to the very same weight tensors (no copy: every optimiser update is seen);
//
// and it provides save/load of parameters and optimiser state, DOT export of both programs,
// and weight copies between networks. Net implements dynamics.Learner on flat row-major
// []float64 host slices. The package knows nothing about NAAS.
//
// Gorgonia rules enforced here (see docs/gorgonia.md): intermediate values are read only
// through G.Read into separately allocated *G.Value cells (a Read target inside the struct that
// owns the VM creates a finalizer cycle that leaks the graph); every run is preceded by
// vm.Reset(); gradients, which accumulate across runs, are zeroed after every step or
// evaluation; node names are unique per graph; everything is 2-D.
package graph
