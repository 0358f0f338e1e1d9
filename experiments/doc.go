// Package experiments owns the named experiments of the project: for each, a target (package
// experiments/targets), the hyper-parameters of the process, the networks and the training
// schedule (Settings), and the evaluation protocol of benchmarks.md (NAAS against the
// uncontrolled annealed Langevin baseline and the exact-vs-exact floor). It builds the
// pieces (dynamics.Process, graph.Net, dynamics.Trainer) from Settings and never touches
// Gorgonia directly. It also owns the diagnostics and start laws built on a trained sampler:
// population mode weights (ModeWeights, with the oracle start) and the basin prior
// (BasinPrior), a start law fitted after training that replaces the neural prior stage.
package experiments
