package redisstore

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/revtab"
)

func TestReplicaFilterGrowsAndForgetsPrunedEntries(t *testing.T) {
	r := newReplica()
	const n = 20_000
	for i := range n {
		// Old entries have even moments below n, young ones n and above.
		moment := int64(i) * 1e6
		if i%2 == 1 {
			moment = (n + int64(i)) * 1e6
		}
		r.add(entry{kind: kindFamily, id: fmt.Sprint("f-", i), moment: moment})
	}
	if got := r.len(); got != n {
		t.Fatalf("len %d, want %d", got, n)
	}
	if size := r.set.Filter().Bits(); size < n*bitsPerEntry {
		t.Errorf("filter of %d bits for %d entries", size, n)
	}
	tok := func(origin string) *cognitojwt.Claims { return &cognitojwt.Claims{OriginJTI: origin} }
	for i := range n {
		if r.reason(tok(fmt.Sprint("f-", i))) != cognitojwt.RevokedFamily {
			t.Fatalf("f-%d not refused after the filter grew", i)
		}
	}
	for i := range n {
		if r.reason(tok(fmt.Sprint("other-", i))) != cognitojwt.NotRevoked {
			t.Fatalf("an unlisted family is refused")
		}
	}
	before := r.set.Filter()
	r.prune((n - 1) * 1e6)
	if got := r.len(); got != n/2 {
		t.Fatalf("after prune len %d, want %d", got, n/2)
	}
	if r.set.Filter() == before {
		t.Error("the filter was not rebuilt after half the entries left")
	}
	for i := range n {
		if got, want := r.reason(tok(fmt.Sprint("f-", i))) == cognitojwt.RevokedFamily, i%2 == 1; got != want {
			t.Fatalf("f-%d after prune: revoked %v, want %v", i, got, want)
		}
	}
}

// Two bits of one word per entry, and 32 bits per entry, keep the
// filter's false positives, the share of unlisted ids sent to the sets,
// under 1% even when it is as full as it gets before a rebuild (16 bits
// sent 1.7%, one bit of 16 sent 6%).
func TestReplicaFilterFalsePositives(t *testing.T) {
	r := newReplica()
	for i := range 10_000 {
		r.add(entry{kind: kindJTI, id: fmt.Sprint("first-", i), moment: 1})
	}
	size := r.set.Filter().Bits()
	for i := 0; (r.len()+1)*bitsPerEntry <= size; i++ {
		r.add(entry{kind: kindJTI, id: fmt.Sprint("listed-", i), moment: 1})
	}
	if r.set.Filter().Bits() != size {
		t.Fatal("the filter was rebuilt")
	}
	f := r.set.Filter()
	const probes = 200_000
	sent := 0
	for i := range probes {
		if f.Has(r.hash(revtab.JTI, fmt.Sprint("unlisted-", i))) {
			sent++
		}
	}
	if rate := float64(sent) / probes; rate > 0.01 {
		t.Fatalf("%.2f%% of unlisted ids pass the filter at %d bits per entry", 100*rate, size/r.len())
	}
}

// A lookup matches a slot on the id's second hash as well as its tag: an
// entry under the tag of a token's id but with another id and second hash
// (what a collision of tags leaves in a set) refuses nothing, while the
// writer, which compares ids in full, keeps the two apart.
func TestReplicaSlotMatchesOnBothHashes(t *testing.T) {
	r := newReplica()
	cut := time.Unix(1_700_000_000, 0)
	for _, k := range allKinds {
		i := k.index()
		h := r.hash(i, "victim")
		r.set.Filter().Set(h) // as a colliding entry would have set it
		r.set.Table(i).Put(h, newHeld(r.h.Check(i, "victim")^1, "impostor", cut.UnixNano()), func(*held) bool { return false })
		r.n.Add(1)
		r.counts[i]++
	}
	victim := &cognitojwt.Claims{JWTID: "victim", OriginJTI: "victim", Subject: "victim", IssuedAt: cut.Add(-time.Hour)}
	if got := r.reason(victim); got != cognitojwt.NotRevoked {
		t.Fatalf("a tag without its second hash refuses a token: %v", got)
	}
	if !r.add(entry{kind: kindSubject, id: "victim", moment: cut.UnixNano()}) {
		t.Fatal("the subject's own entry was taken for the impostor's")
	}
	if got := r.reason(victim); got != cognitojwt.RevokedSubject {
		t.Fatalf("the subject's own entry: %v", got)
	}
	if v, ok := r.find(revtab.Subject, "impostor", r.hash(revtab.Subject, "victim")); !ok || v.id() != "impostor" {
		t.Fatal("the impostor's entry is gone or torn")
	}
}

