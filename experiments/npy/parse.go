package npy

import (
	"fmt"
	"strconv"
	"strings"
)

// dict is the content of a .npy header.
type dict struct {
	descr   string
	fortran bool
	shape   []int
}

// maxRank bounds the number of dimensions accepted (NumPy's limit is 64).
const maxRank = 64

// parser reads the Python dict literal of a .npy header: string keys
// 'descr', 'fortran_order' and 'shape' (each exactly once) with a string, a
// bool and a tuple of non-negative ints as values; whitespace, a trailing
// comma and Python 2 'L' integer suffixes are allowed.
type parser struct {
	s   string
	pos int
}

func (p *parser) errf(format string, a ...any) error {
	ctx := p.s
	if len(ctx) > 120 {
		ctx = ctx[:120] + "..."
	}
	return fmt.Errorf("npy: malformed header at byte %d: %s (header %q)", p.pos, fmt.Sprintf(format, a...), ctx)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *parser) peek() byte {
	p.skipSpace()
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *parser) expect(c byte) error {
	if p.peek() != c {
		if p.pos >= len(p.s) {
			return p.errf("expected %q, found end of header", c)
		}
		return p.errf("expected %q, found %q", c, p.s[p.pos])
	}
	p.pos++
	return nil
}

func (p *parser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errf("expected a string literal")
	}
	end := strings.IndexByte(p.s[p.pos+1:], q)
	if end < 0 {
		return "", p.errf("unterminated string literal")
	}
	v := p.s[p.pos+1 : p.pos+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", p.errf("escape sequences in string literals are not supported")
	}
	p.pos += end + 2
	return v, nil
}

func (p *parser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && (p.s[p.pos] >= 'a' && p.s[p.pos] <= 'z' || p.s[p.pos] >= 'A' && p.s[p.pos] <= 'Z') {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var out []int
	for {
		if p.peek() == ')' {
			p.pos++
			break
		}
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		if p.pos == start {
			if p.pos < len(p.s) && p.s[p.pos] == '-' {
				return nil, p.errf("negative dimension in shape")
			}
			return nil, p.errf("expected a non-negative integer dimension or ')'")
		}
		v, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
		if err != nil || int64(int(v)) != v {
			return nil, p.errf("dimension %s out of range", p.s[start:p.pos])
		}
		if p.pos < len(p.s) && p.s[p.pos] == 'L' { // Python 2 long
			p.pos++
		}
		if len(out) == maxRank {
			return nil, p.errf("more than %d dimensions", maxRank)
		}
		out = append(out, int(v))
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
		default:
			return nil, p.errf("expected ',' or ')' in shape")
		}
	}
	if len(out) == 1 && !strings.HasSuffix(strings.TrimRight(p.s[:p.pos-1], " \t"), ",") {
		return nil, p.errf("(n) is not a tuple; a 1-D shape is written (n,)")
	}
	if out == nil {
		out = []int{}
	}
	return out, nil
}

func parseDict(s string) (dict, error) {
	p := &parser{s: s}
	var d dict
	seen := map[string]bool{}
	if err := p.expect('{'); err != nil {
		return d, err
	}
	for {
		if p.peek() == '}' {
			p.pos++
			break
		}
		key, err := p.str()
		if err != nil {
			return d, err
		}
		if seen[key] {
			return d, p.errf("duplicate key %q", key)
		}
		seen[key] = true
		if err := p.expect(':'); err != nil {
			return d, err
		}
		switch key {
		case "descr":
			if p.peek() != '\'' && p.peek() != '"' {
				return d, p.errf("descr must be a string such as '<f8' (structured dtypes are not supported; supported: %s)", supported)
			}
			if d.descr, err = p.str(); err != nil {
				return d, err
			}
		case "fortran_order":
			switch v := p.ident(); v {
			case "True":
				d.fortran = true
			case "False":
				d.fortran = false
			default:
				return d, p.errf("fortran_order must be True or False, found %q", v)
			}
		case "shape":
			if d.shape, err = p.tuple(); err != nil {
				return d, err
			}
		default:
			return d, p.errf("unexpected key %q (want 'descr', 'fortran_order', 'shape')", key)
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return d, p.errf("expected ',' or '}' after the value of %q", key)
		}
	}
	if p.peek() != 0 {
		return d, p.errf("unexpected text after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			p.pos = len(s)
			return d, p.errf("missing key %q", k)
		}
	}
	return d, nil
}
