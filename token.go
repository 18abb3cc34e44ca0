package cognitojwt

import (
	"strings"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// header holds what Verify reads from the JOSE header.
type header struct {
	kid    string
	hasKid bool
}

func parseHeader(src string) (header, error) {
	var h header
	var alg string
	var hasAlg bool
	var memberErr error
	err := jsonscan.ScanObject(src, func(m jsonscan.Member) error {
		var err error
		switch m.Name {
		case "alg":
			if alg, err = m.Value.AsString(); err != nil {
				memberErr = fail(ErrMalformedToken, "header alg is not a string")
			}
			hasAlg = true
		case "kid":
			if h.kid, err = m.Value.AsString(); err != nil {
				memberErr = fail(ErrMalformedToken, "header kid is not a string")
			}
			h.hasKid = true
		case "typ":
			typ, err := m.Value.AsString()
			if err != nil || !rules.AcceptableTyp(typ) {
				memberErr = fail(ErrMalformedToken, "header typ is not JWT")
			}
		default:
			if what, bad := rules.RejectedHeader[m.Name]; bad {
				memberErr = failf(ErrMalformedToken, "header parameter %s is not accepted", what)
			}
		}
		return memberErr
	})
	if memberErr != nil {
		return header{}, memberErr
	}
	if err != nil {
		return header{}, failf(ErrMalformedToken, "header: %v", err)
	}
	if !hasAlg || alg != "RS256" {
		return header{}, errNotRS256
	}
	if !h.hasKid || h.kid == "" {
		return header{}, errNoKid
	}
	return h, nil
}

// parsedToken is a token read and checked up to the point where the pool
// matters: shape, encoding, header and claim types. Verifier and
// MultiVerifier parse a token once, through parseToken, so that both
// report the same error kind for it, in the same order.
type parsedToken struct {
	signed string // header.payload, the signing input
	header string // the header's segment, as it came
	kid    string
	// claims are read into the parsed token itself, which its callers
	// keep on their stack: they reach the heap only once the token is
	// proven (verify.go), so that a refused token costs no copy of them.
	claims Claims
	sigLen int
	// sigArr holds the decoded signature, so that it costs no allocation;
	// sigLong one too long for any key the verifier accepts.
	sigArr  [maxRSABits / 8]byte
	sigLong []byte
}

func (p *parsedToken) sig() []byte {
	if p.sigLong != nil {
		return p.sigLong
	}
	return p.sigArr[:p.sigLen]
}

// parseToken reads token into p: shape, canonical base64url, header,
// payload and the types of its claims, in that order. Nothing here needs a
// key or the configuration, and nothing is kept for the verified-token
// cache: a token is copied for it only once its signature and claims have
// passed (Verifier.verify), so that a refused token, however large,
// allocates no more than its decoded header and payload (with the room
// beside it for the claims' names).
func parseToken(token string, p *parsedToken) error { return parseKnown(token, p, nil) }

// parseKnown is parseToken for a verifier that remembers the headers of
// the tokens it proved (known, or nil): a header segment it has seen is
// not decoded and read again.
func parseKnown(token string, p *parsedToken, known *knownHeaders) error {
	hSeg, pSeg, sSeg, err := split(token)
	if err != nil {
		return err
	}
	// The payload gets its own allocation, with room for the groups and
	// scopes lists, which the claims keep: their strings point into it.
	// The signature is decoded into p.
	payload, names, err := decodePayload(pSeg)
	if err != nil {
		return err
	}
	kid, seen := known.kid(hSeg)
	var header string
	if !seen {
		// Another allocation, garbage once the kid is looked up.
		if header, err = decodeSegmentString(hSeg); err != nil {
			return err
		}
	}
	if b64.DecodedLen(len(sSeg)) > len(p.sigArr) {
		// Longer than any key the verifier accepts: it fails later, at
		// the signature check, as it would in any order of checks.
		if p.sigLong, err = decodeSegment(nil, sSeg); err != nil {
			return err
		}
	} else {
		sig, err := decodeSegment(p.sigArr[:], sSeg)
		if err != nil {
			return err
		}
		p.sigLen = len(sig)
	}
	if !seen {
		h, err := parseHeader(header)
		if err != nil {
			return err
		}
		kid = h.kid
	}
	if err := parsePayload(payload, names, &p.claims); err != nil {
		return err
	}
	p.signed, p.header, p.kid = token[:len(hSeg)+1+len(pSeg)], hSeg, kid
	return nil
}

// knownHeaders remembers the header segments of the last few tokens a
// verifier proved, with their kids. A user pool signs with one key at a
// time, two while it rotates them, and writes the same header for every
// token a key signs, so nearly every token presented carries a header seen
// before, byte for byte: comparing its segment costs a few nanoseconds,
// where decoding and reading it cost an allocation and a JSON scan. A
// header's bytes decide everything parseHeader reports, so a header found
// here reads as it would have been read; only proven tokens' headers are
// remembered, so no one can fill the slots with headers of their own
// making.
type knownHeaders struct {
	slots [4]atomic.Pointer[knownHeader]
	next  atomic.Uint32
}

type knownHeader struct{ seg, kid string }

// kid returns the kid of the header segment seg if it is known; a nil k
// knows none.
func (k *knownHeaders) kid(seg string) (string, bool) {
	if k == nil {
		return "", false
	}
	for i := range k.slots {
		if h := k.slots[i].Load(); h != nil && h.seg == seg {
			return h.kid, true
		}
	}
	return "", false
}

// remember records the header of a token just proven, unless it is known
// already: a copy of seg, which may share memory with a caller's buffer.
// A new header takes the slots in turn.
func (k *knownHeaders) remember(seg, kid string) {
	if _, known := k.kid(seg); known {
		return
	}
	h := &knownHeader{seg: strings.Clone(seg), kid: strings.Clone(kid)}
	k.slots[k.next.Add(1)%uint32(len(k.slots))].Store(h)
}
