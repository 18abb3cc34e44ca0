//go:build !unix

package revocation_test

import "time"

// processCPU is unavailable here; the CPU-time metrics are left out.
func processCPU() (time.Duration, bool) { return 0, false }
