package jsonscan

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// Duplicate member names are found with one hash set per open object,
// kept on two stacks shared by every open object: the names the object
// has read (its entries) and its open-addressing index over them (its
// slots). An object only ever adds to its own set while it is the
// innermost one open, so its entries and slots are always the tops of the
// stacks, and closing it pops them. Past an object's first few names,
// each name is hashed once, under case folding, and compared byte for
// byte only with names of the same hash, so an object of n members costs
// at most n hashes whatever its shape, and the stacks never hold more
// than the open objects' names: memory grows with the input, never
// faster.

// nameEntry is one name of an open object: the low half of its hash,
// and where its decoded bytes are, as offsets into the source or, at
// len(src) and above, into the arena of decoded escaped names (which is
// why a source is at most maxSource bytes). It holds no pointer and is
// twelve bytes, so the stack of them costs the collector nothing to scan
// and an object of thousands of tiny members half what full offsets and
// hashes would.
type nameEntry struct {
	hash       uint32
	start, end uint32
}

// nameSet is the part of an object's duplicate set that lives in its
// frame: where its entries and slots begin on the scanner's stacks, and
// how many slots it has (a power of two, or 0 before its first name).
type nameSet struct {
	entries, slots, size int
}

// An object's first linearNames names are compared one with another; the
// next one builds its first index, for up to minSlots/2 names, which
// grows fourfold at a time. A token's payload has about 15, nearly all
// claims its reader knows, which ScanKnown tells apart without this set.
const (
	linearNames = 4
	minSlots    = 32
)

// nameStacks are the scanner's two stacks. They start on arrays inside
// the scanner, so that a token, whose objects are small, allocates
// nothing for them; a wider input moves them to the heap.
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

// nameSeed and nameKeys key the hash of member names, so that no input
// can be built to make them collide.
var (
	nameSeed = maphash.MakeSeed()
	nameKeys = [3]uint64{rand.Uint64(), rand.Uint64(), rand.Uint64()}
)

// hashName hashes a name as foldHash folded it. Names of up to 16 bytes,
// which an object of thousands of members is made of, are mixed here
// rather than by maphash, whose calls cost a tiny name twice the rest of
// its hashing: the name's bytes, as at most two 64-bit words, are
// multiplied into 128 bits with secret random keys and the halves folded,
// twice, as Go's runtime hashes map keys where the CPU has no AES
// instructions. Longer names go to maphash.
func hashName(name string) uint64 {
	var a, b uint64
	switch n := len(name); {
	case n > 16:
		return maphash.String(nameSeed, name)
	case n >= 8:
		a, b = le64(name), le64(name[n-8:])
	case n >= 4:
		a, b = le32(name), le32(name[n-4:])
	case n > 0:
		a = uint64(name[0])<<16 | uint64(name[n>>1])<<8 | uint64(name[n-1])
	}
	return mix(nameKeys[2]^uint64(len(name)), mix(a^nameKeys[0], b^nameKeys[1]))
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// addName adds the name the scanner just read, at virtual offset start
// and plain or not, to the set of the innermost open object, and reports
// whether it was new.
func (s *scanner) addName(set *nameSet, name string, start int, plain bool) bool {
	t := &s.names
	n := t.nEntries - set.entries
	if n < linearNames {
		// Few names are compared one with another, unhashed: an input of
		// thousands of one-member objects costs no hash and no index.
		for _, e := range t.entryStack()[set.entries:t.nEntries] {
			if other := s.entryName(e); sameName(other, name, plain) {
				return false
			}
		}
		t.push(nameEntry{0, uint32(start), uint32(start + len(name))}, (len(s.src)-s.pos)/5)
		return true
	}
	if n == linearNames {
		st := t.entryStack()
		for i := set.entries; i < t.nEntries; i++ {
			other := s.entryName(st[i])
			st[i].hash = uint32(foldHash(other, plainName(other)))
		}
	}
	if 2*(n+1) > set.size {
		s.resize(set, max(minSlots, 4*set.size))
	}
	h := uint32(foldHash(name, plain))
	slots := t.slotStack()[set.slots : set.slots+set.size]
	entries := t.entryStack()[set.entries:t.nEntries]
	mask := uint64(set.size - 1)
	for i := uint64(h) & mask; ; i = (i + 1) & mask {
		j := slots[i]
		if j == 0 {
			// Every name still to come takes five bytes of what is left
			// at least: "":0 and the comma or brace before it.
			t.push(nameEntry{h, uint32(start), uint32(start + len(name))}, (len(s.src)-s.pos)/5)
			slots[i] = uint32(n + 1)
			return true
		}
		if e := entries[j-1]; e.hash == h && sameName(s.entryName(e), name, plain) {
			return false
		}
	}
}

// sameName reports whether other, a name read before, equals name, plain
// or not, under case folding.
func sameName(other, name string, plain bool) bool {
	return other == name || ((!plain || !plainName(other)) && strings.EqualFold(other, name))
}

// resize gives the innermost open object size slots, indexing the names
// it has.
func (s *scanner) resize(set *nameSet, size int) {
	t := &s.names
	slots := t.region(set.slots, size)
	mask := uint64(size - 1)
	for k, e := range t.entryStack()[set.entries:t.nEntries] {
		i := uint64(e.hash) & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = uint32(k + 1)
	}
	set.size = size
}

// entryName returns the decoded name e points to.
func (s *scanner) entryName(e nameEntry) string {
	start, end := int(e.start), int(e.end)
	if start < len(s.src) {
		return s.src[start:end]
	}
	return view.String(s.arena[start-len(s.src) : end-len(s.src)])
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
		return hashName(name)
	}
	if len(name) > 32 {
		return foldHashLong(name)
	}
	// A representative is never longer in UTF-8 than its rune, so a
	// short name folds into a short buffer, which is all a name of an
	// object of thousands of members needs.
	var buf [32]byte
	n := 0
	for i := 0; i < len(name); {
		r, size := foldRune(name[i:])
		i += size
		n += utf8.EncodeRune(buf[n:], r)
	}
	return hashName(view.String(buf[:n]))
}

