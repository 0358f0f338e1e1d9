package graph

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/naas-go/naas/models"
	gonumdot "gonum.org/v1/gonum/graph/formats/dot"
	"gonum.org/v1/gonum/graph/formats/dot/ast"
	"gorgonia.org/tensor"
)

// TestWriteDOT checks that both programs export DOT that gonum's parser accepts, that every
// parameter name appears as a node label, and that the training graph is larger than the
// forward graph (it adds the loss and the gradients). RenderSVG must return false without error
// when Graphviz is absent, and render a non-empty SVG when it is present.
func TestWriteDOT(t *testing.T) {
	n := mustNew(t, tinyConfig(models.ArchFourierMLP, tensor.Float32))
	sizes := map[Program]int{}
	for _, which := range []Program{ForwardProgram, TrainProgram} {
		var buf bytes.Buffer
		if err := n.WriteDOT(&buf, which); err != nil {
			t.Fatal(err)
		}
		file, err := gonumdot.ParseBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: gonum cannot parse the DOT: %v", which, err)
		}
		if len(file.Graphs) != 1 {
			t.Fatalf("%s: %d graphs, want 1", which, len(file.Graphs))
		}
		nodes := countNodes(file.Graphs[0].Stmts)
		sizes[which] = nodes
		text := buf.String()
		for _, name := range n.ParamNames() {
			if !strings.Contains(text, name) {
				t.Errorf("%s DOT lacks parameter %q", which, name)
			}
		}
		dir := t.TempDir()
		dotPath, svgPath := filepath.Join(dir, "g.dot"), filepath.Join(dir, "g.svg")
		if err := os.WriteFile(dotPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		rendered, err := RenderSVG(dotPath, svgPath)
		if err != nil {
			t.Fatal(err)
		}
		if rendered {
			if st, err := os.Stat(svgPath); err != nil || st.Size() == 0 {
				t.Errorf("%s: rendered but no SVG (%v)", which, err)
			}
		}
		t.Logf("%s: %d nodes, %d bytes of DOT, SVG rendered: %v", which, nodes, buf.Len(), rendered)
	}
	if !(sizes[TrainProgram] > sizes[ForwardProgram]) {
		t.Errorf("training graph has %d nodes, forward graph %d", sizes[TrainProgram], sizes[ForwardProgram])
	}
}

// countNodes counts node statements, descending into subgraphs (clusters).
func countNodes(stmts []ast.Stmt) int {
	k := 0
	for _, s := range stmts {
		switch s := s.(type) {
		case *ast.NodeStmt:
			k++
		case *ast.Subgraph:
			k += countNodes(s.Stmts)
		}
	}
	return k
}
