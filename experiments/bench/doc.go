// Package bench is the performance harness of NAAS: it times the phases of training at an
// experiment's sizes — one network evaluation, one roll-out of B paths with the network in the
// loop, one lean-adjoint pass, one AM and one RAM training step, one full AM and one full RAM
// epoch — for one or several engines of package graph side by side in one process, and reports
// wall and CPU time per phase, energy / gradient / Hessian–vector-product calls per second, the
// achieved GFLOP/s of the network passes against the measured GEMM peak of the BLAS in use, and
// optionally the PyTorch reference implementation's epoch times measured in the same run.
//
// Timing protocol: every phase runs Reps times after one warm-up; engines are interleaved
// repetition by repetition (A B A B …) so that drifts of a shared, noisy machine hit all of
// them alike; the median over repetitions is reported. Engines start from identical weights
// and random streams and, being bit-identical, follow identical trajectories, so their epochs
// do identical work.
//
// FLOP counts are those of the matrix products only: a forward pass is 2·B·P_W flops, a
// training step 6·B·P_W (forward, ∂W and ∂input), where P_W is the number of entries of the
// weight matrices; element-wise work is not counted.
package bench
