// Package revtab is where every revocation list of the module keeps its
// entries: revocation.List and redisstore's replica each store a value of
// their own here, with their own writer (expiry, bounds, replication),
// hash ids with its Hasher and size and rebuild its filter, so that what
// a lookup reads is laid out once. Each list writes its lookup for its
// own value type: a generic one, which Go 1.26 compiles once per shape
// and whose value methods it calls through a dictionary, measured 40-70%
// slower on a hit at a million entries, so the rules below are kept, and
// tested, in each list.
//
// A lookup takes no lock and writes nothing shared. Each id the claims
// carry is hashed under seeds of its kind: the first hash places two
// bits in a shared Bloom filter (hashtab.Filter) and is the id's tag in
// its kind's open-addressing table (hashtab.Table); the second, 32 bits
// of another hash, is kept in the slot and tells apart the ids that share
// a tag. The filter answers "not listed" for almost every token after
// three loads, one word per id; the ids it lets through are looked up in
// their kind's table by tag alone, reading one line, and the second hash
// is computed only then. Two different ids of one kind share both hashes
// with probability 2^-96 (ids of different kinds are never compared); the
// seeds never leave the process, so nobody can aim for it, and a
// collision would refuse a token, never admit one.
//
// A caller that asks about one token again and again may keep its ids'
// hashes (Hasher.Sums, a revocation key), computed once, and hand them
// to the lookup instead of the ids: they are what the lookup would
// compute, under the set's hasher, which never changes, so the answer is
// the same and entries added since the hashes were made are found. A
// lookup trusts them only when they were made by the hasher it reads
// with.
//
// The filter's words also keep the latest subject cut-off set in each
// (hashtab.Filter's marks, in Unix seconds): a token whose subject passes
// the filter but was issued at or after that mark is issued after the
// cut-off of every subject in the word, its own included, so it passes
// without its table line being read or its second hash computed
// (IssuedAfterCutoffs). That is the common subject hit: a user who was
// refreshed, or signed in again, after their account changed. A writer
// raises the mark before it publishes the entry, as it sets the bits,
// and marks only rise, so a reader that would find a cut-off in the
// table finds it, or a later one, in the mark.
package revtab

import (
	"hash/maphash"
	"math"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt/internal/hashtab"
)

// Kind is what an entry matches, and picks its table and seeds.
type Kind uint8

const (
	JTI     Kind = iota // one token, by its jti
	Family              // every token of one refresh token, by origin_jti
	Subject             // a user's tokens issued before a cut-off, by sub
	// Kinds is the number of kinds.
	Kinds = 3
)

// Entry is a table's value as a lookup reads it; the rest of it is the
// writer's. Its methods are called on the slot a lookup found, so they
// should be a field's read.
type Entry interface {
	// Check returns the 32 bits of the id's second hash (Hasher.Check)
	// the entry was put with.
	Check() uint32
	// Bound is, for a Subject entry, its cut-off in Unix seconds as a
	// lookup compares iat with it, within [0, math.MaxUint32]: a token
	// issued at or after it is not refused by the entry. MaxUint32 stands
	// for every cut-off from then on, which refuses whatever the iat.
	// RebuildFilter calls it on subjects only; a writer raises a new
	// subject's word to the same value.
	Bound() uint32
}

// Hasher holds a set's seeds, two per kind: each kind has a table of its
// own, so an id is never compared with another kind's, and all 96 bits of
// its hashes tell it from the others of its kind.
type Hasher struct {
	seeds [Kinds][2]maphash.Seed
}

