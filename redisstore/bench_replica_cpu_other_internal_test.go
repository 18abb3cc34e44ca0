//go:build !unix

package redisstore

import "time"

func replicaCPU() (time.Duration, bool) { return 0, false }
