package cognitojwt

import (
	"strings"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// entrySize is the size of a cacheEntry, and mallocHeader the header the
// runtime puts before an object over 512 bytes that holds pointers: an
// entry with n bytes of token inline takes entrySize+n bytes up to 512,
// and entrySize+mallocHeader+n above. TestCacheEntryIsOneObject fails
// when they no longer match.
const (
	entrySize    = 416
	mallocHeader = 8
)

// inlineEntry is a cacheEntry followed by room for its token: the pointer
// fields come first, so the collector scans none of the token's bytes.
type inlineEntry[B any] struct {
	cacheEntry
	buf B
}

// newCacheEntry returns an entry holding a copy of token. Tokens of up to
// 3,728 bytes (Cognito's access tokens are about 1 KB, ID tokens a little
// more) get one allocation for the entry and the copy, of the runtime's
// size class that fits them, so that caching a token costs one allocation
// rather than two. Larger tokens, rare, get the entry and a copy apart.
func newCacheEntry(token string) *cacheEntry {
	const o = entrySize + mallocHeader
	switch n := len(token); {
	case n <= 512-entrySize:
		return inline(token, func(b *[512 - entrySize]byte) []byte { return b[:] })
	case n <= 576-o:
		return inline(token, func(b *[576 - o]byte) []byte { return b[:] })
	case n <= 640-o:
		return inline(token, func(b *[640 - o]byte) []byte { return b[:] })
	case n <= 704-o:
		return inline(token, func(b *[704 - o]byte) []byte { return b[:] })
	case n <= 768-o:
		return inline(token, func(b *[768 - o]byte) []byte { return b[:] })
	case n <= 896-o:
		return inline(token, func(b *[896 - o]byte) []byte { return b[:] })
	case n <= 1024-o:
		return inline(token, func(b *[1024 - o]byte) []byte { return b[:] })
	case n <= 1152-o:
		return inline(token, func(b *[1152 - o]byte) []byte { return b[:] })
	case n <= 1280-o:
		return inline(token, func(b *[1280 - o]byte) []byte { return b[:] })
	case n <= 1408-o:
		return inline(token, func(b *[1408 - o]byte) []byte { return b[:] })
	case n <= 1536-o:
		return inline(token, func(b *[1536 - o]byte) []byte { return b[:] })
	case n <= 1792-o:
		return inline(token, func(b *[1792 - o]byte) []byte { return b[:] })
	case n <= 2048-o:
		return inline(token, func(b *[2048 - o]byte) []byte { return b[:] })
	case n <= 2304-o:
		return inline(token, func(b *[2304 - o]byte) []byte { return b[:] })
	case n <= 2688-o:
		return inline(token, func(b *[2688 - o]byte) []byte { return b[:] })
	case n <= 3072-o:
		return inline(token, func(b *[3072 - o]byte) []byte { return b[:] })
	case n <= 3200-o:
		return inline(token, func(b *[3200 - o]byte) []byte { return b[:] })
	case n <= 3456-o:
		return inline(token, func(b *[3456 - o]byte) []byte { return b[:] })
	case n <= 4096-o:
		return inline(token, func(b *[4096 - o]byte) []byte { return b[:] })
	}
	return &cacheEntry{token: strings.Clone(token)}
}

// inline allocates an entry with room B for token, copies token there and
// points the entry's token at the copy.
func inline[B any](token string, bytes func(*B) []byte) *cacheEntry {
	e := new(inlineEntry[B])
	b := bytes(&e.buf)
	e.token = view.String(b[:copy(b, token)])
	return &e.cacheEntry
}
