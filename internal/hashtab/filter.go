package hashtab

import "sync/atomic"

// Filter is the Bloom filter in front of the module's revocation tables,
// blocked to one word: a hash sets two bits of the word its low bits
// pick, so a lookup is one atomic load, and an unlisted id reaches the
// table about a quarter as often as with one bit, for the same memory.
// Bits are only ever set; a caller rebuilds a filter to clear it, and
// readers keep the old one until the swap.
type Filter struct {
	words []atomic.Uint64
	mask  uint64 // the number of bits, less one
}

// NewFilter returns a filter of at least n bits: a power of two, at least
// 64, in huge pages where the system offers them.
func NewFilter(n int) *Filter {
	size := 64
	for size < n {
		size *= 2
	}
	f := &Filter{words: make([]atomic.Uint64, size/64), mask: uint64(size - 1)}
	AdviseHugePages(f.words)
	return f
}

// Bits returns the filter's size in bits.
func (f *Filter) Bits() int { return len(f.words) * 64 }

// word returns the index of h's word and its two bits there: the word
// from h's low bits, the bits from its top twelve, which the word's index
// never uses.
func (f *Filter) word(h uint64) (int, uint64) {
	return int((h & f.mask) >> 6), 1<<(h>>58) | 1<<(h>>52&63)
}

// Set sets h's bits.
func (f *Filter) Set(h uint64) {
	i, b := f.word(h)
	f.words[i].Or(b)
}

// Has reports whether h's bits are set: false proves that h was never
// set.
func (f *Filter) Has(h uint64) bool {
	i, b := f.word(h)
	return f.words[i].Load()&b == b
}
