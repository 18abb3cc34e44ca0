package cognitojwt

import (
	"crypto/rsa"
	"crypto/sha256"
	"sync"
	"time"
)

// cacheShards spreads the verified-token cache over independent locks so
// that concurrent requests rarely meet.
const cacheShards = 64

// tokenCache remembers tokens that passed verification, keyed by the
// SHA-256 of the whole token, so a token seen again costs a hash and a map
// lookup instead of an RSA verification. It never holds the token itself,
// and it only ever holds tokens that passed every check.
type tokenCache struct {
	perShard int
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu      sync.RWMutex
	entries map[[sha256.Size]byte]*cacheEntry
	// Padding keeps neighbouring shards' locks off one cache line.
	_ [64]byte
}

type cacheEntry struct {
	claims *Claims
	// until is exp plus leeway: the instant the token stops verifying.
	until time.Time
	// key is the key that verified the token. A hit is honoured only while
	// the pool still publishes that key under that kid, so a key the pool
	// withdraws stops its tokens at once instead of at their exp.
	key *rsa.PublicKey
}

func newTokenCache(size int) *tokenCache {
	per := (size + cacheShards - 1) / cacheShards
	if per < 1 {
		per = 1
	}
	c := &tokenCache{perShard: per}
	for i := range c.shards {
		c.shards[i].entries = make(map[[sha256.Size]byte]*cacheEntry)
	}
	return c
}

func (c *tokenCache) shard(h *[sha256.Size]byte) *cacheShard {
	return &c.shards[h[0]%cacheShards]
}

// get returns a private copy of the cached claims, or nil.
func (c *tokenCache) get(h *[sha256.Size]byte, now time.Time, keys *jwksSource) *Claims {
	s := c.shard(h)
	s.mu.RLock()
	e := s.entries[*h]
	s.mu.RUnlock()
	if e == nil {
		return nil
	}
	if !now.Before(e.until) || keys.cached(e.claims.KeyID) != e.key {
		s.mu.Lock()
		if s.entries[*h] == e {
			delete(s.entries, *h)
		}
		s.mu.Unlock()
		return nil
	}
	return e.claims.clone()
}

// put stores verified claims. The cache keeps c itself; callers get
// clones.
func (c *tokenCache) put(h *[sha256.Size]byte, claims *Claims, until time.Time, key *rsa.PublicKey, now time.Time) {
	if key == nil || !now.Before(until) {
		return
	}
	s := c.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries) >= c.perShard {
		for k, e := range s.entries {
			if !now.Before(e.until) {
				delete(s.entries, k)
			}
		}
		// Still full: drop an arbitrary entry (map order is random), which
		// costs only a re-verification if that token comes back.
		for k := range s.entries {
			if len(s.entries) < c.perShard {
				break
			}
			delete(s.entries, k)
		}
	}
	s.entries[*h] = &cacheEntry{claims: claims, until: until, key: key}
}

// len counts the cached entries.
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.entries)
		s.mu.RUnlock()
	}
	return n
}
