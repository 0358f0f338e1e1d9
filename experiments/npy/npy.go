// Package npy owns the project's NumPy .npy file I/O: reading and writing
// little- or big-endian float64 ('<f8') and float32 ('<f4') arrays of any
// rank in C order, so that samples and reference sets can be exchanged with
// Python tools.
//
// Files are written exactly as numpy.save writes them (format 1.0, or 2.0
// when the header does not fit 1.0): the magic "\x93NUMPY", the version, the
// header length, and a header such as
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
//
// followed by the spare spaces NumPy ≥ 1.24 reserves for growing the first
// axis, padded with spaces and terminated by '\n' so that the data start at a
// multiple of 64 bytes. Format versions 1.0, 2.0 and 3.0 are read.
//
// Reading never panics on malformed input and never allocates according to an
// untrusted header alone: the header length is capped ([MaxHeaderLen]), and
// the data are read in chunks, so a header claiming a huge shape on a short
// stream fails with a truncation error after reading what is there.
//
// Arrays are flat []float64 (or []float32) in C (row-major) order with the
// shape given separately, as everywhere in the project.
package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/naas-go/naas/experiments/atomicfile"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

// Magic is the 6-byte prefix of every .npy file.
const Magic = "\x93NUMPY"

// MaxHeaderLen is the largest header (in bytes, after the length field) that
// Read accepts. NumPy writes headers of a few hundred bytes at most for the
// arrays this package supports.
const MaxHeaderLen = 1 << 20

// align is numpy's ARRAY_ALIGN: the data start at a multiple of 64 bytes.
const align = 64

// growthAxisMaxDigits is numpy's GROWTH_AXIS_MAX_DIGITS: NumPy ≥ 1.24 adds
// 21 − len(str(shape[0])) spaces after the dict so that the header can be
// rewritten in place when the first axis grows.
const growthAxisMaxDigits = 21

// chunkBytes is the read/write buffer size.
const chunkBytes = 1 << 20

// supported lists the accepted descr strings, for error messages.
const supported = "'<f8', '>f8', '<f4', '>f4'"

type dtype struct {
	descr string
	size  int // bytes per element
	big   bool
}

func parseDescr(s string) (dtype, error) {
	switch s {
	case "<f8":
		return dtype{s, 8, false}, nil
	case ">f8":
		return dtype{s, 8, true}, nil
	case "<f4":
		return dtype{s, 4, false}, nil
	case ">f4":
		return dtype{s, 4, true}, nil
	}
	return dtype{}, fmt.Errorf("npy: unsupported dtype %q; supported: %s", s, supported)
}

// Header is the decoded header of a .npy file.
type Header struct {
	Major, Minor int    // format version
	Descr        string // dtype descriptor, one of '<f8', '>f8', '<f4', '>f4'
	Shape        []int  // () for a scalar
	HeaderLen    int    // total bytes before the data (magic, version, length field, header)
}

// Len returns the number of elements, the product of the shape (1 for a scalar).
func (h Header) Len() int {
	n, _ := count(h.Shape)
	return n
}

// count returns the product of the dims, or an error naming the overflow.
func count(shape []int) (int, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("npy: negative dimension %d in shape %s", d, shapeRepr(shape))
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return 0, fmt.Errorf("npy: shape %s has too many elements", shapeRepr(shape))
		}
		n = lo
	}
	return int(n), nil
}

// shapeRepr formats a shape as Python's repr of a tuple: (), (n,), (a, b).
func shapeRepr(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// header returns the full header bytes (magic to '\n') numpy writes for the
// given descr and shape.
func header(descr string, shape []int) ([]byte, error) {
	dict := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeRepr(shape) + ", }"
	if len(shape) > 0 {
		dict += strings.Repeat(" ", growthAxisMaxDigits-len(strconv.Itoa(shape[0])))
	}
	for _, v := range []struct {
		major  byte
		lenLen int
		max    int
	}{{1, 2, math.MaxUint16}, {2, 4, math.MaxUint32}} {
		pre := len(Magic) + 2 + v.lenLen
		hlen := len(dict) + 1 // + '\n'
		pad := align - (pre+hlen)%align
		if hlen+pad > v.max {
			continue
		}
		out := make([]byte, 0, pre+hlen+pad)
		out = append(out, Magic...)
		out = append(out, v.major, 0)
		if v.lenLen == 2 {
			out = binary.LittleEndian.AppendUint16(out, uint16(hlen+pad))
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(hlen+pad))
		}
		out = append(out, dict...)
		out = append(out, bytes.Repeat([]byte{' '}, pad)...)
		out = append(out, '\n')
		return out, nil
	}
	return nil, fmt.Errorf("npy: header for shape %s too long", shapeRepr(shape))
}

