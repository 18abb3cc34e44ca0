package jsonscan

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// KnownNames is a set of up to maxKnown member names that a reader of
// objects knows, numbered from 1 in the order NewKnownNames was given
// them (ScanKnown).
type KnownNames struct {
	// slots index names by knownHash, open addressing: the number of the
	// name there, 0 for none. A set holds at most half as many names as
	// there are slots, so that a probe ends soon.
	slots [knownSlots]uint8
	names []string
	// lens has bit n-1 set when a name is n bytes long: most names an
	// input can pack tightly (the one- and two-byte ones of an object of
	// thousands of tiny members) are told apart by it with no probe.
	lens uint64
}

const (
	// maxKnown is how many names a set holds: one bit each of a word,
	// bit 0 left unused so that 0 can mean none.
	maxKnown = 63
	// maxKnownLen bounds a known name, so that folding a candidate
	// needs a buffer of fixed size.
	maxKnownLen = 64
	knownSlots  = 128
)

// NewKnownNames returns the set of names, numbered 1, 2, ... in order.
// Every name must be plain (no upper-case ASCII letter, no byte above
// 0x7f), non-empty, of at most 64 bytes and given once, and there may be
// at most 63: a program's own list breaks none of these, so breaking one
// panics.
func NewKnownNames(names ...string) *KnownNames {
	if len(names) > maxKnown {
		panic("jsonscan: more than 63 known names")
	}
	t := &KnownNames{names: names}
	mask := len(t.slots) - 1
	for k, name := range names {
		if name == "" || len(name) > maxKnownLen || !plainName(name) {
			panic(fmt.Sprintf("jsonscan: known name %q is empty, too long or not plain", name))
		}
		if t.Number(name) != 0 {
			panic(fmt.Sprintf("jsonscan: known name %q given twice", name))
		}
		i := knownHash(name) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = uint8(k + 1)
		t.lens |= 1 << (len(name) - 1)
	}
	return t
}

// knownHash mixes a name's length and its first and last bytes: enough
// to spread a program's few names over the slots, at the cost of three
// loads. The names are the program's own, so no input chooses how they
// collide; an input's name costs at most the probe of the longest run of
// occupied slots, which at most half full stays short.
func knownHash(name string) int {
	return len(name)*31 + int(name[0])*7 + int(name[len(name)-1])
}

// Number returns the number of name in the set, 0 when it is not there
// (compared exactly).
func (t *KnownNames) Number(name string) int {
	if !t.mayHold(name) {
		return 0
	}
	mask := len(t.slots) - 1
	for i := knownHash(name) & mask; ; i = (i + 1) & mask {
		k := t.slots[i]
		if k == 0 {
			return 0
		}
		if t.names[k-1] == name {
			return int(k)
		}
	}
}

// mayHold reports whether a plain name could be in the set at all: a
// check the scanner inlines, so that the names no known name is as long
// as cost no call.
func (t *KnownNames) mayHold(name string) bool {
	n := uint(len(name)) - 1
	return n < maxKnownLen && t.lens&(1<<n) != 0
}

// Name returns the name numbered k, "" when there is none.
func (t *KnownNames) Name(k int) string {
	if k < 1 || k > len(t.names) {
		return ""
	}
	return t.names[k-1]
}

// class returns the number of name in the set (k, which Member.Known
// carries) and the number of the known name that name equals under case
// folding (class), 0 for none. A plain name folds to itself. Every known
// name is plain, and the only non-ASCII runes that fold to ASCII letters
// are U+017F (s) and U+212A (k), so another name folds to a known one
// only if it folds to ASCII, into no more bytes than it has, and at most
// maxKnownLen.
func (t *KnownNames) class(name string, plain bool) (k, class int) {
	if plain {
		k = t.Number(name)
		return k, k
	}
	var buf [maxKnownLen]byte
	n := 0
	for i := 0; i < len(name); n++ {
		if n == len(buf) {
			return 0, 0
		}
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z':
			buf[n] = c + 'a' - 'A'
			i++
		case c < utf8.RuneSelf:
			buf[n] = c
			i++
		case strings.HasPrefix(name[i:], "\u017f"):
			buf[n] = 's'
			i += len("\u017f")
		case strings.HasPrefix(name[i:], "\u212a"):
			buf[n] = 'k'
			i += len("\u212a")
		default:
			return 0, 0
		}
	}
	return 0, t.Number(view.String(buf[:n]))
}
