package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/naas-go/naas/graph"
)

// ms formats a duration in milliseconds ("-" when negative: not measured).
func ms(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(d.Nanoseconds())/1e6)
}

// rate formats calls per second, or "-" for none.
func rate(n int64, d time.Duration) string {
	if n == 0 || d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3g", float64(n)/d.Seconds())
}

// WriteText prints the report as a header and an aligned table: one line per phase and
// engine with the median wall time, the fastest repetition, the median CPU time, the speed-up
// over the first engine, energy / gradient / HVP calls per second, the matrix-product GFLOP/s
// and its percentage of the GEMM peak, and the time split of epochs. The PyTorch comparison
// follows when present.
func (r *Report) WriteText(w io.Writer) error {
	s := r.Settings
	var b strings.Builder
	fmt.Fprintf(&b, "%s: K = %d steps, B = %d paths, %d updates × %d rows per epoch; u, v: %s %d×%d %s %s (P_W = %d weight entries)\n",
		s.Experiment, s.Process.Steps, s.Train.Paths, s.Train.Updates, s.Train.Batch,
		s.Net.Arch, s.Net.Depth, s.Net.Width, s.Net.Act, s.Net.Dtype, r.ParamsW)
	gemm := "sgemm"
	if s.Net.Dtype == "float64" {
		gemm = "dgemm"
	}
	fmt.Fprintf(&b, "BLAS: %s; GOMAXPROCS %d\nGEMM peak %.1f GFLOP/s (%s %d³); layer GEMM %.1f GFLOP/s (%d×%d×%d)\n",
		r.BLAS, r.GOMAXPROCS, r.PeakGFLOPS, gemm, r.PeakSize, r.LayerGFLOPS, s.Train.Paths, s.Net.Width, s.Net.Width)
	if r.NativePeakGFLOPS != r.PeakGFLOPS {
		fmt.Fprintf(&b, "native engine's GEMM (bit-identical replica of the BLAS's): peak %.1f GFLOP/s, layer %.1f GFLOP/s\n",
			r.NativePeakGFLOPS, r.NativeLayerGFLOPS)
	}
	b.WriteString("% peak: of the larger of the two GEMM rates of the product the engine uses\n")
	fmt.Fprintf(&b, "median of %d repetitions after one warm-up; cpu = process CPU time of all threads; speed-up = first engine's wall / this wall\n\n", r.Reps)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tengine\twall ms\tmin ms\tcpu ms\tspeed-up\tE/s\t∇E/s\tHVP/s\tGFLOP/s\t% peak\trollout/adjoint/train ms\t")
	first := map[string]Row{}
	for _, row := range r.Rows {
		if _, ok := first[row.Phase]; !ok {
			first[row.Phase] = row
		}
		f := first[row.Phase]
		speed := fmt.Sprintf("%.2f×", f.Wall.Seconds()/row.Wall.Seconds())
		gf, pk := "-", "-"
		if g := row.GFLOPS(); g > 0 {
			peak := max(r.PeakGFLOPS, r.LayerGFLOPS)
			if row.Engine == graph.EngineNative && r.NativePeakGFLOPS > 0 {
				peak = max(r.NativePeakGFLOPS, r.NativeLayerGFLOPS)
			}
			gf = fmt.Sprintf("%.1f", g)
			pk = fmt.Sprintf("%.0f%%", 100*g/peak)
		}
		split := "-"
		if row.Phase == PhaseAMEpoch || row.Phase == PhaseRAMEpoch {
			split = ms(row.Rollout) + " / " + ms(row.Adjoint) + " / " + ms(row.Train)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row.Phase, row.Engine, ms(row.Wall), ms(row.MinWall),
			ms(row.CPU), speed, rate(row.Calls.Energy, row.Wall), rate(row.Calls.Grad, row.Wall), rate(row.Calls.HVP, row.Wall), gf, pk, split)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Torch != nil {
		return r.Torch.writeText(w, r)
	}
	return nil
}
