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
