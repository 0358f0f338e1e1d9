//go:build openblas

package openblas

/*
#cgo LDFLAGS: -lopenblas
char* openblas_get_corename(void);
char* openblas_get_config(void);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"fmt"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// init makes OpenBLAS the BLAS of Gorgonia and of package tensor (G.Use sets both), which the
// native engine of package graph also calls. This is the one process-wide setting of the
// project, chosen at build time.
func init() { G.Use(netlib.Implementation{}) }

// Name describes OpenBLAS as loaded: the core type it selected, its build configuration and
// its thread count.
func Name() string {
	return fmt.Sprintf("openblas (cgo; core %s; %s; %d threads)",
		C.GoString(C.openblas_get_corename()), C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}
