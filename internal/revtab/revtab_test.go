package revtab

import (
	"math"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// narrow is a value of 8 bytes, as revocation.List's: a 16-byte slot,
// four to a cache line.
type narrow uint64

func (e narrow) Check() uint32 { return uint32(e >> 32) }
func (e narrow) Bound() uint32 { return uint32(e) }

func narrowOf(check uint32, stamp uint32) narrow { return narrow(check)<<32 | narrow(stamp) }

// wide is a value of 24 bytes, as redisstore's replica's: a 32-byte slot,
// two to a cache line.
type wide struct {
	check uint32
	_     uint32
	stamp int64
	_     *byte
}

func (e wide) Check() uint32 { return e.check }
func (e wide) Bound() uint32 { return uint32(e.stamp) }

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
	if s.Filter() != nil {
		t.Fatal("a filter before any rebuild")
	}
	s.RebuildFilter(64)
	if s.Filter() == nil || s.Filter().Bits() < 64 {
		t.Fatal("no filter of 64 bits")
	}
	if !s.Filter().Has(tag) {
		t.Fatal("the rebuilt filter lacks the entry's bits")
	}
	if _, ok := s.Find(Family, tag, check); !ok {
		t.Fatal("the entry is gone after a rebuild")
	}
	if s.RebuildFilter(0) != nil || s.Filter() != nil {
		t.Fatal("a filter of no bits was published")
	}
	if s.Len() != 1 {
		t.Fatalf("Len %d, want 1", s.Len())
	}
}

// Find tells apart the entries under one tag by their second hash.
func TestFindMatchesTheSecondHash(t *testing.T) {
	var s Set[wide]
	for _, check := range []uint32{7, 9} {
		s.Table(JTI).Put(42, wide{check: check, stamp: int64(check)}, func(v *wide) bool { return v.check == check })
	}
	for _, check := range []uint32{7, 9} {
		if v, ok := s.Find(JTI, 42, check); !ok || v.stamp != int64(check) {
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

// A rebuilt filter's marks hold every subject's bound, so that a token
// issued before a cut-off is never let through by the mark; the other
// kinds' values (a jti's expiry) raise nothing. A mark of MaxUint32 lets
// no token through, however late.
func TestRebuildFilterKeepsSubjectCutoffs(t *testing.T) {
	var s Set[narrow]
	h := s.Hasher()
	sub, jti := h.Tag(Subject, "s"), h.Tag(JTI, "j")
	s.Table(Subject).Put(sub, narrowOf(h.Check(Subject, "s"), 1000), func(*narrow) bool { return false })
	s.Table(JTI).Put(jti, narrowOf(h.Check(JTI, "j"), 5000), func(*narrow) bool { return false })
	f := s.RebuildFilter(64) // one word: both ids share it
	if f.High(sub) != 1000 {
		t.Fatalf("mark %d, want the subject's cut-off 1000", f.High(sub))
	}
	if IssuedAfterCutoffs(f, sub, 999) {
		t.Fatal("a token issued before the cut-off passes the mark")
	}
	if !IssuedAfterCutoffs(f, sub, 1000) || !IssuedAfterCutoffs(f, sub, 1<<40) {
		t.Fatal("a token issued at or after every cut-off does not pass the mark")
	}
	s.Table(Subject).Put(h.Tag(Subject, "banned"), narrowOf(h.Check(Subject, "banned"), math.MaxUint32), func(*narrow) bool { return false })
	f = s.RebuildFilter(64)
	for _, iat := range []int64{0, 1000, math.MaxUint32 - 1, math.MaxUint32, 1 << 40, math.MaxInt64} {
		if IssuedAfterCutoffs(f, sub, iat) {
			t.Fatalf("a mark of MaxUint32 lets a token of %d through", iat)
		}
	}
}

// Sums holds what the lookups would compute from the ids: each id's tag
// (0 for an id the token does not carry) and, through SumsCheck, its
// second hash, each under its own kind's seeds.
func TestSumsHoldTheIDsHashes(t *testing.T) {
	h := NewHasher()
	ids := [Kinds]string{"a-jti", "", "a-subject"}
	s := h.Sums(ids[JTI], ids[Family], ids[Subject])
	for k, id := range ids {
		var tag uint64
		var check uint32
		if id != "" {
			tag, check = h.Tag(Kind(k), id), h.Check(Kind(k), id)
		}
		if s[k] != tag || SumsCheck(&s, Kind(k)) != check {
			t.Errorf("kind %d: tag %x check %x, want %x %x", k, s[k], SumsCheck(&s, Kind(k)), tag, check)
		}
	}
	if s := h.Sums("same", "same", "same"); s[JTI] == s[Family] || SumsCheck(&s, JTI) == SumsCheck(&s, Subject) {
		t.Error("one id hashes alike under two kinds")
	}
}

// Callers that race on a set's first Hasher agree on one, so that a key
// made by a reader before the first write is made under the seeds the
// writer then uses. Run under -race.
func TestSetDrawsOneHasher(t *testing.T) {
	var s Set[narrow]
	got := make([]*Hasher, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = s.Hasher() })
	}
	wg.Wait()
	for _, h := range got {
		if h != got[0] || h != s.Hasher() {
			t.Fatal("two hashers for one set")
		}
	}
}
