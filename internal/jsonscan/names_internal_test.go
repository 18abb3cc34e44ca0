package jsonscan

import (
	"strings"
	"testing"
	"unicode"
)

// Names equal under case folding hash alike, whether their runes are
// folded through the table (below foldTableSize) or by walking their orbit
// (above it, as the Kelvin sign for k is): every rune of the table's
// range, with every rune of its orbit, as a name alone and inside one.
func TestFoldHashAgreesAcrossEveryOrbit(t *testing.T) {
	for r := range rune(foldTableSize) {
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
