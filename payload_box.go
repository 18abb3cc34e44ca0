package cognitojwt

import "github.com/cognitojwt/cognitojwt/internal/view"

// boxedNames is how many groups and scopes a decoded payload has room for
// beside it: a Cognito token's nearly always fit.
const boxedNames = 6

// boxHeader is the size of a payloadBox's lists and room, and
// mallocHeader (cache_entry.go) the header the runtime puts before an
// object over 512 bytes that holds pointers: a box with n bytes of
// payload takes boxHeader+n bytes up to 512, and boxHeader+mallocHeader+n
// above. TestPayloadBoxIsOneObject fails when they no longer match.
const boxHeader = 144

// payloadBox is a token's decoded payload with the lists its Claims'
// Groups and Scopes point at, and room for their names, in one
// allocation: the claims keep the payload and the lists alike, for as
// long as the cache or a caller keeps the claims, so the two need not be
// apart. The pointer fields come first, so the collector scans none of
// the payload's bytes.
type payloadBox[B any] struct {
	lists nameLists[[boxedNames]string]
	buf   B
}

// nameRoom is where a token's groups and scopes lists go and room for
// their names (newNameLists); the zero value has none.
type nameRoom struct {
	groups, scopes *[]string
	room           []string
}

// decodePayload decodes the payload segment into a fresh allocation
// viewed as a string, as decodeSegmentString does, with room beside it
// for the claims' names: one allocation instead of two for a payload of
// up to 2,920 bytes (Cognito's are well under 2 KB). A larger one gets
// the payload alone and no room.
func decodePayload(seg string) (string, nameRoom, error) {
	const o = boxHeader + mallocHeader
	switch n := b64.DecodedLen(len(seg)); {
	case n <= 512-boxHeader:
		return boxed(seg, func(b *[512 - boxHeader]byte) []byte { return b[:] })
	case n <= 576-o:
		return boxed(seg, func(b *[576 - o]byte) []byte { return b[:] })
	case n <= 640-o:
		return boxed(seg, func(b *[640 - o]byte) []byte { return b[:] })
	case n <= 704-o:
		return boxed(seg, func(b *[704 - o]byte) []byte { return b[:] })
	case n <= 768-o:
		return boxed(seg, func(b *[768 - o]byte) []byte { return b[:] })
	case n <= 896-o:
		return boxed(seg, func(b *[896 - o]byte) []byte { return b[:] })
	case n <= 1024-o:
		return boxed(seg, func(b *[1024 - o]byte) []byte { return b[:] })
	case n <= 1152-o:
		return boxed(seg, func(b *[1152 - o]byte) []byte { return b[:] })
	case n <= 1280-o:
		return boxed(seg, func(b *[1280 - o]byte) []byte { return b[:] })
	case n <= 1408-o:
		return boxed(seg, func(b *[1408 - o]byte) []byte { return b[:] })
	case n <= 1536-o:
		return boxed(seg, func(b *[1536 - o]byte) []byte { return b[:] })
	case n <= 1792-o:
		return boxed(seg, func(b *[1792 - o]byte) []byte { return b[:] })
	case n <= 2048-o:
		return boxed(seg, func(b *[2048 - o]byte) []byte { return b[:] })
	case n <= 2304-o:
		return boxed(seg, func(b *[2304 - o]byte) []byte { return b[:] })
	case n <= 2688-o:
		return boxed(seg, func(b *[2688 - o]byte) []byte { return b[:] })
	case n <= 3072-o:
		return boxed(seg, func(b *[3072 - o]byte) []byte { return b[:] })
	}
	payload, err := decodeSegmentString(seg)
	return payload, nameRoom{}, err
}

// boxed allocates a box with room B for the decoded segment and decodes
// it there. The bytes are never written again, so the string view is
// safe, as decodeSegmentString's is.
func boxed[B any](seg string, bytes func(*B) []byte) (string, nameRoom, error) {
	box := new(payloadBox[B])
	buf, err := decodeSegment(bytes(&box.buf), seg)
	if err != nil {
		return "", nameRoom{}, err
	}
	l := &box.lists
	return view.String(buf), nameRoom{groups: &l.groups, scopes: &l.scopes, room: l.room[:0]}, nil
}
