package cognitojwt

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// cacheSim drives a tokenCache with synthetic keys, as Verify would (a
// lookup, then an insertion on a miss), to measure what the eviction
// policy keeps. The hashes stand in for maphash outputs, which are
// uniformly random, so the policy sees what real traffic would show it.
type cacheSim struct {
	c    *tokenCache
	keys *jwksSource
	pub  *publicKey
	now  time.Time
	rng  *rand.Rand
}

func newCacheSim(size int) *cacheSim {
	pub := &publicKey{kid: "k"}
	now := time.Unix(1_750_000_000, 0)
	keys := &jwksSource{refresh: time.Hour}
	keys.set.Store(&keySet{keys: map[string]*publicKey{"k": pub}, fetched: now})
	return &cacheSim{
		c:    newTokenCache(size),
		keys: keys,
		pub:  pub,
		now:  now,
		rng:  rand.New(rand.NewPCG(1, 2)),
	}
}

// simToken is a synthetic token: its bytes and its hash.
type simToken struct {
	hash uint64
	raw  string
}

// token returns the i-th distinct token of population p.
func (s *cacheSim) token(p, i uint64) simToken {
	return simToken{hash: rand.New(rand.NewPCG(p, i)).Uint64(), raw: fmt.Sprint(p, ".", i)}
}

// request looks k up and caches it on a miss; it reports a hit. A hot
// token is one a client has used for a while, so it expires before the
// tokens that arrive fresh: an eviction by expiry takes the hot ones.
func (s *cacheSim) request(k simToken, hot bool) bool {
	if s.c.get(k.hash, k.raw, s.now, s.keys) != nil {
		return true
	}
	life := time.Hour
	if hot {
		life = 30 * time.Minute
	}
	claims := &Claims{KeyID: "k", ExpiresAt: s.now.Add(life)}
	s.c.put(k.hash, k.raw, claims, time.Time{}, claims.ExpiresAt, s.pub, s.now)
	return false
}

// Populations of synthetic tokens.
const (
	popFill = iota + 1
	popHot
	popOneShot
	popUniform
	popScan
)

// fill brings the cache to capacity with tokens nobody presents again.
func (s *cacheSim) fill() {
	for i := range uint64(2 * len(s.c.slots)) {
		s.request(s.token(popFill, i), false)
	}
}

// hotAndOneShot presents n requests, alternately one of hot tokens chosen
// at random and a token never seen before, and returns the hit rate of
// the hot requests.
func (s *cacheSim) hotAndOneShot(hot, n int, oneShot *uint64) float64 {
	hits := 0
	for range n {
		s.request(s.token(popOneShot, *oneShot), false)
		*oneShot++
		if s.request(s.token(popHot, uint64(s.rng.IntN(hot))), true) {
			hits++
		}
	}
	return float64(hits) / float64(n)
}

// The eviction policy keeps what clients keep presenting: with the cache
// full and 1,000 hot tokens mixed 1:1 with one-shot tokens, at least 90%
// of the hot requests are hits.
func TestCacheEvictionKeepsHotTokensAmongOneShots(t *testing.T) {
	s := newCacheSim(DefaultCacheSize)
	s.fill()
	var oneShot uint64
	s.hotAndOneShot(1000, 10_000, &oneShot) // the hot set settles in
	rate := s.hotAndOneShot(1000, 20_000, &oneShot)
	t.Logf("hot hit rate %.3f", rate)
	if rate < 0.9 {
		t.Fatalf("hot hit rate %.3f, want at least 0.9", rate)
	}
	if n := s.c.len(); n > DefaultCacheSize {
		t.Fatalf("cache holds %d entries, bound %d", n, DefaultCacheSize)
	}
}

// A token seen once, then again while the cache is full of tokens
// presented over and over, does not push one of them out: second chance
// takes an entry nobody used since the hand last passed.
func TestCacheEvictionTakesUnusedEntryFirst(t *testing.T) {
	s := newCacheSim(cacheWindow)
	for i := range uint64(cacheWindow - 1) {
		s.request(s.token(popHot, i), true)
		if !s.request(s.token(popHot, i), true) {
			t.Fatalf("token %d missed right after it was cached", i)
		}
	}
	for i := range uint64(100) {
		s.request(s.token(popOneShot, i), false)
		for j := range uint64(cacheWindow - 1) {
			if !s.request(s.token(popHot, j), true) {
				t.Fatalf("hot token %d evicted by one-shot token %d", j, i)
			}
		}
	}
}

// TestCacheHashPlacesByTheTailAndTheWholeTokenDecides: the hash covers a
// token's last bytes only, so a token that copies a cached token's
// signature onto another header and payload lands in its window, and is
// still never answered with its entry: a hit compares every byte.
func TestCacheHashPlacesByTheTailAndTheWholeTokenDecides(t *testing.T) {
	s := newCacheSim(64)
	tail := strings.Repeat("s", hashedTail)
	cached := "header.payload." + tail
	forged := "header.pAyload." + tail
	h := s.c.hash(cached)
	if s.c.hash(forged) != h {
		t.Fatal("tokens of one tail hash apart: the hash reads more than the tail")
	}
	if s.c.hash("header.payload.x"+tail[1:]) == h {
		t.Fatal("the hash ignores the tail's first byte")
	}
	claims := &Claims{KeyID: "k", ExpiresAt: s.now.Add(time.Hour)}
	s.c.put(h, cached, claims, time.Time{}, claims.ExpiresAt, s.pub, s.now)
	if s.c.get(h, cached, s.now, s.keys) == nil {
		t.Fatal("the cached token is not found")
	}
	if s.c.get(h, forged, s.now, s.keys) != nil {
		t.Fatal("a token sharing only the tail got the cached entry")
	}
	short := "a.b.c"
	if s.c.hash(short) != s.c.hash(strings.Clone(short)) || s.c.hash(short) == s.c.hash("a.b.d") {
		t.Fatal("a token shorter than the tail is not hashed whole")
	}
}
