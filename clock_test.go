package cognitojwt

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wallTolerance is how far a derived reading's wall time may stray from
// time.Now's around it: far more than NTP's slewing could add in a period,
// far less than any step this test could miss.
const wallTolerance = 5 * time.Millisecond

// checkBetween fails unless got lies between before and after: exactly on
// the monotonic clock, which a derived reading carries, and within
// wallTolerance on the wall clock.
func checkBetween(t *testing.T, before, got, after time.Time) {
	t.Helper()
	if got.Before(before) || got.After(after) {
		t.Fatalf("monotonic reading outside the readings around it: %v not in [%v, %v]", got, before, after)
	}
	w := got.Round(0)
	if w.Before(before.Round(0).Add(-wallTolerance)) || w.After(after.Round(0).Add(wallTolerance)) {
		t.Fatalf("wall time %v strays over %v from [%v, %v]", w, wallTolerance, before.Round(0), after.Round(0))
	}
	if w == got {
		t.Fatal("reading has no monotonic part: Sub between readings would follow wall clock steps")
	}
}

// countingRead is time.Now, counting its calls, or, with strip, a clock
// whose readings have no monotonic part.
func countingRead(n *atomic.Int64, strip bool) func() time.Time {
	return func() time.Time {
		n.Add(1)
		if strip {
			return time.Now().Round(0)
		}
		return time.Now()
	}
}

func TestClockStaysWithTheWallClock(t *testing.T) {
	c := newClock()
	for range 10_000 {
		before := time.Now()
		got := c.now()
		after := time.Now()
		checkBetween(t, before, got, after)
	}
}

// TestClockUnixNanoIsNow: the bare reading a cache hit takes is the wall
// time now would give, derived from the same anchor, and renews a stale
// anchor as now does.
func TestClockUnixNanoIsNow(t *testing.T) {
	var reads atomic.Int64
	c := &clock{period: time.Hour, read: countingRead(&reads, false)}
	for i := range 1000 {
		before := c.now().UnixNano()
		got := c.unixNano()
		after := c.now().UnixNano()
		if got < before || got > after {
			t.Fatalf("reading %d: %d outside now's readings around it [%d, %d]", i, got, before, after)
		}
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads of the wall clock within one period, want 1", n)
	}
	old := time.Now().Add(-2 * time.Hour)
	c.anchor.Store(&reading{t: old, unix: old.UnixNano()})
	before := time.Now().Round(0).Add(-wallTolerance).UnixNano()
	if got := c.unixNano(); got < before || reads.Load() != 2 {
		t.Fatalf("a stale anchor gave %d (want at least %d) after %d reads, want 2", got, before, reads.Load())
	}
	var zero clock
	before = time.Now().Round(0).Add(-wallTolerance).UnixNano()
	if got := zero.unixNano(); got < before || got > time.Now().Round(0).Add(wallTolerance).UnixNano() {
		t.Fatalf("the zero clock gave %d, far from the wall clock", got)
	}
}

func TestClockDerivesWithinThePeriodAndRenewsAfterIt(t *testing.T) {
	var reads atomic.Int64
	c := &clock{period: time.Hour, read: countingRead(&reads, false)}
	c.now()
	for range 100 {
		before := time.Now()
		got := c.now()
		checkBetween(t, before, got, time.Now())
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads of the wall clock within one period, want 1", n)
	}
	// An anchor older than the period, as one would be after it.
	old := time.Now().Add(-2 * time.Hour)
	c.anchor.Store(&reading{t: old, unix: old.UnixNano()})
	before := time.Now()
	got := c.now()
	checkBetween(t, before, got, time.Now())
	if n := reads.Load(); n != 2 {
		t.Fatalf("%d reads of the wall clock after the period, want 2", n)
	}
	if a := c.anchor.Load().t; a.Before(before) {
		t.Fatalf("anchor %v not renewed", a)
	}
}

func TestClockRenewsAfterARealPeriod(t *testing.T) {
	var reads atomic.Int64
	c := &clock{period: time.Millisecond, read: countingRead(&reads, false)}
	c.now()
	time.Sleep(2 * time.Millisecond) // waits past the period, whatever the load
	c.now()
	if n := reads.Load(); n != 2 {
		t.Fatalf("%d reads of the wall clock across a period, want 2", n)
	}
}

func TestClockWithoutMonotonicReadsEveryTime(t *testing.T) {
	var reads atomic.Int64
	c := &clock{period: time.Hour, read: countingRead(&reads, true)}
	for i := range 10 {
		before := time.Now().Round(0)
		got := c.now()
		if got.Before(before.Add(-wallTolerance)) || got.After(time.Now().Add(wallTolerance)) {
			t.Fatalf("reading %v strays from the wall clock", got)
		}
		if n := reads.Load(); n != int64(i+1) {
			t.Fatalf("%d reads after %d calls: a reading without a monotonic part was derived from", n, i+1)
		}
	}
	if c.anchor.Load() != nil {
		t.Fatal("a reading without a monotonic part became the anchor")
	}
}

func TestClockZeroValueAndZeroAnchor(t *testing.T) {
	var zero clock
	before := time.Now()
	checkBetween(t, before, zero.now(), time.Now())

	c := newClock()
	c.anchor.Store(&reading{})
	before = time.Now()
	checkBetween(t, before, c.now(), time.Now())
	if a := c.anchor.Load().t; a.IsZero() {
		t.Fatal("zero anchor kept")
	}
}

func TestClockConcurrent(t *testing.T) {
	// A period of 1 µs makes the goroutines renew the anchor all the
	// time, racing each other's stores.
	c := &clock{period: time.Microsecond, read: time.Now}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			prev := c.now()
			for range 2000 {
				before := time.Now()
				got := c.now()
				if got.Before(prev) {
					t.Errorf("time went back: %v after %v", got, prev)
					return
				}
				if got.Before(before) || got.After(time.Now()) {
					t.Errorf("reading %v outside the readings around it", got)
					return
				}
				prev = got
			}
		})
	}
	wg.Wait()
}

func TestVerifierClock(t *testing.T) {
	cfg := Config{UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"client"}}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	checkBetween(t, before, v.now(), time.Now())

	// A clock of the caller's is called on every reading, never derived
	// from.
	var calls atomic.Int64
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg.Now = func() time.Time { calls.Add(1); return fixed }
	if v, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got := v.now(); !got.Equal(fixed) {
			t.Fatalf("Config.Now gave %v, Verifier read %v", fixed, got)
		}
		if n := calls.Load(); n != int64(i+1) {
			t.Fatalf("Config.Now called %d times for %d readings", n, i+1)
		}
	}
}

// BenchmarkClock compares what a reading costs: the default clock, which
// a cache hit reads once, against time.Now, which it replaces.
func BenchmarkClock(b *testing.B) {
	b.Run("derived", func(b *testing.B) {
		c := newClock()
		for range b.N {
			c.now()
		}
	})
	b.Run("time.Now", func(b *testing.B) {
		for range b.N {
			time.Now()
		}
	})
}
