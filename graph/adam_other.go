//go:build !amd64

package graph

// adamVector32 updates nothing: the vectorised Adam update exists on amd64 only.
func adamVector32(w, g []float32, m, v []float64, p adamParams) int { return 0 }
