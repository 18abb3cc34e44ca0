// Package rules holds the checks that every verifier of the module
// applies alike, whatever its token format: the lifetime and app-client
// rules, the JOSE header members no token may carry, and the readers of
// NumericDate and boolean claims. The root verifier and the ALB verifier
// call these, so a rule is written and fixed once.
package rules

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

var (
	errExpired  = errs.New(errs.Expired, "exp has passed")
	errNbf      = errs.New(errs.NotYetValid, "nbf is in the future")
	errIat      = errs.New(errs.NotYetValid, "iat is in the future")
	errClient   = errs.New(errs.WrongClient, "app client is not accepted")
	errNoClient = errs.New(errs.WrongClient, "app client is missing")
)

// Lifetime checks exp, nbf and iat against now with leeway: the token is
// expired when exp ≤ now − leeway, not yet valid when nbf or iat (when
// not zero) is after now + leeway. It is cheap enough for every cache hit.
func Lifetime(exp, nbf, iat, now time.Time, leeway time.Duration) error {
	if !exp.After(now.Add(-leeway)) {
		return errExpired
	}
	late := now.Add(leeway)
	if !nbf.IsZero() && nbf.After(late) {
		return errNbf
	}
	if !iat.IsZero() && iat.After(late) {
		return errIat
	}
	return nil
}

// Client checks an app client id against the accepted ones, unless any
// client is accepted.
func Client(id string, accepted []string, anyClient bool) error {
	switch {
	case anyClient:
		return nil
	case id == "":
		return errNoClient
	case !slices.Contains(accepted, id):
		return errClient
	}
	return nil
}

// RejectedHeader names the JOSE header members whose mere presence
// refuses a token, by member name.
var RejectedHeader = map[string]string{
	// Keys or key locations chosen by the token's author.
	"jku": "jku", "x5u": "x5u", "jwk": "jwk", "x5c": "x5c",
	// Extensions, compression, nesting and encryption Cognito and the
	// load balancer never use; honouring any of them changes what the
	// signature covers.
	"crit": "crit", "b64": "b64", "zip": "zip", "cty": "cty", "enc": "enc",
}

// AcceptableTyp reports whether a header typ names a JWT: "JWT" or
// "at+jwt", in any case, with or without "application/".
func AcceptableTyp(typ string) bool {
	t := strings.TrimPrefix(strings.ToLower(typ), "application/")
	return t == "jwt" || t == "at+jwt"
}

// IsB64URL reports whether c is in the base64url alphabet.
func IsB64URL(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
}

// NumericDate bounds: past year 9999 a value cannot be a real lifetime and
// would overflow time arithmetic, so it is malformed.
const (
	MaxNumericDate = 253402300799
	MinNumericDate = -MaxNumericDate
)

// ErrOutOfRange is a NumericDate outside the bounds.
var ErrOutOfRange = errors.New("numeric date out of range")

// NumericDate reads a JSON number of seconds since the epoch, fractions
// kept, within ±year 9999.
func NumericDate(v jsonscan.Value) (time.Time, error) {
	f, err := v.AsNumber()
	if err != nil {
		return time.Time{}, err
	}
	if f > MaxNumericDate || f < MinNumericDate {
		return time.Time{}, ErrOutOfRange
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// Boolish reads a boolean, or the strings "true" and "false" that
// federated attribute mappings produce.
func Boolish(v jsonscan.Value) (bool, error) {
	if v.Kind == jsonscan.String {
		switch v.Raw {
		case `"true"`:
			return true, nil
		case `"false"`:
			return false, nil
		}
	}
	return v.AsBool()
}

// UnixNanos is t in Unix nanoseconds, clamped to what an int64 holds: the
// zero time (no nbf or iat) is far below. The token cache and the
// revocation list keep instants so, to compare them with one load.
func UnixNanos(t time.Time) int64 {
	switch {
	case t.Before(minUnixNanos):
		return math.MinInt64
	case t.After(maxUnixNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minUnixNanos = time.Unix(0, math.MinInt64)
	maxUnixNanos = time.Unix(0, math.MaxInt64)
)

// SplitScopes splits on single spaces only (RFC 6749 §3.3): a tab or a
// non-breaking space is part of a scope name, never a separator.
func SplitScopes(s string) []string {
	n := CountScopes(s)
	if n == 0 {
		return nil
	}
	return AppendScopes(make([]string, 0, n), s)
}

// CountScopes is how many scope names SplitScopes finds in s.
func CountScopes(s string) int {
	n := 0
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) {
			n++
		}
		for i < len(s) && s[i] != ' ' {
			i++
		}
	}
	return n
}

// AppendScopes appends the scope names of s, split as SplitScopes
// splits, to dst.
func AppendScopes(dst []string, s string) []string {
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		start := i
		for i < len(s) && s[i] != ' ' {
			i++
		}
		if i > start {
			dst = append(dst, s[start:i])
		}
	}
	return dst
}
