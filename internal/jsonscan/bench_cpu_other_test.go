//go:build !unix

package jsonscan_test

import "time"

// processCPU is unavailable here; the CPU-time metrics are left out.
func processCPU() (time.Duration, bool) { return 0, false }
