package refdata

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/naas-go/naas/experiments/aldp"
	"github.com/naas-go/naas/experiments/npy"
)

// Columns is the number of float32 values stored per frame: φ, ψ, γ1, γ2, γ3 (radians, in
// (−π, π]) and the potential energy (kJ/mol).
const Columns = aldp.NumTorsions + 1

// Frame is what the evaluation keeps of one configuration: its five torsions (radians, in
// the order of aldp.Torsions: φ, ψ, γ1, γ2, γ3) and its potential energy E (kJ/mol, the
// force field's total, not reduced).
type Frame struct {
	Torsions [aldp.NumTorsions]float32
	Energy   float32
}

// FrameOf computes the Frame of one geometry pos (nm, length 66, prmtop order) with energy
// e (kJ/mol).
func FrameOf(pos []float64, e float64) Frame {
	t := aldp.Torsions(pos)
	var f Frame
	for k, v := range t {
		f.Torsions[k] = float32(v)
	}
	f.Energy = float32(e)
	return f
}

// Phi and Psi return φ and ψ (radians) as float64.
func (f Frame) Phi() float64 { return float64(f.Torsions[aldp.Phi]) }

// Psi returns ψ in radians.
func (f Frame) Psi() float64 { return float64(f.Torsions[aldp.Psi]) }

// Flatten returns the frames as a row-major n×Columns float32 slice.
func Flatten(frames []Frame) []float32 {
	out := make([]float32, 0, Columns*len(frames))
	for _, f := range frames {
		out = append(out, f.Torsions[:]...)
		out = append(out, f.Energy)
	}
	return out
}

// Unflatten is the inverse of Flatten. It fails if len(data) is not a multiple of Columns.
func Unflatten(data []float32) ([]Frame, error) {
	if len(data)%Columns != 0 {
		return nil, fmt.Errorf("refdata: %d values are not a multiple of %d columns", len(data), Columns)
	}
	out := make([]Frame, len(data)/Columns)
	for i := range out {
		row := data[Columns*i : Columns*(i+1)]
		copy(out[i].Torsions[:], row[:aldp.NumTorsions])
		out[i].Energy = row[aldp.NumTorsions]
	}
	return out, nil
}

// Write writes frames as a NumPy .npy array of little-endian float32 with shape
// (len(frames), 6), columns φ, ψ, γ1, γ2, γ3 (rad), E (kJ/mol): numpy.load reads it as is.
func Write(w io.Writer, frames []Frame) error {
	return npy.WriteFloat32(w, Flatten(frames), len(frames), Columns)
}

// WriteFile writes frames to path atomically (temporary file, sync, rename); see Write.
func WriteFile(path string, frames []Frame) error {
	return npy.WriteFileFloat32(path, Flatten(frames), len(frames), Columns)
}

// Read reads a file written by Write. It checks the shape (n, 6), that the torsions lie in
// [−π, π] (float32 rounding of π allowed) and that the energies are finite.
func Read(r io.Reader) ([]Frame, error) {
	data, shape, err := npy.Read(r)
	if err != nil {
		return nil, fmt.Errorf("refdata: %w", err)
	}
	if len(shape) != 2 || shape[1] != Columns {
		return nil, fmt.Errorf("refdata: array shape %v, want (n, %d)", shape, Columns)
	}
	f32 := make([]float32, len(data))
	for k, v := range data {
		f32[k] = float32(v) // exact: the file holds float32
	}
	frames, err := Unflatten(f32)
	if err != nil {
		return nil, err
	}
	lim := float32(math.Pi)
	for i, f := range frames {
		for k, t := range f.Torsions {
			if !(t >= -lim && t <= lim) {
				return nil, fmt.Errorf("refdata: frame %d: torsion %v = %v rad, want in [-π, π]", i, aldp.Torsion(k), t)
			}
		}
		if e := float64(f.Energy); math.IsNaN(e) || math.IsInf(e, 0) {
			return nil, fmt.Errorf("refdata: frame %d: energy %v kJ/mol is not finite", i, f.Energy)
		}
	}
	return frames, nil
}

// ReadBytes is Read on an in-memory file (e.g. an embedded one).
func ReadBytes(b []byte) ([]Frame, error) { return Read(bytes.NewReader(b)) }
