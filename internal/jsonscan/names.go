package jsonscan

import (
	"hash/maphash"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Duplicate member names are found with one hash set per open object,
// kept on two stacks shared by every open object: the names the object
// has read (its entries) and its open-addressing index over them (its
// slots). An object only ever adds to its own set while it is the
// innermost one open, so its entries and slots are always the tops of the
// stacks, and closing it pops them. Each name is hashed once, under case
// folding, and compared byte for byte only with names of the same hash,
// so an object of n members costs n hashes whatever its shape, and the
// stacks never hold more than the open objects' names: memory grows with
// the input, never faster.

// nameEntry is one name of an open object: its hash, and where its
// decoded bytes are, as offsets into the source or, at len(src) and
// above, into the arena of decoded escaped names. It holds no pointer, so
// the stack of them costs the collector nothing to scan and nothing to
// grow.
type nameEntry struct {
	hash       uint64
	start, end int
}

// nameSet is the part of an object's duplicate set that lives in its
// frame: where its entries and slots begin on the scanner's stacks, and
// how many slots it has (a power of two, or 0 before its first name).
type nameSet struct {
	entries, slots, size int
}

// minSlots is an object's first index, for up to minSlots/2 names; past
// that it grows fourfold at a time.
const minSlots = 16

// nameStacks are the scanner's two stacks. They start on arrays inside
// the scanner, so that a token, whose objects are small, allocates
// nothing for them; a wider input moves them to the heap, doubling.
type nameStacks struct {
	entries    []nameEntry // on the heap once entryArray is outgrown
	slots      []uint32
	nEntries   int
	nSlots     int
	entryArray [32]nameEntry
	slotArray  [128]uint32
}

func (t *nameStacks) entryStack() []nameEntry {
	if t.entries != nil {
		return t.entries
	}
	return t.entryArray[:]
}

func (t *nameStacks) slotStack() []uint32 {
	if t.slots != nil {
		return t.slots
	}
	return t.slotArray[:]
}

// push adds e to the top of the entries; more is how many more names the
// input can hold at most.
func (t *nameStacks) push(e nameEntry, more int) {
	st := t.entryStack()
	if t.nEntries == len(st) {
		// Grown once, to room for every name the input can still hold,
		// instead of doubling: a wide object is the one input that gets
		// here, and its names then cost no copies.
		grown := make([]nameEntry, t.nEntries+1+more)
		copy(grown, st)
		t.entries, st = grown, grown
	}
	st[t.nEntries] = e
	t.nEntries++
}

// region returns the innermost open object's size slots, starting at
// base, emptied.
func (t *nameStacks) region(base, size int) []uint32 {
	st := t.slotStack()
	if base+size > len(st) {
		grown := make([]uint32, max(2*len(st), base+size))
		copy(grown, st[:base])
		t.slots, st = grown, grown
	}
	t.nSlots = base + size
	r := st[base : base+size]
	clear(r)
	return r
}

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

// nameSeed keys the hash of member names, so that no input can be built
// to make them collide.
var nameSeed = maphash.MakeSeed()

// addName adds the name the scanner just read, at virtual offset start,
// to the set of the innermost open object, and reports whether it was
// new.
func (s *scanner) addName(set *nameSet, name string, start int) bool {
	t := &s.names
	n := t.nEntries - set.entries
	if 2*(n+1) > set.size {
		s.resize(set, max(minSlots, 4*set.size))
	}
	plain := plainName(name)
	h := foldHash(name, plain)
	slots := t.slotStack()[set.slots : set.slots+set.size]
	entries := t.entryStack()[set.entries:t.nEntries]
	mask := uint64(set.size - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := slots[i]
		if j == 0 {
			// A member takes four bytes at least ("":0), a comma or a
			// brace the fifth.
			t.push(nameEntry{h, start, start + len(name)}, (len(s.src)-s.pos)/4)
			slots[i] = uint32(n + 1)
			return true
		}
		if e := entries[j-1]; e.hash == h {
			other := s.entryName(e)
			if other == name || ((!plain || !plainName(other)) && strings.EqualFold(other, name)) {
				return false
			}
		}
	}
}

// resize gives the innermost open object size slots, indexing the names
// it has.
func (s *scanner) resize(set *nameSet, size int) {
	t := &s.names
	slots := t.region(set.slots, size)
	mask := uint64(size - 1)
	for k, e := range t.entryStack()[set.entries:t.nEntries] {
		i := e.hash & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = uint32(k + 1)
	}
	set.size = size
}

// entryName returns the decoded name e points to.
func (s *scanner) entryName(e nameEntry) string {
	if e.start < len(s.src) {
		return s.src[e.start:e.end]
	}
	return s.arena.String()[e.start-len(s.src) : e.end-len(s.src)]
}

// foldHash hashes name so that exactly the names strings.EqualFold finds
// equal, as encoding/json folds field names, are likely to hash alike:
// each rune is replaced by one representative of its simple-folding orbit
// (the lower-case letter for orbits with an ASCII letter, such as k, K and
// U+212A; the smallest rune otherwise). A plain name is its own
// representative. The folded bytes go to the hash a buffer at a time, so
// that a name of any length costs no allocation.
func foldHash(name string, plain bool) uint64 {
	if plain {
		return maphash.String(nameSeed, name)
	}
	var h maphash.Hash
	var buf [128]byte
	n, long := 0, false
	for i := 0; i < len(name); {
		if n > len(buf)-utf8.UTFMax {
			if !long {
				h.SetSeed(nameSeed)
				long = true
			}
			h.Write(buf[:n])
			n = 0
		}
		c := name[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[n] = c
			n++
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
		n += utf8.EncodeRune(buf[n:], r)
	}
	if !long {
		return maphash.Bytes(nameSeed, buf[:n])
	}
	h.Write(buf[:n])
	return h.Sum64()
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
