package plots

import (
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodePNG decodes the PNG at path and checks that it is non-empty and not a
// single colour.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		t.Fatalf("%s: empty image %v", path, b)
	}
	first := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, a0 := first.RGBA()
	uniform := true
	for y := b.Min.Y; y < b.Max.Y && uniform; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, a := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 || a != a0 {
				uniform = false
				break
			}
		}
	}
	if uniform {
		t.Fatalf("%s: the image is a single colour", path)
	}
	return img
}

// countPixels counts the pixels of img for which keep holds (8-bit RGB).
func countPixels(img image.Image, keep func(r, g, b uint8) bool) int {
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if keep(uint8(r>>8), uint8(g>>8), uint8(b>>8)) {
				n++
			}
		}
	}
	return n
}

func reddish(r, g, b uint8) bool  { return r > 150 && g < 110 && b < 110 }
func bluish(r, g, b uint8) bool   { return b > 120 && int(b) > int(r)+40 }
func orangish(r, g, b uint8) bool { return r > 200 && g > 90 && g < 160 && b < 60 }

// noTempFiles fails if dir holds anything but the named files.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, e := range ents {
		if !want[e.Name()] {
			t.Errorf("unexpected file %s in %s", e.Name(), dir)
		}
	}
	if len(ents) != len(names) {
		t.Errorf("%s holds %d files, want %d", dir, len(ents), len(names))
	}
}

func smallMixture(seed uint64) (ref, good, collapsed []float64, d int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	const k = 4
	d = 6
	centres := uniformCentres(rng, k, d, 10)
	w := []float64{0.25, 0.25, 0.25, 0.25}
	ref, _ = mixture(rng, 2000, d, centres, w, 1)
	good, _ = mixture(rng, 400, d, centres, w, 1)
	collapsed, _ = mixture(rng, 400, d, centres, []float64{1, 0, 0, 0}, 1)
	return ref, good, collapsed, d
}

func TestSamplesPNG(t *testing.T) {
	dir := t.TempDir()
	ref, good, collapsed, d := smallMixture(1)
	collapsed[3] = math.NaN() // dropped and counted
	path := filepath.Join(dir, "samples.png")
	err := SamplesPNG(path, ref, []Set{{"NAAS", good}, {"annealed Langevin", collapsed}}, d, SamplesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, path)
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 2*h-h/4 {
		t.Errorf("two panels side by side should be about twice as wide as high, got %d×%d", w, h)
	}
	if n := countPixels(img, reddish); n < 100 {
		t.Errorf("only %d red (sample) pixels", n)
	}
	if n := countPixels(img, bluish); n < 1000 {
		t.Errorf("only %d blue (reference density) pixels", n)
	}
	onlyFiles(t, dir, "samples.png")

	// Overwriting an existing file, raw coordinates, a shared projection.
	p, err := PCA(ref, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []SamplesOptions{
		{Coords: CoordsRaw, Title: "raw"},
		{Coords: CoordsPCA, Projection: &p, MaxPoints: 50, Bins: 30, PanelInches: 2},
		{MaxPoints: -1},
	} {
		if err := SamplesPNG(path, ref, []Set{{"NAAS", good}}, d, opts); err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		decodePNG(t, path)
	}
	onlyFiles(t, dir, "samples.png")

	// d = 2 (raw coordinates by default) and more than three panels.
	ref2 := make([]float64, 0, 2*len(ref)/d)
	for i := 0; i < len(ref); i += d {
		ref2 = append(ref2, ref[i], ref[i+1])
	}
	sets := make([]Set, 5)
	for i := range sets {
		sets[i] = Set{Name: "", X: ref2[:200]}
	}
	path2 := filepath.Join(dir, "samples2.png")
	if err := SamplesPNG(path2, ref2, sets, 2, SamplesOptions{}); err != nil {
		t.Fatal(err)
	}
	img = decodePNG(t, path2)
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); h < w/2 {
		t.Errorf("five panels should wrap into two rows, got %d×%d", w, h)
	}
}

