package testwait_test

import (
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/testwait"
)

// A test with a deadline waits until shortly before it.
func TestLimitEndsBeforeTheDeadline(t *testing.T) {
	d, ok := t.Deadline()
	if !ok {
		t.Skip("run without -timeout 0: the test has no deadline")
	}
	limit := testwait.Limit(t)
	if left := time.Until(d); limit <= 0 || limit >= left {
		t.Fatalf("limit %v with %v left before the deadline", limit, left)
	}
}

// noDeadline is a testing.TB without Deadline, as a benchmark is.
type noDeadline struct{ testing.TB }

func TestLimitWithoutDeadlineIsAMinute(t *testing.T) {
	if got := testwait.Limit(noDeadline{t}); got != time.Minute {
		t.Fatalf("limit %v, want a minute", got)
	}
}
