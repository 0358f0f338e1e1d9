package graph

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/naas-go/naas/models"
)

// Checkpoint file format (all integers and floats little-endian):
//
//	magic    8 bytes  "NAASNET" followed by the format version byte (1)
//	hlen     uint32   length of the header in bytes
//	header   hlen bytes of JSON (ckptHeader): spec, dtype, parameter names and shapes, Adam step
//	data     float64s: for every parameter in order, its values, then Adam's m, then Adam's v
//	crc      uint32   CRC-32 (IEEE) of every preceding byte
//
// Nothing may follow the checksum. Parameters are stored as float64 whatever the dtype, which
// is exact for float32.
var ckptMagic = [8]byte{'N', 'A', 'A', 'S', 'N', 'E', 'T', 1}

// ckptHeader is the JSON header of a checkpoint.
type ckptHeader struct {
	Arch      string      `json:"arch"`
	Dim       int         `json:"dim"`
	Width     int         `json:"width"`
	Depth     int         `json:"depth"`
	Act       string      `json:"act"`
	NFreq     int         `json:"nfreq"`
	InShift   []float64   `json:"in_shift,omitempty"`
	InScale   float64     `json:"in_scale"`
	Prefix    string      `json:"prefix"`
	Dtype     string      `json:"dtype"`
	Objective string      `json:"objective"`
	Params    []ckptParam `json:"params"`
	AdamStep  int64       `json:"adam_step"`
}

type ckptParam struct {
	Name  string `json:"name"`
	Shape [2]int `json:"shape"`
}

// header describes n (AdamStep set by the caller).
func (n *Net) header() ckptHeader {
	s := n.cfg.Spec
	h := ckptHeader{
		Arch: s.Arch, Dim: s.Dim, Width: s.Width, Depth: s.Depth, Act: s.Act, NFreq: s.NFreq,
		InShift: s.InShift, InScale: s.InScale, Prefix: s.Prefix,
		Dtype: dtypeName(n.cfg.Dtype), Objective: n.cfg.Objective,
	}
	for i := range n.names {
		h.Params = append(h.Params, ckptParam{n.names[i], n.shapes[i]})
	}
	return h
}

// Save writes the parameters, the Adam state (m, v, step count) and a header describing the
// network to w in the checkpoint format above. The learning rate and other Config settings are
// not saved (they are the caller's configuration).
func (n *Net) Save(w io.Writer) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.header()
	h.AdamStep = n.adam.t
	hj, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("graph: encoding checkpoint header: %w", err)
	}
	crc := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	bw.Write(ckptMagic[:])
	binary.Write(bw, binary.LittleEndian, uint32(len(hj)))
	bw.Write(hj)
	var b8 [8]byte
	put := func(v float64) {
		binary.LittleEndian.PutUint64(b8[:], math.Float64bits(v))
		bw.Write(b8[:])
	}
	buf := make([]float64, 0)
	for i, wt := range n.weights {
		buf = append(buf[:0], make([]float64, wt.Size())...)
		getData(wt, buf)
		for _, v := range buf {
			put(v)
		}
		for _, v := range n.adam.m[i] {
			put(v)
		}
		for _, v := range n.adam.v[i] {
			put(v)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("graph: writing checkpoint: %w", err)
	}
	var c4 [4]byte
	binary.LittleEndian.PutUint32(c4[:], crc.Sum32())
	if _, err := w.Write(c4[:]); err != nil {
		return fmt.Errorf("graph: writing checkpoint: %w", err)
	}
	return nil
}

// SaveFile writes a checkpoint to path atomically (a temporary file in the same directory,
// then a rename).
func (n *Net) SaveFile(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	tmp := f.Name()
	if err := n.Save(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("graph: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("graph: %w", err)
	}
	return nil
}

// LoadFile reads a checkpoint written by SaveFile; see Load.
func (n *Net) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	defer f.Close()
	if err := n.Load(f); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return nil
}

