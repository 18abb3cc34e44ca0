package revocation

import (
	"hash/maphash"
	"math/bits"
	"sync/atomic"
)

// revocationHasher holds a list's seeds, two per kind.
type revocationHasher struct {
	seeds [revocationKinds][2]maphash.Seed
}

func newRevocationHasher() *revocationHasher {
	h := new(revocationHasher)
	for k := range h.seeds {
		h.seeds[k] = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return h
}

// first is value's first hash under kind. It is never 0 or 1, which
// the table reserves, so that the table's tag and the filter's bit are
// one number.
func (h *revocationHasher) first(kind revocationKind, value string) uint64 {
	return max(maphash.String(h.seeds[kind][0], value), 2)
}

// check is value's second hash under kind, with the kind in its two low
// bits; it is never 0.
func (h *revocationHasher) check(kind revocationKind, value string) uint64 {
	return maphash.String(h.seeds[kind][1], value)&^3 | uint64(kind+1)
}

func (h *revocationHasher) id(kind revocationKind, value string, first uint64) revocationID {
	return revocationID{first, h.check(kind, value)}
}

// filterBitsPerEntry sizes the filter: with one bit per entry and kind, a
// token that matches nothing takes the locked path with probability about
// 3 / filterBitsPerEntry.
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
	f := &revocationFilter{words: make([]atomic.Uint64, words), mask: uint64(words*64 - 1), hasher: r.hasher}
	for first := range r.entries.All() {
		f.set(first)
	}
	r.filter.Store(f)
	r.stale = 0
}

// revocationFilter is a one-hash Bloom filter over the entries of every
// kind: a clear bit proves the id is not listed.
type revocationFilter struct {
	words  []atomic.Uint64
	mask   uint64
	hasher *revocationHasher
}

// lookup returns the first hash of value for kind, and whether its bit is
// set.
func (f *revocationFilter) lookup(kind revocationKind, value string) (first uint64, set bool) {
	first = f.hasher.first(kind, value)
	i := first & f.mask
	return first, f.words[i>>6].Load()&(1<<(i&63)) != 0
}

func (f *revocationFilter) set(first uint64) {
	i := first & f.mask
	f.words[i>>6].Or(1 << (i & 63))
}