// NewHasher returns a hasher with fresh random seeds.
func NewHasher() *Hasher {
	h := new(Hasher)
	for k := range h.seeds {
		h.seeds[k] = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return h
}

// Tag is id's first hash under kind: its bits in the filter and its tag
// in the kind's table, which also places it. It is never 0 or 1, which
// the table reserves, so that the two are one number and 0 can stand for
// an id the claims do not carry.
func (h *Hasher) Tag(kind Kind, id string) uint64 {
	return max(maphash.String(h.seeds[kind][0], id), 2)
}

// Check is 32 bits of id's second hash under kind.
func (h *Hasher) Check(kind Kind, id string) uint32 {
	return uint32(maphash.String(h.seeds[kind][1], id))
}

// Sums returns what a revocation key keeps for a token whose ids are
// jti, family and subject ("" for one it does not carry): each id's Tag
// (0 for a missing one), in the order of the kinds, then its Check, two
// to a word (SumsCheck). A lookup that has them computes no hash, and
// reads what it would have read with the ids.
func (h *Hasher) Sums(jti, family, subject string) [5]uint64 {
	var s [5]uint64
	var checks [Kinds]uint32
	for k, id := range [Kinds]string{jti, family, subject} {
		if id != "" {
			s[k], checks[k] = h.Tag(Kind(k), id), h.Check(Kind(k), id)
		}
	}
	s[3] = uint64(checks[JTI]) | uint64(checks[Family])<<32
	s[4] = uint64(checks[Subject])
	return s
}

// CheckOf is id's Check under kind: read from sums, a revocation key's
// (Sums), when not nil, else computed. A lookup calls it once a slot's
// tag matches, so that keyed and hashed lookups take one path.
func (h *Hasher) CheckOf(kind Kind, id string, sums *[5]uint64) uint32 {
	if sums != nil {
		return SumsCheck(sums, kind)
	}
	return h.Check(kind, id)
}

// SumsCheck is kind's Check in sums, which Sums made.
func SumsCheck(sums *[5]uint64, kind Kind) uint32 {
	return uint32(sums[3+kind/2] >> (32 * (kind % 2)))
}

// Set is the filter and the per-kind tables of a revocation list, with
// values of type V. The zero Set is empty. Lookups and the accessors
// marked so may run at any time; everything that changes the set is the
// writer's, which the caller serialises. A writer puts an entry's filter
// bit (Filter().Set(tag)), and for a subject raises its word's mark to
// the entry's Bound (Filter().Raise(tag, bound)), before the entry, so
// that a reader that finds the entry was not turned away by the filter,
// or let through by the mark, a moment earlier.
type Set[V Entry] struct {
	// hasher is stored by the first caller of Hasher, no later than the
	// first filter, and never changes: keys made under it (Sums) stay
	// good for the set's life.
	hasher atomic.Pointer[Hasher]
	// filter is nil while the caller says the set is empty, so that an
	// empty list costs a lookup one atomic load.
	filter atomic.Pointer[hashtab.Filter]
	tables [Kinds]hashtab.Table[V]
}

// Hasher returns the set's hasher, making it on the first call; anyone
// may call it, and once the set has one it only loads it. Callers that
// race on the first call agree on one hasher (the others' are dropped),
// so that a key made by a reader (Sums) before the first write matches
// the hashes the writer puts in the set. The hasher may be kept and used
// by anyone.
func (s *Set[V]) Hasher() *Hasher {
	h := s.hasher.Load()
	if h == nil {
		if h = NewHasher(); !s.hasher.CompareAndSwap(nil, h) {
			h = s.hasher.Load()
		}
	}
	return h
}

// Table returns kind's table, for the writer to change and anyone to read
// (hashtab.Table's rules).
func (s *Set[V]) Table(kind Kind) *hashtab.Table[V] { return &s.tables[kind] }

// Filter returns the current filter, nil before the first one; anyone may
// call it.
func (s *Set[V]) Filter() *hashtab.Filter { return s.filter.Load() }

// RebuildFilter publishes a filter of bits bits holding the tags of every
// entry, and returns it; bits <= 0 publishes none, which makes every
// lookup answer "not listed" at once, for a set the caller knows empty.
// Readers keep the old filter until the swap; both answer correctly for
// every entry that exists while they read it.
func (s *Set[V]) RebuildFilter(bits int) *hashtab.Filter {
	if bits <= 0 {
		s.filter.Store(nil)
		return nil
	}
	s.Hasher() // before the first filter, which a lookup expects
	f := hashtab.NewFilter(bits)
	for k := range s.tables {
		for tag, v := range s.tables[k].All() {
			f.Set(tag)
			if Kind(k) == Subject {
				f.Raise(tag, v.Bound())
			}
		}
	}
	s.filter.Store(f)
	return f
}

// IssuedAfterCutoffs reports whether a token issued at iat (Unix
// seconds) passes every subject whose tag shares subject's filter word in
// f, its own included: it was issued at or after the word's mark. A
// false answer says nothing; the lookup goes on to the table. The mark
// MaxUint32 (a cut-off after 2106) never lets a token pass here.
func IssuedAfterCutoffs(f *hashtab.Filter, subject uint64, iat int64) bool {
	return min(iat, math.MaxUint32-1) >= int64(f.High(subject))
}

// Find returns kind's entry under tag with second hash check, whoever
// calls it, for a caller that has an id's hashes.
func (s *Set[V]) Find(kind Kind, tag uint64, check uint32) (V, bool) {
	return s.tables[kind].Find(tag, func(v *V) bool { return (*v).Check() == check })
}

// Len returns the number of entries of every kind. Only the writer may
// call it.
func (s *Set[V]) Len() int {
	n := 0
	for k := range s.tables {
		n += s.tables[k].Len()
	}
	return n
}
