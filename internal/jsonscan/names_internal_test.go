package jsonscan

import (
	"strings"
	"testing"
	"unicode"
)

// Names equal under case folding hash alike, whether their runes are
// folded through the pages (up to U+FFFF, as the Kelvin sign for k is)
// or by walking their orbit (above, as Deseret's letters are): every
// rune, with every rune of its orbit, inside a name.
func TestFoldHashAgreesAcrossEveryOrbit(t *testing.T) {
	for r := range rune(unicode.MaxRune + 1) {
		if !unicode.IsPrint(r) || r == '"' || r == '\\' {
			continue
		}
		name := "x" + string(r) + "y"
		want := foldHash(name, plainName(name))
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			other := "X" + string(f) + "Y"
			if !strings.EqualFold(name, other) {
				t.Fatalf("%U and %U: not equal under folding", r, f)
			}
			if got := foldHash(other, plainName(other)); got != want {
				t.Fatalf("%U and %U fold alike but hash apart", r, f)
			}
		}
	}
}

// Names equal under case folding hash alike at every length: through the
// short mix (up to 16 bytes), through maphash, and past the folding
// buffer, where the folded bytes reach maphash in pieces.
func TestFoldHashAgreesAtEveryLength(t *testing.T) {
	for n := range 400 {
		var lower, upper, kelvin strings.Builder
		for i := range n {
			c := "abcdefghijklmnopqrstuvwxyz"[i%26]
			lower.WriteByte(c)
			upper.WriteByte(c - 'a' + 'A')
			if c == 'k' {
				kelvin.WriteString("\u212a")
			} else {
				kelvin.WriteByte(c)
			}
		}
		want := foldHash(lower.String(), true)
		for _, other := range []string{upper.String(), kelvin.String()} {
			if !strings.EqualFold(lower.String(), other) {
				t.Fatalf("length %d: not equal under folding", n)
			}
			if foldHash(other, plainName(other)) != want {
				t.Fatalf("length %d: %.20q… hashes apart from its lower case", n, other)
			}
		}
		if n > 0 && foldHash(lower.String()[1:]+"_", true) == want {
			t.Fatalf("length %d: two different names hash alike", n)
		}
	}
}
