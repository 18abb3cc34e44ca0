package jsonscan

import (
	"errors"
	"strconv"
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

// TestPlainRunStopsAtEverySpecialByte: the eight-byte test finds the
// first byte a string loop must look at, whichever byte it is and
// wherever it stands in a word, with plain bytes of every value around
// it, as a loop over single bytes would.
func TestPlainRunStopsAtEverySpecialByte(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	for c := 0; c < 256; c++ {
		for _, plain := range []byte{' ', '!', '#', '[', ']', '~', 0x7f} {
			for at := 0; at < 19; at++ {
				src := make([]byte, 19)
				for i := range src {
					src[i] = plain
				}
				src[at] = byte(c)
				want := len(src)
				for i, b := range src {
					if special(b) {
						want = i
						break
					}
				}
				for from := 0; from <= at; from++ {
					if got := plainRun(string(src), from); got != want {
						t.Fatalf("byte %#x at %d among %q, from %d: stopped at %d, want %d", c, at, plain, from, got, want)
					}
				}
			}
		}
	}
}

// TestSmallIntegersReadAsParseFloat: the digit loop answers only for the
// numbers it reads exactly, and answers what strconv.ParseFloat does.
func TestSmallIntegersReadAsParseFloat(t *testing.T) {
	for _, raw := range []string{"0", "7", "2", "1765190000", "4102444800", "999999999999999", "100000000000000"} {
		f, ok := smallInteger(raw)
		want, err := strconv.ParseFloat(raw, 64)
		if !ok || err != nil || f != want {
			t.Fatalf("%s: %v, %v; ParseFloat %v, %v", raw, f, ok, want, err)
		}
	}
	for _, raw := range []string{"", "-1", "1.5", "1e3", "1E3", "9999999999999999", "12345678901234567890"} {
		if f, ok := smallInteger(raw); ok {
			t.Fatalf("%q read as %v: the general path must read it", raw, f)
		}
	}
}
