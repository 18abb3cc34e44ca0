package revocation

import (
	"math/bits"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt/internal/hashtab"
)

// filterBitsPerEntry sizes the filter: with one bit per entry and kind, a
// token that matches nothing reads the table with probability about
// 3 / filterBitsPerEntry. The filter is what keeps a miss cheap: at a
// million entries it takes 8 MB, which caches hold where the table's 32
// MB mostly are not, and a miss, what nearly every request is, then reads
// three lines of it and nothing else.
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

// revocationFilter is a one-hash Bloom filter over the entries of every
// kind: a clear bit proves the id is not listed.
type revocationFilter struct {
	words []atomic.Uint64
	mask  uint64
}

// has reports whether the bit of first, an id's first hash, is set.
func (f *revocationFilter) has(first uint64) bool {
	i := first & f.mask
	return f.words[i>>6].Load()&(1<<(i&63)) != 0
}

func (f *revocationFilter) set(first uint64) {
	i := first & f.mask
	f.words[i>>6].Or(1 << (i & 63))
}
