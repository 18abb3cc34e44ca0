package cognitojwt

import (
	"hash/maphash"
	"math/bits"
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
// for Cognito's) beside its claims, in one allocation (see newCacheEntry).
//
// The table is a fixed array of slots, one per entry it may hold, so its
// bound is exact: a key may occupy any of the cacheWindow slots from the
// one its hash picks. Each slot has a word of metadata (see slotMeta) in
// an array of its own, so a window's sixteen words lie on two or three
// cache lines: a lookup that misses, as every token's first one does,
// and an insertion, which chooses its slot by expiry and use, read those
// and no entry. Reading each entry of a window instead, as this cache
// once did, cost a cold verification one cache miss per entry: with
// every window full, cold verifications measured 1.10-1.14x the floor
// that way and 1.06-1.09x with the metadata
// (BenchmarkVerifyCold/cache=full, x-floor-cpu, side by side). Cheap
// probes afford wide windows, and windows overlap, so a crowded window
// borrows its neighbours' free slots: of 6,000 tokens in 10,000 slots,
// windows of 16 lose 0.07% to eviction, windows of 8 1%, and disjoint
// windows of 8, as in a set-associative cache, 3.4%
// (TestCacheKeepsTokensBelowCapacity). Each loss is a full verification
// again: BenchmarkVerifyParallel/repeated-many measured 1.0 µs a request
// with windows of 16 against 1.6 µs with windows of 8. The
// metadata only steers: an entry is dereferenced when its tag matches,
// and a hit is still decided by the entry alone (its full token, its
// exact validity, its key), so a tag that disagrees with its entry costs
// a miss and never a wrong hit (TestCacheTagOnlySteers).
//
// Readers load atomic words and write nothing but the first use mark after
// a clear, so concurrent hits never contend. A writer owns a slot by
// setting its metadata to metaBusy with compare-and-swap, stores the
// pointer, then publishes the metadata: a lost race merely skips caching
// a token, and a slot that a preempted writer holds is skipped, never
// waited for.
//
// A hit hands out a shallow copy of the cached Claims: the struct is the
// caller's, and everything it points to (strings, Names, the payload) is
// never written after verification, so no handler can change what the
// next request with the same token reads.
//
// Eviction is second chance (CLOCK) within a key's window: a hit marks its
// slot used, and an insertion into a full window takes the first entry
// not used since the last insertion passed over it, clearing the marks it
// passes. Tokens that clients keep presenting therefore stay, and tokens
// seen once (a scan, a flood of fresh tokens, clients that come and go)
// replace one another. Evicting by expiry instead, as this cache once did,
// let a stream of one-shot tokens push out the hot ones: 32% hot hits in a
// 1:1 mix, against over 95% now (BenchmarkCacheHitRate). The mark costs a
// hit one atomic load, and a store only the first time after a clear, so
// concurrent hits on one token still share the cache line read-only.
type tokenCache struct {
	seed    maphash.Seed
	meta    []atomic.Uint64
	entries []atomic.Pointer[cacheEntry]
}

// cacheWindow is how many neighbouring slots a key may occupy.
const cacheWindow = 16

// A slot's metadata word. Zero is an empty slot. A live slot holds its
// entry's tag (bits of the hash that do not choose the window) and its
// until, in Unix seconds rounded up, for the insertions' choices.
const (
	metaLive  = 1 << 63 // the slot holds an entry
	metaBusy  = 1 << 62 // a writer owns the slot; its pointer may change
	metaUsed  = 1 << 61 // hit since an insertion last passed the slot
	metaTag   = (1<<29 - 1) << 32
	metaUntil = 1<<32 - 1 // saturated: the entry outlives the year 2106
)

// slotMeta is the metadata of a live slot for an entry of hash h valid
// until u (Unix nanoseconds).
func slotMeta(h uint64, u int64) uint64 {
	var s uint64
	switch {
	case u <= 0:
	case u > metaUntil*int64(time.Second):
		s = metaUntil
	default:
		s = uint64((u-1)/int64(time.Second) + 1)
	}
	return metaLive | tagOf(h) | s
}

// tagOf is the tag of hash h: its low bits, which window barely reads.
func tagOf(h uint64) uint64 { return h << 32 & metaTag }

// metaExpired reports whether the live slot m holds an entry no longer
// valid at t (Unix nanoseconds). Rounding until up makes it err towards
// keeping an entry: one it calls expired is.
func metaExpired(m uint64, t int64) bool {
	s := m & metaUntil
	return s != metaUntil && t >= int64(s)*int64(time.Second)
}

type cacheEntry struct {
	token  string
	claims Claims
	// revKey is the revocation list's key for claims (see
	// KeyedRevocationList), made once when the token was cached, so that a
	// hit's revocation check reads the hashes of its ids rather than
	// computing them; the zero key when the list makes none.
	revKey RevocationKey
	// pub is the key that verified the token. A hit is honoured only while
	// the pool still publishes that key under that kid, so a key the pool
	// withdraws stops its tokens at once instead of at their exp. set is
	// the last key set seen to publish it: while the set is unchanged, a
	// hit compares one pointer instead of looking the kid up.
	pub *publicKey
	set atomic.Pointer[keySet]
	// hash is the token's: a tag that matched by chance costs a word
	// comparison, not a comparison of tokens that share their header.
	hash uint64
	// from and until bound the instants, in Unix nanoseconds, at which the
	// token verifies: the later of nbf and iat minus leeway, and exp plus
	// leeway. A hit checks both, so the clock stepping back, or a token
	// first seen late in its life, never lets the cache accept what Verify
	// would refuse.
	from, until int64
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{
		seed:    maphash.MakeSeed(),
		meta:    make([]atomic.Uint64, size),
		entries: make([]atomic.Pointer[cacheEntry], size),
	}
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

// window returns the first slot of h's window and how many slots it has.
// The hash is uniformly random, so its high bits, scaled to the table,
// spread entries evenly without a division.
func (c *tokenCache) window(h uint64) (start, width int) {
	at, _ := bits.Mul64(h, uint64(len(c.meta)))
	return int(at), min(cacheWindow, len(c.meta))
}

// next returns the slot after at, wrapping around the table: a window is
// walked without a division per slot.
func (c *tokenCache) next(at int) int {
	if at++; at == len(c.meta) {
		return 0
	}
	return at
}

// get returns the entry cached for token, whose hash is h, at t (Unix
// nanoseconds), or nil. Its claims are the cache's own: callers hand out
// shallow copies.
func (c *tokenCache) get(h uint64, token string, t int64, keys *jwksSource) *cacheEntry {
	at, width := c.window(h)
	want := metaLive | tagOf(h)
	for i := 0; i < width; i, at = i+1, c.next(at) {
		m := c.meta[at].Load()
		if m&(metaLive|metaBusy|metaTag) != want {
			continue
		}
		// The tag matched; the entry decides.
		e := c.entries[at].Load()
		if e == nil || e.hash != h || e.token != token {
			continue
		}
		if t >= e.until || !keys.stillServes(e.pub, &e.set, t) {
			if c.meta[at].CompareAndSwap(m, metaBusy) {
				c.entries[at].Store(nil)
				c.meta[at].Store(0)
			}
			return nil
		}
		if t < e.from {
			// Not yet valid at this reading of the clock, but it will be
			// again: keep the entry and let Verify report the rule.
			return nil
		}
		if m&metaUsed == 0 {
			c.meta[at].CompareAndSwap(m, m|metaUsed)
		}
		return e
	}
	return nil
}

// put stores a copy of the verified token and a shallow copy of its
// claims, which nobody may change afterwards: callers get shallow copies
// in turn, and the caller of put keeps claims. The entry gets revs' key
// for its copy of the claims when revs makes keys (asked about the
// cache's copy, so that the caller's claims, often on its stack, do not
// escape to the list). It returns the entry it cached, or nil. The token
// is copied here, since the caller's string may share memory with a
// buffer of its own. It
// takes an empty or expired slot of the window, or the token's own, else
// the first entry, from a starting point the key picks, that has not been
// used since the hand last passed it, clearing the used marks on its way.
// When every entry of the window was used, the one that expires first
// goes. It reads the window's metadata, and an entry only when its tag
// matches.
func (c *tokenCache) put(h uint64, token string, claims *Claims, revs revocations, from, until time.Time, pub *publicKey, now time.Time) *cacheEntry {
	t := now.UnixNano()
	f, u := rules.UnixNanos(from), rules.UnixNanos(until)
	if pub == nil || t >= u || t < f {
		return nil
	}
	fresh := newCacheEntry(token)
	fresh.claims, fresh.pub, fresh.hash, fresh.from, fresh.until = *claims, pub, h, f, u
	fresh.revKey = revs.Key(&fresh.claims)
	meta := slotMeta(h, u)
	start, width := c.window(h)
	tag := tagOf(h)
	for i, at := 0, start; i < width; i, at = i+1, c.next(at) {
		m := c.meta[at].Load()
		if m&metaBusy != 0 {
			continue
		}
		if m&metaLive == 0 || metaExpired(m, t) || m&metaTag == tag && c.holds(at, h, token) {
			if c.install(at, m, fresh, meta) {
				return fresh
			}
		}
	}
	// The hand starts at a place the key chooses (bits the window and the
	// tag do not read), so no slot of a window is always the first to lose
	// its mark.
	hand := int((h >> 32) % uint64(width))
	oldest, oldestMeta := -1, uint64(0)
	for i := range width {
		at := (start + (hand+i)%width) % len(c.meta)
		m := c.meta[at].Load()
		switch {
		case m&metaBusy != 0:
		case m&metaUsed == 0:
			if c.install(at, m, fresh, meta) {
				return fresh
			}
		case c.meta[at].CompareAndSwap(m, m&^metaUsed):
			m &^= metaUsed
			if oldest < 0 || m&metaUntil < oldestMeta&metaUntil {
				oldest, oldestMeta = at, m
			}
		}
	}
	if oldest >= 0 && c.install(oldest, oldestMeta, fresh, meta) {
		return fresh
	}
	return nil
}

// holds reports whether slot at holds the token of hash h.
func (c *tokenCache) holds(at int, h uint64, token string) bool {
	e := c.entries[at].Load()
	return e != nil && e.hash == h && e.token == token
}

// install puts e, described by meta, into slot at if its metadata is
// still m: the slot is the writer's while it reads metaBusy, so the
// pointer and the metadata others read after it always agree.
func (c *tokenCache) install(at int, m uint64, e *cacheEntry, meta uint64) bool {
	if !c.meta[at].CompareAndSwap(m, metaBusy) {
		return false
	}
	c.entries[at].Store(e)
	c.meta[at].Store(meta)
	return true
}

// len counts the cached entries, expired ones included.
func (c *tokenCache) len() int {
	n := 0
	for i := range c.meta {
		if c.meta[i].Load()&metaLive != 0 {
			n++
		}
	}
	return n
}
