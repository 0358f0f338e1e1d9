// Package experiments owns the named experiments of the project: for each, a target (package
// experiments/targets), the hyper-parameters of the process, the networks and the training
// schedule (Settings), and the evaluation protocol of benchmarks.md (NAAS against the
// uncontrolled annealed Langevin baseline and the exact-vs-exact floor). It builds the
// pieces (dynamics.Process, graph.Net, dynamics.Trainer) from Settings and never touches
// Gorgonia directly.
package experiments
