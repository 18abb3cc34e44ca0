package revocation

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/revtab"
)

// idOf is value's hashes under kind in r, which has made its hasher.
func idOf(r *List, kind revtab.Kind, value string) revocationID {
	h := r.set.Hasher()
	return revocationID{h.Tag(kind, value), h.Check(kind, value)}
}

// The filter's bits only ever send a lookup to the table (its cut-off
// marks may let a subject's token pass, never refuse one): whatever its
// false positives, a listed value is found and an unlisted one is not,
// through every rebuild as the list grows and shrinks.
func TestRevocationFilterNeverDecidesAlone(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	clk := func() time.Time { return now }
	r, err := New(Config{MaxAge: time.Hour, Now: clk})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20_000
	for i := range n {
		r.RevokeJTI(fmt.Sprintf("jti-%d", i))
		if i%1000 == 0 {
			now = now.Add(time.Minute)
		}
	}
	for i := range n {
		if !r.Revoked(&cognitojwt.Claims{JWTID: fmt.Sprintf("jti-%d", i)}) {
			t.Fatalf("jti-%d not revoked", i)
		}
		// The same value under another kind is not listed.
		if r.Revoked(&cognitojwt.Claims{OriginJTI: fmt.Sprintf("jti-%d", i), Subject: fmt.Sprintf("jti-%d", i)}) {
			t.Fatalf("jti-%d revoked as a family or subject", i)
		}
		if r.Revoked(&cognitojwt.Claims{JWTID: fmt.Sprintf("other-%d", i)}) {
			t.Fatalf("other-%d revoked", i)
		}
	}
	// Most entries expire; the filter shrinks with them.
	now = now.Add(time.Hour - 5*time.Minute)
	r.RevokeFamily("f")
	if got := r.Len(); got >= n/2 {
		t.Fatalf("%d entries left, want most expired", got)
	}
	for i := range n {
		id := fmt.Sprintf("jti-%d", i)
		_, listed := r.lookup(kindJTI, idOf(r, kindJTI, id))
		if r.Revoked(&cognitojwt.Claims{JWTID: id}) != listed {
			t.Fatalf("%s: Revoked disagrees with the list", id)
		}
	}
	if f := r.set.Filter(); f.Bits() > 4*filterBitsPerEntry*r.Len()+128 {
		t.Fatalf("filter of %d bits for %d entries", f.Bits(), r.Len())
	}
}

// A slot matches on the id's second hash as well as its tag: an entry
// under the tag of a value but another second hash (what a collision of
// tags leaves in the table) refuses nothing, and a subject's cut-off is
// the one its own slot holds.
func TestRevocationSlotMatchesOnBothHashes(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	r.RevokeJTI("seed the hasher")
	expires := uint32(now.Add(time.Hour).Unix())
	impostor := func(kind revtab.Kind, value string, st uint32) {
		id := idOf(r, kind, value)
		wrong := id.check ^ 4      // another second hash
		r.set.Filter().Set(id.tag) // as a colliding entry would have set it
		if kind == kindSubject {
			r.set.Filter().Raise(id.tag, st)
		}
		r.set.Table(kind).Put(id.tag, newEntry(wrong, st), func(e *revocationEntry) bool { return e.Check() == wrong })
	}
	impostor(kindJTI, "victim", expires)
	impostor(kindFamily, "victim", expires)
	impostor(kindSubject, "victim", uint32(now.Unix()))
	victim := &cognitojwt.Claims{JWTID: "victim", OriginJTI: "victim", Subject: "victim", IssuedAt: now.Add(-time.Hour)}
	if got := r.RevocationReason(victim); got != cognitojwt.NotRevoked {
		t.Fatalf("a tag without its second hash refuses a token: %v", got)
	}
	// The subject's own entry, with a cut-off between the two tokens'.
	r.RevokeSubject("victim", now.Add(-time.Minute))
	if got := r.RevocationReason(victim); got != cognitojwt.RevokedSubject {
		t.Fatalf("an earlier token of the subject: %v", got)
	}
	if got := r.RevocationReason(&cognitojwt.Claims{Subject: "victim", IssuedAt: now.Add(-time.Second)}); got != cognitojwt.NotRevoked {
		t.Fatalf("a token after the subject's cut-off: %v", got)
	}
}

// Revoking one id over and over at later moments keeps one entry, and the
// queue that orders expiry stays within a constant factor of the entries.
func TestRevocationQueueBoundedUnderRepeatedRevocations(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for range 100_000 {
		now = now.Add(time.Millisecond)
		r.RevokeFamily("same")
		r.RevokeSubject("user", now)
	}
	if r.Len() != 2 {
		t.Fatalf("%d entries, want 2", r.Len())
	}
	if q := len(r.queue) - r.head; q > 2*r.Len()+64 {
		t.Fatalf("queue holds %d elements for %d entries", q, r.Len())
	}
}

