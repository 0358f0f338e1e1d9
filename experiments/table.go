package experiments

import (
	"fmt"
	"strings"
)

// Markdown renders the report as a markdown table: one row per method (NAAS, the annealed
// Langevin baseline, the exact floor), one column per metric that was computed.
func (r *Report) Markdown() string {
	type col struct {
		name string
		get  func(m Metrics) *float64
		f    string
	}
	val := func(v float64) *float64 { return &v }
	cols := []col{
		{"Sinkhorn S_ε", func(m Metrics) *float64 { return val(m.Sinkhorn) }, "%.4g"},
		{"W2", func(m Metrics) *float64 { return m.W2 }, "%.4g"},
		{"MMD", func(m Metrics) *float64 { return val(m.MMD) }, "%.4f"},
		{"modes hit", func(m Metrics) *float64 { return m.ModesHit }, "%.3f"},
		{"mode coverage", func(m Metrics) *float64 { return m.ModeCoverage }, "%.3f"},
		{"mode TV", func(m Metrics) *float64 { return m.ModeTV }, "%.3f"},
		{"KS x₀", func(m Metrics) *float64 { return m.KSX0 }, "%.4f"},
		{"log Z", func(m Metrics) *float64 { return m.LogZ }, "%.3f"},
		{"ELBO", func(m Metrics) *float64 { return m.ELBO }, "%.3f"},
		{"ESS", func(m Metrics) *float64 { return m.ESS }, "%.4f"},
	}
	rows := []struct {
		name string
		m    Metrics
	}{{"NAAS", r.NAAS}, {"annealed Langevin (u = v = 0)", r.Baseline}, {"floor (exact vs exact)", r.Floor}}
	var used []col
	for _, c := range cols {
		for _, rw := range rows {
			if c.get(rw.m) != nil {
				used = append(used, c)
				break
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, seed %d, %d vs %d samples; Sinkhorn ε = %.4g (absolute, squared distance; %.3g × mean cost between exact sets)",
		r.Experiment, r.Seed, r.N, r.N, r.Epsilon, r.EpsFrac)
	if r.TrueLogZ != nil {
		fmt.Fprintf(&b, "; true log Z = %.4f", *r.TrueLogZ)
	}
	b.WriteString("\n\n| method |")
	for _, c := range used {
		b.WriteString(" " + c.name + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(used)) + "\n")
	for _, rw := range rows {
		b.WriteString("| " + rw.name + " |")
		for _, c := range used {
			if v := c.get(rw.m); v != nil {
				b.WriteString(" " + fmt.Sprintf(c.f, *v) + " |")
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
