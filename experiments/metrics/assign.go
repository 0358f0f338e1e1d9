package metrics

import (
	"fmt"
	"math"
)

// Assign solves the linear assignment problem for an n×n row-major cost
// matrix C exactly: it returns the permutation colOf (row i is matched with
// column colOf[i]) minimising Σ_i C[i, colOf[i]], and that minimal total
// cost (units of C). It also returns gap, a certified bound
// 0 ≤ total − optimum ≤ gap obtained from the final dual prices (gap is 0 up
// to floating-point rounding; it exceeds 0 only through rounding).
//
// The solver is Jonker–Volgenant (LAPJV, Computing 38, 1987): column
// reduction, reduction transfer, augmenting row reduction, then shortest
// augmenting paths (Dijkstra on reduced costs) for the remaining free rows.
// Worst case O(n³) time, O(n) memory besides C.
func Assign(c []float64, n int) (colOf []int, total, gap float64, err error) {
	if n < 1 {
		return nil, 0, 0, fmt.Errorf("metrics: assignment size n = %d, want ≥ 1", n)
	}
	if len(c) != n*n {
		return nil, 0, 0, fmt.Errorf("metrics: len(C) = %d, want n² = %d", len(c), n*n)
	}
	for k, v := range c {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("metrics: C[%d] (row %d, column %d) = %v is not finite", k, k/n, k%n, v)
		}
	}
	rowsol, v := lapjv(c, n)
	for i, j := range rowsol {
		total += c[i*n+j]
	}
	return rowsol, total, dualGap(c, n, rowsol, v), nil
}

// lapjv returns the optimal row→column assignment and the column prices v.
func lapjv(c []float64, n int) (rowsol []int, v []float64) {
	rowsol = make([]int, n)
	colsol := make([]int, n)
	v = make([]float64, n)
	matches := make([]int, n)
	for i := range rowsol {
		rowsol[i] = -1
	}

	// Column reduction: v_j = min_i C_ij, assign each column to its minimal
	// row when that row is still free. Scanned row-wise for cache locality.
	imin := make([]int, n)
	copy(v, c[:n])
	for i := 1; i < n; i++ {
		row := c[i*n : (i+1)*n]
		for j, cij := range row {
			if cij < v[j] {
				v[j] = cij
				imin[j] = i
			}
		}
	}
	for j := n - 1; j >= 0; j-- {
		i := imin[j]
		matches[i]++
		if matches[i] == 1 {
			rowsol[i] = j
			colsol[j] = i
		} else {
			colsol[j] = -1
		}
	}

	// Reduction transfer from rows assigned once; collect free rows.
	free := make([]int, 0, n)
	for i := 0; i < n; i++ {
		switch matches[i] {
		case 0:
			free = append(free, i)
		case 1:
			j1 := rowsol[i]
			row := c[i*n : (i+1)*n]
			mn := math.Inf(1)
			for j, cij := range row {
				if j != j1 {
					if h := cij - v[j]; h < mn {
						mn = h
					}
				}
			}
			if !math.IsInf(mn, 1) { // n = 1 has no other column
				v[j1] -= mn
			}
		}
	}

	// Augmenting row reduction, two passes. Each step lowers a price by a
	// positive amount and keeps every assigned row on a column of minimal
	// reduced cost, so stopping early is always safe; a step budget guards
	// against the long price-lowering cycles possible with float costs.
	budget := 8 * n
	for pass := 0; pass < 2; pass++ {
		prv := free
		free = make([]int, 0, len(prv))
		for k := 0; k < len(prv); {
			i := prv[k]
			k++
			row := c[i*n : (i+1)*n]
			umin, usub := row[0]-v[0], math.Inf(1)
			j1, j2 := 0, -1
			for j := 1; j < n; j++ {
				h := row[j] - v[j]
				if h < usub {
					if h >= umin {
						usub, j2 = h, j
					} else {
						usub, umin, j2, j1 = umin, h, j1, j
					}
				}
			}
			i0 := colsol[j1]
			if umin < usub && j2 >= 0 {
				v[j1] -= usub - umin
			} else if i0 >= 0 && j2 >= 0 {
				j1 = j2
				i0 = colsol[j2]
			}
			rowsol[i] = j1
			colsol[j1] = i
			if i0 >= 0 {
				rowsol[i0] = -1
				budget--
				if umin < usub && budget > 0 {
					k--
					prv[k] = i0 // reconsider the displaced row at once
				} else {
					free = append(free, i0)
				}
			}
		}
	}

	// Shortest augmenting paths for the remaining free rows.
	d := make([]float64, n)
	pred := make([]int, n)
	collist := make([]int, n)
	for _, f := range free {
		row := c[f*n : (f+1)*n]
		for j := 0; j < n; j++ {
			d[j] = row[j] - v[j]
			pred[j] = f
			collist[j] = j
		}
		low, up := 0, 0 // collist[:low] done, collist[low:up] at distance mn (to scan)
		last := 0
		mn := 0.0
		end := -1
		for end < 0 {
			if up == low {
				// Collect the columns at the new minimal distance.
				last = low - 1
				mn = d[collist[up]]
				up++
				for k := up; k < n; k++ {
					j := collist[k]
					if h := d[j]; h <= mn {
						if h < mn {
							up = low
							mn = h
						}
						collist[k] = collist[up]
						collist[up] = j
						up++
					}
				}
				for k := low; k < up; k++ {
					if colsol[collist[k]] < 0 {
						end = collist[k]
						break
					}
				}
				if end >= 0 {
					break
				}
			}
			// Scan one column at distance mn and relax through its row.
			j1 := collist[low]
			low++
			i := colsol[j1]
			ri := c[i*n : (i+1)*n]
			h := ri[j1] - v[j1] - mn
			for k := up; k < n; k++ {
				j := collist[k]
				v2 := ri[j] - v[j] - h
				if v2 < d[j] {
					pred[j] = i
					if v2 <= mn {
						if colsol[j] < 0 {
							end = j
							break
						}
						collist[k] = collist[up]
						collist[up] = j
						up++
					}
					d[j] = v2
				}
			}
		}
		// Update the prices of the finished columns.
		for k := 0; k <= last; k++ {
			j := collist[k]
			v[j] += d[j] - mn
		}
		// Augment along the path.
		for {
			i := pred[end]
			colsol[end] = i
			j := end
			end = rowsol[i]
			rowsol[i] = j
			if i == f {
				break
			}
		}
	}
	return rowsol, v
}

