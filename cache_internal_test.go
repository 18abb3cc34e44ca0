package cognitojwt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
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
	keys := &jwksSource{refresh: time.Hour, now: func() time.Time { return now }}
	keys.set.Store(&keySet{keys: map[string]*publicKey{"k": pub}, fetched: now, fetchedAt: now.UnixNano()})
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
	if s.c.get(k.hash, k.raw, s.now.UnixNano(), s.keys) != nil {
		return true
	}
	life := time.Hour
	if hot {
		life = 30 * time.Minute
	}
	claims := &Claims{KeyID: "k", ExpiresAt: s.now.Add(life)}
	s.c.put(k.hash, k.raw, claims, revocations{}, time.Time{}, claims.ExpiresAt, s.pub, s.now)
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
	for i := range uint64(2 * len(s.c.meta)) {
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
	s.c.put(h, cached, claims, revocations{}, time.Time{}, claims.ExpiresAt, s.pub, s.now)
	if s.c.get(h, cached, s.now.UnixNano(), s.keys) == nil {
		t.Fatal("the cached token is not found")
	}
	if s.c.get(h, forged, s.now.UnixNano(), s.keys) != nil {
		t.Fatal("a token sharing only the tail got the cached entry")
	}
	short := "a.b.c"
	if s.c.hash(short) != s.c.hash(strings.Clone(short)) || s.c.hash(short) == s.c.hash("a.b.d") {
		t.Fatal("a token shorter than the tail is not hashed whole")
	}
}

// simPut caches raw under hash h, with claims naming it, as a verified
// token would be.
func (s *cacheSim) simPut(h uint64, raw string) {
	claims := &Claims{Subject: raw, KeyID: "k", ExpiresAt: s.now.Add(time.Hour)}
	s.c.put(h, raw, claims, revocations{}, time.Time{}, claims.ExpiresAt, s.pub, s.now)
}

// TestCacheTagOnlySteers: a slot's metadata only chooses which entries a
// lookup reads; the entry decides. Two tokens of one hash (the same tag)
// each get their own claims, and a slot whose metadata names one token
// while its pointer holds another's entry, as a writer racing a reader
// may leave it for an instant, answers neither token's lookup with the
// other's claims.
func TestCacheTagOnlySteers(t *testing.T) {
	s := newCacheSim(64)
	const h = 0x0123_4567_89ab_cdef
	s.simPut(h, "token-a")
	s.simPut(h, "token-b")
	for _, raw := range []string{"token-a", "token-b"} {
		c := s.c.get(h, raw, s.now.UnixNano(), s.keys)
		if c == nil || c.claims.Subject != raw {
			t.Fatalf("a lookup of %s found %v", raw, c)
		}
	}
	if c := s.c.get(h, "token-c", s.now.UnixNano(), s.keys); c != nil {
		t.Fatalf("a token never cached, of a cached hash, found %s's claims", c.claims.Subject)
	}

	// Slot metadata of token-a's hash, and an entry of another hash.
	s = newCacheSim(64)
	s.simPut(h, "token-a")
	const other = h ^ 1<<40
	swapped := 0
	for i := range s.c.entries {
		if e := s.c.entries[i].Load(); e != nil {
			stranger := &cacheEntry{token: "token-b", hash: other, until: e.until, pub: s.pub}
			stranger.claims.Subject = "token-b"
			s.c.entries[i].Store(stranger)
			swapped++
		}
	}
	if swapped != 1 {
		t.Fatalf("%d entries in the table, want 1", swapped)
	}
	if c := s.c.get(h, "token-a", s.now.UnixNano(), s.keys); c != nil {
		t.Fatalf("a lookup was answered by another token's entry, whose slot bore its tag: %s", c.claims.Subject)
	}
	// And an entry of the same hash holding another token.
	for i := range s.c.entries {
		if s.c.entries[i].Load() != nil {
			s.c.entries[i].Store(&cacheEntry{token: "token-z", hash: h, until: s.now.Add(time.Hour).UnixNano(), pub: s.pub})
		}
	}
	if c := s.c.get(h, "token-a", s.now.UnixNano(), s.keys); c != nil {
		t.Fatal("a lookup was answered by an entry holding another token")
	}
}