func checkShape(n int, shape []int) ([]int, error) {
	if len(shape) == 0 {
		return []int{n}, nil
	}
	c, err := count(shape)
	if err != nil {
		return nil, err
	}
	if c != n {
		return nil, fmt.Errorf("npy: shape %s has %d elements, data has %d", shapeRepr(shape), c, n)
	}
	return shape, nil
}

// Write writes data as a little-endian float64 ('<f8') C-order array of the
// given shape in .npy format 1.0 (2.0 if the header needs it). No shape means
// the 1-D shape (len(data),); an empty array needs an explicit shape such as 0.
// The product of shape must equal len(data).
func Write(w io.Writer, data []float64, shape ...int) error {
	shape, err := checkShape(len(data), shape)
	if err != nil {
		return err
	}
	h, err := header("<f8", shape)
	if err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return fmt.Errorf("npy: writing header: %w", err)
	}
	buf := make([]byte, 0, min(chunkBytes, 8*len(data)))
	for i, v := range data {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		if len(buf) == cap(buf) || i == len(data)-1 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("npy: writing data: %w", err)
			}
			buf = buf[:0]
		}
	}
	return nil
}

// WriteFloat32 writes data as a little-endian float32 ('<f4') C-order array;
// otherwise as [Write].
func WriteFloat32(w io.Writer, data []float32, shape ...int) error {
	shape, err := checkShape(len(data), shape)
	if err != nil {
		return err
	}
	h, err := header("<f4", shape)
	if err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return fmt.Errorf("npy: writing header: %w", err)
	}
	buf := make([]byte, 0, min(chunkBytes, 4*len(data)))
	for i, v := range data {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		if len(buf) == cap(buf) || i == len(data)-1 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("npy: writing data: %w", err)
			}
			buf = buf[:0]
		}
	}
	return nil
}

// ReadHeader reads and validates the magic, version and header of a .npy
// stream, leaving r at the start of the data.
func ReadHeader(r io.Reader) (Header, error) {
	var pre [8]byte
	if n, err := io.ReadFull(r, pre[:]); err != nil {
		if n >= 6 && string(pre[:6]) != Magic || n < 6 && !strings.HasPrefix(Magic, string(pre[:n])) {
			return Header{}, badMagic(pre[:n])
		}
		return Header{}, fmt.Errorf("npy: truncated file: %d bytes, the magic and version need 8", n)
	}
	if string(pre[:6]) != Magic {
		return Header{}, badMagic(pre[:])
	}
	h := Header{Major: int(pre[6]), Minor: int(pre[7])}
	var lenLen int
	switch {
	case h.Major == 1 && h.Minor == 0:
		lenLen = 2
	case (h.Major == 2 || h.Major == 3) && h.Minor == 0:
		lenLen = 4
	default:
		return Header{}, fmt.Errorf("npy: unsupported format version %d.%d (supported: 1.0, 2.0, 3.0)", h.Major, h.Minor)
	}
	var lb [4]byte
	if n, err := io.ReadFull(r, lb[:lenLen]); err != nil {
		return Header{}, fmt.Errorf("npy: truncated header length field: %d of %d bytes", n, lenLen)
	}
	var hlen uint64
	if lenLen == 2 {
		hlen = uint64(binary.LittleEndian.Uint16(lb[:2]))
	} else {
		hlen = uint64(binary.LittleEndian.Uint32(lb[:4]))
	}
	if hlen > MaxHeaderLen {
		return Header{}, fmt.Errorf("npy: header length %d exceeds the limit %d", hlen, MaxHeaderLen)
	}
	hb := make([]byte, hlen)
	if n, err := io.ReadFull(r, hb); err != nil {
		return Header{}, fmt.Errorf("npy: truncated header: expected %d bytes, found %d", hlen, n)
	}
	h.HeaderLen = 8 + lenLen + int(hlen)
	if h.Major < 3 {
		for i, c := range hb {
			if c >= 0x80 {
				return Header{}, fmt.Errorf("npy: non-ASCII byte 0x%02x at header offset %d (format %d.0 headers are latin-1 dicts of ASCII literals)", c, i, h.Major)
			}
		}
	}
	d, err := parseDict(string(hb))
	if err != nil {
		return Header{}, err
	}
	h.Descr, h.Shape = d.descr, d.shape
	if _, err := parseDescr(h.Descr); err != nil {
		return Header{}, err
	}
	if d.fortran {
		return Header{}, fmt.Errorf("npy: fortran_order True is not supported (C order only); save a C-contiguous array, e.g. numpy.ascontiguousarray")
	}
	if _, err := count(h.Shape); err != nil {
		return Header{}, err
	}
	return h, nil
}

