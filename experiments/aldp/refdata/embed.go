package refdata

import (
	_ "embed"
	"fmt"
)

// The shipped reference sets (see README.md): 300 K frames of two independent
// replica-exchange runs with the same settings and seeds 1 and 2.
var (
	//go:embed aldp_ref_300K.npy
	mainNpy []byte // immutable
	//go:embed aldp_ref_300K_indep.npy
	indepNpy []byte // immutable
)

// Default file names of the embedded sets.
const (
	MainFile        = "aldp_ref_300K.npy"
	IndependentFile = "aldp_ref_300K_indep.npy"
)

// Default parses and returns the embedded reference: Main from the long run (seed 1),
// Independent from the shorter independent run (seed 2). Each call returns fresh slices.
func Default() (*Reference, error) {
	m, err := ReadBytes(mainNpy)
	if err != nil {
		return nil, fmt.Errorf("refdata: %s: %w", MainFile, err)
	}
	ind, err := ReadBytes(indepNpy)
	if err != nil {
		return nil, fmt.Errorf("refdata: %s: %w", IndependentFile, err)
	}
	return &Reference{Name: MainFile + " (floor: " + IndependentFile + ")", Main: m, Independent: ind}, nil
}