// TestCacheConcurrentWritersNeverMixEntries: writers that replace one
// another's entries in one window while readers look tokens up, all of
// one tag, never make a lookup return another token's claims, and leave
// every slot's metadata agreeing with its entry. Run with -race.
func TestCacheConcurrentWritersNeverMixEntries(t *testing.T) {
	s := newCacheSim(cacheWindow)
	const h = 0xfeed_0000_0000_0042
	const tokens = 3 * cacheWindow
	raw := func(i int) string { return fmt.Sprint("token-", i) }
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for g := range 4 {
		wg.Go(func() {
			for n := range 2000 {
				i := (g*7 + n) % tokens
				if n%3 == 0 {
					s.simPut(h, raw(i))
					continue
				}
				if c := s.c.get(h, raw(i), s.now.UnixNano(), s.keys); c != nil && c.claims.Subject != raw(i) {
					wrong.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d lookups returned another token's claims", n)
	}
	for i := range s.c.meta {
		m, e := s.c.meta[i].Load(), s.c.entries[i].Load()
		switch {
		case m&metaBusy != 0:
			t.Fatalf("slot %d left busy", i)
		case m == 0 && e != nil, m != 0 && (e == nil || slotMeta(e.hash, e.until)&^metaUsed != m&^metaUsed):
			t.Fatalf("slot %d: metadata %#x disagrees with its entry", i, m)
		}
	}
	if n := s.c.len(); n != cacheWindow {
		t.Fatalf("%d entries after the writers, want the table full (%d)", n, cacheWindow)
	}
}

// TestCacheSlotMetaErrsTowardsKeeping: an insertion treats a slot as
// expired from the metadata's until, rounded up to the second, so it
// never takes an entry that is still valid for one; an until past what
// the word holds never expires there.
func TestCacheSlotMetaErrsTowardsKeeping(t *testing.T) {
	const sec = int64(time.Second)
	for _, c := range []struct {
		until, at int64
		expired   bool
	}{
		{until: 10 * sec, at: 10*sec - 1, expired: false},
		{until: 10 * sec, at: 10 * sec, expired: true},
		{until: 10*sec + 1, at: 10*sec + 1, expired: false},
		{until: 10*sec + 1, at: 11*sec - 1, expired: false},
		{until: 10*sec + 1, at: 11 * sec, expired: true},
		{until: math.MaxInt64, at: math.MaxInt64 - 1, expired: false},
		{until: -sec, at: 0, expired: true},
	} {
		m := slotMeta(0x5555_5555_5555_5555, c.until)
		if m&metaLive == 0 || m&(metaBusy|metaUsed) != 0 {
			t.Fatalf("slotMeta(%d) = %#x: not a live, unused slot", c.until, m)
		}
		if got := metaExpired(m, c.at); got != c.expired {
			t.Errorf("until %d, at %d: expired %v, want %v", c.until, c.at, got, c.expired)
		}
		if c.expired && c.at < c.until {
			t.Errorf("until %d, at %d: a valid entry counts as expired", c.until, c.at)
		}
	}
}

// TestCacheKeepsTokensBelowCapacity: of 6,000 tokens, presented again
// and again, in the default 10,000 slots, all but a few stay: windows of
// sixteen slots overlap, so a window that draws more keys than it has
// slots borrows its neighbours' free ones. Windows of eight lose about 1%
// of the tokens at this load, and disjoint windows of eight, as in a
// set-associative cache, 3.4%.
func TestCacheKeepsTokensBelowCapacity(t *testing.T) {
	s := newCacheSim(DefaultCacheSize)
	const tokens = 6000
	for range 2 {
		for i := range uint64(tokens) {
			s.request(s.token(popHot, i), true)
		}
	}
	missed := 0
	for i := range uint64(tokens) {
		if !s.request(s.token(popHot, i), true) {
			missed++
		}
	}
	t.Logf("%d of %d tokens missed", missed, tokens)
	if missed > tokens/500 {
		t.Fatalf("%d of %d tokens missed with the cache at %d%% of its capacity, want at most 0.2%%", missed, tokens, 100*tokens/DefaultCacheSize)
	}
}

// TestCacheHitAsksTheKeysAgainOnlyWhenDue: a hit's bare reading decides
// whether the key set is due for a refresh. Within the refresh interval
// the set is not consulted beyond a pointer; past it, or at a reading
// before the fetch (a wall clock stepped back), the source reads its own
// clock and decides as a lookup would. A key the set no longer publishes
// stops the hit.
func TestCacheHitAsksTheKeysAgainOnlyWhenDue(t *testing.T) {
	s := newCacheSim(16)
	var reads int
	s.keys.now = func() time.Time { reads++; return s.now }
	set := s.keys.set.Load()
	var seen atomic.Pointer[keySet]
	seen.Store(set)
	at := s.now.UnixNano()
	for _, tc := range []struct {
		name  string
		t     int64
		reads int
	}{
		{"within the interval", at + int64(time.Minute), 0},
		{"past the interval", at + int64(2*time.Hour), 1},
		{"before the fetch", at - int64(time.Hour), 1},
	} {
		reads = 0
		if !s.keys.stillServes(s.pub, &seen, tc.t) {
			t.Fatalf("%s: a published key refused", tc.name)
		}
		if reads != tc.reads {
			t.Fatalf("%s: %d clock reads, want %d", tc.name, reads, tc.reads)
		}
	}
	s.keys.set.Store(&keySet{keys: map[string]*publicKey{"k": {kid: "k"}}, fetched: s.now, fetchedAt: at})
	if s.keys.stillServes(s.pub, &seen, at) {
		t.Fatal("a key the set replaced still served a hit")
	}
}