func TestSamplesPNGErrors(t *testing.T) {
	dir := t.TempDir()
	ref, good, _, d := smallMixture(2)
	path := filepath.Join(dir, "s.png")
	nan := []float64{math.NaN(), 0, 0, 0, 0, 0}
	wrongP := rawProjection(3)
	cases := []struct {
		name string
		ref  []float64
		sets []Set
		d    int
		opts SamplesOptions
		want string
	}{
		{"no sets", ref, nil, d, SamplesOptions{}, "no sample sets"},
		{"empty set", ref, []Set{{"NAAS", good}, {"baseline", nil}}, d, SamplesOptions{}, `set 1 ("baseline") is empty`},
		{"ragged set", ref, []Set{{"NAAS", good[:len(good)-1]}}, d, SamplesOptions{}, `set 0 ("NAAS") has 2399 values, not a multiple of d = 6`},
		{"NaN set", ref, []Set{{"NAAS", nan}}, d, SamplesOptions{}, `set 0 ("NAAS"): none of its 1 points is finite`},
		{"empty ref", nil, []Set{{"NAAS", good}}, d, SamplesOptions{}, "reference is empty"},
		{"ragged ref", ref[:7], []Set{{"NAAS", good}}, d, SamplesOptions{}, "reference has 7 values"},
		{"d=1", ref, []Set{{"NAAS", good}}, 1, SamplesOptions{}, "d ≥ 2"},
		{"projection d", ref, []Set{{"NAAS", good}}, d, SamplesOptions{Coords: CoordsPCA, Projection: &wrongP}, "Projection is for d = 3"},
		{"coords", ref, []Set{{"NAAS", good}}, d, SamplesOptions{Coords: 7}, "unknown Coords 7"},
	}
	for _, c := range cases {
		err := SamplesPNG(path, c.ref, c.sets, c.d, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
	onlyFiles(t, dir)

	// A missing folder is an error naming the path, and leaves nothing.
	bad := filepath.Join(dir, "missing", "s.png")
	if err := SamplesPNG(bad, ref, []Set{{"NAAS", good}}, d, SamplesOptions{}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("missing folder: err = %v", err)
	}
	onlyFiles(t, dir)
}

func TestLossPNG(t *testing.T) {
	dir := t.TempDir()
	var e, pos, mixed []float64
	for i := 1; i <= 200; i++ {
		e = append(e, float64(i))
		pos = append(pos, 10*math.Exp(-float64(i)/30)+0.01)
		mixed = append(mixed, math.Exp(-float64(i)/50)-0.5)
	}
	pos[17] = math.NaN()
	path := filepath.Join(dir, "loss.png")
	err := LossPNG(path, []Curve{{"AM loss of u", e, pos}, {"RAM loss of v", e, mixed}, {"", nil, []float64{3, 2, 1.5}}})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, path)
	if n := countPixels(img, bluish); n < 100 {
		t.Errorf("only %d blue (first curve) pixels", n)
	}
	if n := countPixels(img, orangish); n < 100 {
		t.Errorf("only %d orange (second curve) pixels", n)
	}
	// A constant positive curve and a single point.
	if err := LossPNG(path, []Curve{{"flat", []float64{0, 1, 2}, []float64{2, 2, 2}}, {"one", []float64{5}, []float64{-1}}}); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, path)
	onlyFiles(t, dir, "loss.png")
}

func TestLossPNGErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loss.png")
	cases := []struct {
		name   string
		curves []Curve
		want   string
	}{
		{"none", nil, "no curves"},
		{"empty", []Curve{{"AM", nil, nil}}, `curve 0 ("AM") has no points`},
		{"mismatch", []Curve{{"AM", []float64{1}, []float64{1}}, {"RAM", []float64{1, 2}, []float64{1}}}, `curve 1 ("RAM") has 2 epochs but 1 losses`},
		{"all NaN", []Curve{{"AM", []float64{1, 2}, []float64{math.NaN(), math.Inf(1)}}}, `curve 0 ("AM"): none of its 2 points is finite`},
	}
	for _, c := range cases {
		err := LossPNG(path, c.curves)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
	onlyFiles(t, dir)
}

func TestModeWeightsPNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "modes.png")
	truth := []float64{0.25, 0.25, 0.25, 0.25}
	err := ModeWeightsPNG(path, truth, []Hist{
		{"NAAS", []float64{0.24, 0.26, 0.25, 0.25}},
		{"annealed Langevin", []float64{0.7, 0.3, 0, math.NaN()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, path)
	if n := countPixels(img, orangish); n < 200 {
		t.Errorf("only %d orange (baseline) pixels", n)
	}
	grey := func(r, g, b uint8) bool { return r == 90 && g == 90 && b == 90 }
	if n := countPixels(img, grey); n < 200 {
		t.Errorf("only %d grey (truth) pixels", n)
	}
	// Many modes, no sets, all zero.
	many := make([]float64, 60)
	if err := ModeWeightsPNG(path, many, nil); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, path)
	onlyFiles(t, dir, "modes.png")
}

func TestModeWeightsPNGErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "modes.png")
	truth := []float64{0.5, 0.5}
	cases := []struct {
		name  string
		truth []float64
		sets  []Hist
		want  string
	}{
		{"no truth", nil, nil, "truth has no modes"},
		{"length", truth, []Hist{{"NAAS", []float64{1}}}, `set 0 ("NAAS") has 1 weights, truth has 2 modes`},
		{"negative", truth, []Hist{{"NAAS", []float64{1, 0}}, {"ALD", []float64{-0.1, 1}}}, `set 1 ("ALD") has weight -0.1 at mode 0`},
		{"inf truth", []float64{math.Inf(1), 0}, nil, "truth has weight +Inf at mode 0"},
	}
	for _, c := range cases {
		err := ModeWeightsPNG(path, c.truth, c.sets)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
	if err := LossPNG("", []Curve{{"AM", nil, []float64{1}}}); err == nil {
		t.Error("empty path: no error")
	}
	onlyFiles(t, dir)
}

func TestFiniteRowsCounts(t *testing.T) {
	x := []float64{1, 2, math.NaN(), 3, 4, 5, math.Inf(-1), 0}
	got, dropped, err := finiteRows("x", x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if dropped != 2 || len(got) != 4 || got[0] != 1 || got[3] != 5 {
		t.Errorf("finiteRows = %v, %d; want [1 2 4 5], 2", got, dropped)
	}
}

func TestTickers(t *testing.T) {
	lin := linearTicks{}.Ticks(-0.43, 1.7)
	var got []string
	for _, tk := range lin {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if strings.Join(got, " ") != "0.0 0.5 1.0 1.5" {
		t.Errorf("linear labels on [-0.43, 1.7] = %v", got)
	}
	got = got[:0]
	for _, tk := range (log10Ticks{}).Ticks(math.Log10(0.06), math.Log10(50)) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if strings.Join(got, " ") != "0.1 1 10" {
		t.Errorf("log labels on [0.06, 50] = %v", got)
	}
	got = got[:0]
	for _, tk := range (log10Ticks{}).Ticks(math.Log10(0.33), math.Log10(0.7)) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if strings.Join(got, " ") != "0.4 0.5 0.6 0.7" {
		t.Errorf("log labels on [0.33, 0.7] = %v", got)
	}
	got = got[:0]
	for _, tk := range (log10Ticks{}).Ticks(math.Log10(0.33), math.Log10(3.2)) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if strings.Join(got, " ") != "0.5 1 2" {
		t.Errorf("log labels on [0.33, 3.2] = %v", got)
	}
	got = got[:0]
	for _, tk := range (log10Ticks{}).Ticks(-8, 6) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if strings.Join(got, " ") != "1e-06 0.001 1 1000 1e+06" {
		t.Errorf("log labels on [1e-8, 1e6] = %v", got)
	}
}

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	ref, good, _, d := smallMixture(3)
	errs := make(chan error, 6)
	for i := range 3 {
		go func() {
			errs <- SamplesPNG(filepath.Join(dir, "s.png"), ref, []Set{{"NAAS", good}}, d, SamplesOptions{Bins: 20, PanelInches: 2})
		}()
		go func() {
			errs <- LossPNG(filepath.Join(dir, "l.png"), []Curve{{"AM", nil, []float64{3, 2, float64(i + 1)}}})
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	decodePNG(t, filepath.Join(dir, "s.png"))
	decodePNG(t, filepath.Join(dir, "l.png"))
	onlyFiles(t, dir, "l.png", "s.png")
}

func BenchmarkSamplesPNG(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d, k = 50, 10
	centres := uniformCentres(rng, k, d, 10)
	w := make([]float64, k)
	for i := range w {
		w[i] = 1.0 / k
	}
	ref, _ := mixture(rng, 100000, d, centres, w, 1)
	s1, _ := mixture(rng, 10000, d, centres, w, 1)
	path := filepath.Join(b.TempDir(), "s.png")
	for b.Loop() {
		if err := SamplesPNG(path, ref, []Set{{"NAAS", s1}, {"baseline", s1}}, d, SamplesOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
