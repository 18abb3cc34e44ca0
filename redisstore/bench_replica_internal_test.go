package redisstore

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt"
)

// benchPool is how many distinct claims a lookup benchmark cycles
// through, so that the filter and the table are read where the ids fall,
// not from one cache line the CPU keeps.
const benchPool = 4096

// randomID returns a fresh 36-character id, as Cognito's jti and
// origin_jti are.
func randomID() string {
	var b [18]byte
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v >> (8 * (j - i)))
		}
	}
	return hex.EncodeToString(b[:])
}

// filledReplica returns a replica of n entries, a third of each kind,
// benchPool ids of each kind spread evenly over the order they were added
// in (so that their bytes lie all over the heap, as a long-lived list's
// do), and the live heap it takes per entry (the ids' bytes included, as
// a replica holds them).
func filledReplica(n int) (*replica, [kinds][]string, float64) {
	var hits [kinds][]string
	before := liveHeap()
	r := newReplica()
	now := time.Now().UnixNano()
	stride := max(1, n/kinds/benchPool)
	for i := range n {
		k := i % kinds
		id := randomID()
		if len(hits[k]) < benchPool && (i/kinds)%stride == 0 {
			hits[k] = append(hits[k], id)
		}
		r.add(entry{kind: allKinds[k], id: id, moment: now})
	}
	after := liveHeap()
	return r, hits, float64(int64(after)-int64(before)) / float64(n)
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkReplicaReason is what the replica adds to every verification,
// at 100,000 and 1,000,000 entries (a third of each kind), on claims with
// jti, origin_jti, sub and iat set as Cognito's access tokens have them:
//
//   - miss: no entry matches.
//   - hit-jti: the token's jti is listed and it is refused.
//   - hit-subject: the token's subject has an earlier cut-off and the
//     token passes (a user refreshed after an account change: every
//     request of that user until the entry expires).
//
// B/entry is the replica's live heap per entry, ids included.
func BenchmarkReplicaReason(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		r, hits, perEntry := filledReplica(n)
		issued := time.Now().Add(time.Minute)
		cases := []struct {
			name string
			want cognitojwt.RevocationReason
			make func(i int) *cognitojwt.Claims
		}{
			{"miss", cognitojwt.NotRevoked, func(int) *cognitojwt.Claims {
				return &cognitojwt.Claims{JWTID: randomID(), OriginJTI: randomID(), Subject: randomID(), IssuedAt: issued}
			}},
			{"hit-jti", cognitojwt.RevokedToken, func(i int) *cognitojwt.Claims {
				return &cognitojwt.Claims{JWTID: hits[0][i], OriginJTI: randomID(), Subject: randomID(), IssuedAt: issued}
			}},
			{"hit-subject", cognitojwt.NotRevoked, func(i int) *cognitojwt.Claims {
				return &cognitojwt.Claims{JWTID: randomID(), OriginJTI: randomID(), Subject: hits[2][i], IssuedAt: issued}
			}},
		}
		for _, tc := range cases {
			b.Run(fmt.Sprintf("entries=%d/%s", n, tc.name), func(b *testing.B) {
				// A verifier's claims were just decoded from the token: their
				// strings are fresh copies, close together, not the
				// replica's ids scattered over a heap of a million others
				// (as revocation's BenchmarkRevocationReason has them).
				pool := make([]*cognitojwt.Claims, benchPool)
				for i := range pool {
					c := tc.make(i)
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
						if r.reason(pool[i%benchPool]) != tc.want {
							b.Error("wrong reason")
							return
						}
						i++
					}
				})
				if cpu1, ok1 := cputime.Process(); ok && ok1 {
					b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
				}
				b.ReportMetric(perEntry, "B/entry")
			})
		}
		runtime.KeepAlive(r)
	}
}
