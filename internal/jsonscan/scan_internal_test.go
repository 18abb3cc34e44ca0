package jsonscan

import (
	"errors"
	"testing"
)

// A text past maxSource is refused whole, by every entry point, before
// any of it is read; up to it, it is read as usual.
func TestTextsPastMaxSourceAreRefused(t *testing.T) {
	saved := maxSource
	t.Cleanup(func() { maxSource = saved })
	maxSource = len(`{"a":1}`)
	if err := ScanObject(`{"a":1}`, nil); err != nil {
		t.Fatalf("a text of maxSource bytes: %v", err)
	}
	if !Valid(`{"a":1}`) {
		t.Fatal("Valid refuses a text of maxSource bytes")
	}
	long := `{"a":1} `
	if err := ScanObject(long, nil); !errors.Is(err, errTooLong) {
		t.Fatalf("ScanObject: got %v", err)
	}
	if _, err := ParseObject(long, nil); !errors.Is(err, errTooLong) {
		t.Fatalf("ParseObject: got %v", err)
	}
	if Valid(long) {
		t.Fatal("Valid accepts a text past maxSource")
	}
	if _, ok := Lookup(long, "a"); ok {
		t.Fatal("Lookup reads a text past maxSource")
	}
}
