package cognitojwt

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

// Claims are the verified claims of a Cognito access or ID token.
//
// Every Claims value a Verifier returns is the caller's own struct:
// changing a field never affects another request, even when the verified
// token cache served it. What the struct points to is shared by every
// request that presents the same token and cannot be changed: strings,
// the Groups and Scopes lists (read-only Names), and the payload that Get,
// Attribute and Decode read. That is what lets a cache hit cost one small
// allocation instead of a deep copy, and none when VerifyInto copies the
// struct into one of the caller's.
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
	out.fill(c)
	return out
}

// fill makes c a shallow copy of from. c must be freshly allocated and
// zero, with no call between its allocation and fill: the copy of a cache
// hit's claims, into Verify's result or the middleware's context value.
//
// It names every field instead of copying the struct whole (*c = *from):
// inlined right after the allocation, it lets the compiler know that each
// store goes to zeroed memory, so that while the collector marks, as it
// often does on a server answering cache hits, each pointer costs one
// write-barrier slot (its new value) instead of two and no walk of the
// type's pointer bitmap. Only the first 64 words of an object are known
// zero this way, so a struct that embeds Claims puts it first.
// TestClaimsCopyHasEveryField fails when a field is left out here.
func (c *Claims) fill(from *Claims) {
	// Three statements, not one a field: the cost that keeps fill
	// inlinable counts statements.
	c.Subject, c.Username, c.ClientID, c.Issuer, c.JWTID, c.OriginJTI, c.EventID =
		from.Subject, from.Username, from.ClientID, from.Issuer, from.JWTID, from.OriginJTI, from.EventID
	c.TokenUse, c.Groups, c.Scopes, c.Email, c.EmailVerified, c.Version =
		from.TokenUse, from.Groups, from.Scopes, from.Email, from.EmailVerified, from.Version
	c.IssuedAt, c.ExpiresAt, c.NotBefore, c.AuthTime, c.KeyID, c.payload =
		from.IssuedAt, from.ExpiresAt, from.NotBefore, from.AuthTime, from.KeyID, from.payload
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