// A subject's slot is told apart from others under its tag whatever their
// cut-offs and whichever slot comes first: one that would let the token
// pass does not hide the subject's own, which refuses it (a lookup that
// skips the second hash on a passing cut-off may do so only when the slot
// is the only one under the tag), and one that would refuse it refuses
// nothing while the subject's own lets it pass.
func TestReplicaSubjectCutoffOfAnotherSlotUnderTheTag(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, impostorRefuses := range []bool{false, true} {
		for _, impostorFirst := range []bool{false, true} {
			r := newReplica()
			cut, impostorCut := now.Add(-time.Minute), now.Add(-time.Hour)
			if impostorRefuses {
				cut, impostorCut = now.Add(-time.Hour), now.Add(time.Hour)
			}
			h := r.hash(revtab.Subject, "victim")
			impostor := func() {
				r.set.Filter().Set(h) // as a colliding entry's writer would
				r.set.Filter().Raise(h, uint32(impostorCut.Unix()))
				r.set.Table(revtab.Subject).Put(h, newHeld(r.h.Check(revtab.Subject, "victim")^1, "impostor", impostorCut.UnixNano()), func(*held) bool { return false })
				r.n.Add(1)
				r.counts[2]++
			}
			if impostorFirst {
				impostor()
			}
			if !r.add(entry{kind: kindSubject, id: "victim", moment: cut.UnixNano()}) {
				t.Fatal("the subject's own entry was taken for the impostor's")
			}
			if !impostorFirst {
				impostor()
			}
			want := cognitojwt.RevokedSubject
			if impostorRefuses {
				want = cognitojwt.NotRevoked
			}
			if got := r.reason(&cognitojwt.Claims{Subject: "victim", IssuedAt: now.Add(-10 * time.Minute)}); got != want {
				t.Fatalf("impostor refuses %v, first %v: %v, want %v", impostorRefuses, impostorFirst, got, want)
			}
			// The subject's own cut-off, found past the impostor, is
			// taken at its second, as when it is alone under the tag.
			if got := r.reason(&cognitojwt.Claims{Subject: "victim", IssuedAt: cut}); got != cognitojwt.NotRevoked {
				t.Fatalf("impostor refuses %v, first %v: a token of the cut-off's second: %v", impostorRefuses, impostorFirst, got)
			}
			if got := r.reason(&cognitojwt.Claims{Subject: "victim", IssuedAt: cut.Add(-time.Second)}); got != cognitojwt.RevokedSubject {
				t.Fatalf("impostor refuses %v, first %v: a token of the second before the cut-off: %v", impostorRefuses, impostorFirst, got)
			}
		}
	}
}

