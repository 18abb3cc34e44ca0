package web

import (
	"encoding/binary"
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
// without the cookie itself (the hash covers only the value's end, see
// keyTail). What is kept is immutable; each request
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

// keyTail is how much of each part's end the key hashes. The key only
// places an entry: get serves it after comparing every part in full, and
// only values that opened are ever put, so hashing the end alone (where
// the AES-GCM tag is, different for every value sealed) is as good for
// placement and spares hashing kilobytes on every request.
const keyTail = 64

func (c *openCache) key(parts []string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, p := range parts {
		// The length first: a boundary moved or a part added is another
		// key even when the ends agree.
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		_, _ = h.Write(n[:])
		_, _ = h.WriteString(p[max(0, len(p)-keyTail):])
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
