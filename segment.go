package cognitojwt

import (
	"encoding/base64"
	"strings"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// The three base64url segments of a compact JWS: finding them and
// decoding them.

var (
	errShape    = fail(ErrMalformedToken, "not a compact JWS of three base64url segments")
	errEncoding = fail(ErrMalformedToken, "segment is not canonical unpadded base64url")
	b64         = base64.RawURLEncoding.Strict()
)

// split finds the two dots of a compact JWS. It checks the shape only:
// every other byte outside the base64url alphabet fails the strict decoder
// later, except the line breaks that decoder skips, which are refused
// here. IndexByte keeps this to a vector scan, and a token of many dots
// costs no more than its length.
func split(token string) (h, p, s string, err error) {
	first := strings.IndexByte(token, '.')
	if first <= 0 {
		return "", "", "", errShape
	}
	second := strings.IndexByte(token[first+1:], '.')
	if second <= 0 {
		return "", "", "", errShape
	}
	second += first + 1
	if second == len(token)-1 || strings.IndexByte(token[second+1:], '.') >= 0 {
		return "", "", "", errShape
	}
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return "", "", "", errEncoding
	}
	return token[:first], token[first+1 : second], token[second+1:], nil
}

// decodeSegment decodes a base64url segment into buf, or onto the heap if
// it does not fit.
func decodeSegment(buf []byte, seg string) ([]byte, error) {
	n := b64.DecodedLen(len(seg))
	if n > len(buf) {
		buf = make([]byte, n)
	}
	m, err := b64.Decode(buf[:n], view.Bytes(seg))
	if err != nil || m != n {
		return nil, errEncoding
	}
	return buf[:n], nil
}

// decodeSegmentString decodes a segment into a fresh allocation viewed as
// a string: the bytes are never written again, so the view is safe and
// saves a copy, and strings parsed from it point into it.
func decodeSegmentString(seg string) (string, error) {
	buf, err := decodeSegment(nil, seg)
	if err != nil {
		return "", err
	}
	return view.String(buf), nil
}
