package cognitojwt

import (
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
	kid    string
	claims *Claims
	// kept is the verifier's own copy of the token, made when parseToken
	// was asked to keep one, for the cache: it shares the payload's
	// allocation, which the cached claims keep anyway.
	kept   string
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
// key or the configuration. With keep, p.kept receives a copy of token for
// the verified-token cache.
func parseToken(token string, p *parsedToken, keep bool) error {
	hSeg, pSeg, sSeg, err := split(token)
	if err != nil {
		return err
	}
	// The payload gets its own allocation, which the claims keep: their
	// strings point into it, and so does the cache's copy of the token,
	// made in the same allocation so that caching a token costs none of
	// its own. The header gets another, garbage once the kid is looked
	// up, and the signature is decoded into p, so a cached token holds
	// only its payload and its copy.
	extra := 0
	if keep {
		extra = len(token)
	}
	payload, kept, err := decodeSegmentString(pSeg, token[:extra])
	if err != nil {
		return err
	}
	header, _, err := decodeSegmentString(hSeg, "")
	if err != nil {
		return err
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
	h, err := parseHeader(header)
	if err != nil {
		return err
	}
	c := new(Claims)
	if err := parsePayload(payload, c); err != nil {
		return err
	}
	p.signed, p.kid, p.claims, p.kept = token[:len(hSeg)+1+len(pSeg)], h.kid, c, kept
	return nil
}
