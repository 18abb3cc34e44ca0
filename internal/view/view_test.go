package view

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"} {
		b := Bytes(s)
		if string(b) != s || len(b) != len(s) {
			t.Fatalf("Bytes(%q) = %q", s, b)
		}
		if got := String(b); got != s {
			t.Fatalf("String(Bytes(%q)) = %q", s, got)
		}
	}
	// String shares the bytes it was given: that is its point, and why
	// callers must not change them.
	b := []byte("abc")
	s := String(b)
	b[0] = 'x'
	if s != "xbc" {
		t.Fatalf("String copied its input: %q", s)
	}
}
