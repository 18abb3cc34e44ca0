package hashtab

import "sync/atomic"

// Filter is the Bloom filter in front of the module's revocation tables,
// blocked to one word: a hash sets two bits of the word its low bits
// pick, so a lookup is one atomic load, and an unlisted id reaches the
// table about a quarter as often as with one bit, for the same memory.
// Bits are only ever set; a caller rebuilds a filter to clear it, and
// readers keep the old one until the swap.
//
// Each word also keeps a 32-bit high-water mark, the largest value a
// writer raised it to for a hash of the word (Raise): a bound on what
// every such hash stands for (a revocation list keeps its subjects'
// cut-offs there), so that a reader may decide from the bound alone,
// without the table, whenever the bound already answers. The marks take
// half a word each, in an array of their own, read only by the callers
// that ask for them.
type Filter struct {
	words []atomic.Uint64
	highs []atomic.Uint32
}

// NewFilter returns a filter of n bits rounded up to whole words (at
// least one), in huge pages where the system offers them. Any number of
// words works, so a caller sizes it for its entries exactly rather than
// to a power of two, which would waste up to half of it.
func NewFilter(n int) *Filter {
	w := max(1, (n+63)/64)
	return &Filter{words: hugeSlice[atomic.Uint64](w), highs: hugeSlice[atomic.Uint32](w)}
}

// Bits returns the filter's size in bits.
func (f *Filter) Bits() int { return len(f.words) * 64 }

// word returns the index of h's word and its two bits there: the word
// from h's low 32 bits scaled to the filter (a multiplication, so that
// any size works), the bits from its top twelve, which the word's index
// never uses.
func (f *Filter) word(h uint64) (int, uint64) {
	return int(h & (1<<32 - 1) * uint64(len(f.words)) >> 32), 1<<(h>>58) | 1<<(h>>52&63)
}

// Set sets h's bits.
func (f *Filter) Set(h uint64) {
	i, b := f.word(h)
	f.words[i].Or(b)
}

// Raise raises the mark of h's word to v if it is lower. A writer that
// wants readers who see an entry through h to find its bound raises the
// mark before it publishes the entry, as it sets the bits.
func (f *Filter) Raise(h uint64, v uint32) {
	i, _ := f.word(h)
	for m := &f.highs[i]; ; {
		old := m.Load()
		if old >= v || m.CompareAndSwap(old, v) {
			return
		}
	}
}

// High returns the mark of h's word: at least every value Raise was given
// for a hash of the word, h's included (0 when none was).
func (f *Filter) High(h uint64) uint32 {
	i, _ := f.word(h)
	return f.highs[i].Load()
}

// Has reports whether h's bits are set: false proves that h was never
// set.
func (f *Filter) Has(h uint64) bool {
	i, b := f.word(h)
	return f.words[i].Load()&b == b
}

// Has3 is Has for the three ids of a token, a hash of 0 standing for an
// id the token does not carry (false). It is one call whose three loads
// are issued back to back: Go 1.26 does not inline Has into the
// revocation lookups, and three calls of it measured 5-8% slower than
// this on a miss and on a subject hit of revocation.List, and 3-14% on
// the hits of redisstore's replica (a million entries, the old and the
// new lookup interleaved in one process).
func (f *Filter) Has3(a, b, c uint64) (bool, bool, bool) {
	ia, ba := f.word(a)
	ib, bb := f.word(b)
	ic, bc := f.word(c)
	wa, wb, wc := f.words[ia].Load(), f.words[ib].Load(), f.words[ic].Load()
	return a != 0 && wa&ba == ba, b != 0 && wb&bb == bb, c != 0 && wc&bc == bc
}
