package cognitojwt

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/guard"
)

// Sentinel errors returned (wrapped) by Verify. Test for them with errors.Is;
// the wrapping error adds detail meant for logs, never for clients, and even
// that detail never contains token bytes, claim values or key ids.
var (
	// ErrNoToken: the request carried no bearer token.
	ErrNoToken = errors.New("cognitojwt: no token")
	// ErrMalformedToken: not a compact JWS of the expected shape, or a claim
	// of the wrong JSON type, or a required claim missing.
	ErrMalformedToken = errors.New("cognitojwt: malformed token")
	// ErrUnsupportedAlgorithm: the header's alg is not RS256, or disagrees
	// with the key's.
	ErrUnsupportedAlgorithm = errors.New("cognitojwt: unsupported algorithm")
	// ErrUnknownKey: the kid is missing or not in the pool's key set.
	ErrUnknownKey = errors.New("cognitojwt: unknown signing key")
	// ErrInvalidSignature: the signature does not verify with the key.
	ErrInvalidSignature = errors.New("cognitojwt: invalid signature")
	// ErrExpired: exp is at or before now minus the leeway.
	ErrExpired = errs.Expired
	// ErrNotYetValid: nbf or iat is after now plus the leeway.
	ErrNotYetValid = errs.NotYetValid
	// ErrWrongIssuer: iss is missing or is not the configured user pool.
	ErrWrongIssuer = errors.New("cognitojwt: wrong issuer")
	// ErrWrongClient: client_id (access) or aud (ID) is missing or not an
	// accepted app client.
	ErrWrongClient = errs.WrongClient
	// ErrWrongTokenUse: token_use is missing or not the configured one.
	ErrWrongTokenUse = errors.New("cognitojwt: wrong token_use")
	// ErrKeysUnavailable: the signing keys the token needs could not be
	// obtained from the JWKS endpoint: no keys were ever fetched, or the
	// token's kid is not in the last good set and the fetch that would
	// have found it failed (or is held back by the cooldown after a
	// failure). The middleware answers 503 with Retry-After.
	ErrKeysUnavailable = errs.KeysUnavailable
	// ErrCanceled: the caller's context ended before the token could be
	// verified (the client went away, or a deadline passed) while the keys
	// were still to be fetched. The error also wraps ctx.Err(), so
	// errors.Is(err, context.Canceled) or context.DeadlineExceeded holds.
	// It says nothing about the token or the key endpoint: the middleware
	// answers 503 without Retry-After, and it is never counted as
	// ErrKeysUnavailable.
	ErrCanceled = errs.Canceled
	// ErrInvalidRequest: the Authorization header is malformed or repeated.
	// The middleware answers 400 invalid_request.
	ErrInvalidRequest = errors.New("cognitojwt: malformed authorization request")
	// ErrInsufficientScope: the token is valid but a policy refused it. The
	// middleware answers 403 insufficient_scope.
	ErrInsufficientScope = errs.InsufficientScope
	// ErrInvalidConfig: New was given a Config it cannot work with.
	ErrInvalidConfig = errors.New("cognitojwt: invalid config")
	// ErrRevoked: the token is genuine but Config.Revocations lists it
	// (its jti, its refresh-token family, or its subject before a moment).
	ErrRevoked = errs.Revoked
)

// verifyError wraps a sentinel with detail for logs; see errs.Error.
type verifyError = errs.Error

func fail(kind error, detail string) error { return errs.New(kind, detail) }

func failf(kind error, format string, args ...any) error { return errs.Newf(kind, format, args...) }

