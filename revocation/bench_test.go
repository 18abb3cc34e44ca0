package revocation_test

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// uuid returns a random id of Cognito's form (36 characters).
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// filled returns a list of n entries, a third of each kind, and the ids
// it holds: jtis, families and subjects.
func filled(b *testing.B, n int) (*revocation.List, [3][]string) {
	b.Helper()
	l, err := revocation.New(revocation.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var ids [3][]string
	now := time.Now()
	for i := range n {
		id := uuid()
		ids[i%3] = append(ids[i%3], id)
		switch i % 3 {
		case 0:
			l.RevokeJTI(id)
		case 1:
			l.RevokeFamily(id)
		default:
			l.RevokeSubject(id, now)
		}
	}
	return l, ids
}

// idLen is the length of Cognito's ids, and of the ones uuid makes.
const idLen = 36

// requests lays out, one request after another, the jti, origin_jti and
// sub of count requests, the i-th made by ids(i), in one string, as a
// verifier's decoded payloads have them: a lookup reads its claims' ids
// from bytes just written, not from strings scattered over the heap.
func requests(count int, ids func(i int) [3]string) string {
	var b strings.Builder
	b.Grow(count * 3 * idLen)
	for i := range count {
		for _, id := range ids(i) {
			if len(id) != idLen {
				panic("an id of another length")
			}
			b.WriteString(id)
		}
	}
	return b.String()
}

// lookupCase is one kind of lookup: the ids of the i-th request, and the
// answer they get.
type lookupCase struct {
	name string
	want cognitojwt.RevocationReason
	ids  func(i int) [3]string
}

// BenchmarkRevocationReason is what a list adds to every verification,
// cache hits included: the call Verify makes, on claims with jti,
// origin_jti, sub and iat set as Cognito's access tokens have them.
//
//   - miss: no entry matches.
//   - hit-subject: the token's subject has an earlier cut-off and the
//     token passes (a user refreshed after an account change: every
//     request of that user until the entry expires).
//   - hit-jti: the token's jti is listed and it is refused.
//
// Each goroutine hands the list what Verify hands it: one Claims of its
// own, hot in its cache, whose ids it sets for each request from ids laid
// out one request after another and read in order, as a payload just
// decoded is. How many distinct tokens the requests carry is the
// activeSets dimension: 4,096 tokens in use, whose lines the caches keep,
// or every request a token of its own, whose lines come from memory.
func BenchmarkRevocationReason(b *testing.B) {
	for _, n := range []int{0, 100_000, 1_000_000} {
		l, ids := filled(b, n)
		issued := time.Now().Add(time.Minute)
		fresh := func(int) [3]string { return [3]string{uuid(), uuid(), uuid()} }
		cases := []lookupCase{{"miss", cognitojwt.NotRevoked, fresh}}
		if n > 0 {
			cases = append(cases,
				lookupCase{"hit-subject", cognitojwt.NotRevoked, func(i int) [3]string {
					return [3]string{uuid(), uuid(), ids[2][i%len(ids[2])]}
				}},
				lookupCase{"hit-jti", cognitojwt.RevokedToken, func(i int) [3]string {
					return [3]string{ids[0][i%len(ids[0])], uuid(), uuid()}
				}})
		}
		for _, tc := range cases {
			for _, a := range activeSets {
				reqs := requests(a.count(max(n/3, 1<<14)), tc.ids)
				b.Run(fmt.Sprintf("entries=%d/%s/active=%s", n, tc.name, a.name), func(b *testing.B) {
					lookups(b, reqs, issued, tc.want, l.RevocationReason)
				})
			}
		}
		runtime.KeepAlive(l)
	}
}

// activeSets are how many distinct tokens a benchmark's requests carry.
// A service's requests come from the tokens in use at the moment, each
// presented again and again, so the lines of the filter and the tables
// those tokens' ids fall on stay in the CPU's caches as the claims do:
// active=4096 models that. active=all gives every request ids of its own,
// as many as the list holds of a kind, so that nearly every line a lookup
// reads comes from memory: the bound for a service whose requests never
// repeat a token.
var activeSets = []struct {
	name  string
	count func(all int) int
}{
	{"4096", func(int) int { return 4096 }},
	{"all", func(all int) int { return all }},
}

// lookups runs reason on every goroutine over reqs, each goroutine
// starting at a request of its own, and reports cpu-ns/op.
func lookups(b *testing.B, reqs string, issued time.Time, want cognitojwt.RevocationReason, reason func(*cognitojwt.Claims) cognitojwt.RevocationReason) {
	const size = 3 * idLen
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
			r := reqs[at : at+size]
			c.JWTID, c.OriginJTI, c.Subject = r[:idLen], r[idLen:2*idLen], r[2*idLen:]
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

// BenchmarkListMemory reports the live heap a list of 1,000,000 entries
// (a third of each kind, 36-character ids) takes per entry, once the ids
// themselves are garbage: the list keeps hashes, not strings. One op is
// one revocation.
func BenchmarkListMemory(b *testing.B) {
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid()
	}
	var bytes, entries float64
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += n {
		b.StopTimer()
		before := liveHeap()
		l, err := revocation.New(revocation.Config{})
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		b.StartTimer()
		for i, id := range ids[:min(n, b.N-done)] {
			switch i % 3 {
			case 0:
				l.RevokeJTI(id)
			case 1:
				l.RevokeFamily(id)
			default:
				l.RevokeSubject(id, now)
			}
		}
		b.StopTimer()
		after := liveHeap()
		if l.Len() == n {
			bytes += float64(int64(after) - int64(before))
			entries += n
		}
		runtime.KeepAlive(l)
		b.StartTimer()
	}
	if entries > 0 {
		b.ReportMetric(bytes/entries, "B/entry")
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkRevocationReasonKeyed is BenchmarkRevocationReason at a
// million entries as a Verifier's cache hit asks it: with the token's
// RevocationKey, made when the token was cached and kept beside its
// claims, so that the lookup reads the filter and at most a table line
// and hashes nothing. Its cases are BenchmarkRevocationReason's and
// hit-family (the token's origin_jti is listed and it is refused); each
// request's key is laid out beside the others, in the requests' order.
func BenchmarkRevocationReasonKeyed(b *testing.B) {
	const n = 1_000_000
	l, ids := filled(b, n)
	issued := time.Now().Add(time.Minute)
	for _, tc := range []lookupCase{
		{"miss", cognitojwt.NotRevoked, func(int) [3]string { return [3]string{uuid(), uuid(), uuid()} }},
		{"hit-subject", cognitojwt.NotRevoked, func(i int) [3]string { return [3]string{uuid(), uuid(), ids[2][i%len(ids[2])]} }},
		{"hit-jti", cognitojwt.RevokedToken, func(i int) [3]string { return [3]string{ids[0][i%len(ids[0])], uuid(), uuid()} }},
		{"hit-family", cognitojwt.RevokedFamily, func(i int) [3]string { return [3]string{uuid(), ids[1][i%len(ids[1])], uuid()} }},
	} {
		for _, a := range activeSets {
			reqs := requests(a.count(n/3), tc.ids)
			keys := make([]cognitojwt.RevocationKey, len(reqs)/(3*idLen))
			for i := range keys {
				r := reqs[i*3*idLen:]
				keys[i] = l.RevocationKey(&cognitojwt.Claims{JWTID: r[:idLen], OriginJTI: r[idLen : 2*idLen], Subject: r[2*idLen : 3*idLen]})
			}
			b.Run(fmt.Sprintf("entries=%d/%s/active=%s", n, tc.name, a.name), func(b *testing.B) {
				keyedLookups(b, reqs, keys, issued, tc.want, l.RevocationReasonKeyed)
			})
		}
	}
	runtime.KeepAlive(l)
}

// keyedLookups is lookups for a keyed lookup: the i-th request comes with
// keys[i].
func keyedLookups(b *testing.B, reqs string, keys []cognitojwt.RevocationKey, issued time.Time, want cognitojwt.RevocationReason, reason func(*cognitojwt.Claims, *cognitojwt.RevocationKey) cognitojwt.RevocationReason) {
	const size = 3 * idLen
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
			r := reqs[i*size : (i+1)*size]
			c.JWTID, c.OriginJTI, c.Subject = r[:idLen], r[idLen:2*idLen], r[2*idLen:]
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
