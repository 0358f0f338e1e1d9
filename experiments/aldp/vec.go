package aldp

import "math"

// vec is a 3-vector. A struct of three scalars (unlike [3]float64) stays in registers.
type vec struct{ x, y, z float64 }

// at returns the position of atom a of the flat coordinate slice p.
func at(p []float64, a int) vec { return vec{p[3*a], p[3*a+1], p[3*a+2]} }

func (a vec) add(b vec) vec       { return vec{a.x + b.x, a.y + b.y, a.z + b.z} }
func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y, a.z - b.z} }
func (a vec) scale(s float64) vec { return vec{s * a.x, s * a.y, s * a.z} }
func (a vec) dot(b vec) float64   { return a.x*b.x + a.y*b.y + a.z*b.z }
func (a vec) norm() float64       { return math.Sqrt(a.dot(a)) }
func (a vec) cross(b vec) vec {
	return vec{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}

// addTo adds s·v to atom a of the flat slice f.
func addTo(f []float64, a int, v vec, s float64) {
	f[3*a] += s * v.x
	f[3*a+1] += s * v.y
	f[3*a+2] += s * v.z
}