// errorKinds lists the sentinels in the order errorKind reports them, each
// with its code. A table rather than a switch so that a sentinel cannot be
// added without one: a test checks every Err variable of the package is
// listed.
var errorKinds = []struct {
	err  error
	code string
}{
	{ErrCanceled, "canceled"},
	{ErrKeysUnavailable, "keys_unavailable"},
	{ErrNoToken, "no_token"},
	{ErrMalformedToken, "malformed_token"},
	{ErrUnsupportedAlgorithm, "unsupported_algorithm"},
	{ErrUnknownKey, "unknown_key"},
	{ErrInvalidSignature, "invalid_signature"},
	{ErrExpired, "expired"},
	{ErrNotYetValid, "not_yet_valid"},
	{ErrWrongIssuer, "wrong_issuer"},
	{ErrWrongClient, "wrong_client"},
	{ErrWrongTokenUse, "wrong_token_use"},
	{ErrInvalidRequest, "invalid_request"},
	{ErrInsufficientScope, "insufficient_scope"},
	{ErrInvalidConfig, "invalid_config"},
	{ErrRevoked, "revoked"},
}

// errorKind returns the sentinel that err wraps, or nil if it wraps none:
// the one ErrorCode names.
func errorKind(err error) error {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.err
		}
	}
	return nil
}

// ErrorCode returns a short, stable code for the kind of err, to use as a
// log field or metric label: "expired", "wrong_client", "no_token" and so
// on, one per sentinel (the README lists them). It is "" for nil and
// "other" for an error that wraps none of the sentinels. Codes never
// change once released; a new sentinel brings a new code.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.code
		}
	}
	return "other"
}

// errStaleToken refines ErrRevoked for a token issued before its
// subject's revocation: ErrorCode still reports "revoked", and ErrorStatus
// tells the client that a new token will do, so that an RFC 6750 client
// refreshes rather than signs its user out.
var errStaleToken = errs.StaleToken

const staleTokenDescription = "The access token predates a change to the account; refresh it or sign in again."

// tokenDescriptions are the fixed texts a client sees for each kind of bad
// token: nothing from the token, the claims or the key set.
var tokenDescriptions = map[error]string{
	ErrMalformedToken:       "The access token is malformed.",
	ErrUnsupportedAlgorithm: "The token's signing algorithm is not accepted.",
	ErrUnknownKey:           "The token was signed by an unknown key.",
	ErrInvalidSignature:     "The token signature is invalid.",
	ErrExpired:              "The access token expired.",
	ErrNotYetValid:          "The access token is not yet valid.",
	ErrWrongIssuer:          "The token was issued by another issuer.",
	ErrWrongClient:          "The token was issued to another client.",
	ErrWrongTokenUse:        "The token is not of the accepted kind.",
	ErrRevoked:              "The access token has been revoked.",
}

// ErrorStatus maps an error from Verify, a TokenSource or a policy to its
// RFC 6750 answer: the HTTP status, the error code for WWW-Authenticate
// ("" when the request carried no credentials, as §3.1 asks) and a fixed
// description. Unknown errors count as an invalid token.
//
//	ErrNoToken                      401, no error code
//	ErrInvalidRequest               400 invalid_request
//	ErrInsufficientScope            403 insufficient_scope; the description
//	                                says whether a group, a scope or a
//	                                claim value was missing
//	ErrKeysUnavailable              503 temporarily_unavailable, Retry-After, no challenge
//	ErrCanceled                     503 temporarily_unavailable, no Retry-After, no challenge
//	every other kind, and unknown   401 invalid_token
func ErrorStatus(err error) (status int, code, description string) {
	status, code, description = errorStatus(err)
	var id *idTokenError
	if errors.As(err, &id) {
		// The fixed texts speak of access tokens, which most routes take;
		// the client of a route that takes ID tokens is told of "the
		// token".
		description = strings.Replace(description, "access token", "token", 1)
	}
	return status, code, description
}