// Load reads a checkpoint written by Save and restores the parameters and the Adam state. The
// checkpoint must describe the same network: architecture, dimensions, activation, number of
// frequencies, input shift and scale, prefix, dtype, and every parameter name and shape;
// otherwise the error names the first difference. The values are copied into the existing
// weight tensors, so forward programs stay bound. The whole checkpoint, including its
// checksum, is verified before anything is changed: on any error (truncated, corrupt,
// mismatching, non-finite values, trailing bytes) the network is left untouched.
func (n *Net) Load(r io.Reader) error {
	want := n.header() // immutable fields only; no lock needed
	crc := crc32.NewIEEE()
	br := bufio.NewReader(r)
	tr := io.TeeReader(br, crc)

	var magic [8]byte
	if _, err := io.ReadFull(tr, magic[:]); err != nil {
		return ckptErr("reading magic", err)
	}
	if magic != ckptMagic {
		if bytes.Equal(magic[:7], ckptMagic[:7]) {
			return fmt.Errorf("graph: checkpoint format version %d, want %d", magic[7], ckptMagic[7])
		}
		return errors.New("graph: not a checkpoint (bad magic)")
	}
	var hlen uint32
	if err := binary.Read(tr, binary.LittleEndian, &hlen); err != nil {
		return ckptErr("reading header length", err)
	}
	own, err := json.Marshal(want)
	if err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	if limit := len(own) + 1<<16; int64(hlen) > int64(limit) {
		return fmt.Errorf("graph: checkpoint header of %d bytes is implausibly long for this network (at most %d)", hlen, limit)
	}
	hj := make([]byte, hlen)
	if _, err := io.ReadFull(tr, hj); err != nil {
		return ckptErr("reading header", err)
	}
	var got ckptHeader
	if err := json.Unmarshal(hj, &got); err != nil {
		return fmt.Errorf("graph: corrupt checkpoint header: %w", err)
	}
	if err := headerMismatch(want, got); err != nil {
		return err
	}
	if got.AdamStep < 0 {
		return fmt.Errorf("graph: checkpoint Adam step %d is negative", got.AdamStep)
	}

	vals := make([][]float64, len(want.Params))
	ms := make([][]float64, len(want.Params))
	vs := make([][]float64, len(want.Params))
	for i, p := range want.Params {
		size := p.Shape[0] * p.Shape[1]
		vals[i], ms[i], vs[i] = make([]float64, size), make([]float64, size), make([]float64, size)
		for k, dst := range [][]float64{vals[i], ms[i], vs[i]} {
			if err := readFloats(tr, dst); err != nil {
				return ckptErr(fmt.Sprintf("reading %s of %q", [...]string{"values", "Adam m", "Adam v"}[k], p.Name), err)
			}
			for j, v := range dst {
				if math.IsNaN(v) || math.IsInf(v, 0) || k == 2 && v < 0 {
					return fmt.Errorf("graph: checkpoint %s of %q entry %d is %v", [...]string{"value", "Adam m", "Adam v"}[k], p.Name, j, v)
				}
			}
		}
	}
	sum := crc.Sum32()
	var c4 [4]byte
	if _, err := io.ReadFull(br, c4[:]); err != nil {
		return ckptErr("reading checksum", err)
	}
	if binary.LittleEndian.Uint32(c4[:]) != sum {
		return errors.New("graph: checkpoint checksum mismatch (corrupt file)")
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return errors.New("graph: unexpected data after the checkpoint checksum")
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	for i, w := range n.weights {
		setData(w, vals[i])
		copy(n.adam.m[i], ms[i])
		copy(n.adam.v[i], vs[i])
	}
	n.adam.t = got.AdamStep
	return nil
}

// ckptErr wraps a read error, calling an early EOF a truncated checkpoint.
func ckptErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("graph: truncated checkpoint (%s)", what)
	}
	return fmt.Errorf("graph: %s: %w", what, err)
}

// readFloats fills dst with little-endian float64s from r.
func readFloats(r io.Reader, dst []float64) error {
	var buf [8 * 512]byte
	for len(dst) > 0 {
		k := min(len(dst), 512)
		if _, err := io.ReadFull(r, buf[:8*k]); err != nil {
			return err
		}
		for i := 0; i < k; i++ {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
		}
		dst = dst[k:]
	}
	return nil
}

// headerMismatch returns an error naming the first difference between the network's
// description want and a checkpoint's got, or nil.
func headerMismatch(want, got ckptHeader) error {
	diff := func(field string, w, g any) error {
		return fmt.Errorf("graph: checkpoint %s is %v, this network's is %v", field, g, w)
	}
	switch {
	case got.Arch != want.Arch:
		return diff("architecture", fmt.Sprintf("%q", want.Arch), fmt.Sprintf("%q", got.Arch))
	case got.Dim != want.Dim:
		return diff("dimension", want.Dim, got.Dim)
	case got.Width != want.Width:
		return diff("width", want.Width, got.Width)
	case got.Depth != want.Depth:
		return diff("depth", want.Depth, got.Depth)
	case got.Act != want.Act:
		return diff("activation", fmt.Sprintf("%q", want.Act), fmt.Sprintf("%q", got.Act))
	case got.Dtype != want.Dtype:
		return diff("dtype", want.Dtype, got.Dtype)
	case got.Prefix != want.Prefix:
		return diff("prefix", fmt.Sprintf("%q", want.Prefix), fmt.Sprintf("%q", got.Prefix))
	}
	ws := models.Spec{Arch: want.Arch, Dim: want.Dim, NFreq: want.NFreq, InShift: want.InShift, InScale: want.InScale}
	gs := models.Spec{Arch: want.Arch, Dim: want.Dim, NFreq: got.NFreq, InShift: got.InShift, InScale: got.InScale}
	if !ws.Equal(gs) {
		switch {
		case got.NFreq != want.NFreq:
			return diff("number of Fourier frequencies", want.NFreq, got.NFreq)
		case got.InScale != want.InScale:
			return diff("input scale", want.InScale, got.InScale)
		default:
			return errors.New("graph: checkpoint input shift differs from this network's")
		}
	}
	if len(got.Params) != len(want.Params) {
		return diff("number of parameter tensors", len(want.Params), len(got.Params))
	}
	for i := range want.Params {
		if !slices.Equal(want.Params[i].Shape[:], got.Params[i].Shape[:]) || got.Params[i].Name != want.Params[i].Name {
			return diff(fmt.Sprintf("parameter %d", i), want.Params[i], got.Params[i])
		}
	}
	return nil
}
