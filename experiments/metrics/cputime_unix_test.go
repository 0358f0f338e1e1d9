//go:build unix

package metrics

import "syscall"

// cpuSeconds returns the user+system CPU time of the process so far, so that
// benchmarks can report cost independently of other load on the machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + 1e-6*float64(ru.Utime.Usec+ru.Stime.Usec)
}
