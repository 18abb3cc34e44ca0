package cognitojwt

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt/internal/bridge"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// Claims are the verified claims of a Cognito access or ID token.
//
// Every Claims value a Verifier returns is the caller's own struct:
// changing a field never affects another request, even when the verified
// token cache served it. What the struct points to is shared by every
// request that presents the same token and cannot be changed: strings,
// the Groups and Scopes lists (read-only Names), and the payload that Get,
// Attribute and Decode read. That is what lets a cache hit cost one small
// allocation instead of a deep copy.
//
// The typed fields, Get, Attribute and Decode are one view of one
// validated payload. The payload never holds two member names that are
// equal under Unicode simple case folding (at any depth), nor a name that
// folds to a claim Cognito defines without being it ("SUB", "\u017fub",
// "Cognito:Groups" are ErrMalformedToken): encoding/json matches names that
// way, so either would let Decode read a member the typed fields ignore.
type Claims struct {
	Subject   string   // sub
	Username  string   // username (access) or cognito:username (ID)
	ClientID  string   // client_id (access) or aud (ID)
	Issuer    string   // iss
	JWTID     string   // jti
	OriginJTI string   // origin_jti
	EventID   string   // event_id
	TokenUse  TokenUse // token_use
	Groups    Names    // cognito:groups
	Scopes    Names    // scope, split on spaces (access tokens)
	Email     string   // email, when present
	// EmailVerified is email_verified; Cognito sends a boolean, federated
	// attribute mappings sometimes the strings "true" / "false".
	EmailVerified bool
	Version       int // version (access tokens)

	IssuedAt  time.Time // iat; zero when absent
	ExpiresAt time.Time // exp
	NotBefore time.Time // nbf; zero when absent
	AuthTime  time.Time // auth_time; zero when absent

	// KeyID is the kid of the key that verified the token. It is for logs
	// on the server side only.
	KeyID string

	// payload is the token's decoded payload, validated by jsonscan: Get,
	// Attribute and Decode read it, so nothing they return is shared with
	// another caller.
	payload string
}

// InGroup reports whether the token lists the Cognito group, compared
// exactly (case and every byte count).
func (c *Claims) InGroup(name string) bool {
	return c != nil && c.Groups.Contains(name)
}

// HasScope reports whether the token's scope claim lists scope exactly.
func (c *Claims) HasScope(scope string) bool {
	return c != nil && c.Scopes.Contains(scope)
}

// Attribute returns a user-pool attribute that is a string claim. A name
// without the "custom:" prefix is looked up with it first, so
// Attribute("tenant_id") reads custom:tenant_id; when no such custom
// attribute exists the plain name is tried (standard attributes such as
// "email", or string claims added by a pre-token-generation trigger).
func (c *Claims) Attribute(name string) (string, bool) {
	if c == nil || name == "" {
		return "", false
	}
	if !strings.HasPrefix(name, "custom:") {
		if s, ok := c.stringClaim("custom:" + name); ok {
			return s, true
		}
	}
	return c.stringClaim(name)
}

func (c *Claims) stringClaim(name string) (string, bool) {
	if c == nil {
		return "", false
	}
	v, ok := jsonscan.Lookup(c.payload, name)
	if !ok {
		return "", false
	}
	s, err := v.AsString()
	return s, err == nil
}

// Get returns any payload claim decoded as encoding/json would decode it
// into an interface value (string, float64, bool, nil, []any or
// map[string]any). Each call returns a fresh value.
func (c *Claims) Get(name string) (any, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := jsonscan.Lookup(c.payload, name)
	if !ok {
		return nil, false
	}
	var out any
	if err := json.Unmarshal([]byte(v.Raw), &out); err != nil {
		return nil, false
	}
	return out, true
}

// Decode unmarshals the whole payload into v with encoding/json, for claims
// this type does not name (for example those a pre-token-generation trigger
// adds).
//
// encoding/json fills a struct field from the member whose name equals the
// field's under case folding. For every claim Cognito defines that is the
// member the typed fields read, since Verify refuses other spellings of
// those names. For claims of your own, tag fields with the exact name the
// token uses: Get and Attribute match names exactly, and a field tagged
// "custom:role" would also be filled from a claim "custom:Role".
func (c *Claims) Decode(v any) error {
	if c == nil {
		return errors.New("cognitojwt: Decode on nil Claims")
	}
	return json.Unmarshal([]byte(c.payload), v)
}

