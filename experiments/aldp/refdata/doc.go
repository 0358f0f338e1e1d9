// Package refdata holds the alanine-dipeptide reference data of the evaluation: per frame of
// a 300 K Boltzmann sample of the ff96/OBC1 force field, the five evaluation torsions
// (φ, ψ, γ1, γ2, γ3, radians) and the potential energy (kJ/mol), as float32. The frames come
// from the replica-exchange Langevin runs of package md (command md/cmd/genref); README.md
// in this directory records the exact commands, settings and validation.
//
// Default returns the embedded reference: 69 000 frames (0.1 ps apart) of a 7 ns
// six-replica run (seed 1) and 29 000 frames of an independent 3 ns run (seed 2), float32
// .npy files of shape (n, 6) that NumPy reads directly. Read and Write handle the format.
//
// It also provides the (φ, ψ) basin partition (Classify, Populations) and the
// block-averaging and autocorrelation-time estimates (BlockAverage,
// IntegratedAutocorrTime) used to validate the data. Nothing in the package is mutable
// global state: Default parses the embedded bytes afresh on every call.
package refdata
