package revocation

import "hash/maphash"

// revocationHasher holds a list's seeds, two per kind: each kind has a
// table of its own, so an id is never compared with another kind's, and
// all 96 bits of its hashes tell it from the others of its kind.
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

// first is value's first hash under kind: its bits in the filter and its
// tag in the kind's table, which also places it. It is never 0 or 1,
// which the table reserves, so that the two are one number. A lookup
// computes it for every id the claims carry; the second hash only when a
// slot's tag matches.
func (h *revocationHasher) first(kind revocationKind, value string) uint64 {
	return max(maphash.String(h.seeds[kind][0], value), 2)
}

// check is 32 bits of value's second hash under kind.
func (h *revocationHasher) check(kind revocationKind, value string) uint32 {
	return uint32(maphash.String(h.seeds[kind][1], value))
}

func (h *revocationHasher) id(kind revocationKind, value string, first uint64) revocationID {
	return revocationID{first, h.check(kind, value)}
}
