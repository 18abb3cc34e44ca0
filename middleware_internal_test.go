package cognitojwt

import (
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// isToken68 scans eight bytes per step; a bad byte must be found at every
// offset of the block, and padding only at the end.
func TestIsToken68AtEveryOffset(t *testing.T) {
	reference := func(s string) bool {
		body := strings.TrimRight(s, "=")
		if body == "" {
			return false
		}
		for i := 0; i < len(body); i++ {
			c := body[i]
			if !(rules.IsB64URL(c) || strings.IndexByte(".~+/", c) >= 0) {
				return false
			}
		}
		return true
	}
	for n := 1; n <= 24; n++ {
		base := strings.Repeat("a", n)
		if !isToken68(base) {
			t.Fatalf("%q refused", base)
		}
		for i := 0; i < n; i++ {
			for _, bad := range []byte{' ', '"', 0, 0x80, '=', ',', '\t'} {
				s := base[:i] + string(bad) + base[i+1:]
				if got, want := isToken68(s), reference(s); got != want {
					t.Fatalf("isToken68(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}