// RawPayload returns a copy of the token's decoded JSON payload.
func (c *Claims) RawPayload() []byte {
	if c == nil {
		return nil
	}
	return []byte(c.payload)
}

// copy returns a shallow copy: a new struct sharing everything it points
// to, all of which is immutable.
func (c *Claims) copy() *Claims {
	out := new(Claims)
	*out = *c
	return out
}

// NumericDate bounds and their error, as every NumericDate reader of
// the module applies them.
const (
	maxNumericDate = rules.MaxNumericDate
	minNumericDate = rules.MinNumericDate
)

var errOutOfRange = rules.ErrOutOfRange

func init() {
	bridge.SetClaimsPayload = func(c any, payload string) { c.(*Claims).payload = payload }
	bridge.ReadClaim = func(c any, m jsonscan.Member) error { return readSharedClaim(c.(*Claims), m) }
}

// parsePayload fills c from the decoded payload. Claims Cognito defines
// must have Cognito's JSON types; anything else is ErrMalformedToken. The
// payload is scanned once, and only the claims read here are kept.
func parsePayload(payload string, c *Claims) error {
	var hasExp bool
	var username, cognitoUsername, clientID string
	var aud jsonscan.Value
	var claimErr error
	err := jsonscan.ScanObject(payload, func(m jsonscan.Member) error {
		v := m.Value
		var err error
		switch m.Name {
		case "client_id":
			clientID, err = v.AsString()
		case "aud":
			aud = v // its type matters only for ID tokens
		case "token_use":
			var s string
			s, err = v.AsString()
			c.TokenUse = TokenUse(s)
		case "username":
			username, err = v.AsString()
		case "cognito:username":
			cognitoUsername, err = v.AsString()
		case "jti":
			c.JWTID, err = v.AsString()
		case "origin_jti":
			c.OriginJTI, err = v.AsString()
		case "event_id":
			c.EventID, err = v.AsString()
		case "version":
			var f float64
			if f, err = v.AsNumber(); err == nil {
				if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
					err = errOutOfRange
				}
				c.Version = int(f)
			}
		case "scope":
			var s string
			if s, err = v.AsString(); err == nil {
				c.Scopes = Names{list: splitScopes(s)}
			}
		case "exp":
			hasExp = true
			c.ExpiresAt, err = rules.NumericDate(v)
		default:
			claimErr = readSharedClaim(c, m)
			return claimErr
		}
		if err != nil {
			claimErr = failf(ErrMalformedToken, "claim %q: %v", m.Name, err)
		}
		return claimErr
	})
	if claimErr != nil {
		return claimErr
	}
	if err != nil {
		return failf(ErrMalformedToken, "payload: %v", err)
	}
	c.payload = payload
	if !hasExp {
		return fail(ErrMalformedToken, "claim \"exp\" is required")
	}
	switch c.TokenUse {
	case IDToken:
		c.Username = cognitoUsername
		if aud.Kind != jsonscan.Invalid {
			// Cognito's aud is one string; an array is not its shape.
			if c.ClientID, err = aud.AsString(); err != nil {
				return failf(ErrMalformedToken, "claim \"aud\": %v", err)
			}
		}
	default:
		c.Username, c.ClientID = username, clientID
	}
	return nil
}

