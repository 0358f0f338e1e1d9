// Package dynamics owns the stochastic processes of NAAS (naas.md §2–§7): β and σ schedules,
// the annealed reference and its controlled Euler–Maruyama roll-outs, the lean-adjoint
// recursion, the Brownian bridge of the prior stage, FIFO replay buffers, the alternating
// AM/RAM trainer, sampling and the discrete-time importance weights.
//
// It knows targets only through the Energy interface and networks only through Control and
// Learner; it imports no concrete target and no Gorgonia code.
package dynamics