// Two subjects that share both hashes, which the writer keeps apart as it
// compares ids whole, refuse each other's tokens rather than admit them:
// a token is refused when either entry's cut-off refuses it, whichever
// comes first under the tag.
func TestReplicaSubjectCollisionRefuses(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, refusingFirst := range []bool{false, true} {
		r := newReplica()
		h, check := r.hash(revtab.Subject, "victim"), r.h.Check(revtab.Subject, "victim")
		cuts := []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} // passes, then refuses a token of now
		if refusingFirst {
			cuts[0], cuts[1] = cuts[1], cuts[0]
		}
		r.set.Filter().Set(h)
		for i, cut := range cuts {
			r.set.Filter().Raise(h, uint32(cut.Unix())) // as the writer would
			r.set.Table(revtab.Subject).Put(h, newHeld(check, fmt.Sprint("subject-", i), cut.UnixNano()), func(*held) bool { return false })
			r.n.Add(1)
			r.counts[revtab.Subject]++
		}
		if got := r.reason(&cognitojwt.Claims{Subject: "victim", IssuedAt: now}); got != cognitojwt.RevokedSubject {
			t.Fatalf("refusing entry first %v: %v", refusingFirst, got)
		}
		if got := r.reason(&cognitojwt.Claims{Subject: "victim", IssuedAt: now.Add(2 * time.Hour)}); got != cognitojwt.NotRevoked {
			t.Fatalf("refusing entry first %v: a token after both cut-offs: %v", refusingFirst, got)
		}
	}
}

// A token that matches several revocations gets the reason of the first
// in the documented order: its jti, then its family, then its subject;
// an id listed under another kind matches nothing.
func TestReplicaReasonOrder(t *testing.T) {
	r := newReplica()
	cut := time.Unix(1_700_000_000, 0)
	for _, e := range []entry{{kindJTI, "j", cut.UnixNano()}, {kindFamily, "f", cut.UnixNano()}, {kindSubject, "s", cut.UnixNano()}} {
		r.add(e)
	}
	// Each step stops the id that matched from matching, by giving the
	// token an id listed under another kind instead.
	c := cognitojwt.Claims{JWTID: "j", OriginJTI: "f", Subject: "s", IssuedAt: cut.Add(-time.Hour)}
	steps := []struct {
		want cognitojwt.RevocationReason
		next func()
	}{
		{cognitojwt.RevokedToken, func() { c.JWTID = "f" }},
		{cognitojwt.RevokedFamily, func() { c.OriginJTI = "s" }},
		{cognitojwt.RevokedSubject, func() { c.Subject = "j" }},
		{cognitojwt.NotRevoked, func() {}},
	}
	for _, step := range steps {
		if got := r.reason(&c); got != step.want {
			t.Fatalf("%+v: %v, want %v", c, got, step.want)
		}
		step.next()
	}
}

// A replica that holds entries of every kind answers nil claims, claims
// without ids, and iats far from now without a panic: only an id it
// lists refuses a token.
func TestReplicaOddClaims(t *testing.T) {
	r := newReplica()
	for _, k := range allKinds {
		r.add(entry{kind: k, id: string(k), moment: time.Now().UnixNano()})
	}
	if got := r.reason(nil); got != cognitojwt.NotRevoked {
		t.Fatalf("nil claims: %v", got)
	}
	for _, iat := range []time.Time{{}, time.Unix(-1<<40, 0), time.Unix(1<<40, 0)} {
		for _, c := range []cognitojwt.Claims{{IssuedAt: iat}, {JWTID: "s", OriginJTI: "j", Subject: "f", IssuedAt: iat}} {
			if got := r.reason(&c); got != cognitojwt.NotRevoked {
				t.Fatalf("%+v: %v", c, got)
			}
		}
	}
}

func TestReplicaKeepsTheLatestSubjectCutoff(t *testing.T) {
	r := newReplica()
	cut := time.Unix(1_700_000_000, 0)
	if !r.add(entry{kind: kindSubject, id: "s", moment: cut.UnixNano()}) {
		t.Fatal("first add reported no change")
	}
	if r.add(entry{kind: kindSubject, id: "s", moment: cut.Add(-time.Hour).UnixNano()}) {
		t.Error("an earlier cut-off replaced a later one")
	}
	if r.reason(&cognitojwt.Claims{Subject: "s", IssuedAt: cut.Add(-time.Second)}) != cognitojwt.RevokedSubject {
		t.Error("a token issued before the cut-off is admitted")
	}
	if r.reason(&cognitojwt.Claims{Subject: "s", IssuedAt: cut}) != cognitojwt.NotRevoked {
		t.Error("a token issued at the cut-off is refused")
	}
	if r.len() != 1 {
		t.Errorf("len %d, want 1", r.len())
	}
}

