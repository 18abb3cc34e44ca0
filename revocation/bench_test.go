package revocation_test

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"strings"
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

// claimsPool is how many distinct claims a lookup benchmark cycles
// through, so that the filter and the table are read where the ids fall,
// not from one cache line the CPU keeps.
const claimsPool = 4096

// lookupCase is one kind of lookup: the claims it makes for the i-th
// request, and the answer they get.
type lookupCase struct {
	name string
	want cognitojwt.RevocationReason
	make func(i int) *cognitojwt.Claims
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
func BenchmarkRevocationReason(b *testing.B) {
	for _, n := range []int{0, 100_000, 1_000_000} {
		l, ids := filled(b, n)
		issued := time.Now().Add(time.Minute)
		cases := []lookupCase{
			{"miss", cognitojwt.NotRevoked, func(int) *cognitojwt.Claims {
				return &cognitojwt.Claims{JWTID: uuid(), OriginJTI: uuid(), Subject: uuid(), IssuedAt: issued}
			}},
		}
		if n > 0 {
			cases = append(cases,
				lookupCase{"hit-subject", cognitojwt.NotRevoked, func(i int) *cognitojwt.Claims {
					return &cognitojwt.Claims{JWTID: uuid(), OriginJTI: uuid(), Subject: ids[2][i%len(ids[2])], IssuedAt: issued}
				}},
				lookupCase{"hit-jti", cognitojwt.RevokedToken, func(i int) *cognitojwt.Claims {
					return &cognitojwt.Claims{JWTID: ids[0][i%len(ids[0])], OriginJTI: uuid(), Subject: uuid(), IssuedAt: issued}
				}})
		}
		for _, tc := range cases {
			b.Run(fmt.Sprintf("entries=%d/%s", n, tc.name), func(b *testing.B) {
				// A verifier's claims were just decoded from the token: their
				// strings are fresh copies, close together, not the list's ids
				// scattered over a heap of a million others.
				pool := make([]*cognitojwt.Claims, claimsPool)
				for i := range pool {
					c := tc.make(i * 7919)
					c.JWTID, c.OriginJTI, c.Subject = strings.Clone(c.JWTID), strings.Clone(c.OriginJTI), strings.Clone(c.Subject)
					pool[i] = c
				}
				b.ReportAllocs()
				runtime.GC() // the set-up's garbage, not the lookups', is collected now
				cpu0, ok := cputime.Process()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						if l.RevocationReason(pool[i%claimsPool]) != tc.want {
							b.Error("wrong reason")
							return
						}
						i++
					}
				})
				if cpu1, ok1 := cputime.Process(); ok && ok1 {
					b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
				}
			})
		}
		runtime.KeepAlive(l)
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
