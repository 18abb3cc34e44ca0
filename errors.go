package cognitojwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
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
	ErrExpired = errors.New("cognitojwt: token expired")
	// ErrNotYetValid: nbf or iat is after now plus the leeway.
	ErrNotYetValid = errors.New("cognitojwt: token not yet valid")
	// ErrWrongIssuer: iss is missing or is not the configured user pool.
	ErrWrongIssuer = errors.New("cognitojwt: wrong issuer")
	// ErrWrongClient: client_id (access) or aud (ID) is missing or not an
	// accepted app client.
	ErrWrongClient = errors.New("cognitojwt: wrong client")
	// ErrWrongTokenUse: token_use is missing or not the configured one.
	ErrWrongTokenUse = errors.New("cognitojwt: wrong token_use")
	// ErrKeysUnavailable: no signing keys could be obtained from the JWKS
	// endpoint. The middleware answers 503.
	ErrKeysUnavailable = errors.New("cognitojwt: signing keys unavailable")
	// ErrInvalidRequest: the Authorization header is malformed or repeated.
	// The middleware answers 400 invalid_request.
	ErrInvalidRequest = errors.New("cognitojwt: malformed authorization request")
	// ErrInsufficientScope: the token is valid but a policy refused it. The
	// middleware answers 403 insufficient_scope.
	ErrInsufficientScope = errors.New("cognitojwt: insufficient scope")
	// ErrInvalidConfig: New was given a Config it cannot work with.
	ErrInvalidConfig = errors.New("cognitojwt: invalid config")
	// ErrRevoked: the token is genuine but Config.Revocations lists it
	// (its jti, its refresh-token family, or its subject before a moment).
	ErrRevoked = errors.New("cognitojwt: token revoked")
)

// verifyError wraps a sentinel with detail for logs. It is a value type with
// a constant detail on the hot rejection paths so that failing fast costs
// no formatting.
type verifyError struct {
	kind   error
	detail string
}

func (e *verifyError) Error() string { return e.kind.Error() + ": " + e.detail }
func (e *verifyError) Unwrap() error { return e.kind }

func fail(kind error, detail string) error { return &verifyError{kind: kind, detail: detail} }

func failf(kind error, format string, args ...any) error {
	return &verifyError{kind: kind, detail: fmt.Sprintf(format, args...)}
}

// errorKinds lists the sentinels in the order ErrorKind reports them.
var errorKinds = []error{
	ErrKeysUnavailable, ErrNoToken, ErrMalformedToken, ErrUnsupportedAlgorithm,
	ErrUnknownKey, ErrInvalidSignature, ErrExpired, ErrNotYetValid,
	ErrWrongIssuer, ErrWrongClient, ErrWrongTokenUse, ErrInvalidRequest,
	ErrInsufficientScope, ErrInvalidConfig, ErrRevoked,
}

// ErrorKind returns the sentinel that err wraps, or nil if it wraps none.
// It is the value to log or count instead of err's text.
func ErrorKind(err error) error {
	for _, k := range errorKinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// errStaleToken refines ErrRevoked for a token issued before its
// subject's revocation: ErrorKind still reports ErrRevoked, and ErrorStatus
// tells the client that a new token will do, so that an RFC 6750 client
// refreshes rather than signs its user out.
var errStaleToken = fmt.Errorf("%w", ErrRevoked)

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
//	ErrInsufficientScope            403 insufficient_scope
//	ErrKeysUnavailable              503 (with Retry-After), no challenge
//	every other kind, and unknown   401 invalid_token
func ErrorStatus(err error) (status int, code, description string) {
	switch {
	case errors.Is(err, ErrNoToken):
		return http.StatusUnauthorized, "", "Authentication is required."
	case errors.Is(err, ErrInvalidRequest):
		return http.StatusBadRequest, "invalid_request", "The Authorization header is malformed."
	case errors.Is(err, ErrInsufficientScope):
		return http.StatusForbidden, "insufficient_scope", "The token does not grant access to this resource."
	case errors.Is(err, ErrKeysUnavailable):
		return http.StatusServiceUnavailable, "temporarily_unavailable", "Token signing keys are temporarily unavailable."
	case errors.Is(err, errStaleToken):
		return http.StatusUnauthorized, "invalid_token", staleTokenDescription
	}
	if d, ok := tokenDescriptions[ErrorKind(err)]; ok {
		return http.StatusUnauthorized, "invalid_token", d
	}
	return http.StatusUnauthorized, "invalid_token", "The access token is invalid."
}

// retryAfter extracts the fetcher's hint, rounded up to whole seconds.
func retryAfter(err error) int {
	var k *keysUnavailableError
	if errors.As(err, &k) && k.retryAfter > 0 {
		return int(math.Ceil(k.retryAfter.Seconds()))
	}
	return int(DefaultRefetchCooldown / time.Second)
}

// WriteError writes the RFC 6750 answer for err: status, WWW-Authenticate
// challenge with realm (except for 503), Retry-After on 503, and a JSON
// body {"error": …, "error_description": …}. Custom error handlers can call
// it for the cases they do not treat themselves.
func WriteError(w http.ResponseWriter, err error, realm string) {
	writeError(w, err, quotable(realm), "")
}

func writeError(w http.ResponseWriter, err error, realm, scope string) {
	status, code, desc := ErrorStatus(err)
	h := w.Header()
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", strconv.Itoa(retryAfter(err)))
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
	if code == "" {
		code = "unauthorized"
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	body, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, desc})
	_, _ = w.Write(append(body, '\n'))
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