func badMagic(b []byte) error {
	hint := ""
	if bytes.HasPrefix(b, []byte("PK")) {
		hint = " (this looks like a zip archive, e.g. an .npz file)"
	}
	return fmt.Errorf("npy: bad magic %q, want %q: not a .npy file%s", b, Magic, hint)
}

// Read reads a .npy stream holding a float64 or float32 array (either byte
// order, C order, format 1.0, 2.0 or 3.0) and returns its elements as
// float64 (float32 values converted exactly) in C order, with its shape
// (empty for a 0-d array). It reads exactly the header and the data, nothing
// after them.
func Read(r io.Reader) (data []float64, shape []int, err error) {
	h, err := ReadHeader(r)
	if err != nil {
		return nil, nil, err
	}
	data, err = readData(r, h, -1)
	if err != nil {
		return nil, nil, err
	}
	return data, h.Shape, nil
}

// readData reads h.Len() elements. avail ≥ 0 is the number of bytes known
// to remain (files), used to fail before reading and to allocate once.
func readData(r io.Reader, h Header, avail int64) ([]float64, error) {
	dt, _ := parseDescr(h.Descr)
	n := h.Len()
	need := int64(n) * int64(dt.size)
	if avail >= 0 && avail < need {
		return nil, truncated(h, need, avail)
	}
	capHint := n
	if avail < 0 {
		capHint = min(n, chunkBytes/dt.size) // grow as data actually arrive
	}
	out := make([]float64, 0, capHint)
	buf := make([]byte, min(int64(chunkBytes), need))
	var got int64
	for got < need {
		want := min(int64(len(buf)), need-got)
		k, err := io.ReadFull(r, buf[:want])
		got += int64(k)
		k -= k % dt.size
		for off := 0; off < k; off += dt.size {
			out = append(out, decode(buf[off:off+dt.size], dt))
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, truncated(h, need, got)
			}
			return nil, fmt.Errorf("npy: reading data: %w", err)
		}
	}
	return out, nil
}

func decode(b []byte, dt dtype) float64 {
	if dt.size == 8 {
		if dt.big {
			return math.Float64frombits(binary.BigEndian.Uint64(b))
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	if dt.big {
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
	}
	return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
}

func truncated(h Header, need, found int64) error {
	return fmt.Errorf("npy: truncated data: shape %s of %s needs %d bytes after the %d-byte header, found %d",
		shapeRepr(h.Shape), h.Descr, need, h.HeaderLen, found)
}

// ReadFile reads a .npy file; see [Read]. Unlike Read it also rejects bytes
// after the array, which indicate a header that does not match the data.
func ReadFile(path string) (data []float64, shape []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 4096)
	h, err := ReadHeader(br)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	avail := st.Size() - int64(h.HeaderLen)
	dt, _ := parseDescr(h.Descr)
	need := int64(h.Len()) * int64(dt.size)
	if avail > need {
		return nil, nil, fmt.Errorf("%s: npy: %d bytes after the data of shape %s of %s (file %d bytes, expected %d)",
			path, avail-need, shapeRepr(h.Shape), h.Descr, st.Size(), int64(h.HeaderLen)+need)
	}
	data, err = readData(br, h, avail)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, h.Shape, nil
}

// WriteFile writes data as a float64 .npy file (see [Write]) atomically: it
// writes a temporary file in the same directory, syncs it and renames it over
// path, so readers never see a partial file. The file mode is 0644.
func WriteFile(path string, data []float64, shape ...int) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, data, shape...) })
}

// WriteFileFloat32 is [WriteFile] for float32 data ('<f4').
func WriteFileFloat32(path string, data []float32, shape ...int) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WriteFloat32(w, data, shape...) })
}
