package graph

import (
	"fmt"
	"io"
	"os/exec"
	"strings"

	"gorgonia.org/gorgonia/encoding/dot"
)

// Program names a compiled program of a Net for WriteDOT.
type Program string

// Programs accepted by WriteDOT.
const (
	// ForwardProgram is the forward-only network at the training batch size: inputs x [B, d]
	// and t [B, 1], parameters, output [B, d].
	ForwardProgram Program = "forward"
	// TrainProgram is the training graph: the network, the loss and its gradient nodes.
	TrainProgram Program = "train"
)

// WriteDOT writes the graph of the program which in Graphviz DOT (via
// gorgonia.org/gorgonia/encoding/dot, which also handles subgraphs, unlike ExprGraph.ToDot).
// Every parameter node appears under its name. Render it with RenderSVG or `dot -Tsvg`.
func (n *Net) WriteDOT(w io.Writer, which Program) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errClosed
	}
	var b []byte
	var err error
	switch which {
	case ForwardProgram:
		p, ferr := n.forward(n.cfg.Batch)
		if ferr != nil {
			return ferr
		}
		b, err = dot.Marshal(p.g)
	case TrainProgram:
		b, err = dot.Marshal(n.train.g)
	default:
		return fmt.Errorf("graph: unknown program %q; known: %s, %s", which, ForwardProgram, TrainProgram)
	}
	if err != nil {
		return fmt.Errorf("graph: DOT export of the %s program: %w", which, err)
	}
	_, err = w.Write(b)
	return err
}

// RenderSVG renders the DOT file dotPath to the SVG file svgPath with Graphviz's dot binary.
// If dot is not on PATH it does nothing and returns false, nil; otherwise it returns whether
// the file was rendered, and dot's output in the error if it failed.
func RenderSVG(dotPath, svgPath string) (bool, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return false, nil
	}
	out, err := exec.Command(bin, "-Tsvg", "-o", svgPath, dotPath).CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("graph: dot -Tsvg %s: %w: %s", dotPath, err, strings.TrimSpace(string(out)))
	}
	return true, nil
}
