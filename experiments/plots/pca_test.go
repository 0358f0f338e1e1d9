package plots

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rotatedGaussian draws n points x = mean + R·(sd ⊙ z) with z standard normal
// and returns them with the columns of the rotation R.
func rotatedGaussian(rng *rand.Rand, n int, mean, sd []float64) ([]float64, *mat.Dense) {
	d := len(sd)
	a := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var r mat.Dense
	qr.QTo(&r)
	x := make([]float64, n*d)
	z := make([]float64, d)
	for i := range n {
		for j := range d {
			z[j] = sd[j] * rng.NormFloat64()
		}
		for j := range d {
			v := mean[j]
			for k := range d {
				v += r.At(j, k) * z[k]
			}
			x[i*d+j] = v
		}
	}
	return x, &r
}

// axisAngle returns the angle in radians between the lines spanned by a and b.
func axisAngle(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	c := math.Min(1, math.Abs(ab)/math.Sqrt(aa*bb))
	return math.Acos(c)
}

func TestPCARecoversRotatedAxes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sd := []float64{10, 4, 1, 0.7, 0.5}
	mean := []float64{3, -2, 1, 0, 5}
	const n = 50000
	x, rot := rotatedGaussian(rng, n, mean, sd)
	p, err := PCA(x, len(sd))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		want := mat.Col(nil, k, rot)
		ang := axisAngle(p.Axes[k], want)
		t.Logf("axis %d: %.2g rad off, variance %.4g (true %g)", k, ang, p.Var[k], sd[k]*sd[k])
		if ang > 1e-2 {
			t.Errorf("axis %d is %.3g rad off the true one", k, ang)
		}
		if rel := math.Abs(p.Var[k]/(sd[k]*sd[k]) - 1); rel > 0.05 {
			t.Errorf("Var[%d] = %g, want %g (rel err %.3g)", k, p.Var[k], sd[k]*sd[k], rel)
		}
		var norm float64
		for _, v := range p.Axes[k] {
			norm += v * v
		}
		if math.Abs(norm-1) > 1e-12 {
			t.Errorf("axis %d has squared norm %g", k, norm)
		}
	}
	var dot float64
	for j := range p.Axes[0] {
		dot += p.Axes[0][j] * p.Axes[1][j]
	}
	if math.Abs(dot) > 1e-12 {
		t.Errorf("axes not orthogonal: dot %g", dot)
	}
	var total float64
	for _, s := range sd {
		total += s * s
	}
	if rel := math.Abs(p.TotalVar/total - 1); rel > 0.05 {
		t.Errorf("TotalVar = %g, want %g", p.TotalVar, total)
	}
	ev := p.Explained()
	if want := sd[0] * sd[0] / total; math.Abs(ev[0]-want) > 0.02 {
		t.Errorf("explained[0] = %g, want ≈ %g", ev[0], want)
	}
	if want := sd[1] * sd[1] / total; math.Abs(ev[1]-want) > 0.02 {
		t.Errorf("explained[1] = %g, want ≈ %g", ev[1], want)
	}
	if p.N != n || p.Dropped != 0 {
		t.Errorf("N, Dropped = %d, %d; want %d, 0", p.N, p.Dropped, n)
	}

	// The projected sample is centred with variances exactly Var.
	y := p.Apply(x)
	for k := range 2 {
		var s, s2 float64
		for i := range n {
			s += y[2*i+k]
		}
		m := s / n
		for i := range n {
			s2 += (y[2*i+k] - m) * (y[2*i+k] - m)
		}
		if math.Abs(m) > 1e-9*sd[0] {
			t.Errorf("projected mean %d = %g, want 0", k, m)
		}
		if v := s2 / (n - 1); math.Abs(v/p.Var[k]-1) > 1e-9 {
			t.Errorf("projected variance %d = %g, want Var = %g", k, v, p.Var[k])
		}
	}
}

