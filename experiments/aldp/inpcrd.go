package aldp

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
)

//go:embed data/alanine-dipeptide.crd
var crdData string // immutable

// ParseInpcrd reads an AMBER ASCII coordinate file (title line, atom count, then 6F12.7
// records in Å) and returns the positions in nm (length 3·count). Velocities and box lines
// after the positions are ignored.
func ParseInpcrd(r io.Reader) ([]float64, error) {
	sc := bufio.NewScanner(r)
	lineNo := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		lineNo++
		return strings.TrimRight(sc.Text(), "\r"), true
	}
	if _, ok := next(); !ok {
		return nil, fmt.Errorf("inpcrd: empty input (want a title line)")
	}
	head, ok := next()
	if !ok {
		return nil, fmt.Errorf("inpcrd: line 2: missing atom count")
	}
	f := strings.Fields(head)
	if len(f) == 0 {
		return nil, fmt.Errorf("inpcrd: line 2: missing atom count")
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("inpcrd: line 2: atom count %q is not a positive integer", f[0])
	}
	pos := make([]float64, 0, 3*n)
	for len(pos) < 3*n {
		line, ok := next()
		if !ok {
			return nil, fmt.Errorf("inpcrd: %d coordinates, want 3·%d = %d", len(pos), n, 3*n)
		}
		for k := 0; k < len(line) && len(pos) < 3*n; k += 12 {
			tok := strings.TrimSpace(line[k:min(k+12, len(line))])
			if tok == "" {
				continue
			}
			v, err := strconv.ParseFloat(tok, 64)
			if err != nil {
				return nil, fmt.Errorf("inpcrd: line %d, columns %d-%d: %q is not a number", lineNo, k+1, k+12, tok)
			}
			pos = append(pos, v/10)
		}
	}
	return pos, sc.Err()
}

// InitialPositions returns the embedded LEaP build geometry of ACE-ALA-NME (the
// openmmtools .crd: φ = −180°, ψ = 180°), in nm, length 66, prmtop atom order.
func InitialPositions() []float64 {
	x, err := ParseInpcrd(strings.NewReader(crdData))
	if err != nil {
		panic(err) // the embedded file is covered by tests
	}
	return x
}
