package jsonscan

import (
	"errors"
	"fmt"
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

// wideObject is an object of n members named prefix0, prefix1, ...
func wideObject(prefix string, n int, extra string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%s%d":[{"%s%d":0,"x":{}}]`, prefix, i, prefix, i)
	}
	b.WriteString(extra + "}")
	return b.String()
}

// A scan's tables go back to the pool holding none of its names, and the
// next scans that take them find their own duplicates and no others: the
// same names again pass, a repeated one is refused.
func TestPooledTablesCarryNothingOver(t *testing.T) {
	for range 3 {
		if err := ScanObject(wideObject("secret", 500, ""), nil); err != nil {
			t.Fatalf("wide object refused: %v", err)
		}
		if err := ScanObject(wideObject("secret", 500, ""), nil); err != nil {
			t.Fatalf("the same names in the next scan refused: %v", err)
		}
		if err := ScanObject(wideObject("secret", 500, `,"SECRET7":1`), nil); !errors.Is(err, errDuplicate) {
			t.Fatalf("a duplicate after a pooled scan: %v", err)
		}
		for {
			tab, _ := tablePool.Get().(*nameTable)
			if tab == nil {
				break
			}
			if len(tab.names) != 0 {
				t.Fatalf("a pooled table holds %d names", len(tab.names))
			}
			for _, n := range tab.names[:cap(tab.names)] {
				if n != (tableName{}) {
					t.Fatal("a pooled table keeps a name it held")
				}
			}
		}
	}
}
