package safe

import (
	"errors"
	"testing"
)

func TestCallTurnsAPanicIntoErrPanicked(t *testing.T) {
	secret := "eyJhbGciOi.secret-claims.sig"
	err := Call(func() error { panic(secret) })
	if !errors.Is(err, ErrPanicked) {
		t.Fatalf("err = %v; want ErrPanicked", err)
	}
	if err.Error() != ErrPanicked.Error() {
		t.Fatalf("error %q carries more than the fixed message", err)
	}
}

func TestCallReturnsFsOwnResult(t *testing.T) {
	boom := errors.New("boom")
	if err := Call(func() error { return boom }); err != boom {
		t.Fatalf("err = %v; want f's error", err)
	}
	if err := Call(func() error { return nil }); err != nil {
		t.Fatalf("err = %v; want nil", err)
	}
}

func TestCallRecoversANilPanic(t *testing.T) {
	// Since Go 1.21 panic(nil) is a *runtime.PanicNilError, so recover
	// sees it.
	if err := Call(func() error { panic(nil) }); !errors.Is(err, ErrPanicked) {
		t.Fatalf("err = %v; want ErrPanicked", err)
	}
}