// readSharedClaim reads into c a claim that Cognito's tokens and the
// load balancer's user-claims token carry alike, requiring Cognito's JSON
// type. Both verifiers read these through it, so that the two token
// formats can never disagree on what a claim means or on which member
// names they refuse. A name it does not read is left for Get, Attribute
// and Decode, unless it folds to a Cognito claim name without being it.
func readSharedClaim(c *Claims, m jsonscan.Member) error {
	v := m.Value
	var err error
	switch m.Name {
	case "sub":
		c.Subject, err = v.AsString()
	case "iss":
		c.Issuer, err = v.AsString()
	case "email":
		c.Email, err = v.AsString()
	case "email_verified":
		c.EmailVerified, err = rules.Boolish(v)
	case "cognito:groups":
		var groups []string
		groups, err = v.AppendStrings(make([]string, 0, v.CountElements()))
		c.Groups = Names{list: groups}
	case "iat":
		c.IssuedAt, err = rules.NumericDate(v)
	case "nbf":
		c.NotBefore, err = rules.NumericDate(v)
	case "auth_time":
		c.AuthTime, err = rules.NumericDate(v)
	default:
		if claim, ok := foldsToCognitoClaim(m.Name); ok {
			return failf(ErrMalformedToken, "a member name folds to claim %q without being it", claim)
		}
		return nil
	}
	if err != nil {
		return failf(ErrMalformedToken, "claim %q: %v", m.Name, err)
	}
	return nil
}

// cognitoClaims are the claim names Cognito defines for its tokens, and
// the ones this package reads. encoding/json matches struct fields by
// Unicode simple case folding, so a payload naming "SUB" or "\u017fub"
// would leave Subject empty while Decode into a field tagged "sub" read
// it; Cognito never writes such spellings, so a payload that carries one
// is refused rather than read two ways.
var cognitoClaims = map[string]struct{}{
	"sub": {}, "iss": {}, "aud": {}, "client_id": {}, "token_use": {}, "scope": {},
	"username": {}, "cognito:username": {}, "cognito:groups": {}, "cognito:roles": {},
	"cognito:preferred_role": {}, "jti": {}, "origin_jti": {}, "event_id": {},
	"version": {}, "exp": {}, "iat": {}, "nbf": {}, "auth_time": {}, "at_hash": {},
	"email": {}, "email_verified": {}, "phone_number": {}, "phone_number_verified": {},
	"birthdate": {}, "identities": {}, "acr": {}, "amr": {}, "azp": {}, "nonce": {},
}

// foldsToCognitoClaim reports a name that is not a Cognito claim name but
// equals one under simple case folding, and returns that claim name.
// Every Cognito claim name is lower-case ASCII, and the only non-ASCII
// runes that fold to ASCII are U+017F (s) and U+212A (k), so folding a
// candidate needs no tables and no allocation.
func foldsToCognitoClaim(name string) (string, bool) {
	var buf [32]byte
	n, folded := 0, false
	for i := 0; i < len(name); n++ {
		if n == len(buf) {
			return "", false
		}
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z':
			buf[n], folded = c+'a'-'A', true
			i++
		case c < utf8.RuneSelf:
			buf[n] = c
			i++
		case strings.HasPrefix(name[i:], "\u017f"):
			buf[n], folded = 's', true
			i += len("\u017f")
		case strings.HasPrefix(name[i:], "\u212a"):
			buf[n], folded = 'k', true
			i += len("\u212a")
		default:
			return "", false
		}
	}
	if !folded {
		return "", false
	}
	if _, ok := cognitoClaims[string(buf[:n])]; ok {
		return string(buf[:n]), true
	}
	return "", false
}

// splitScopes splits on single spaces only (RFC 6749 §3.3): a tab or a
// non-breaking space is part of a scope name, never a separator.
func splitScopes(s string) []string {
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
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		start := i
		for i < len(s) && s[i] != ' ' {
			i++
		}
		if i > start {
			out = append(out, s[start:i])
		}
	}
	return out
}

// Birthdate returns the OIDC birthdate claim ("YYYY-MM-DD"). A birthdate
// with the year withheld ("0000-MM-DD") or of another form is reported
// absent.
func (c *Claims) Birthdate() (time.Time, bool) {
	s, ok := c.stringClaim("birthdate")
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() == 0 {
		return time.Time{}, false
	}
	return t, true
}

// AgeAt returns the user's age in whole years at now, from Birthdate. A
// birthdate after now is reported absent.
func (c *Claims) AgeAt(now time.Time) (int, bool) {
	if c == nil {
		return 0, false
	}
	b, ok := c.Birthdate()
	if !ok {
		return 0, false
	}
	y, m, d := now.Date()
	age := y - b.Year()
	if m < b.Month() || (m == b.Month() && d < b.Day()) {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return age, true
}