// A subject's slot is told apart from others under its tag whatever their
// cut-offs and whichever slot comes first: one that would let the token
// pass does not hide the subject's own, which refuses it (a lookup that
// skips the second hash on a passing cut-off may do so only when the slot
// is the only one under the tag), and one that would refuse it refuses
// nothing while the subject's own lets it pass.
func TestRevocationSubjectCutoffOfAnotherSlotUnderTheTag(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	for _, impostorRefuses := range []bool{false, true} {
		for _, impostorFirst := range []bool{false, true} {
			r, err := New(Config{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			r.RevokeJTI("seed the hasher")
			id := idOf(r, kindSubject, "victim")
			wrong := id.check ^ 4
			cut := now.Add(-time.Minute) // the subject's own: refuses iat < cut
			impostorCut := now.Add(-time.Hour)
			if impostorRefuses {
				cut, impostorCut = now.Add(-time.Hour), now.Add(time.Hour)
			}
			impostor := func() {
				r.set.Filter().Set(id.tag) // as a colliding entry's writer would
				r.set.Filter().Raise(id.tag, uint32(impostorCut.Unix()))
				r.set.Table(kindSubject).Put(id.tag, newEntry(wrong, uint32(impostorCut.Unix())), func(e *revocationEntry) bool { return e.Check() == wrong })
			}
			if impostorFirst {
				impostor()
			}
			r.RevokeSubject("victim", cut)
			if !impostorFirst {
				impostor()
			}
			want := cognitojwt.RevokedSubject
			if impostorRefuses {
				want = cognitojwt.NotRevoked
			}
			if got := r.RevocationReason(&cognitojwt.Claims{Subject: "victim", IssuedAt: now.Add(-10 * time.Minute)}); got != want {
				t.Fatalf("impostor refuses %v, first %v: %v, want %v", impostorRefuses, impostorFirst, got, want)
			}
			// The subject's own cut-off, found past the impostor, is
			// taken at its second, as when it is alone under the tag.
			if got := r.RevocationReason(&cognitojwt.Claims{Subject: "victim", IssuedAt: cut}); got != cognitojwt.NotRevoked {
				t.Fatalf("impostor refuses %v, first %v: a token of the cut-off's second: %v", impostorRefuses, impostorFirst, got)
			}
			if got := r.RevocationReason(&cognitojwt.Claims{Subject: "victim", IssuedAt: cut.Add(-time.Second)}); got != cognitojwt.RevokedSubject {
				t.Fatalf("impostor refuses %v, first %v: a token of the second before the cut-off: %v", impostorRefuses, impostorFirst, got)
			}
		}
	}
}

// Two bits of one word per entry keep the filter's false positives, the
// share of unlisted ids sent to the table, under 1% even when it is as
// full as it gets before a rebuild (one bit per entry would send 3%).
func TestRevocationFilterFalsePositives(t *testing.T) {
	r, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10_000 {
		r.RevokeJTI(fmt.Sprint("first-", i))
	}
	// Fill to just below the size that rebuilds the filter.
	words := r.set.Filter().Bits() / 64
	for i := 0; (r.Len()+2)*filterBitsPerEntry <= words*64; i++ {
		r.RevokeJTI(fmt.Sprint("listed-", i))
	}
	if r.set.Filter().Bits()/64 != words {
		t.Fatal("the filter was rebuilt")
	}
	f, h := r.set.Filter(), r.set.Hasher()
	const probes = 200_000
	sent := 0
	for i := range probes {
		if f.Has(h.Tag(kindJTI, fmt.Sprint("unlisted-", i))) {
			sent++
		}
	}
	if rate := float64(sent) / probes; rate > 0.01 {
		t.Fatalf("%.2f%% of unlisted ids pass the filter at %d bits per entry", 100*rate, words*64/r.Len())
	}
}

// Each kind keeps its entries in a table of its own: an id revoked as a
// jti, a family and a subject makes one entry in each, each refuses by
// its own claim only, and one leaving (here the jti, revoked earlier and
// expiring first) leaves the other two in place.
func TestRevocationKindsKeepTablesOfTheirOwn(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{MaxAge: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	r.RevokeJTIAt("id", now.Add(-50*time.Minute))
	r.RevokeFamily("id")
	r.RevokeSubject("id", now)
	for k := range revtab.Kind(revtab.Kinds) {
		if n := r.set.Table(k).Len(); n != 1 {
			t.Fatalf("kind %d holds %d entries, want 1", k, n)
		}
	}
	early := now.Add(-time.Minute)
	for _, tc := range []struct {
		c    cognitojwt.Claims
		want cognitojwt.RevocationReason
	}{
		{cognitojwt.Claims{JWTID: "id", IssuedAt: early}, cognitojwt.RevokedToken},
		{cognitojwt.Claims{OriginJTI: "id", IssuedAt: early}, cognitojwt.RevokedFamily},
		{cognitojwt.Claims{Subject: "id", IssuedAt: early}, cognitojwt.RevokedSubject},
		{cognitojwt.Claims{JWTID: "other", OriginJTI: "other", Subject: "other", IssuedAt: early}, cognitojwt.NotRevoked},
	} {
		if got := r.RevocationReason(&tc.c); got != tc.want {
			t.Fatalf("%+v: %v, want %v", tc.c, got, tc.want)
		}
	}
	now = now.Add(15 * time.Minute)
	r.RevokeJTI("another") // sweeps the expired jti
	if _, ok := r.lookup(kindJTI, idOf(r, kindJTI, "id")); ok {
		t.Fatal("the expired jti is still listed")
	}
	if r.set.Table(kindFamily).Len() != 1 || r.set.Table(kindSubject).Len() != 1 {
		t.Fatalf("the family's and the subject's entries went with the jti: %d, %d", r.set.Table(kindFamily).Len(), r.set.Table(kindSubject).Len())
	}
	if got := r.RevocationReason(&cognitojwt.Claims{JWTID: "id", OriginJTI: "id", IssuedAt: early}); got != cognitojwt.RevokedFamily {
		t.Fatalf("after the jti expired: %v, want %v", got, cognitojwt.RevokedFamily)
	}
}

// A subject's token passes on its filter word's mark only when it was
// issued at or after the latest cut-off of every subject in the word; a
// later cut-off of another subject in the word sends it on to the table,
// which decides by the subject's own. Moving a cut-off forward raises the
// mark with it.
func TestRevocationSubjectMarkOfAWordShared(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	early, late := now.Add(-time.Hour), now
	r.RevokeSubject("a", late)
	r.RevokeSubject("b", early)
	f, b := r.set.Filter(), idOf(r, kindSubject, "b")
	if f.High(b.tag) != uint32(late.Unix()) {
		t.Fatalf("b's word holds mark %d, not a's cut-off: the words are not shared", f.High(b.tag))
	}
	for _, tc := range []struct {
		sub  string
		iat  time.Time
		want cognitojwt.RevocationReason
	}{
		{"b", early.Add(-time.Second), cognitojwt.RevokedSubject},
		{"b", early, cognitojwt.NotRevoked},                  // under the mark: the table decides
		{"b", late.Add(-time.Second), cognitojwt.NotRevoked}, // under the mark: the table decides
		{"b", late, cognitojwt.NotRevoked},                   // at the mark
		{"a", late.Add(-time.Second), cognitojwt.RevokedSubject},
		{"a", late, cognitojwt.NotRevoked},
	} {
		if got := r.RevocationReason(&cognitojwt.Claims{Subject: tc.sub, IssuedAt: tc.iat}); got != tc.want {
			t.Errorf("%s issued %v: %v, want %v", tc.sub, tc.iat.Sub(now), got, tc.want)
		}
	}
	later := now.Add(time.Hour)
	r.RevokeSubject("b", later)
	if got := r.set.Filter().High(b.tag); got < uint32(later.Unix()) {
		t.Fatalf("mark %d below b's moved cut-off", got)
	}
	if got := r.RevocationReason(&cognitojwt.Claims{Subject: "b", IssuedAt: later.Add(-time.Second)}); got != cognitojwt.RevokedSubject {
		t.Fatalf("a token before b's moved cut-off: %v", got)
	}
}

// Through the filter's rebuilds as the list grows, every subject's word
// keeps a mark at or after its cut-off.
func TestRevocationMarksSurviveRebuilds(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	for i := range n {
		r.RevokeSubject(fmt.Sprint("s", i), now.Add(time.Duration(i)*time.Second))
	}
	f := r.set.Filter()
	for i := range n {
		if got, want := f.High(idOf(r, kindSubject, fmt.Sprint("s", i)).tag), uint32(now.Unix())+uint32(i); got < want {
			t.Fatalf("subject %d: mark %d below its cut-off %d", i, got, want)
		}
	}
}
