// Package metrics owns the sample-quality metrics of the evaluation protocol
// (see docs/benchmarks.md): model samples are compared with exact samples of a
// benchmark target.
//
// It provides
//
//   - squared-Euclidean cost matrices ([SqDist]) and the relative entropic
//     regularisation ([RelativeEpsilon]);
//   - entropic optimal transport in the log domain with ε-scaling
//     ([Sinkhorn], [EntropicOT], [EntropicOTSelf]) and the Sinkhorn divergence
//     ([SinkhornDivergence]);
//   - the exact 2-Wasserstein distance between equal-size sets through an
//     exact assignment solver ([Assign], [W2Exact]);
//   - the Gaussian-kernel MMD with the median-heuristic bandwidth ([MMD]);
//   - mode statistics from labels ([ModeStats]);
//   - one-dimensional two-sample statistics ([KS2], [W1OneD]);
//   - importance-weight summaries from log-weights ([ImportanceSummary]);
//   - mean and sample standard deviation over seeds ([MeanStd]).
//
// Point sets are flat row-major []float64 slices of n·d values (point i is
// x[i*d : (i+1)*d]) with the dimension d passed alongside. Costs are squared
// Euclidean distances, so every OT quantity (entropic cost, divergence, W2²,
// ε) is in units of squared distance unless its name says otherwise (W2 and
// the MMD bandwidth are in units of distance).
//
// The O(n²) work runs on all GOMAXPROCS cores. Results do not depend on the
// scheduling: every row of a matrix is computed by one goroutine in a fixed
// order, and reductions over rows are done serially in row order afterwards.
// The package holds no global mutable state.
package metrics
