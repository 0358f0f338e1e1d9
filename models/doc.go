// Package models owns the neural architectures of the project: the time-conditioned control
// networks c(x, t): R^d × [0, 1] → R^d (the u and v networks of NAAS), a registry of
// architectures by name (fourier-mlp, mlp, resmlp), the time embeddings and the activations.
//
// A Model adds its parameter nodes to a Gorgonia expression graph once, in its constructor, and
// can then be applied to any inputs of that graph any number of times with Forward; every
// application shares the same parameters. Everything is kept 2-D: inputs x are [B, d] matrices,
// times t are [B, 1] column matrices, outputs are [B, d].
//
// Initial weights are drawn from a caller-supplied math/rand/v2 generator (never from
// Gorgonia's global random initialisers), so the same seed gives the same network, and the
// output layer (weights and bias) is zero-initialised, so an untrained network is exactly the
// zero control and training starts from the reference process.
//
// The package only builds graphs: it never compiles or runs a machine (that is package graph).
package models