func errorStatus(err error) (status int, code, description string) {
	switch {
	case errors.Is(err, ErrNoToken):
		return http.StatusUnauthorized, "", "Authentication is required."
	case errors.Is(err, ErrInvalidRequest):
		return http.StatusBadRequest, "invalid_request", "The Authorization header is malformed."
	case errors.Is(err, ErrInsufficientScope):
		return http.StatusForbidden, "insufficient_scope", refusalDescription(err)
	case errors.Is(err, ErrKeysUnavailable):
		return http.StatusServiceUnavailable, "temporarily_unavailable", "Token signing keys are temporarily unavailable."
	case errors.Is(err, ErrCanceled):
		// The client has usually gone and reads no answer; when a server
		// deadline ended the request, 503 is what http.TimeoutHandler
		// answers too. No Retry-After: nothing is known to recover later.
		return http.StatusServiceUnavailable, "temporarily_unavailable", "The request ended before the token could be verified."
	case errors.Is(err, errStaleToken):
		return http.StatusUnauthorized, "invalid_token", staleTokenDescription
	}
	if d, ok := tokenDescriptions[errorKind(err)]; ok {
		return http.StatusUnauthorized, "invalid_token", d
	}
	return http.StatusUnauthorized, "invalid_token", "The access token is invalid."
}

// idTokenError marks an error of a verifier that takes ID tokens (IDToken
// or AnyToken), so that ErrorStatus calls it "the token" rather than "the
// access token".
type idTokenError struct{ err error }

func (e *idTokenError) Error() string { return e.err.Error() }
func (e *idTokenError) Unwrap() error { return e.err }

// refusalDescriptions are the descriptions of the guards' refusals (see
// package authz) that say what kind of thing was missing.
var refusalDescriptions = map[error]string{
	errs.NotInGroup:   "The token's user is not in a group this resource requires.",
	errs.MissingScope: "The token lacks a scope this resource requires.",
	errs.MissingClaim: "The token lacks a claim value this resource requires.",
}

func refusalDescription(err error) string {
	var e *verifyError
	if errors.As(err, &e) {
		if d, ok := refusalDescriptions[e]; ok {
			return d
		}
	}
	return "The token does not grant access to this resource."
}

// retryAfter extracts the fetcher's hint, rounded up to whole seconds.
func retryAfter(err error) int {
	var k interface{ RetryAfter() time.Duration }
	if errors.As(err, &k) && k.RetryAfter() > 0 {
		return int(math.Ceil(k.RetryAfter().Seconds()))
	}
	return int(DefaultRefetchCooldown / time.Second)
}

// WriteError writes the RFC 6750 answer for err: status, WWW-Authenticate
// challenge with realm (except for 503), Retry-After when the keys are
// unavailable, and a JSON body {"error": …, "error_description": …}.
// Custom error handlers can call it for the cases they do not treat
// themselves. scopes, when given, are the scopes the resource needs,
// named in the challenge's scope attribute (RFC 6750 §3): for the
// ErrInsufficientScope answers of guards outside this package.
func WriteError(w http.ResponseWriter, err error, realm string, scopes ...string) {
	writeError(w, err, quotable(realm), quotable(strings.Join(scopes, " ")))
}

func writeError(w http.ResponseWriter, err error, realm, scope string) {
	status, code, desc := ErrorStatus(err)
	h := w.Header()
	if status == http.StatusServiceUnavailable {
		if errors.Is(err, ErrKeysUnavailable) {
			h.Set("Retry-After", strconv.Itoa(retryAfter(err)))
		}
	} else {
		var b strings.Builder
		b.WriteString(`Bearer realm="`)
		b.WriteString(realm)
		b.WriteByte('"')
		if code != "" {
			b.WriteString(`, error="`)
			b.WriteString(code)
			b.WriteString(`", error_description="`)
			b.WriteString(desc)
			b.WriteByte('"')
		}
		if scope != "" {
			b.WriteString(`, scope="`)
			b.WriteString(scope)
			b.WriteByte('"')
		}
		h.Set("WWW-Authenticate", b.String())
	}
	guard.WriteBody(w, status, cmp.Or(code, "unauthorized"), desc)
}

// quotable drops what RFC 6750 §3 forbids inside challenge attribute
// values: the double quote, the backslash, control characters and
// non-ASCII.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
}
