package revocation

import (
	"math/bits"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt/internal/hashtab"
)

// filterBitsPerEntry sizes the filter: with two bits of one word per
// entry and kind, an unlisted id is sent to the table with probability
// about (2 / filterBitsPerEntry)^2 (0.55% measured at the filter's
// fullest, where one bit sent 3%), for the one load per id a single bit
// costs. The filter is what keeps a
// miss cheap: at a million entries it takes 8 MB, which caches hold
// where the table's 32 MB mostly are not, and a miss, what nearly every
// request is, then reads three words of it and nothing else.
const filterBitsPerEntry = 32

// rebuildFilter replaces the filter by one sized for the entries, holding
// only theirs. Readers keep the old one until the swap; both answer
// correctly for every entry that exists while they read it.
func (r *List) rebuildFilter() {
	n := r.len()
	if n == 0 {
		r.filter.Store(nil)
		r.stale = 0
		return
	}
	words := 1 << bits.Len(uint(n*filterBitsPerEntry*2/64))
	f := &revocationFilter{words: make([]atomic.Uint64, words), mask: uint64(words*64 - 1)}
	hashtab.AdviseHugePages(f.words)
	for first := range r.entries.All() {
		f.set(first)
	}
	r.filter.Store(f)
	r.stale = 0
}

// revocationFilter is a Bloom filter over the entries of every kind,
// blocked to one word: an id sets two bits of the word its first hash
// picks, both read with one load. A clear bit proves the id is not
// listed.
type revocationFilter struct {
	words []atomic.Uint64
	mask  uint64
}

// bits returns the index of first's word and its two bits there. The
// word comes from first's low bits, the bits from its top twelve, which
// the word's index never uses.
func (f *revocationFilter) bits(first uint64) (int, uint64) {
	return int((first & f.mask) >> 6), 1<<(first>>58) | 1<<(first>>52&63)
}

// has reports whether the bits of first, an id's first hash, are set.
func (f *revocationFilter) has(first uint64) bool {
	i, b := f.bits(first)
	return f.words[i].Load()&b == b
}

func (f *revocationFilter) set(first uint64) {
	i, b := f.bits(first)
	f.words[i].Or(b)
}
