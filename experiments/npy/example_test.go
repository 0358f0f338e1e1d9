package npy_test

import (
	"bytes"
	"fmt"

	"github.com/naas-go/naas/experiments/npy"
)

func Example() {
	var buf bytes.Buffer
	// Two points in d = 3, row-major.
	if err := npy.Write(&buf, []float64{1, 2, 3, 4, 5, 6}, 2, 3); err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", buf.Bytes()[10:69])
	data, shape, err := npy.Read(&buf)
	fmt.Println(data, shape, err)
	// Output:
	// "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
	// [1 2 3 4 5 6] [2 3] <nil>
}
