package alb

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
	"github.com/cognitojwt/cognitojwt/internal/view"
)

// ForwardedDataToken reads the token an Application Load Balancer forwards in
// "x-amzn-oidc-data". Its segments keep their base64 padding, so the value
// is checked against the base64url alphabet plus "=" and ".", not RFC 6750's
// b64token. A missing or empty header is cognitojwt.ErrNoToken; a repeated one or
// other characters cognitojwt.ErrInvalidRequest.
func ForwardedDataToken(r *http.Request) (string, error) {
	values := r.Header["X-Amzn-Oidc-Data"]
	switch {
	case len(values) == 0 || (len(values) == 1 && values[0] == ""):
		return "", cognitojwt.ErrNoToken
	case len(values) > 1:
		return "", errs.New(cognitojwt.ErrInvalidRequest, "x-amzn-oidc-data header repeated")
	}
	v := strings.Trim(values[0], " \t")
	for i := 0; i < len(v); i++ {
		if c := v[i]; !rules.IsB64URL(c) && c != '=' && c != '.' {
			return "", errs.New(cognitojwt.ErrInvalidRequest, "x-amzn-oidc-data has characters outside padded base64url")
		}
	}
	if v == "" {
		return "", cognitojwt.ErrNoToken
	}
	return v, nil
}

// ForwardedAccessToken reads the Cognito access token an Application Load
// Balancer forwards in "x-amzn-oidc-accesstoken": an ordinary access token
// for a Verifier, as cognitojwt.HeaderToken("X-Amzn-Oidc-Accesstoken") reads it.
// Both Forwarded functions read a header and verify nothing; hand them to
// cognitojwt.WithTokenSource (web.AccessToken, by contrast, returns a
// session's token already verified).
func ForwardedAccessToken(r *http.Request) (string, error) { return albAccessSource(r) }

var albAccessSource = cognitojwt.HeaderToken("X-Amzn-Oidc-Accesstoken")

var (
	errEmpty      = errs.New(cognitojwt.ErrNoToken, "empty token")
	errTooLarge   = errs.New(cognitojwt.ErrMalformedToken, "token exceeds the size limit")
	errNoIssuer   = errs.New(cognitojwt.ErrWrongIssuer, "iss is missing")
	errIssuer     = errs.New(cognitojwt.ErrWrongIssuer, "iss is not an accepted issuer")
	albB64        = base64.URLEncoding.Strict()
	errALBShape   = errs.New(cognitojwt.ErrMalformedToken, "not a compact JWS of three padded base64url segments")
	errALBEncode  = errs.New(cognitojwt.ErrMalformedToken, "segment is not canonical padded base64url")
	errNotES256   = errs.New(cognitojwt.ErrUnsupportedAlgorithm, "alg is not ES256")
	errALBKid     = errs.New(cognitojwt.ErrUnknownKey, "kid is not a UUID")
	errNoSigner   = errs.New(cognitojwt.ErrWrongIssuer, "signer is missing")
	errSigner     = errs.New(cognitojwt.ErrWrongIssuer, "signer is not an accepted load balancer")
	errALBIssMix  = errs.New(cognitojwt.ErrWrongIssuer, "payload iss differs from header iss")
	errALBNoExp   = errs.New(cognitojwt.ErrMalformedToken, "header exp is required")
	errALBBadSig  = errs.New(cognitojwt.ErrInvalidSignature, "ES256 signature does not verify")
	errALBNoKeyID = errs.New(cognitojwt.ErrUnknownKey, "header has no kid")
)

// splitPadded is split for padded segments: it finds the two dots and
// checks every byte against the base64url alphabet and "=". Padding
// placement and canonical form are left to the strict decoder, which
// would otherwise skip the CR and LF this loop refuses.
func splitPadded(token string) (h, p, s string, err error) {
	first, second := -1, -1
	for i := 0; i < len(token); i++ {
		c := token[i]
		if c == '.' {
			if first < 0 {
				first = i
			} else if second < 0 {
				second = i
			} else {
				return "", "", "", errALBShape
			}
			continue
		}
		if !rules.IsB64URL(c) && c != '=' {
			return "", "", "", errALBEncode
		}
	}
	if second < 0 || first == 0 || second == first+1 || second == len(token)-1 {
		return "", "", "", errALBShape
	}
	return token[:first], token[first+1 : second], token[second+1:], nil
}

func decodePadded(seg string) ([]byte, error) {
	if len(seg)%4 != 0 {
		return nil, errALBEncode
	}
	buf := make([]byte, albB64.DecodedLen(len(seg)))
	n, err := albB64.Decode(buf, view.Bytes(seg))
	if err != nil {
		return nil, errALBEncode
	}
	return buf[:n], nil
}

// albHeader is what the verifier reads from an ALB token's header.
type albHeader struct {
	kid, signer, client, iss string
	exp                      time.Time
}

func parseALBHeader(src string, scratch []jsonscan.Member) (albHeader, error) {
	members, err := jsonscan.ParseObject(src, scratch)
	if err != nil {
		return albHeader{}, errs.Newf(cognitojwt.ErrMalformedToken, "header: %v", err)
	}
	var h albHeader
	var alg string
	var hasAlg, hasKid, hasExp bool
	for _, m := range members {
		var err error
		switch m.Name {
		case "alg":
			alg, err = m.Value.AsString()
			hasAlg = true
		case "kid":
			h.kid, err = m.Value.AsString()
			hasKid = true
		case "signer":
			h.signer, err = m.Value.AsString()
		case "client":
			h.client, err = m.Value.AsString()
		case "iss":
			h.iss, err = m.Value.AsString()
		case "exp":
			h.exp, err = rules.NumericDate(m.Value)
			hasExp = true
		case "typ":
			var typ string
			if typ, err = m.Value.AsString(); err == nil && !rules.AcceptableTyp(typ) {
				return albHeader{}, errs.New(cognitojwt.ErrMalformedToken, "header typ is not JWT")
			}
		default:
			if what, bad := rules.RejectedHeader[m.Name]; bad {
				return albHeader{}, errs.Newf(cognitojwt.ErrMalformedToken, "header parameter %s is not accepted", what)
			}
			continue
		}
		if err != nil {
			return albHeader{}, errs.Newf(cognitojwt.ErrMalformedToken, "header %s: %v", m.Name, err)
		}
	}
	if !hasAlg || alg != "ES256" {
		return albHeader{}, errNotES256
	}
	if !hasKid || h.kid == "" {
		return albHeader{}, errALBNoKeyID
	}
	if !isUUID(h.kid) {
		return albHeader{}, errALBKid
	}
	if !hasExp {
		return albHeader{}, errALBNoExp
	}
	return h, nil
}

// isUUID reports whether s has the 8-4-4-4-12 hex shape of the load
// balancer's kids. Nothing else is ever put into a key URL.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
