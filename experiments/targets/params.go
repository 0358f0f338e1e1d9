package targets

import "github.com/naas-go/naas/experiments/jaxrand"

// The benchmark's mixture parameters, regenerated with JAX's threefry2x32 in its original
// layout (JAX ≤ 0.4.28, jax_enable_x64 off, as in the SCLD / "Beyond ELBOs" code: jax 0.4.28,
// x64 commented out in run.py) from PRNGKey(0):
//
//	gmm40: mean = jax.random.uniform(PRNGKey(0), (40, 50), minval=-1.0, maxval=1.0) * 40
//	mos50: locs = jax.random.uniform(PRNGKey(0), (10, 50), minval=-10, maxval=10)
//
// (targets/gmm40.py and targets/student_t_mixture.py of both repositories). All arithmetic is
// float32 as in JAX; the float32 results are converted exactly to float64.
//
// Fused multiply–add: jax.random.uniform computes f·(max − min) + min. Whether XLA contracted
// that into one FMA on the benchmark's machine is not known, so the unfused form (jaxrand.
// Uniform32: product and sum rounded separately) is used. For gmm40 the question is moot:
// (max − min) = 2 makes the product exact, so both forms give identical means. For mos50 the
// two forms differ by one float32 ulp (9.5e-7) in 158 of the 500 locations (see the jaxrand
// tests), far below anything the benchmark can resolve.
const (
	gmm40K, gmm40D, gmm40Scale = 40, 50, 40
	mos50K, mos50D             = 10, 50
	mos50Min, mos50Max         = -10, 10
)

// GMM40Means returns the 40×50 row-major means of gmm40 (float32 values of the benchmark,
// converted exactly to float64).
func GMM40Means() []float64 {
	u := jaxrand.Uniform32(jaxrand.PRNGKey(0), gmm40K*gmm40D, -1, 1)
	out := make([]float64, len(u))
	for i, v := range u {
		out[i] = float64(v * gmm40Scale) // float32 multiply, as `* loc_scaling` in JAX
	}
	return out
}

// MoS50Locations returns the 10×50 row-major locations of mos50 (float32 values of the
// benchmark, converted exactly to float64).
func MoS50Locations() []float64 {
	u := jaxrand.Uniform32(jaxrand.PRNGKey(0), mos50K*mos50D, mos50Min, mos50Max)
	out := make([]float64, len(u))
	for i, v := range u {
		out[i] = float64(v)
	}
	return out
}

// NewGMM40 returns gmm40: d = 50, 40 equal-weight N(μ_k, I) with the means of GMM40Means.
func NewGMM40() (*GaussMixture, error) {
	return NewGaussMixture("gmm40", GMM40Means(), gmm40D, 1)
}

// NewMoS50 returns mos50: d = 50, 10 equal-weight products of Student-t(df 2, scale 1) at the
// locations of MoS50Locations.
func NewMoS50() (*StudentTMixture, error) {
	return NewStudentTMixture("mos50", MoS50Locations(), mos50D, 2)
}
