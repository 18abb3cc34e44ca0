package cognitojwt

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// tokenCache remembers tokens that passed verification, so a token seen
// again costs a hash, a comparison and a lookup instead of an RSA
// verification. It only ever holds tokens that passed every check.
//
// An entry is found by a 64-bit maphash, under a seed made for each
// cache, of the token's last bytes (see hashedTail), and accepted only
// when the token it holds equals the token presented, byte for byte: the
// hash only places entries, so a token's author who found a collision
// would only share a window, never an entry. The comparison costs a few
// tens of nanoseconds for a 1 KiB token; the keyed GMAC this cache once
// used cost 200-400 ns, most of a hit, and a maphash of the whole token
// about 80. The price is memory: each entry keeps the token (about 1 KiB
// for Cognito's) beside its claims.
//
// The table is a fixed array of slots, one per entry it may hold, so its
// bound is exact. Readers only load atomic pointers and write nothing, so
// concurrent hits never contend; writers swap pointers with
// compare-and-swap and a lost race merely skips caching a token.
//
// A hit hands out a shallow copy of the cached Claims: the struct is the
// caller's, and everything it points to (strings, Names, the payload) is
// never written after verification, so no handler can change what the
// next request with the same token reads. The cache's own Claims live in
// the entry, so that storing a token costs one allocation for both.
//
// Eviction is second chance (CLOCK) within a key's window: a hit marks its
// entry used, and an insertion into a full window takes the first entry
// not used since the last insertion passed over it, clearing the marks it
// passes. Tokens that clients keep presenting therefore stay, and tokens
// seen once (a scan, a flood of fresh tokens, clients that come and go)
// replace one another. Evicting by expiry instead, as this cache once did,
// let a stream of one-shot tokens push out the hot ones: 32% hot hits in a
// 1:1 mix, against over 95% now (BenchmarkCacheHitRate). The mark costs a
// hit one atomic load, and a store only the first time after a clear, so
// concurrent hits on one token still share the cache line read-only.
type tokenCache struct {
	seed  maphash.Seed
	slots []atomic.Pointer[cacheEntry]
}

// cacheWindow is how many neighbouring slots a key may occupy.
const cacheWindow = 8

type cacheEntry struct {
	hash   uint64
	token  string
	claims Claims
	// from and until bound the instants, in Unix nanoseconds, at which the
	// token verifies: the later of nbf and iat minus leeway, and exp plus
	// leeway. A hit checks both, so the clock stepping back, or a token
	// first seen late in its life, never lets the cache accept what Verify
	// would refuse.
	from, until int64
	// pub is the key that verified the token. A hit is honoured only while
	// the pool still publishes that key under that kid, so a key the pool
	// withdraws stops its tokens at once instead of at their exp. set is
	// the last key set seen to publish it: while the set is unchanged, a
	// hit compares one pointer instead of looking the kid up.
	pub *publicKey
	set atomic.Pointer[keySet]
	// used is set by a hit and cleared when an insertion passes over the
	// entry: the reference bit of second-chance eviction.
	used atomic.Bool
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[cacheEntry], size)}
}

// hashedTail is how many of a token's last bytes its hash covers. They
// are its signature's: for RS256, 64 of the 342 characters of a value the
// pool's key makes unpredictable and different for every token it signs,
// which spreads verified tokens over the table as well as a hash of the
// whole token would, at a sixth of the cost. Only verified tokens are
// stored, so the author of a token that copies another's signature
// chooses nothing but the window its refused probe reads; what decides a
// hit is the full comparison.
const hashedTail = 64

// hash places token in the table.
func (c *tokenCache) hash(token string) uint64 {
	if len(token) > hashedTail {
		token = token[len(token)-hashedTail:]
	}
	return maphash.String(c.seed, token)
}

// window returns the first slot of h's window; the hash is uniformly
// random, so its low bits spread entries evenly.
func (c *tokenCache) window(h uint64) int {
	return int(h % uint64(len(c.slots)))
}

// next returns the slot after at, wrapping around the table: a window is
// walked without a division per slot.
func (c *tokenCache) next(at int) int {
	if at++; at == len(c.slots) {
		return 0
	}
	return at
}

// get returns the claims cached for token, whose hash is h, or nil. They
// are the cache's own: callers hand out shallow copies.
func (c *tokenCache) get(h uint64, token string, now time.Time, keys *jwksSource) *Claims {
	n := len(c.slots)
	at := c.window(h)
	for i := 0; i < cacheWindow && i < n; i, at = i+1, c.next(at) {
		slot := &c.slots[at]
		e := slot.Load()
		if e == nil || e.hash != h || e.token != token {
			continue
		}
		t := now.UnixNano()
		if t >= e.until || !keys.stillServes(e.pub, &e.set, now) {
			slot.CompareAndSwap(e, nil)
			return nil
		}
		if t < e.from {
			// Not yet valid at this reading of the clock, but it will be
			// again: keep the entry and let Verify report the rule.
			return nil
		}
		if !e.used.Load() {
			e.used.Store(true)
		}
		return &e.claims
	}
	return nil
}

// put stores a copy of the verified token and a shallow copy of its
// claims, which nobody may change afterwards: callers get shallow copies
// in turn, and the caller of put keeps claims. The token is copied here,
// since the caller's string may share memory with a buffer of its own. It
// takes an empty or expired slot of the window, else the first entry,
// from a starting point the key picks, that has not been used since the
// hand last passed it, clearing the used marks on its way. When every
// entry of the window was used, the one that expires first goes.
func (c *tokenCache) put(h uint64, token string, claims *Claims, from, until time.Time, pub *publicKey, now time.Time) {
	t := now.UnixNano()
	f, u := rules.UnixNanos(from), rules.UnixNanos(until)
	if pub == nil || t >= u || t < f {
		return
	}
	fresh := &cacheEntry{hash: h, token: strings.Clone(token), claims: *claims, from: f, until: u, pub: pub}
	n := len(c.slots)
	start := c.window(h)
	width := min(cacheWindow, n)
	for i, at := 0, start; i < width; i, at = i+1, c.next(at) {
		slot := &c.slots[at]
		e := slot.Load()
		if e == nil || e.hash == h && e.token == token || t >= e.until {
			if slot.CompareAndSwap(e, fresh) {
				return
			}
		}
	}
	// The hand starts at a place the key chooses (its bits are uniformly
	// random and independent of the window's), so no slot of a window is
	// always the first to lose its mark.
	hand := int(h>>32) % width
	var oldest *atomic.Pointer[cacheEntry]
	var oldestEntry *cacheEntry
	for i := range width {
		slot := &c.slots[(start+(hand+i)%width)%n]
		e := slot.Load()
		if e == nil || !e.used.Load() {
			if slot.CompareAndSwap(e, fresh) {
				return
			}
			continue
		}
		e.used.Store(false)
		if oldestEntry == nil || e.until < oldestEntry.until {
			oldest, oldestEntry = slot, e
		}
	}
	if oldest != nil {
		oldest.CompareAndSwap(oldestEntry, fresh)
	}
}

// len counts the cached entries, expired ones included.
func (c *tokenCache) len() int {
	n := 0
	for i := range c.slots {
		if c.slots[i].Load() != nil {
			n++
		}
	}
	return n
}
