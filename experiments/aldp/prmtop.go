package aldp

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Prmtop holds the sections of an AMBER parameter/topology file (the "new" format with
// %FLAG/%FORMAT headers) exactly as written: integers for I formats, float64 for E/F/D
// formats, trimmed strings for a formats. Units are the file's (Å, kcal/mol, radians,
// charges ×18.2223); ForceField converts them. A Prmtop is read-only after ParsePrmtop.
type Prmtop struct {
	// Version is the %VERSION line, if any.
	Version  string
	sections map[string]*section
	order    []string
}

// section is one %FLAG block with its values decoded according to its %FORMAT.
type section struct {
	flag    string
	format  string // as written, e.g. "10I8"
	kind    byte   // 'a', 'I' or 'E' (F and D are stored as 'E')
	width   int
	line    int // line number of the %FLAG line (1-based)
	ints    []int
	floats  []float64
	strings []string
}

// ParsePrmtop reads an AMBER prmtop from r. Every error names the line, the %FLAG
// section and what was wrong with it.
func ParsePrmtop(r io.Reader) (*Prmtop, error) {
	p := &Prmtop{sections: map[string]*section{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	var cur *section
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "%VERSION"):
			p.Version = strings.TrimSpace(strings.TrimPrefix(line, "%VERSION"))
		case strings.HasPrefix(line, "%FLAG"):
			f := strings.Fields(line[len("%FLAG"):])
			if len(f) == 0 {
				return nil, fmt.Errorf("prmtop: line %d: %%FLAG without a name", lineNo)
			}
			if _, dup := p.sections[f[0]]; dup {
				return nil, fmt.Errorf("prmtop: line %d: %%FLAG %s appears twice", lineNo, f[0])
			}
			cur = &section{flag: f[0], line: lineNo}
			p.sections[f[0]] = cur
			p.order = append(p.order, f[0])
		case strings.HasPrefix(line, "%FORMAT"):
			if cur == nil {
				return nil, fmt.Errorf("prmtop: line %d: %%FORMAT before any %%FLAG", lineNo)
			}
			if cur.kind != 0 {
				return nil, fmt.Errorf("prmtop: line %d: %%FLAG %s: second %%FORMAT", lineNo, cur.flag)
			}
			if err := cur.setFormat(line); err != nil {
				return nil, fmt.Errorf("prmtop: line %d: %%FLAG %s: %v", lineNo, cur.flag, err)
			}
		case strings.HasPrefix(line, "%"):
			// %COMMENT and other directives carry no data.
		default:
			if cur == nil {
				if strings.TrimSpace(line) == "" {
					continue
				}
				return nil, fmt.Errorf("prmtop: line %d: data before any %%FLAG", lineNo)
			}
			if cur.kind == 0 {
				return nil, fmt.Errorf("prmtop: line %d: %%FLAG %s: data before its %%FORMAT", lineNo, cur.flag)
			}
			if err := cur.addLine(line); err != nil {
				return nil, fmt.Errorf("prmtop: line %d: %%FLAG %s: %v", lineNo, cur.flag, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("prmtop: reading line %d: %w", lineNo+1, err)
	}
	if len(p.sections) == 0 {
		return nil, fmt.Errorf("prmtop: no %%FLAG sections found")
	}
	for _, name := range p.order {
		if p.sections[name].kind == 0 {
			return nil, fmt.Errorf("prmtop: %%FLAG %s (line %d) has no %%FORMAT", name, p.sections[name].line)
		}
	}
	return p, nil
}

// setFormat decodes a line such as "%FORMAT(10I8)", "%FORMAT(5E16.8)" or "%FORMAT(20a4)".
func (s *section) setFormat(line string) error {
	open, closing := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || closing < open {
		return fmt.Errorf("malformed %q: want %%FORMAT(<count><type><width>)", line)
	}
	f := strings.TrimSpace(line[open+1 : closing])
	s.format = f
	k := 0
	for k < len(f) && f[k] >= '0' && f[k] <= '9' {
		k++
	}
	if k == len(f) {
		return fmt.Errorf("format %q has no type letter", f)
	}
	switch c := f[k]; c {
	case 'a', 'A':
		s.kind = 'a'
	case 'I', 'i':
		s.kind = 'I'
	case 'E', 'e', 'F', 'f', 'D', 'd', 'G', 'g':
		s.kind = 'E'
	default:
		return fmt.Errorf("format %q: unsupported type letter %q (want a, I, E, F, D or G)", f, c)
	}
	w := f[k+1:]
	if dot := strings.IndexByte(w, '.'); dot >= 0 {
		w = w[:dot]
	}
	width, err := strconv.Atoi(w)
	if err != nil || width <= 0 {
		return fmt.Errorf("format %q: bad field width %q", f, w)
	}
	s.width = width
	return nil
}

// addLine splits one data line into fixed-width fields. Blank fields (line padding) are skipped.
func (s *section) addLine(line string) error {
	for k := 0; k < len(line); k += s.width {
		end := min(k+s.width, len(line))
		tok := strings.TrimSpace(line[k:end])
		if tok == "" {
			continue
		}
		switch s.kind {
		case 'a':
			s.strings = append(s.strings, tok)
		case 'I':
			v, err := strconv.Atoi(tok)
			if err != nil {
				return fmt.Errorf("field %d (columns %d-%d): %q is not an integer (format %s)", k/s.width+1, k+1, end, tok, s.format)
			}
			s.ints = append(s.ints, v)
		case 'E':
			v, err := strconv.ParseFloat(strings.NewReplacer("D", "E", "d", "E").Replace(tok), 64)
			if err != nil {
				return fmt.Errorf("field %d (columns %d-%d): %q is not a number (format %s)", k/s.width+1, k+1, end, tok, s.format)
			}
			s.floats = append(s.floats, v)
		}
	}
	return nil
}

// Flags lists the %FLAG names in file order.
func (p *Prmtop) Flags() []string { return append([]string(nil), p.order...) }

// Has reports whether the file has a %FLAG section of that name.
func (p *Prmtop) Has(flag string) bool { _, ok := p.sections[flag]; return ok }

func (p *Prmtop) get(flag string, kind byte) (*section, error) {
	s, ok := p.sections[flag]
	if !ok {
		return nil, fmt.Errorf("prmtop: %%FLAG %s: missing", flag)
	}
	if s.kind != kind {
		want := map[byte]string{'a': "a (string)", 'I': "I (integer)", 'E': "E (real)"}[kind]
		return nil, fmt.Errorf("prmtop: %%FLAG %s: format %s, want type %s", flag, s.format, want)
	}
	return s, nil
}

// Ints returns a copy of the values of an integer (I-format) section.
func (p *Prmtop) Ints(flag string) ([]int, error) {
	s, err := p.get(flag, 'I')
	if err != nil {
		return nil, err
	}
	return append([]int(nil), s.ints...), nil
}

// Floats returns a copy of the values of a real (E/F/D-format) section.
func (p *Prmtop) Floats(flag string) ([]float64, error) {
	s, err := p.get(flag, 'E')
	if err != nil {
		return nil, err
	}
	return append([]float64(nil), s.floats...), nil
}

// Strings returns a copy of the trimmed fields of a string (a-format) section.
func (p *Prmtop) Strings(flag string) ([]string, error) {
	s, err := p.get(flag, 'a')
	if err != nil {
		return nil, err
	}
	return append([]string(nil), s.strings...), nil
}

// intsN is Ints with a length check; what names the expected count in the error.
func (p *Prmtop) intsN(flag string, n int, what string) ([]int, error) {
	v, err := p.Ints(flag)
	if err == nil && len(v) != n {
		err = fmt.Errorf("prmtop: %%FLAG %s: %d values, want %d (%s)", flag, len(v), n, what)
	}
	return v, err
}

// floatsN is Floats with a length check; what names the expected count in the error.
func (p *Prmtop) floatsN(flag string, n int, what string) ([]float64, error) {
	v, err := p.Floats(flag)
	if err == nil && len(v) != n {
		err = fmt.Errorf("prmtop: %%FLAG %s: %d values, want %d (%s)", flag, len(v), n, what)
	}
	return v, err
}

// stringsN is Strings with a length check; what names the expected count in the error.
func (p *Prmtop) stringsN(flag string, n int, what string) ([]string, error) {
	v, err := p.Strings(flag)
	if err == nil && len(v) != n {
		err = fmt.Errorf("prmtop: %%FLAG %s: %d values, want %d (%s)", flag, len(v), n, what)
	}
	return v, err
}