func TestDecodeRejectsMalformedMessages(t *testing.T) {
	for _, msg := range []string{"", "j", "j12", "x123 id", "j123", "j123 ", "jabc id", "j 123 id"} {
		if _, ok := decode(msg); ok {
			t.Errorf("decode(%q) accepted", msg)
		}
	}
	e := entry{kind: kindSubject, id: "id with spaces", moment: 42}
	if got, ok := decode(encode(e)); !ok || got != e {
		t.Errorf("round trip: %+v %v", got, ok)
	}
}

// Every entry merged is seen by every lookup that follows it, by the
// writer and by readers it hands the token to, while other writers merge
// entries (growing the sets and the filter through their rebuilds), move
// subjects' cut-offs forward (replacing entries) and prune and bound what
// nobody reads: none is lost, none is torn. Run under -race.
func TestReplicaConcurrentMergesAreNeverLost(t *testing.T) {
	r := newReplica()
	base := time.Now().Truncate(time.Second)
	type merged struct {
		c    *cognitojwt.Claims
		want cognitojwt.RevocationReason
	}
	handed := make(chan merged, 64)
	errs := make(chan string, 16)
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range 3000 {
				e := entry{id: fmt.Sprintf("w%d-%d", w, i), moment: base.UnixNano()}
				m := merged{c: &cognitojwt.Claims{IssuedAt: base.Add(-time.Hour)}}
				switch i % 3 {
				case 0:
					e.kind, m.c.JWTID, m.want = kindJTI, e.id, cognitojwt.RevokedToken
				case 1:
					e.kind, m.c.OriginJTI, m.want = kindFamily, e.id, cognitojwt.RevokedFamily
				default:
					e.kind, m.c.Subject, m.want = kindSubject, e.id, cognitojwt.RevokedSubject
				}
				r.add(e)
				if got := r.reason(m.c); got != m.want {
					errs <- fmt.Sprintf("%s: %v right after its merge", e.id, got)
					return
				}
				handed <- m
			}
		})
	}
	// One more writer moves a few subjects' cut-offs forward, and merges
	// and prunes old entries of a kind nobody reads.
	writers.Go(func() {
		for i := range 3000 {
			r.add(entry{kind: kindSubject, id: fmt.Sprint("moving-", i%8), moment: base.Add(time.Duration(i) * time.Millisecond).UnixNano()})
			r.add(entry{kind: kindFamily, id: fmt.Sprint("old-", i), moment: int64(i) * 1e6})
			if i%100 == 99 {
				r.prune(int64(i) * 1e6)
			}
		}
	})
	for range 2 {
		readers.Go(func() {
			for m := range handed {
				if got := r.reason(m.c); got != m.want {
					errs <- fmt.Sprintf("%+v: %v, want %v", m.c, got, m.want)
				}
			}
		})
	}
	writers.Wait()
	close(handed)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := r.len(); got != 9008 {
		t.Errorf("len %d, want 9008 (the old entries pruned)", got)
	}
	for i := range 8 {
		if r.reason(&cognitojwt.Claims{Subject: fmt.Sprint("moving-", i), IssuedAt: base.Add(time.Second)}) != cognitojwt.RevokedSubject {
			t.Errorf("moving-%d lost its latest cut-off", i)
		}
	}
}

