package revocation

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/revtab"
)

// keyedCase is claims and the key made for them when they were cached,
// perhaps many revocations ago.
type keyedCase struct {
	c   *cognitojwt.Claims
	key cognitojwt.RevocationKey
}

// A keyed lookup answers as the lookup that hashes, on random lists and
// tokens: ids listed or not, of every kind, cut-offs on both sides of
// iat, keys made before the revocations that now refuse their token,
// entries that expire (the list empties and its filter goes) and
// impostors, entries under an id's tag with another second hash (what a
// collision of tags leaves), so that the keyed second hashes are the ones
// compared. Each reason must come up, or the comparison proves little.
func TestKeyedLookupAgreesWithHashing(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{MaxAge: 30 * time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%d-%d", i, rng.Uint64())
	}
	id := func() string {
		switch rng.IntN(4) {
		case 0:
			return ""
		case 1:
			return fmt.Sprint("unlisted-", rng.Uint64())
		}
		return ids[rng.IntN(len(ids))]
	}
	impostor := func(kind revtab.Kind, value string) {
		id := idOf(r, kind, value)
		wrong, st := id.check^uint32(1+rng.IntN(1<<16)), uint32(now.Add(time.Duration(rng.IntN(7200)-3600)*time.Second).Unix())
		r.set.Filter().Set(id.tag) // as a colliding entry's writer would
		if kind == kindSubject {
			r.set.Filter().Raise(id.tag, st)
		}
		r.set.Table(kind).Put(id.tag, newEntry(wrong, st), func(e *revocationEntry) bool { return e.Check() == wrong })
	}
	var kept []keyedCase
	var seen [4]int
	for round := range 400 {
		for range rng.IntN(6) {
			v := ids[rng.IntN(len(ids))]
			switch rng.IntN(3) {
			case 0:
				r.RevokeJTI(v)
			case 1:
				r.RevokeFamily(v)
			default:
				r.RevokeSubject(v, now.Add(time.Duration(rng.IntN(7200)-3600)*time.Second))
			}
		}
		if r.set.Filter() != nil && rng.IntN(8) == 0 {
			impostor(revtab.Kind(rng.IntN(revtab.Kinds)), ids[rng.IntN(len(ids))])
		}
		for range 20 {
			c := &cognitojwt.Claims{JWTID: id(), OriginJTI: id(), Subject: id(), IssuedAt: now.Add(time.Duration(rng.IntN(7200)-3600) * time.Second)}
			kept = append(kept, keyedCase{c, r.RevocationKey(c)})
		}
		for i := range kept {
			k := &kept[i]
			want, got := r.RevocationReason(k.c), r.RevocationReasonKeyed(k.c, &k.key)
			if got != want {
				t.Fatalf("seed %d, round %d: %+v: keyed %v, hashed %v", seed, round, k.c, got, want)
			}
			seen[want]++
		}
		if len(kept) > 400 {
			kept = kept[len(kept)-400:]
		}
		now = now.Add(time.Duration(rng.IntN(90)) * time.Second)
	}
	for reason, n := range seen {
		if n == 0 {
			t.Fatalf("seed %d: no case answered %v", seed, cognitojwt.RevocationReason(reason))
		}
	}
}

