// Package testwait bounds the tests' waits for events that must happen.
package testwait

import (
	"testing"
	"time"
)

// withoutDeadline is the bound where the test has no deadline (-timeout 0,
// a benchmark).
const withoutDeadline = time.Minute

// Limit is how long t may wait for an event that must happen: until
// shortly before the test binary's -timeout. A hang still fails with a
// message rather than the timeout's goroutine dump, and no load on the
// machine fails the wait, as a bound of seconds does when a busy machine
// starves the test's process that long.
func Limit(t testing.TB) time.Duration {
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, ok := dt.Deadline(); ok {
			return time.Until(d) * 9 / 10
		}
	}
	return withoutDeadline
}
