package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestExactBytes builds the expected file by hand from the format spec:
//
//	magic "\x93NUMPY", version 1 0, uint16 LE header length, header.
//
// The dict "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" is
// 59 bytes; NumPy ≥ 1.24 appends 21 − len("2") = 20 spare spaces; with the
// final '\n' that is 80 bytes, and 10 + 80 = 90 is padded with 38 spaces to
// 128 = 2·64. So the length field is 118 = 0x76 and the data start at 128.
func TestExactBytes(t *testing.T) {
	var want bytes.Buffer
	want.WriteString("\x93NUMPY\x01\x00\x76\x00")
	want.WriteString("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }")
	want.WriteString(strings.Repeat(" ", 20+38) + "\n")
	for _, v := range []float64{1, 2, 3, 4, 5, -0.5} {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		want.Write(b[:])
	}
	var got bytes.Buffer
	if err := Write(&got, []float64{1, 2, 3, 4, 5, -0.5}, 2, 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("bytes differ:\n got %q\nwant %q", got.Bytes(), want.Bytes())
	}
	// 1.0 as '<f8' is 00 00 00 00 00 00 f0 3f.
	if !bytes.Equal(got.Bytes()[128:136], []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}) {
		t.Fatalf("first element bytes %x", got.Bytes()[128:136])
	}

	// float32, rank 1: dict "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
	// is 57 bytes, + 20 spare + '\n' = 78, 10 + 78 = 88 → 40 pad spaces, length 118.
	want.Reset()
	want.WriteString("\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")
	want.WriteString(strings.Repeat(" ", 20+40) + "\n")
	want.Write([]byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0xc0}) // 1, 2, −3
	got.Reset()
	if err := WriteFloat32(&got, []float32{1, 2, -3}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("float32 bytes differ:\n got %q\nwant %q", got.Bytes(), want.Bytes())
	}

	// Scalar (0-d) header: shape (), no spare spaces: 55 + 1 = 56,
	// 10 + 56 = 66 → 62 pad spaces. (Write with no shape writes 1-D, so the
	// header function is checked directly.)
	h, err := header("<f8", []int{})
	if err != nil {
		t.Fatal(err)
	}
	wantH := "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (), }" + strings.Repeat(" ", 62) + "\n"
	if string(h) != wantH {
		t.Fatalf("scalar header %q", h)
	}
}

func TestRoundTrip(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 1, -2.5, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, math.MaxFloat64, 1e-310, math.Pi}
	cases := []struct {
		n     int
		shape []int
	}{
		{11, []int{11}}, {12, []int{3, 4}}, {24, []int{2, 3, 4}}, {0, []int{0}}, {0, []int{2, 0, 3}},
		{1, []int{1, 1, 1, 1, 1}}, {150000, []int{1500, 100}}, // > one 1 MiB chunk
	}
	for _, c := range cases {
		data := make([]float64, c.n)
		for i := range data {
			data[i] = special[i%len(special)] * float64(1+i%7)
		}
		var buf bytes.Buffer
		if err := Write(&buf, data, c.shape...); err != nil {
			t.Fatal(err)
		}
		if buf.Len()%64 != (8*c.n)%64 {
			t.Fatalf("data not 64-aligned: file %d bytes", buf.Len())
		}
		got, shape, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(shape, c.shape) || len(got) != c.n {
			t.Fatalf("shape %v len %d, want %v %d", shape, len(got), c.shape, c.n)
		}
		for i := range data {
			if math.Float64bits(got[i]) != math.Float64bits(data[i]) {
				t.Fatalf("element %d: %v, want %v", i, got[i], data[i])
			}
		}
		// float32 round trip: values converted exactly.
		f32 := make([]float32, c.n)
		for i := range f32 {
			f32[i] = float32(data[i])
		}
		buf.Reset()
		if err := WriteFloat32(&buf, f32, c.shape...); err != nil {
			t.Fatal(err)
		}
		got, shape, err = Read(&buf)
		if err != nil || !reflect.DeepEqual(shape, c.shape) {
			t.Fatal(err, shape)
		}
		for i := range f32 {
			if got[i] != float64(f32[i]) && !(math.IsNaN(got[i]) && math.IsNaN(float64(f32[i]))) {
				t.Fatalf("float32 element %d: %v, want %v", i, got[i], f32[i])
			}
		}
	}
	// Default shape is 1-D.
	var buf bytes.Buffer
	Write(&buf, []float64{1, 2, 3})
	if _, shape, _ := Read(&buf); !reflect.DeepEqual(shape, []int{3}) {
		t.Fatalf("default shape %v", shape)
	}
}

