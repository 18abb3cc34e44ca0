package errs

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestContextEndedWrapsKindAndCause(t *testing.T) {
	err := ContextEnded("while waiting", context.DeadlineExceeded)
	if !errors.Is(err, Canceled) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, KeysUnavailable) {
		t.Fatalf("%v wraps the wrong errors", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Detail != "context ended while waiting: context deadline exceeded" {
		t.Fatalf("detail of %v", err)
	}
}

func TestUnavailableCarriesItsHint(t *testing.T) {
	err := error(&Unavailable{Err: errors.New("HTTP 503"), After: 3 * time.Second})
	var hint interface{ RetryAfter() time.Duration }
	if !errors.Is(err, KeysUnavailable) || !errors.As(err, &hint) || hint.RetryAfter() != 3*time.Second {
		t.Fatalf("%v", err)
	}
	if err.Error() != "cognitojwt: signing keys unavailable: HTTP 503" {
		t.Fatalf("text %q", err)
	}
}

// errors.Is finds an Error's kind without allocating, and still finds
// what lies behind it: the kind's own kind, and the cause.
func TestIsFindsTheKindWithoutAllocating(t *testing.T) {
	err := New(Expired, "exp passed")
	var found bool
	if a := testing.AllocsPerRun(100, func() { found = errors.Is(err, Expired) }); a != 0 || !found {
		t.Fatalf("errors.Is(err, its kind) = %v with %v allocations", found, a)
	}
	if errors.Is(err, NotYetValid) {
		t.Fatal("errors.Is reports another kind")
	}
	if !errors.Is(RevokedSubject, StaleToken) || !errors.Is(RevokedSubject, Revoked) || errors.Is(RevokedToken, StaleToken) {
		t.Fatal("errors.Is misses a kind's kind, or reports a kind it does not wrap")
	}
	caused := ContextEnded("fetching keys", context.Canceled)
	if !errors.Is(caused, Canceled) || !errors.Is(caused, context.Canceled) {
		t.Fatal("errors.Is misses the kind or the cause")
	}
}
