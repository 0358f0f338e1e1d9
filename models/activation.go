package models

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
)

// Activation is an element-wise non-linearity applied to a graph node; the result has the
// node's shape.
type Activation func(*G.Node) (*G.Node, error)

// activations is the registry of activations by name. It is never modified.
var activations = map[string]Activation{
	ActSiLU:     SiLU,
	ActTanh:     G.Tanh,
	ActReLU:     G.Rectify,
	ActSoftplus: G.Softplus,
}

// ActivationByName returns the activation called name, or an error listing the known names.
func ActivationByName(name string) (Activation, error) {
	a, ok := activations[name]
	if !ok {
		return nil, fmt.Errorf("models: unknown activation %q; known: %s", name, strings.Join(Activations(), ", "))
	}
	return a, nil
}

// SiLU returns x·sigmoid(x) (also called swish), composed as HadamardProd(x, Sigmoid(x))
// because Gorgonia has no SiLU op; Gorgonia differentiates the composition correctly.
func SiLU(x *G.Node) (*G.Node, error) {
	s, err := G.Sigmoid(x)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, s)
}