// handFile builds a .npy file with an arbitrary header dict and version.
func handFile(major byte, dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(Magic)
	b.WriteByte(major)
	b.WriteByte(0)
	hdr := dict + "\n"
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(hdr)))
	}
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

// TestReadVariants: big-endian data, versions 2.0 and 3.0, Python 2 long
// suffixes, double quotes, other key order, no trailing comma, 0-d arrays.
func TestReadVariants(t *testing.T) {
	be := make([]byte, 16)
	binary.BigEndian.PutUint64(be, math.Float64bits(1.5))
	binary.BigEndian.PutUint64(be[8:], math.Float64bits(-2))
	le4 := make([]byte, 8)
	binary.LittleEndian.PutUint32(le4, math.Float32bits(0.1))
	binary.LittleEndian.PutUint32(le4[4:], math.Float32bits(3))
	be4 := make([]byte, 4)
	binary.BigEndian.PutUint32(be4, math.Float32bits(-7.25))
	cases := []struct {
		name  string
		file  []byte
		data  []float64
		shape []int
	}{
		{"big-endian f8", handFile(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be), []float64{1.5, -2}, []int{2}},
		{"v2", handFile(2, "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }", be), []float64{1.5, -2}, []int{1, 2}},
		{"v3", handFile(3, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1), }", be), []float64{1.5, -2}, []int{2, 1}},
		{"py2 long, order, quotes", handFile(1, `{"shape": (2L,), "fortran_order": False, "descr": "<f4"}`, le4), []float64{float64(float32(0.1)), 3}, []int{2}},
		{"big-endian f4 scalar", handFile(1, "{'descr': '>f4', 'fortran_order': False, 'shape': ()}", be4), []float64{-7.25}, []int{}},
	}
	for _, c := range cases {
		data, shape, err := Read(bytes.NewReader(c.file))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(data, c.data) || !reflect.DeepEqual(shape, c.shape) {
			t.Fatalf("%s: %v %v, want %v %v", c.name, data, shape, c.data, c.shape)
		}
	}
}