func TestPCATwoDimensionalAngle(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const theta = 0.6
	const n = 20000
	c, s := math.Cos(theta), math.Sin(theta)
	x := make([]float64, 2*n)
	for i := range n {
		a, b := 3*rng.NormFloat64(), 0.5*rng.NormFloat64()
		x[2*i], x[2*i+1] = 1+c*a-s*b, -1+s*a+c*b
	}
	p, err := PCA(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := math.Atan2(p.Axes[0][1], p.Axes[0][0])
	diff := math.Mod(math.Abs(got-theta), math.Pi)
	diff = math.Min(diff, math.Pi-diff)
	if diff > 1e-2 {
		t.Errorf("PC1 angle %g rad, want %g (off by %.3g)", got, theta, diff)
	}
	if rel := math.Abs(p.Var[0]/9 - 1); rel > 0.05 {
		t.Errorf("Var[0] = %g, want 9", p.Var[0])
	}
	if rel := math.Abs(p.Var[1]/0.25 - 1); rel > 0.05 {
		t.Errorf("Var[1] = %g, want 0.25", p.Var[1])
	}
}

func TestProjectionOfMeanIsZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, _ := rotatedGaussian(rng, 500, []float64{10, -20, 30, 4}, []float64{3, 2, 1, 1})
	p, err := PCA(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	y := p.Apply(p.Mean)
	if len(y) != 2 || math.Abs(y[0]) > 1e-12 || math.Abs(y[1]) > 1e-12 {
		t.Errorf("projection of the mean = %v, want [0 0]", y)
	}
}

func TestPCADeterministicSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x, _ := rotatedGaussian(rng, 300, []float64{0, 0, 0}, []float64{3, 2, 1})
	p, err := PCA(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		big := 0.0
		for _, v := range p.Axes[k] {
			if math.Abs(v) > math.Abs(big) {
				big = v
			}
		}
		if big <= 0 {
			t.Errorf("axis %d: largest component %g, want positive", k, big)
		}
	}
}

func TestPCADropsNonFiniteRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x, _ := rotatedGaussian(rng, 100, []float64{0, 0, 0}, []float64{3, 2, 1})
	clean, err := PCA(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]float64(nil), x...)
	bad = append(bad, math.NaN(), 1, 2, 3, math.Inf(1), 4)
	p, err := PCA(bad, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.N != 100 || p.Dropped != 2 {
		t.Errorf("N, Dropped = %d, %d; want 100, 2", p.N, p.Dropped)
	}
	for j := range clean.Mean {
		if clean.Mean[j] != p.Mean[j] {
			t.Fatalf("mean changed by dropped rows: %v vs %v", p.Mean, clean.Mean)
		}
	}
}

func TestPCAErrors(t *testing.T) {
	cases := []struct {
		name string
		x    []float64
		d    int
		want string
	}{
		{"d=1", []float64{1, 2, 3}, 1, "d ≥ 2"},
		{"d=0", []float64{1, 2}, 0, "d ≥ 2"},
		{"empty", nil, 3, "empty"},
		{"ragged", []float64{1, 2, 3, 4, 5}, 2, "not a multiple of d = 2"},
		{"one point", []float64{1, 2, 3}, 3, "need ≥ 2"},
		{"all NaN", []float64{math.NaN(), 1, 2, math.NaN()}, 2, "none of its 2 points is finite"},
	}
	for _, c := range cases {
		_, err := PCA(c.x, c.d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestApplyPanicsOnBadInput(t *testing.T) {
	p := rawProjection(3)
	for name, f := range map[string]func(){
		"ragged":   func() { p.Apply([]float64{1, 2}) },
		"zero":     func() { Projection{}.Apply([]float64{1, 2}) },
		"bad axes": func() { Projection{D: 2, Mean: []float64{0, 0}}.Apply([]float64{1, 2}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Apply did not panic", name)
				}
			}()
			f()
		}()
	}
	if y := p.Apply([]float64{1, 2, 3, 4, 5, 6}); len(y) != 4 || y[0] != 1 || y[1] != 2 || y[2] != 4 || y[3] != 5 {
		t.Errorf("raw projection = %v, want [1 2 4 5]", y)
	}
}
