package online

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// The verdicts kept never exceed their bound, whatever the number of
// tokens, and expired ones are the first to go.
func TestVerdictsBounded(t *testing.T) {
	const max = 8
	v := newVerdicts[int](max)
	now := time.Unix(1_750_000_000, 0)
	for i := range 100 {
		key := verdictKey(string(rune('a'+i%26)) + time.Duration(i).String())
		got, err := v.get(context.Background(), key, now, time.Minute, nil, func(context.Context) (int, error) { return i, nil })
		if err != nil || got != i {
			t.Fatalf("verdict %d: %d, %v", i, got, err)
		}
		if n := len(v.done); n > max {
			t.Fatalf("%d verdicts kept, bound %d", n, max)
		}
	}
	// All expired: one more insertion clears them.
	now = now.Add(time.Minute)
	if _, err := v.get(context.Background(), verdictKey("last"), now, time.Minute, nil, func(context.Context) (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(v.done); n > max {
		t.Fatalf("%d verdicts kept, bound %d", n, max)
	}
}

// Throttling and outages are not kept: the next caller asks again.
func TestVerdictsKeepNoOutage(t *testing.T) {
	v := newVerdicts[int](8)
	now := time.Unix(1_750_000_000, 0)
	calls := 0
	for _, err := range []error{errThrottled, ErrUnavailable, errThrottled} {
		_, got := v.get(context.Background(), verdictKey("t"), now, time.Minute, nil, func(context.Context) (int, error) {
			calls++
			return 0, err
		})
		if got != err {
			t.Fatalf("got %v, want %v", got, err)
		}
	}
	if calls != 3 {
		t.Fatalf("%d calls, want 3", calls)
	}
}

// A check that panics (the API client's bug) fails every caller waiting
// for it with ErrUnavailable, is not kept, and the next caller asks again.
func TestVerdictsPanickingCheckIsAnOutage(t *testing.T) {
	v := newVerdicts[int](8)
	now := time.Unix(1_750_000_000, 0)
	_, err := v.get(context.Background(), verdictKey("t"), now, time.Minute, nil, func(context.Context) (int, error) {
		panic("token eyJ.secret.sig")
	})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, fetch.ErrPanicked) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("got %v, want ErrUnavailable without the panic value", err)
	}
	got, err := v.get(context.Background(), verdictKey("t"), now, time.Minute, nil, func(context.Context) (int, error) { return 7, nil })
	if err != nil || got != 7 {
		t.Fatalf("after the panic: %d, %v; want the next check to run", got, err)
	}
}
