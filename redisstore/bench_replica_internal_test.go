package redisstore

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt"
)

// idLen is the length of the ids randomID makes, as Cognito's jti and
// origin_jti are.
const idLen = 36

// randomID returns a random 36-character id from rng.
func randomID(rng *rand.Rand) string {
	var b [idLen / 2]byte
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v >> (8 * (j - i)))
		}
	}
	return hex.EncodeToString(b[:])
}

// filledReplica returns a replica of n entries, a third of each kind, of
// ids from a generator seeded with seed, and the live heap it takes per
// entry (the ids' bytes included, as a replica holds them). The k-th id
// of the generator is the entry of kind k%kinds.
func filledReplica(n int, seed uint64) (*replica, float64) {
	before := liveHeap()
	r := newReplica()
	now := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range n {
		r.add(entry{kind: allKinds[i%kinds], id: randomID(rng), moment: now})
	}
	after := liveHeap()
	return r, float64(int64(after)-int64(before)) / float64(n)
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// requests lays out, one request after another, the jti, origin_jti and
// sub of count requests in one string, as a verifier's decoded payloads
// have them: a lookup reads its claims' ids from bytes just written, not
// from the replica's strings. The request's id of kind listed (if any)
// is, in turn, each of the replica's ids of that kind, regenerated from
// its seed; the others are fresh.
func requests(n int, seed uint64, listed kind, count int) string {
	var b strings.Builder
	b.Grow(count * kinds * idLen)
	fresh := rand.New(rand.NewPCG(seed+1, seed+1))
	var rng *rand.Rand
	drawn := 0 // of rng's ids: the k-th is of kind k%kinds
	for i := range count {
		if i%max(1, n/kinds) == 0 {
			rng, drawn = rand.New(rand.NewPCG(seed, seed)), 0
		}
		var ids [kinds]string
		for k := range kinds {
			ids[k] = randomID(fresh)
		}
		for listed != 0 && n > 0 {
			// Draw the generator's ids up to the next of the kind.
			id := randomID(rng)
			if drawn++; allKinds[(drawn-1)%kinds] == listed {
				ids[listed.index()] = id
				break
			}
		}
		for _, id := range ids {
			b.WriteString(id)
		}
	}
	return b.String()
}

// BenchmarkReplicaReason is what the replica adds to every verification,
// at 100,000 and 1,000,000 entries (a third of each kind), on claims with
// jti, origin_jti, sub and iat set as Cognito's access tokens have them:
//
//   - miss: no entry matches.
//   - hit-jti: the token's jti is listed and it is refused.
//   - hit-family: the token's origin_jti is listed and it is refused.
//   - hit-subject: the token's subject has an earlier cut-off and the
//     token passes (a user refreshed after an account change: every
//     request of that user until the entry expires).
//
// Each goroutine hands the replica what Verify hands it: one Claims of
// its own, hot in its cache, whose ids it sets for each request from ids
// laid out one request after another and read in order, as a payload
// just decoded is (revocation's BenchmarkRevocationReason does the same).
// The requests carry 4,096 distinct tokens (active=4096: the tokens a
// service has in use, whose lines the caches keep) or as many as the
// replica holds ids of a kind (active=all: every line from memory), as in
// revocation's benchmark.
//
// B/entry is the replica's live heap per entry, ids included.
func BenchmarkReplicaReason(b *testing.B) {
	const seed = 20
	for _, n := range []int{100_000, 1_000_000} {
		r, perEntry := filledReplica(n, seed)
		issued := time.Now().Add(time.Minute)
		for _, tc := range replicaCases {
			for _, a := range replicaActive(n) {
				reqs := requests(n, seed, tc.listed, a.count)
				b.Run(fmt.Sprintf("entries=%d/%s/active=%s", n, tc.name, a.name), func(b *testing.B) {
					lookups(b, reqs, issued, tc.want, r.reason)
					b.ReportMetric(perEntry, "B/entry")
				})
			}
		}
		runtime.KeepAlive(r)
	}
}

// replicaCases are the lookups the replica's benchmarks time: the id of
// the kind listed (none for a miss) is an entry's.
var replicaCases = []struct {
	name   string
	want   cognitojwt.RevocationReason
	listed kind
}{
	{"miss", cognitojwt.NotRevoked, 0},
	{"hit-jti", cognitojwt.RevokedToken, kindJTI},
	{"hit-family", cognitojwt.RevokedFamily, kindFamily},
	{"hit-subject", cognitojwt.NotRevoked, kindSubject},
}

// activeSet is how many distinct tokens a benchmark's requests carry.
type activeSet struct {
	name  string
	count int
}

// replicaActive are the active sets for a replica of n entries: 4,096
// tokens in use, or as many as it holds ids of a kind.
func replicaActive(n int) []activeSet { return []activeSet{{"4096", 4096}, {"all", n / kinds}} }

// lookups runs reason on every goroutine over reqs, each goroutine
// starting at a request of its own, and reports cpu-ns/op.
func lookups(b *testing.B, reqs string, issued time.Time, want cognitojwt.RevocationReason, reason func(*cognitojwt.Claims) cognitojwt.RevocationReason) {
	const size = kinds * idLen
	count := len(reqs) / size
	var started atomic.Int64
	b.ReportAllocs()
	runtime.GC() // the set-up's garbage, not the lookups', is collected now
	cpu0, ok := cputime.Process()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var c cognitojwt.Claims
		c.IssuedAt = issued
		at := int(started.Add(7919)) % count * size
		for pb.Next() {
			q := reqs[at : at+size]
			c.JWTID, c.OriginJTI, c.Subject = q[:idLen], q[idLen:2*idLen], q[2*idLen:]
			if reason(&c) != want {
				b.Error("wrong reason")
				return
			}
			if at += size; at == len(reqs) {
				at = 0
			}
		}
	})
	if cpu1, ok1 := cputime.Process(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkReplicaReasonKeyed is BenchmarkReplicaReason at a million
// entries as a Verifier's cache hit asks it: with the token's
// RevocationKey, made when the token was cached and kept beside its
// claims, so that the lookup reads the filter and at most a line of a set
// and hashes nothing. Its cases are BenchmarkReplicaReason's; each
// request's key is laid out beside the others, in the requests' order.
func BenchmarkReplicaReasonKeyed(b *testing.B) {
	const seed, n = 20, 1_000_000
	r, _ := filledReplica(n, seed)
	issued := time.Now().Add(time.Minute)
	for _, tc := range replicaCases {
		for _, a := range replicaActive(n) {
			reqs := requests(n, seed, tc.listed, a.count)
			keys := make([]cognitojwt.RevocationKey, a.count)
			for i := range keys {
				q := reqs[i*kinds*idLen:]
				keys[i] = r.key(&cognitojwt.Claims{JWTID: q[:idLen], OriginJTI: q[idLen : 2*idLen], Subject: q[2*idLen : 3*idLen]})
			}
			b.Run(fmt.Sprintf("entries=%d/%s/active=%s", n, tc.name, a.name), func(b *testing.B) {
				keyedLookups(b, reqs, keys, issued, tc.want, r.reasonKeyed)
			})
		}
	}
	runtime.KeepAlive(r)
}

// keyedLookups is lookups for a keyed lookup: the i-th request comes with
// keys[i].
func keyedLookups(b *testing.B, reqs string, keys []cognitojwt.RevocationKey, issued time.Time, want cognitojwt.RevocationReason, reason func(*cognitojwt.Claims, *cognitojwt.RevocationKey) cognitojwt.RevocationReason) {
	const size = kinds * idLen
	var started atomic.Int64
	b.ReportAllocs()
	runtime.GC()
	cpu0, ok := cputime.Process()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var c cognitojwt.Claims
		c.IssuedAt = issued
		i := int(started.Add(7919)) % len(keys)
		for pb.Next() {
			q := reqs[i*size : (i+1)*size]
			c.JWTID, c.OriginJTI, c.Subject = q[:idLen], q[idLen:2*idLen], q[2*idLen:]
			if reason(&c, &keys[i]) != want {
				b.Error("wrong reason")
				return
			}
			if i++; i == len(keys) {
				i = 0
			}
		}
	})
	if cpu1, ok1 := cputime.Process(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