func validFile(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := Write(&buf, []float64{1, 2, 3, 4, 5, 6}, 2, 3); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadErrors: every malformed input gives an error that names the problem.
func TestReadErrors(t *testing.T) {
	ok := validFile(t)
	f8 := make([]byte, 48)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated file: 0 bytes"},
		{"bad magic", []byte("\x93NUMPX\x01\x00\x10\x00"), "bad magic"},
		{"npz", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "zip archive"},
		{"version", append([]byte("\x93NUMPY\x04\x00"), ok[8:]...), "unsupported format version 4.0 (supported: 1.0, 2.0, 3.0)"},
		{"short prefix", ok[:7], "truncated file: 7 bytes"},
		{"short length", ok[:9], "truncated header length field"},
		{"short header", ok[:100], "truncated header: expected 118 bytes, found 90"},
		{"truncated data", ok[:len(ok)-8], "shape (2, 3) of <f8 needs 48 bytes after the 128-byte header, found 40"},
		{"no data", ok[:128], "needs 48 bytes after the 128-byte header, found 0"},
		{"dtype", handFile(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (6,), }", f8), `unsupported dtype "<i8"; supported: '<f8', '>f8', '<f4', '>f4'`},
		{"structured", handFile(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (6,), }", f8), "structured dtypes are not supported"},
		{"fortran", handFile(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f8), "fortran_order True is not supported"},
		{"fortran value", handFile(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }", f8), "fortran_order must be True or False"},
		{"negative dim", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3), }", f8), "negative dimension"},
		{"not a tuple", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6), }", f8), "(n) is not a tuple"},
		{"missing key", handFile(1, "{'descr': '<f8', 'shape': (6,), }", f8), `missing key "fortran_order"`},
		{"extra key", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), 'x': 1}", f8), `unexpected key "x"`},
		{"duplicate key", handFile(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (6,)}", f8), `duplicate key "descr"`},
		{"garbage", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), } x", f8), "unexpected text after the dict"},
		{"not a dict", handFile(1, "[1, 2]", f8), `expected '{'`},
		{"huge dim", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", f8), "out of range"},
		{"overflow", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f8), "too many elements"},
		{"huge shape, short data", handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", f8), "needs 8000000000000 bytes after the 80-byte header, found 48"},
		{"huge header", append([]byte("\x93NUMPY\x02\x00"), 0, 0, 0, 0x40), "header length 1073741824 exceeds the limit"},
	}
	for _, c := range cases {
		data, shape, err := Read(bytes.NewReader(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
		if data != nil || shape != nil {
			t.Errorf("%s: returned data with an error", c.name)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, make([]float64, 5), 2, 3); err == nil || !strings.Contains(err.Error(), "shape (2, 3) has 6 elements, data has 5") {
		t.Fatalf("got %v", err)
	}
	if err := WriteFloat32(&buf, make([]float32, 5), 5, -1); err == nil || !strings.Contains(err.Error(), "negative dimension -1") {
		t.Fatalf("got %v", err)
	}
	if buf.Len() != 0 {
		t.Fatal("bytes written on error")
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	data := []float64{1, 2, 3, 4, 5, 6}
	if err := WriteFile(p, data, 3, 2); err != nil {
		t.Fatal(err)
	}
	got, shape, err := ReadFile(p)
	if err != nil || !reflect.DeepEqual(got, data) || !reflect.DeepEqual(shape, []int{3, 2}) {
		t.Fatalf("ReadFile: %v %v %v", got, shape, err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode())
	}
	// Overwrite atomically with float32 data; a failing write leaves the old file.
	if err := WriteFileFloat32(p, []float32{9, 8}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, data, 4); err == nil {
		t.Fatal("want shape error")
	}
	got, _, err = ReadFile(p)
	if err != nil || !reflect.DeepEqual(got, []float64{9, 8}) {
		t.Fatalf("after failed overwrite: %v %v", got, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "y.npy"), data); err == nil {
		t.Fatal("want error for a missing directory")
	}
	// Trailing bytes and truncation are reported with the path.
	raw, _ := os.ReadFile(p)
	os.WriteFile(p, append(raw, 0, 0, 0), 0o644)
	if _, _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "3 bytes after the data") || !strings.Contains(err.Error(), p) {
		t.Fatalf("trailing: %v", err)
	}
	os.WriteFile(p, raw[:len(raw)-3], 0o644)
	if _, _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "needs 8 bytes after the 128-byte header, found 5") {
		t.Fatalf("truncated: %v", err)
	}
	if _, _, err := ReadFile(filepath.Join(dir, "nope.npy")); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v", err)
	}
}

// FuzzRead: Read never panics; when it succeeds the data length matches the
// shape, and writing the result back and reading it again reproduces it
// bit for bit. The seed corpus holds valid files and corruptions of them, and
// runs as a normal test.
func FuzzRead(f *testing.F) {
	ok := validFile(f)
	f.Add(ok)
	var b bytes.Buffer
	WriteFloat32(&b, []float32{1, 2, 3})
	f.Add(b.Bytes())
	f.Add(handFile(2, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)))
	f.Add(handFile(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", make([]byte, 4)))
	f.Add(handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }", nil))
	f.Add(ok[:len(ok)-1])
	f.Add(ok[:50])
	f.Add(ok[:8])
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04"))
	f.Add(handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", make([]byte, 8)))
	f.Add(handFile(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", make([]byte, 48)))
	f.Add(handFile(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", make([]byte, 16)))
	f.Add(handFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,2L,1), }", make([]byte, 48)))
	f.Add(append([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"), "{}"...))
	corrupt := bytes.Clone(ok)
	corrupt[60] = '9' // inside the shape tuple
	f.Add(corrupt)
	f.Fuzz(func(t *testing.T, in []byte) {
		data, shape, err := Read(bytes.NewReader(in))
		if err != nil {
			if data != nil || shape != nil {
				t.Fatal("data returned with an error")
			}
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if n != len(data) {
			t.Fatalf("shape %v but %d elements", shape, len(data))
		}
		var out bytes.Buffer
		if len(shape) == 0 {
			h, _ := header("<f8", shape)
			out.Write(h)
			binary.Write(&out, binary.LittleEndian, data)
		} else if err := Write(&out, data, shape...); err != nil {
			t.Fatal(err)
		}
		again, shape2, err := Read(&out)
		if err != nil || !reflect.DeepEqual(shape, shape2) || len(again) != len(data) {
			t.Fatalf("re-read: %v %v %v", err, shape2, len(again))
		}
		for i := range data {
			if math.Float64bits(again[i]) != math.Float64bits(data[i]) {
				t.Fatalf("element %d changed", i)
			}
		}
	})
}
