package web

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// maxOpened bounds the sessions an Auth keeps opened, about 5 KB each (the
// cookie and what it opened to): 4096 of them hold some 20 MB.
const maxOpened = 4096

// openCache keeps the sessions that cookies opened to, keyed by the
// cookie's value, so that the requests of a session after its first cost
// no base64 decoding and no decryption: a hash of the value and a full
// comparison with the one kept, which an attacker cannot make match
// without the cookie itself. What is kept is immutable; each request
// takes a copy. Reads take no lock, so hits on every core run in
// parallel. Once full it is emptied and fills again with the sessions in
// use.
type openCache struct {
	seed maphash.Seed
	m    sync.Map // uint64 → *opened
	n    atomic.Int64
}

type opened struct {
	parts []string // the cookie's value, copied
	s     session
	stale bool
}

func newOpenCache() *openCache { return &openCache{seed: maphash.MakeSeed()} }

func (c *openCache) key(parts []string) uint64 {
	if len(parts) == 1 {
		return maphash.String(c.seed, parts[0])
	}
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, p := range parts {
		_, _ = h.WriteString(p)
		_ = h.WriteByte(0) // chunks hold no NUL: a boundary moved is another key
	}
	return h.Sum64()
}

// get returns what parts opened to, or nil.
func (c *openCache) get(parts []string) *opened {
	v, ok := c.m.Load(c.key(parts))
	if !ok {
		return nil
	}
	o := v.(*opened)
	if len(o.parts) != len(parts) {
		return nil
	}
	for i, p := range parts {
		if o.parts[i] != p {
			return nil
		}
	}
	return o
}

// put keeps what parts opened to. s must not change afterwards, nor the
// plaintext its strings view.
func (c *openCache) put(parts []string, s *session, stale bool) {
	o := &opened{parts: make([]string, len(parts)), s: *s, stale: stale}
	for i, p := range parts {
		// Copied: p views the request's Cookie header, which must not be
		// kept alive for the cache.
		o.parts[i] = string([]byte(p))
	}
	if c.n.Add(1) > maxOpened {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(c.key(parts), o)
}