// dualGap returns n·δ where −δ ≤ 0 is the most negative reduced cost
// C_ij − u_i − v_j with u_i = C[i, colOf[i]] − v[colOf[i]]. Lowering every u_i
// by δ gives a feasible dual whose value is total − n·δ, so the assignment
// is optimal to within n·δ.
func dualGap(c []float64, n int, colOf []int, v []float64) float64 {
	worst := make([]float64, n)
	parallelRows(n, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := c[i*n : (i+1)*n]
			ui := row[colOf[i]] - v[colOf[i]]
			w := 0.0
			for j, cij := range row {
				if r := cij - ui - v[j]; r < w {
					w = r
				}
			}
			worst[i] = w
		}
	})
	delta := 0.0
	for _, w := range worst {
		delta = math.Min(delta, w)
	}
	return -delta * float64(n)
}

// W2Result is the exact 2-Wasserstein distance between two equal-size
// uniform point sets.
type W2Result struct {
	W2   float64 // sqrt(W2Sq), units of distance
	W2Sq float64 // (1/n) Σ_i |x_i − y_σ(i)|² for the optimal matching σ, units of squared distance
	// GapSq certifies optimality: the true W2² lies in [W2Sq − GapSq, W2Sq].
	// It is 0 up to floating-point rounding (units of squared distance).
	GapSq float64
	Match []int // Match[i] = σ(i), the point of y matched with x_i
}

// W2Exact returns the exact W2 between the uniform empirical measures on the
// n points of x and the n points of y (flat row-major, dimension d), via the
// optimal assignment for the squared-Euclidean cost ([Assign]). Both sets must
// have the same size. Memory O(n²) for the cost matrix; time O(n³) worst case.
func W2Exact(x, y []float64, d int) (W2Result, error) {
	n, err := checkPoints("x", x, d)
	if err != nil {
		return W2Result{}, err
	}
	m, err := checkPoints("y", y, d)
	if err != nil {
		return W2Result{}, err
	}
	if n != m {
		return W2Result{}, fmt.Errorf("metrics: exact W2 needs equal sizes, got %d and %d points", n, m)
	}
	c := sqDist(x, y, n, n, d)
	match, total, gap, err := Assign(c, n)
	if err != nil {
		return W2Result{}, err
	}
	w2sq := total / float64(n)
	return W2Result{W2: math.Sqrt(w2sq), W2Sq: w2sq, GapSq: gap / float64(n), Match: match}, nil
}
