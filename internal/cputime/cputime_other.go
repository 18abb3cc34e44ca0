//go:build !unix

package cputime

import "time"

// Process is unavailable here: false, and benchmarks leave their CPU-time
// metrics out.
func Process() (time.Duration, bool) { return 0, false }
