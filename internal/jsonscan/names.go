package jsonscan

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// plainName reports a name without upper-case ASCII letters or non-ASCII
// bytes. Two plain names are equal under case folding only if they are
// equal, so an object whose names are all plain, as a token's are, needs
// no folding at all.
func plainName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// sameName compares member names as duplicates: by case folding once the
// object has had any name that is not plain, exactly before that.
func sameName(a, b string, folding bool) bool {
	if folding {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// nameSeed keys the hash of member names, so that no input can be built
// to make them collide.
var nameSeed = maphash.MakeSeed()

// nameTable is an open-addressing set of member names under Unicode
// simple case folding.
type nameTable struct {
	slots []uint32 // 1 + index into names; 0 is free
	names []tableName
	small [4 * linearNames]uint32
}

type tableName struct {
	name string
	hash uint64
}

// reset empties the table for a sibling object, giving back to the
// collector what a wide one made it grow.
func (t *nameTable) reset() {
	if len(t.slots) > len(t.small) {
		t.slots = t.small[:]
	}
	clear(t.slots)
	t.names = t.names[:0]
}

// add inserts name and reports whether it was new.
func (t *nameTable) add(name string) bool {
	if 2*(len(t.names)+1) > len(t.slots) {
		t.grow()
	}
	if len(t.names) == cap(t.names) {
		// Four times the room, not twice: the names hold pointers, so
		// every copy costs write barriers, and a wide nested object,
		// which has no bound to start from, copies them half as often.
		t.names = slices.Grow(t.names, 3*len(t.names)+linearNames)
	}
	plain := plainName(name)
	h := foldHash(name, plain)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := t.slots[i]
		if j == 0 {
			t.names = append(t.names, tableName{name, h})
			t.slots[i] = uint32(len(t.names))
			return true
		}
		if e := t.names[j-1]; e.hash == h && sameName(e.name, name, !plain || !plainName(e.name)) {
			return false
		}
	}
}

func (t *nameTable) grow() {
	t.slots = make([]uint32, 4*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for k, e := range t.names {
		i := e.hash & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = uint32(k + 1)
	}
}

// foldHash hashes name so that exactly the names strings.EqualFold finds
// equal, as encoding/json folds field names, are likely to hash alike:
// each rune is replaced by one representative of its simple-folding orbit
// (the lower-case letter for orbits with an ASCII letter, such as k, K and
// U+212A; the smallest rune otherwise). A plain name is its own
// representative.
func foldHash(name string, plain bool) uint64 {
	if plain {
		return maphash.String(nameSeed, name)
	}
	var buf [128]byte
	out := buf[:0]
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		i += size
		if r < foldTableSize {
			r = rune(foldTable()[r])
		} else {
			r = foldRepresentative(r)
		}
		out = utf8.AppendRune(out, r)
	}
	return maphash.Bytes(nameSeed, out)
}

// foldRepresentative is the rune that stands for r's simple-folding
// orbit in foldHash.
func foldRepresentative(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// foldTableSize covers the runes of two UTF-8 bytes: the Latin, Greek,
// Cyrillic, Armenian, Hebrew and Arabic letters. Walking an orbit with
// unicode.SimpleFold costs several binary searches a rune, which a name
// of such letters would pay per rune; the table makes it one load. A
// representative is never above its rune or 'z', so it fits.
const foldTableSize = 0x800

// foldTable is built on first use (a fraction of a millisecond, which a
// verifier that never meets a non-ASCII name never does).
var foldTable = sync.OnceValue(func() *[foldTableSize]uint16 {
	t := new([foldTableSize]uint16)
	for r := range rune(foldTableSize) {
		t[r] = uint16(foldRepresentative(r))
	}
	return t
})

// table returns the reset duplicate table for an object at the current
// depth.
func (s *scanner) table() *nameTable {
	t := s.tables[s.depth-1]
	if t == nil {
		t = new(nameTable)
		t.slots = t.small[:]
		s.tables[s.depth-1] = t
	} else {
		t.reset()
	}
	if t.names == nil {
		n := 2 * linearNames
		if s.depth == 1 {
			// The top-level object is the last thing in the source, and a
			// member takes at least five bytes ("":0,), so this bounds
			// its names: the table never grows, and, being the only one
			// at its depth, this is paid once per scan.
			n = max(n, (len(s.src)-s.pos)/5+linearNames+1)
			slots := len(t.small)
			for slots < 2*n {
				slots *= 2
			}
			t.slots = make([]uint32, slots)
		}
		t.names = make([]tableName, 0, n)
	}
	return t
}
