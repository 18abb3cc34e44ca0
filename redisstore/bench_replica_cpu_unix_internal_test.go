//go:build unix

package redisstore

import (
	"syscall"
	"time"
)

// replicaCPU is the CPU time the process has used. On a shared host, wall
// time per operation moves with the other load; CPU time barely does.
func replicaCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
