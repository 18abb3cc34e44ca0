package cognitojwt

import "testing"

// BenchmarkCacheHitRate reports, as hit-%, what share of lookups the
// verified-token cache answers under three access patterns, at the default
// size with the cache full before the timer starts. One op is one request
// (a lookup, and an insertion on a miss). The rate depends on the
// eviction policy alone, so the requests use synthetic keys and skip the
// RSA verification a miss would cost.
//
//   - uniform: each request picks one of 2 x CacheSize tokens at random;
//     no policy can do better than about 50%.
//   - hot+one-shot: 1,000 hot tokens picked at random, alternating 1:1
//     with tokens never seen before; the rate is that of the hot requests.
//   - scan: 2 x CacheSize distinct tokens presented in turn, over and over,
//     the worst case for any recency-based policy.
func BenchmarkCacheHitRate(b *testing.B) {
	const size = DefaultCacheSize
	b.Run("uniform", func(b *testing.B) {
		s := newCacheSim(size)
		s.fill()
		hits := 0
		b.ResetTimer()
		for range b.N {
			if s.request(s.token(popUniform, uint64(s.rng.IntN(2*size))), false) {
				hits++
			}
		}
		b.ReportMetric(100*float64(hits)/float64(b.N), "hit-%")
	})
	b.Run("hot+one-shot", func(b *testing.B) {
		s := newCacheSim(size)
		s.fill()
		var oneShot uint64
		s.hotAndOneShot(1000, 10_000, &oneShot)
		b.ResetTimer()
		rate := s.hotAndOneShot(1000, b.N, &oneShot)
		b.ReportMetric(100*rate, "hit-%")
	})
	b.Run("scan", func(b *testing.B) {
		s := newCacheSim(size)
		s.fill()
		hits := 0
		b.ResetTimer()
		for i := range b.N {
			if s.request(s.token(popScan, uint64(i%(2*size))), false) {
				hits++
			}
		}
		b.ReportMetric(100*float64(hits)/float64(b.N), "hit-%")
	})
}
