package objectives_test

import (
	"math"
	"strings"
	"testing"

	"github.com/naas-go/naas/objectives"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func matrix(g *G.ExprGraph, dt tensor.Dtype, name string, r, c int, v []float64) *G.Node {
	var t *tensor.Dense
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i := range v {
			f[i] = float32(v[i])
		}
		t = tensor.New(tensor.WithShape(r, c), tensor.WithBacking(f))
	} else {
		t = tensor.New(tensor.WithShape(r, c), tensor.WithBacking(append([]float64(nil), v...)))
	}
	return G.NewMatrix(g, dt, G.WithShape(r, c), G.WithName(name), G.WithValue(t))
}

// TestLossValues evaluates AM and RAM on a 3×2 batch and compares with
// (1/B) Σ_b w_b |c_b + y_b|² computed by hand: c + y = [[1,1],[0,2],[-1,0]], |·|² = 2, 4, 1,
// w = 1, 0.5, 2, so L = (2 + 2 + 2)/3 = 2 exactly; also in float32 (tolerance 1e-6).
func TestLossValues(t *testing.T) {
	c := []float64{0.5, 1, -1, 3, 0, 0.25}
	y := []float64{0.5, 0, 1, -1, -1, -0.25}
	w := []float64{1, 0.5, 2}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for name, loss := range map[string]objectives.Loss{"am": objectives.AM, "ram": objectives.RAM} {
			g := G.NewGraph()
			l, err := loss(matrix(g, dt, "c", 3, 2, c), matrix(g, dt, "y", 3, 2, y), matrix(g, dt, "w", 3, 1, w))
			if err != nil {
				t.Fatal(err)
			}
			if !l.IsScalar() {
				t.Fatalf("loss shape %v, want scalar", l.Shape())
			}
			v := new(G.Value)
			G.Read(l, v)
			vm := G.NewTapeMachine(g)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			vm.Close()
			var got float64
			switch x := (*v).(type) {
			case *G.F64:
				got = float64(*x)
			case *G.F32:
				got = float64(*x)
			default:
				got = math.NaN()
			}
			if math.Abs(got-2) > 1e-6 || dt == tensor.Float64 && got != 2 {
				t.Errorf("%s %v: loss %v, want 2", name, dt, got)
			}
		}
	}
}

func TestShapeErrors(t *testing.T) {
	g := G.NewGraph()
	c := matrix(g, tensor.Float64, "c", 3, 2, make([]float64, 6))
	y := matrix(g, tensor.Float64, "y", 3, 2, make([]float64, 6))
	w := matrix(g, tensor.Float64, "w", 3, 1, make([]float64, 3))
	y3 := matrix(g, tensor.Float64, "y3", 3, 3, make([]float64, 9))
	w2 := matrix(g, tensor.Float64, "w2", 2, 1, make([]float64, 2))
	y32 := matrix(g, tensor.Float32, "y32", 3, 2, make([]float64, 6))
	cases := []struct {
		err  error
		want string
	}{
		{second(objectives.AM(c, y3, w)), "target has shape (3, 3), want the output's (3, 2)"},
		{second(objectives.RAM(c, y, w2)), "weights have shape (2, 1), want (3, 1)"},
		{second(objectives.AM(c, y32, w)), "dtypes output float64, target float32"},
		{second(objectives.AM(nil, y, w)), "non-nil"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", c.err, c.want)
		}
	}
}

func second(_ *G.Node, err error) error { return err }

func TestByName(t *testing.T) {
	for _, n := range []string{"am", "ram"} {
		if l, err := objectives.ByName(n); err != nil || l == nil {
			t.Errorf("ByName(%q): %v", n, err)
		}
	}
	if _, err := objectives.ByName("sm"); err == nil || err.Error() != `objectives: unknown objective "sm"; known: am, ram` {
		t.Errorf("error %v", err)
	}
}
