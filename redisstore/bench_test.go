package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
)

// BenchmarkRevoked measures the hot-path cost of the local replica, empty
// and with 100,000 entries of each kind, for an admitted token: one that
// no entry names (the common case), and one whose subject is listed but
// issued after the cut-off (every lookup and the comparison run).
func BenchmarkRevoked(b *testing.B) {
	srv := startRedisB(b)
	tokens := []struct {
		name string
		c    *cognitojwt.Claims
	}{
		{"unlisted", claims("sub-x", "jti-x", "family-x", time.Now())},
		{"subject-listed", claims("s-5", "jti-x", "family-x", time.Now().Add(time.Hour))},
	}
	for _, n := range []int{0, 100_000} {
		rdb := newClient(b, srv.Addr(), fmt.Sprint("bench", n))
		fill(b, rdb, n)
		r := newStore(b, rdb)
		if r.Len() != 3*n {
			b.Fatalf("replica holds %d entries, want %d", r.Len(), 3*n)
		}
		for _, tok := range tokens {
			b.Run(fmt.Sprint("entries=", n, "/", tok.name), func(b *testing.B) {
				b.ReportAllocs()
				cpu0, ok := cputime.Process()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if r.Revoked(tok.c) {
							b.Fatal("revoked")
						}
					}
				})
				if cpu1, ok1 := cputime.Process(); ok && ok1 {
					b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
				}
			})
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// fill puts n entries of each kind straight into Redis.
func fill(b *testing.B, rdb *redis.Client, n int) {
	ctx := context.Background()
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		b.Fatal(err)
	}
	now := float64(time.Now().UnixMilli())
	for _, k := range []string{"j", "f", "s"} {
		members := make([]redis.Z, n)
		for i := range members {
			members[i] = redis.Z{Score: now, Member: fmt.Sprint(k, "-", i)}
		}
		for len(members) > 0 {
			chunk := members[:min(len(members), 10_000)]
			members = members[len(chunk):]
			if err := rdb.ZAdd(ctx, "{cognitojwt:revocations}:"+k, chunk...).Err(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
