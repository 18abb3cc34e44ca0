//go:build !unix

package web_test

import "time"

// processCPU is unavailable here; the CPU-time metric is left out.
func processCPU() (time.Duration, bool) { return 0, false }