// foldHashLong is foldHash for a name of any length: the folded bytes go
// to maphash a buffer at a time, so that no name costs an allocation.
func foldHashLong(name string) uint64 {
	var h maphash.Hash
	h.SetSeed(nameSeed)
	var buf [128]byte
	n := 0
	for i := 0; i < len(name); {
		if n > len(buf)-utf8.UTFMax {
			h.Write(buf[:n])
			n = 0
		}
		r, size := foldRune(name[i:])
		i += size
		n += utf8.EncodeRune(buf[n:], r)
	}
	h.Write(buf[:n])
	return h.Sum64()
}

// foldRune returns the representative of the first rune of s, and its
// size there.
func foldRune(s string) (rune, int) {
	if c := s[0]; c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, size := utf8.DecodeRuneInString(s)
	if r < 1<<16 {
		return rune(foldPage(r >> 8)[r&0xff]), size
	}
	return foldRepresentative(r), size
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

// foldPages hold the representatives of the runes of up to three UTF-8
// bytes, 256 runes a page, each page built the first time a name has one
// of its runes. Walking an orbit with unicode.SimpleFold costs several
// binary searches a rune, which a name of such letters (Latin, Greek,
// Cyrillic, Georgian, Cherokee, fullwidth, the Kelvin sign) would pay
// per rune; a page makes it one load. A page costs half a kilobyte and
// about a tenth of a millisecond to build, once per process: a verifier
// that never meets a non-ASCII name never builds one, and no input can
// make it hold more than 128 KiB. A representative is never above its
// rune or 'z', so it fits in 16 bits.
var foldPages [256]atomic.Pointer[[256]uint16]

func foldPage(page rune) *[256]uint16 {
	if p := foldPages[page].Load(); p != nil {
		return p
	}
	p := new([256]uint16)
	for k := range rune(256) {
		p[k] = uint16(foldRepresentative(page<<8 | k))
	}
	// Two requests may build the same page; both are right, and the
	// first one kept.
	foldPages[page].CompareAndSwap(nil, p)
	return foldPages[page].Load()
}
