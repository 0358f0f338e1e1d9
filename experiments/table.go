package experiments

import (
	"fmt"
	"strings"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/aldp/aldpeval"
	"github.com/naas-go/naas/experiments/aldp/refdata"
)

// Markdown renders the report as a markdown table: one row per method (NAAS, the annealed
// Langevin baseline, the exact floor), one column per metric that was computed.
func (r *Report) Markdown() string {
	if r.ALDP != nil {
		return r.aldpMarkdown()
	}
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

// aldpMarkdown renders an aldp report: torsion KLs, (φ, ψ) W2, energy W2, D fraction and
// basin populations of NAAS, the baseline and the floor (an independent MD set), plus the
// importance-weight summaries of NAAS and the baseline.
func (r *Report) aldpMarkdown() string {
	a := r.ALDP
	rows := []struct {
		name string
		s    aldpeval.Scores
	}{{"NAAS", a.NAAS.Model}, {"annealed Langevin (u = v = 0)", a.Baseline.Model}}
	if a.NAAS.Floor.N > 0 {
		rows = append(rows, struct {
			name string
			s    aldpeval.Scores
		}{"floor (independent MD)", a.NAAS.Floor})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, seed %d, %d samples per sampler against the MD reference %s (%d frames)\n\n",
		r.Experiment, r.Seed, r.N, a.Reference, a.NAAS.RefFrames)
	b.WriteString("| method | n |")
	for t := range aldp.Torsion(aldp.NumTorsions) {
		b.WriteString(" KL " + t.String() + " |")
	}
	b.WriteString(" KL mean | W2 (φ,ψ) torus rad | W2 energy kJ/mol | ⟨E⟩ kJ/mol | D fraction | non-finite E |")
	for k := range refdata.Basin(refdata.NumBasins) {
		b.WriteString(" " + k.String() + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", 1+aldp.NumTorsions+6+refdata.NumBasins) + "\n")
	for _, rw := range rows {
		s := rw.s
		fmt.Fprintf(&b, "| %s | %d |", rw.name, s.N)
		for _, kl := range s.KL {
			fmt.Fprintf(&b, " %.3g |", kl)
		}
		fmt.Fprintf(&b, " %.3g | %.3g | %.3g | %.4g | %.3f | %d |", s.KLMean(), s.W2Torus, s.EnergyW2, s.MeanEnergy, s.DFraction, s.NonFinite)
		for _, f := range s.Populations.Frac {
			fmt.Fprintf(&b, " %.3f |", f)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "| reference | %d | | | | | | | | | %.4g | | |", a.NAAS.RefFrames, a.NAAS.RefMeanEnergy)
	for _, f := range a.NAAS.RefPopulations.Frac {
		fmt.Fprintf(&b, " %.3f |", f)
	}
	b.WriteString("\n")
	for _, w := range []struct {
		name string
		m    Metrics
	}{{"NAAS", r.NAAS}, {"baseline", r.Baseline}} {
		if w.m.ELBO != nil {
			fmt.Fprintf(&b, "\n%s: ELBO %.4g, log Z estimate %.4g, ESS %.4f", w.name, *w.m.ELBO, *w.m.LogZ, *w.m.ESS)
		}
	}
	b.WriteString("\n")
	return b.String()
}
