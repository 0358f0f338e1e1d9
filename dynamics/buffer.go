package dynamics

import (
	"fmt"
	"math/rand/v2"
)

// Buffer is a FIFO replay buffer of fixed capacity holding rows of several aligned fields
// (for example t [1], x [d] and a [d]). When full, a push overwrites the oldest rows.
type Buffer struct {
	widths []int
	data   [][]float64 // data[f] has capacity·widths[f] values
	cap    int
	n      int // rows stored
	next   int // row written next
}

// NewBuffer makes an empty buffer of the given capacity (rows) and field widths.
func NewBuffer(capacity int, widths ...int) (*Buffer, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("buffer capacity %d: must be at least 1", capacity)
	}
	b := &Buffer{widths: widths, cap: capacity, data: make([][]float64, len(widths))}
	for f, w := range widths {
		if w < 1 {
			return nil, fmt.Errorf("buffer field %d has width %d: must be at least 1", f, w)
		}
		b.data[f] = make([]float64, capacity*w)
	}
	return b, nil
}

// Len is the number of rows stored (at most the capacity).
func (b *Buffer) Len() int { return b.n }

// Cap is the capacity in rows.
func (b *Buffer) Cap() int { return b.cap }

// Push appends rows; fields[f] must hold rows·width_f values. If rows exceeds the capacity,
// only the last capacity rows are kept.
func (b *Buffer) Push(rows int, fields ...[]float64) error {
	if len(fields) != len(b.widths) {
		return fmt.Errorf("buffer push: %d fields given; the buffer has %d", len(fields), len(b.widths))
	}
	for f, w := range b.widths {
		if len(fields[f]) != rows*w {
			return fmt.Errorf("buffer push: field %d has %d values; want %d rows × %d", f, len(fields[f]), rows, w)
		}
	}
	start := 0
	if rows > b.cap {
		start = rows - b.cap
	}
	for r := start; r < rows; r++ {
		for f, w := range b.widths {
			copy(b.data[f][b.next*w:(b.next+1)*w], fields[f][r*w:(r+1)*w])
		}
		b.next = (b.next + 1) % b.cap
		if b.n < b.cap {
			b.n++
		}
	}
	return nil
}

// Sample draws rows uniformly with replacement into out (out[f] of length rows·width_f,
// rows = len(out[0])/width_0).
func (b *Buffer) Sample(rng *rand.Rand, out ...[]float64) error {
	if b.n == 0 {
		return fmt.Errorf("buffer sample: the buffer is empty")
	}
	if len(out) != len(b.widths) {
		return fmt.Errorf("buffer sample: %d fields given; the buffer has %d", len(out), len(b.widths))
	}
	rows := len(out[0]) / b.widths[0]
	for r := 0; r < rows; r++ {
		i := rng.IntN(b.n)
		for f, w := range b.widths {
			copy(out[f][r*w:(r+1)*w], b.data[f][i*w:(i+1)*w])
		}
	}
	return nil
}

// Row returns copies of the fields of stored row i (0 = oldest).
func (b *Buffer) Row(i int) [][]float64 {
	start := 0
	if b.n == b.cap {
		start = b.next
	}
	j := (start + i) % b.cap
	out := make([][]float64, len(b.widths))
	for f, w := range b.widths {
		out[f] = append([]float64(nil), b.data[f][j*w:(j+1)*w]...)
	}
	return out
}
