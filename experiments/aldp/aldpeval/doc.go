// Package aldpeval evaluates alanine-dipeptide samples against the reference data of
// package refdata, with the protocol of the adjoint-sampler papers plus the project's extras
// (see docs/aldp.md §4):
//
//   - KL(reference ‖ model) of each of the five torsion marginals φ, ψ, γ1, γ2, γ3: histograms
//     with 200 equal bins on [−π, π] (an angle of exactly π falls in the last bin), P*_b and
//     P_b the fractions of reference and model samples in bin b, and
//     KL = Σ_b P*_b log((P*_b + ε)/(P_b + ε)) with ε = 1e-5 (ASBS's smoothing; it keeps
//     empty model bins finite, so the value is a smoothed KL, not a divergence between
//     normalised densities). Units: nats.
//   - W2 on (φ, ψ), radians: the exact 2-Wasserstein distance between two equal-size
//     uniform point clouds drawn without replacement (W2Samples points each, default 2000)
//     from the model and the reference, solved as an exact linear assignment
//     (metrics.Assign, Jonker–Volgenant). W2Torus uses the geodesic distance of the flat
//     torus [−π, π)², d² = Σ_k min(|Δ_k|, 2π − |Δ_k|)², so that φ = −π + δ and φ = π − δ are
//     close; W2Euclid uses the plain Euclidean distance on the (φ, ψ) square (what a
//     periodicity-blind implementation reports).
//   - W2 between the potential-energy distributions (kJ/mol): exact 1-D W2 between the
//     empirical measures (quantile coupling; sizes may differ). Model samples with non-finite
//     energies are left out and counted.
//   - The fraction of D-alanine samples (aldp.Chirality < 0). The reference is pure L.
//   - The (φ, ψ) basin populations (refdata.Classify) and the mean energy, as diagnostics.
//
// Every metric is also computed for a second, independent reference draw (refdata's
// independent run, subsampled to the model's sample size) against the reference: the floor
// a perfect sampler would reach with that many samples. Results are deterministic given
// Options.Seed.
//
// RamachandranPNG draws (φ, ψ) histograms of model and reference side by side.
package aldpeval
