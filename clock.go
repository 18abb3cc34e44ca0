package cognitojwt

import (
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// clockPeriod is how long the default clock derives the wall time from
// the monotonic clock before it reads the wall clock again.
//
// Why deriving is safe, and why 100 ms: a derived reading is the last
// anchor's wall time plus the monotonic time elapsed since it, so it
// differs from time.Now only when the wall clock moved other than the
// monotonic one since the anchor, and the next anchor, at most one period
// later, sees any such move.
//   - A wall clock stepped forward (NTP, an operator) reads late here for
//     up to one period: the error the clock had before its step, no more.
//   - A wall clock stepped back reads early here for up to one period:
//     tokens then expire sooner, never later, than the new clock says.
//   - CLOCK_MONOTONIC stops while the machine is suspended, so after a
//     resume the derived time lags the wall by the suspension until the
//     first reading one period after the anchor: at most one period of
//     lenience, 100 ms against the 30 s DefaultLeeway.
//   - NTP slewing changes the wall clock's rate by at most 500 ppm, which
//     is under 0.05 ms in a period.
//
// A longer period would save nothing measurable, since renewing costs one
// time.Now per period however many hits share it, and would only widen
// the window in which a step or a resume goes unseen; 100 ms keeps that
// window far below the leeway any deployment allows and below what a
// client could notice.
const clockPeriod = 100 * time.Millisecond

// clock is the Verifier's clock when Config.Now is nil. A cache hit reads
// the time once, and time.Now reads two clocks (wall and monotonic) where
// time.Since reads one: between anchors, now pays for one.
//
// It holds no goroutine: whichever caller finds the anchor older than the
// period reads time.Now and stores it. Racing stores are harmless, since
// each is a real reading and the derived times of either are within the
// bounds clockPeriod states.
type clock struct {
	anchor atomic.Pointer[reading]
	// period is clockPeriod, or a test's; read is time.Now, or a test's,
	// and is called only when the anchor is renewed. A zero clock reads
	// time.Now on every call.
	period time.Duration
	read   func() time.Time
}

// reading is an anchor: a time.Now reading, and its wall time in Unix
// nanoseconds for unixNano.
type reading struct {
	t    time.Time
	unix int64
}

// newClock returns a clock that derives for clockPeriod from time.Now.
func newClock() *clock { return &clock{period: clockPeriod, read: time.Now} }

// now returns the current time, carrying a monotonic reading, so that
// Sub between its results (or with time.Now's) measures elapsed time
// exactly, whatever the wall clock did.
func (c *clock) now() time.Time {
	if a := c.anchor.Load(); a != nil {
		// time.Since reads only the monotonic clock, for an anchor
		// that has a monotonic reading, which every stored one has.
		if d := time.Since(a.t); d >= 0 && d < c.period {
			return a.t.Add(d)
		}
	}
	return c.renew()
}

// unixNano is now's wall time in Unix nanoseconds, derived the same way
// without building a time.Time: a cache hit only compares the time with
// its entry's bounds, and skipping Time.Add and Time.UnixNano measured
// 12% off the CPU of a Verify hit and 19% off a VerifyInto hit
// (BenchmarkVerifyRepeated, BenchmarkVerifyParallel/repeated-into, one
// core, A/B).
func (c *clock) unixNano() int64 {
	if a := c.anchor.Load(); a != nil {
		if d := time.Since(a.t); d >= 0 && d < c.period {
			return a.unix + int64(d)
		}
	}
	return rules.UnixNanos(c.renew())
}

// renew reads the real clock and makes the reading the anchor, unless it
// has no monotonic reading to derive from: then every call reads it.
func (c *clock) renew() time.Time {
	read := c.read
	if read == nil {
		read = time.Now
	}
	t := read()
	if t != t.Round(0) { // Round(0) strips only the monotonic reading
		c.anchor.Store(&reading{t: t, unix: rules.UnixNanos(t)})
	}
	return t
}
