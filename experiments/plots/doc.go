// Package plots owns the figures of an experiment run: PNG files written into
// the run folder.
//
// It provides
//
//   - a principal-component projection of a reference sample set ([PCA],
//     [Projection]) used to show d-dimensional samples in two dimensions;
//   - samples over the reference density ([SamplesPNG]): one panel per sample
//     set (for example NAAS and the annealed Langevin baseline), each showing
//     the reference as a smoothed 2-D histogram with the set's samples
//     scattered on top, on the first two principal axes of the reference (or
//     on the raw coordinates x0, x1, see [SamplesOptions]), as in Figure 2 of
//     the NAAS paper;
//   - training-loss curves, one panel per stage ([LossPNG]);
//   - mode weights of a mixture target against the truth as a grouped bar
//     chart ([ModeWeightsPNG]).
//
// Point sets are flat row-major []float64 slices of n·d values (point i is
// x[i*d : (i+1)*d]) with the dimension d passed alongside. Rows that hold a
// NaN or ±Inf are dropped and counted (the count is shown on the figure);
// structurally bad input (no points, a length that is not a multiple of d,
// mismatched lengths) is an error naming the input.
//
// Every figure is rendered in memory with gonum.org/v1/plot (whose fonts are
// embedded, so nothing is downloaded) and written atomically: a temporary file
// in the destination folder is synced and renamed over the path, so a reader
// never sees a partial PNG. The package holds no global mutable state and its
// functions are safe for concurrent use.
package plots