// A subject's token passes on its filter word's mark only when it was
// issued at or after the latest cut-off of every subject in the word; a
// later cut-off of another subject in the word sends it on to the set,
// which decides by the subject's own.
func TestReplicaSubjectMarkOfAWordShared(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	early, late := now.Add(-time.Hour), now
	r := newReplica()
	r.add(entry{kind: kindSubject, id: "a", moment: late.UnixNano()})
	b := ""
	for i := 0; b == ""; i++ {
		// The first id whose word holds a's mark shares a's word.
		if id := fmt.Sprint("b", i); r.set.Filter().High(r.hash(revtab.Subject, id)) == uint32(late.Unix()) {
			b = id
		}
	}
	r.add(entry{kind: kindSubject, id: b, moment: early.UnixNano()})
	for _, tc := range []struct {
		sub  string
		iat  time.Time
		want cognitojwt.RevocationReason
	}{
		{b, early.Add(-time.Second), cognitojwt.RevokedSubject},
		{b, early, cognitojwt.NotRevoked},
		{b, late.Add(-time.Second), cognitojwt.NotRevoked}, // under the mark: the set decides
		{b, late, cognitojwt.NotRevoked},
		{"a", late.Add(-time.Second), cognitojwt.RevokedSubject},
		{"a", late, cognitojwt.NotRevoked},
	} {
		if got := r.reason(&cognitojwt.Claims{Subject: tc.sub, IssuedAt: tc.iat}); got != tc.want {
			t.Errorf("%s issued %v: %v, want %v", tc.sub, tc.iat.Sub(now), got, tc.want)
		}
	}
}

// Cut-offs outside the 32-bit seconds of the filter's marks are compared
// in full by the set: before 1970 the mark is 0, after 2106 it lets no
// token pass, and in both the replica's own rule decides.
func TestReplicaSubjectMarkOutsideItsSeconds(t *testing.T) {
	for _, tc := range []struct {
		name          string
		cut           time.Time
		before, after time.Time
	}{
		{"before 1970", time.Unix(-1000, 0), time.Unix(-1001, 0), time.Unix(-1000, 0)},
		{"after 2106", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2250, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		r := newReplica()
		r.add(entry{kind: kindSubject, id: "s", moment: tc.cut.UnixNano()})
		if got := r.reason(&cognitojwt.Claims{Subject: "s", IssuedAt: tc.before}); got != cognitojwt.RevokedSubject {
			t.Errorf("%s: a token before the cut-off: %v", tc.name, got)
		}
		for _, iat := range []time.Time{tc.after, tc.after.Add(time.Hour)} {
			if got := r.reason(&cognitojwt.Claims{Subject: "s", IssuedAt: iat}); got != cognitojwt.NotRevoked {
				t.Errorf("%s: a token at or after the cut-off: %v", tc.name, got)
			}
		}
	}
}

// A merged cut-off refuses every token issued before it from the moment
// the merge returns, for the writer and for readers it hands the token
// to, while other writers merge later cut-offs of subjects that share
// filter words with it (so that the lookups that pass on a word's mark
// race with the merges that raise it) and grow the replica through the
// filter's rebuilds; readers meanwhile let through tokens issued after
// every cut-off. Run under -race.
func TestReplicaConcurrentCutoffsRefuseEarlierTokens(t *testing.T) {
	r := newReplica()
	base := time.Now().Truncate(time.Second)
	handed := make(chan *cognitojwt.Claims, 64)
	errs := make(chan string, 16)
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range 2000 {
				sub, cut := fmt.Sprintf("w%d-%d", w, i%500), base.Add(time.Duration(i)*time.Second)
				r.add(entry{kind: kindSubject, id: sub, moment: cut.UnixNano()})
				before := &cognitojwt.Claims{Subject: sub, IssuedAt: cut.Add(-time.Second)}
				if got := r.reason(before); got != cognitojwt.RevokedSubject {
					errs <- fmt.Sprintf("%s: a token before its cut-off %v right after the merge", sub, got)
					return
				}
				handed <- before
			}
		})
	}
	after := base.Add(time.Hour)
	for range 2 {
		readers.Go(func() {
			for c := range handed {
				if got := r.reason(c); got != cognitojwt.RevokedSubject {
					errs <- fmt.Sprintf("%s: a token before its cut-off %v", c.Subject, got)
				}
				if got := r.reason(&cognitojwt.Claims{Subject: c.Subject, IssuedAt: after}); got != cognitojwt.NotRevoked {
					errs <- fmt.Sprintf("%s: a token after every cut-off %v", c.Subject, got)
				}
			}
		})
	}
	writers.Wait()
	close(handed)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := r.len(); got != 1500 {
		t.Errorf("len %d, want 1500", got)
	}
}
