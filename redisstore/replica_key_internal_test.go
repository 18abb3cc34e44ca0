package redisstore

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/revtab"
)

// replicaKeyed is claims and the key made for them when they were
// cached, perhaps many merges ago.
type replicaKeyed struct {
	c   *cognitojwt.Claims
	key cognitojwt.RevocationKey
}

// A keyed lookup answers as the lookup that hashes, on random replicas
// and tokens: ids listed or not, of every kind, cut-offs on both sides of
// iat, keys made before the merges that now refuse their token, entries
// pruned (the replica empties) and impostors, entries under an id's tag
// with another second hash (what a collision of tags leaves), so that the
// keyed second hashes are the ones compared. Each reason must come up, or
// the comparison proves little.
func TestReplicaKeyedLookupAgreesWithHashing(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	now := time.Unix(1_750_000_000, 0)
	r := newReplica()
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
	around := func() time.Time { return now.Add(time.Duration(rng.IntN(7200)-3600) * time.Second) }
	impostor := func(i revtab.Kind, value string) {
		h := r.hash(i, value)
		moment := around().UnixNano()
		r.set.Filter().Set(h) // as a colliding entry's writer would
		if i == revtab.Subject {
			r.set.Filter().Raise(h, held{moment: moment}.Bound())
		}
		r.set.Table(i).Put(h, newHeld(r.h.Check(i, value)^uint32(1+rng.IntN(1<<16)), fmt.Sprint("impostor-", rng.Uint64()), moment), func(*held) bool { return false })
		r.n.Add(1)
		r.counts[i]++
	}
	var kept []replicaKeyed
	var seen [4]int
	for round := range 400 {
		for range rng.IntN(6) {
			r.add(entry{kind: allKinds[rng.IntN(kinds)], id: ids[rng.IntN(len(ids))], moment: around().UnixNano()})
		}
		if rng.IntN(8) == 0 {
			impostor(revtab.Kind(rng.IntN(kinds)), ids[rng.IntN(len(ids))])
		}
		if rng.IntN(50) == 0 {
			r.prune(now.Add(time.Hour).UnixNano()) // every entry
		}
		for range 20 {
			c := &cognitojwt.Claims{JWTID: id(), OriginJTI: id(), Subject: id(), IssuedAt: around()}
			kept = append(kept, replicaKeyed{c, r.key(c)})
		}
		for i := range kept {
			k := &kept[i]
			want, got := r.reason(k.c), r.reasonKeyed(k.c, &k.key)
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

// A key is trusted only by the replica whose seeds it was made under:
// another replica's key (another list, or this one's instance started
// afresh), the zero key and no key are each answered by hashing, so a
// revoked token is refused whatever key it comes with. A key made before
// any entry stays good through the filter's rebuilds and the replica
// emptying and filling again.
func TestReplicaKeyOfAnotherReplicaIsNotTrusted(t *testing.T) {
	mine, other := newReplica(), newReplica()
	cut := time.Unix(1_750_000_000, 0)
	claims := []*cognitojwt.Claims{
		{JWTID: "jti", IssuedAt: cut.Add(-time.Hour)},
		{OriginJTI: "family", IssuedAt: cut.Add(-time.Hour)},
		{Subject: "sub", IssuedAt: cut.Add(-time.Hour)},
	}
	want := []cognitojwt.RevocationReason{cognitojwt.RevokedToken, cognitojwt.RevokedFamily, cognitojwt.RevokedSubject}
	early := make([]cognitojwt.RevocationKey, len(claims))
	for i, c := range claims {
		early[i] = mine.key(c)
	}
	addAll := func() {
		for _, k := range allKinds {
			id := map[kind]string{kindJTI: "jti", kindFamily: "family", kindSubject: "sub"}[k]
			mine.add(entry{kind: k, id: id, moment: cut.UnixNano()})
		}
	}
	addAll()
	for i := range 5000 { // through the filter's rebuilds
		mine.add(entry{kind: kindJTI, id: fmt.Sprint("filler-", i), moment: cut.UnixNano()})
	}
	check := func(when string) {
		t.Helper()
		for i, c := range claims {
			foreign := other.key(c)
			for name, k := range map[string]*cognitojwt.RevocationKey{
				"another replica's": &foreign, "the zero": {}, "no": nil, "the early": &early[i],
			} {
				if got := mine.reasonKeyed(c, k); got != want[i] {
					t.Errorf("%s: %+v with %s key: %v, want %v", when, c, name, got, want[i])
				}
			}
		}
	}
	check("grown")
	if n := mine.prune(cut.UnixNano()); n != 5003 || mine.len() != 0 {
		t.Fatalf("pruned %d, %d left", n, mine.len())
	}
	addAll()
	check("emptied and filled again")
}

// Keys made before their token's revocation (as a verifier caches a token
// and later sees it revoked) are refused from the moment the merge
// returns, for the writer and for readers it hands them to, while other
// writers grow the replica through its rebuilds and move cut-offs
// forward, and readers look up keys of tokens never revoked. Run under
// -race.
func TestReplicaKeyedHitsSeeConcurrentMerges(t *testing.T) {
	r := newReplica()
	base := time.Now().Truncate(time.Second)
	type merged struct {
		replicaKeyed
		want cognitojwt.RevocationReason
	}
	clean := make([]replicaKeyed, 64)
	for i := range clean {
		c := &cognitojwt.Claims{JWTID: fmt.Sprint("clean-", i), OriginJTI: fmt.Sprint("clean-f-", i), Subject: fmt.Sprint("clean-s-", i), IssuedAt: base}
		clean[i] = replicaKeyed{c, r.key(c)}
	}
	handed := make(chan merged, 64)
	errs := make(chan string, 16)
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range 1500 {
				id := fmt.Sprintf("w%d-%d", w, i)
				m := merged{replicaKeyed: replicaKeyed{c: &cognitojwt.Claims{JWTID: id + "-j", OriginJTI: id + "-f", Subject: id + "-s", IssuedAt: base.Add(-time.Hour)}}}
				m.key = r.key(m.c)
				e := entry{kind: allKinds[i%3], moment: base.UnixNano()}
				e.id = [3]string{m.c.JWTID, m.c.OriginJTI, m.c.Subject}[i%3]
				m.want = [3]cognitojwt.RevocationReason{cognitojwt.RevokedToken, cognitojwt.RevokedFamily, cognitojwt.RevokedSubject}[i%3]
				r.add(e)
				if got := r.reasonKeyed(m.c, &m.key); got != m.want {
					errs <- fmt.Sprintf("%s: %v right after its merge", id, got)
					return
				}
				handed <- m
			}
		})
	}
	writers.Go(func() {
		for i := range 1500 {
			r.add(entry{kind: kindSubject, id: fmt.Sprint("moving-", i%8), moment: base.Add(time.Duration(i) * time.Millisecond).UnixNano()})
		}
	})
	for range 2 {
		readers.Go(func() {
			n := 0
			for m := range handed {
				if got := r.reasonKeyed(m.c, &m.key); got != m.want {
					errs <- fmt.Sprintf("%+v: %v, want %v", m.c, got, m.want)
				}
				k := &clean[n%len(clean)]
				if got := r.reasonKeyed(k.c, &k.key); got != cognitojwt.NotRevoked {
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
