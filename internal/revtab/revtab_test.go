package revtab

import (
	"testing"

	"github.com/cognitojwt/cognitojwt"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// narrow is a value of 8 bytes, as revocation.List's: a 16-byte slot,
// four to a cache line.
type narrow uint64

func (e narrow) Check() uint32 { return uint32(e >> 32) }
func (e narrow) Cutoff() int64 { return int64(uint32(e)) }

// wide is a value of 24 bytes, as redisstore's replica's: a 32-byte slot,
// two to a cache line.
type wide struct {
	check  uint32
	_      uint32
	cutoff int64
	_      *byte
}

func (e wide) Check() uint32 { return e.check }
func (e wide) Cutoff() int64 { return e.cutoff }

// layout makes a set's values from a second hash and a cut-off.
type layout[V Entry] func(check uint32, cutoff int64) V

func narrowOf(check uint32, cutoff int64) narrow { return narrow(check)<<32 | narrow(uint32(cutoff)) }
func wideOf(check uint32, cutoff int64) wide     { return wide{check: check, cutoff: cutoff} }

// put is a writer's add: id's bit in the filter, then its entry, under
// its hashes or, for an impostor, under its tag and another second hash.
func put[V Entry](s *Set[V], mk layout[V], kind Kind, id string, cutoff int64, impostor bool) {
	h := s.Hasher()
	if s.Filter() == nil {
		s.RebuildFilter(1024)
	}
	tag, check := h.Tag(kind, id), h.Check(kind, id)
	if impostor {
		check ^= 4
	}
	s.Filter().Set(tag)
	s.Table(kind).Put(tag, mk(check, cutoff), func(v *V) bool { return (*v).Check() == check })
}

// forLayouts runs f for each value layout, with a maker of empty sets.
func forLayouts(t *testing.T, f func(t *testing.T, newSet func() lookupSet)) {
	t.Run("narrow", func(t *testing.T) { f(t, func() lookupSet { return setOf(narrowOf) }) })
	t.Run("wide", func(t *testing.T) { f(t, func() lookupSet { return setOf(wideOf) }) })
}

// lookupSet is a set of either layout, as a test drives it.
type lookupSet struct {
	put    func(kind Kind, id string, cutoff int64, impostor bool)
	reason func(jti, family, subject string, iat int64) cognitojwt.RevocationReason
}

func setOf[V Entry](mk layout[V]) lookupSet {
	s := new(Set[V])
	return lookupSet{
		put: func(kind Kind, id string, cutoff int64, impostor bool) { put(s, mk, kind, id, cutoff, impostor) },
		reason: func(jti, family, subject string, iat int64) cognitojwt.RevocationReason {
			return s.Reason(claims(jti, family, subject, iat))
		},
	}
}

// The hashes of an id depend on its kind and on the set's seeds: the same
// id under two kinds, or in two sets, shares neither, and a tag is never
// one of the table's reserved values.
func TestHasherSeedsPerKindAndSet(t *testing.T) {
	a, b := NewHasher(), NewHasher()
	const id = "0b2f6d0e-6a52-4a2e-9c1e-1f0f3c6b7a11"
	for k := range Kind(Kinds) {
		if tag, check := a.Tag(k, id), a.Check(k, id); a.Tag(k, string([]byte(id))) != tag || a.Check(k, string([]byte(id))) != check {
			t.Fatalf("kind %d: hashes differ between calls", k)
		}
		if a.Tag(k, id) == b.Tag(k, id) && a.Check(k, id) == b.Check(k, id) {
			t.Fatalf("kind %d: two sets hash alike", k)
		}
		for o := k + 1; o < Kinds; o++ {
			if a.Tag(k, id) == a.Tag(o, id) || a.Check(k, id) == a.Check(o, id) {
				t.Fatalf("kinds %d and %d hash alike", k, o)
			}
		}
		if a.Tag(k, "") < 2 {
			t.Fatalf("kind %d: a tag the table reserves", k)
		}
	}
}

// A rebuilt filter holds every entry's bits, whatever the filter before
// it held; a filter of no bits is none, and then nothing is listed.
func TestRebuildFilterHoldsEveryEntry(t *testing.T) {
	var s Set[narrow]
	h := s.Hasher()
	tag, check := h.Tag(Family, "f"), h.Check(Family, "f")
	s.Table(Family).Put(tag, narrowOf(check, 0), func(v *narrow) bool { return v.Check() == check })
	if got := s.Reason(claims("", "f", "", 0)); got != cognitojwt.NotRevoked {
		t.Fatalf("without a filter: %v", got)
	}
	s.RebuildFilter(64)
	if s.Filter() == nil || s.Filter().Bits() < 64 {
		t.Fatal("no filter of 64 bits")
	}
	if got := s.Reason(claims("", "f", "", 0)); got != cognitojwt.RevokedFamily {
		t.Fatalf("after a rebuild: %v", got)
	}
	if s.RebuildFilter(0) != nil || s.Filter() != nil {
		t.Fatal("a filter of no bits was published")
	}
	if got := s.Reason(claims("", "f", "", 0)); got != cognitojwt.NotRevoked {
		t.Fatalf("with the filter gone: %v", got)
	}
	if s.Len() != 1 {
		t.Fatalf("Len %d, want 1", s.Len())
	}
}

// Find tells apart the entries under one tag by their second hash.
func TestFindMatchesTheSecondHash(t *testing.T) {
	var s Set[wide]
	for _, check := range []uint32{7, 9} {
		s.Table(JTI).Put(42, wideOf(check, int64(check)), func(v *wide) bool { return v.check == check })
	}
	for _, check := range []uint32{7, 9} {
		if v, ok := s.Find(JTI, 42, check); !ok || v.cutoff != int64(check) {
			t.Fatalf("check %d: %+v, %v", check, v, ok)
		}
	}
	if _, ok := s.Find(JTI, 42, 8); ok {
		t.Fatal("found a second hash nobody put")
	}
	if _, ok := s.Find(Family, 42, 7); ok {
		t.Fatal("found another kind's entry")
	}
	if s.Len() != 2 {
		t.Fatalf("Len %d, want 2", s.Len())
	}
}