// A key is trusted only by the list, and the seeds, it was made under:
// another list's key, one made before the list drew new seeds, the zero
// key and no key are each answered by hashing, so a revoked token is
// refused whatever key it comes with. A key made before the list's first
// entry, which drew the seeds, stays good through the filter's rebuilds
// and the list emptying and filling again.
func TestKeyOfAnotherListOrSeedsIsNotTrusted(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	clk := func() time.Time { return now }
	mine, err := New(Config{MaxAge: time.Hour, Now: clk})
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(Config{MaxAge: time.Hour, Now: clk})
	if err != nil {
		t.Fatal(err)
	}
	claims := []*cognitojwt.Claims{
		{JWTID: "jti", IssuedAt: now.Add(-time.Hour)},
		{OriginJTI: "family", IssuedAt: now.Add(-time.Hour)},
		{Subject: "sub", IssuedAt: now.Add(-time.Hour)},
	}
	want := []cognitojwt.RevocationReason{cognitojwt.RevokedToken, cognitojwt.RevokedFamily, cognitojwt.RevokedSubject}
	early := make([]cognitojwt.RevocationKey, len(claims))
	for i, c := range claims {
		early[i] = mine.RevocationKey(c) // before any entry: it draws the seeds
	}
	revokeAll := func() {
		mine.RevokeJTI("jti")
		mine.RevokeFamily("family")
		mine.RevokeSubject("sub", now)
	}
	revokeAll()
	for i := range 5000 { // through the filter's rebuilds
		mine.RevokeJTI(fmt.Sprint("filler-", i))
	}
	check := func(when string) {
		t.Helper()
		for i, c := range claims {
			foreign := other.RevocationKey(c)
			for name, k := range map[string]*cognitojwt.RevocationKey{
				"another list's": &foreign, "the zero": {}, "no": nil, "the early": &early[i],
			} {
				if got := mine.RevocationReasonKeyed(c, k); got != want[i] {
					t.Errorf("%s: %+v with %s key: %v, want %v", when, c, name, got, want[i])
				}
			}
		}
	}
	check("grown")
	now = now.Add(2 * time.Hour)
	mine.RevokeJTI("after every entry expired")
	if mine.Len() != 1 {
		t.Fatalf("%d entries, want 1", mine.Len())
	}
	revokeAll()
	check("emptied and filled again")

	// New seeds, as a set made afresh has: the keys made under the old
	// ones hash to other tags and would miss what the list now holds.
	mine.set = revtab.Set[revocationEntry]{}
	mine.queue, mine.head, mine.stale = nil, 0, 0
	revokeAll()
	check("reseeded")
}

// Keys made before their token's revocation (as a verifier caches a token
// and later sees it revoked) are refused from the moment the revocation
// returns, for the writer and for readers it hands them to, while other
// writers grow the list through its rebuilds and move cut-offs forward,
// and readers look up keys of tokens never revoked. Run under -race.
func TestKeyedHitsSeeConcurrentRevocations(t *testing.T) {
	list, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().Truncate(time.Second)
	type revoked struct {
		keyedCase
		want cognitojwt.RevocationReason
	}
	clean := make([]keyedCase, 64)
	for i := range clean {
		c := &cognitojwt.Claims{JWTID: fmt.Sprint("clean-", i), OriginJTI: fmt.Sprint("clean-f-", i), Subject: fmt.Sprint("clean-s-", i), IssuedAt: base}
		clean[i] = keyedCase{c, list.RevocationKey(c)}
	}
	handed := make(chan revoked, 64)
	errs := make(chan string, 16)
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range 1500 {
				id := fmt.Sprintf("w%d-%d", w, i)
				r := revoked{keyedCase: keyedCase{c: &cognitojwt.Claims{JWTID: id + "-j", OriginJTI: id + "-f", Subject: id + "-s", IssuedAt: base.Add(-time.Hour)}}}
				r.key = list.RevocationKey(r.c)
				switch i % 3 {
				case 0:
					list.RevokeJTI(r.c.JWTID)
					r.want = cognitojwt.RevokedToken
				case 1:
					list.RevokeFamily(r.c.OriginJTI)
					r.want = cognitojwt.RevokedFamily
				default:
					list.RevokeSubject(r.c.Subject, base)
					r.want = cognitojwt.RevokedSubject
				}
				if got := list.RevocationReasonKeyed(r.c, &r.key); got != r.want {
					errs <- fmt.Sprintf("%s: %v right after its revocation", id, got)
					return
				}
				handed <- r
			}
		})
	}
	writers.Go(func() {
		for i := range 1500 {
			list.RevokeSubject(fmt.Sprint("moving-", i%8), base.Add(time.Duration(i)*time.Millisecond))
		}
	})
	for range 2 {
		readers.Go(func() {
			n := 0
			for r := range handed {
				if got := list.RevocationReasonKeyed(r.c, &r.key); got != r.want {
					errs <- fmt.Sprintf("%+v: %v, want %v", r.c, got, r.want)
				}
				k := &clean[n%len(clean)]
				if got := list.RevocationReasonKeyed(k.c, &k.key); got != cognitojwt.NotRevoked {
					errs <- fmt.Sprintf("%+v, never revoked: %v", k.c, got)
				}
				n++
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
}
