package cognitotest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// TokenOption shapes a minted token.
type TokenOption func(*tokenSpec)

type tokenSpec struct {
	clientID  string
	subject   string
	username  string
	email     string
	groups    []string
	scopes    []string
	lifetime  time.Duration
	expiresAt time.Time
	issuedAt  time.Time
	claims    map[string]any
	header    map[string]any
	key       *SigningKey
}

// DefaultClientID is the app client tokens are minted for unless told
// otherwise.
const DefaultClientID = "local-client"

// WithClientID sets client_id (access) or aud (ID).
func WithClientID(id string) TokenOption { return func(s *tokenSpec) { s.clientID = id } }

// WithSubject sets sub.
func WithSubject(sub string) TokenOption { return func(s *tokenSpec) { s.subject = sub } }

// WithUsername sets username (access) or cognito:username (ID).
func WithUsername(name string) TokenOption { return func(s *tokenSpec) { s.username = name } }

// WithEmail sets email on ID tokens.
func WithEmail(email string) TokenOption { return func(s *tokenSpec) { s.email = email } }

// WithGroups sets cognito:groups.
func WithGroups(groups ...string) TokenOption {
	return func(s *tokenSpec) { s.groups = append([]string(nil), groups...) }
}

// WithScopes sets the access token's scope claim (space-joined).
func WithScopes(scopes ...string) TokenOption {
	return func(s *tokenSpec) { s.scopes = append([]string(nil), scopes...) }
}

// WithAttribute sets a user-pool custom attribute: WithAttribute("tenant_id",
// "acme") sets custom:tenant_id. Cognito sends custom attributes as strings.
func WithAttribute(name, value string) TokenOption {
	if !strings.HasPrefix(name, "custom:") {
		name = "custom:" + name
	}
	return WithClaim(name, value)
}

// WithClaim sets any claim to any JSON value, as a pre-token-generation
// trigger can; it overrides the standard ones too.
func WithClaim(name string, value any) TokenOption {
	return func(s *tokenSpec) { s.claims[name] = value }
}

// WithoutClaim removes a claim, standard ones included.
func WithoutClaim(name string) TokenOption {
	return func(s *tokenSpec) { s.claims[name] = deleted{} }
}

type deleted struct{}

// WithLifetime sets exp to iat plus d (default one hour). A negative d
// mints an expired token.
func WithLifetime(d time.Duration) TokenOption { return func(s *tokenSpec) { s.lifetime = d } }

// WithExpiresAt sets exp exactly.
func WithExpiresAt(t time.Time) TokenOption { return func(s *tokenSpec) { s.expiresAt = t } }

// WithIssuedAt sets iat and auth_time (default: the issuer's clock).
func WithIssuedAt(t time.Time) TokenOption { return func(s *tokenSpec) { s.issuedAt = t } }

// WithHeader sets a JOSE header member; nil removes it.
func WithHeader(name string, value any) TokenOption {
	return func(s *tokenSpec) { s.header[name] = value }
}

// WithKey signs with k instead of the current key (k need not be
// published: a key of another pool, say).
func WithKey(k *SigningKey) TokenOption { return func(s *tokenSpec) { s.key = k } }

func (i *Issuer) spec(opts []TokenOption) *tokenSpec {
	s := &tokenSpec{
		clientID: DefaultClientID,
		subject:  newUUID(),
		username: "alice",
		email:    "alice@example.com",
		lifetime: time.Hour,
		claims:   map[string]any{},
		header:   map[string]any{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.issuedAt.IsZero() {
		s.issuedAt = i.now()
	}
	if s.expiresAt.IsZero() {
		s.expiresAt = s.issuedAt.Add(s.lifetime)
	}
	if s.key == nil {
		s.key = i.CurrentKey()
	}
	return s
}

// Claims returns the claim set an access or ID token would carry, before
// signing: for tests that start from a real claim set and break it.
func (i *Issuer) Claims(use string, opts ...TokenOption) map[string]any {
	return i.claims(use, i.spec(opts))
}

func (i *Issuer) claims(use string, s *tokenSpec) map[string]any {
	iat := s.issuedAt.Unix()
	c := map[string]any{
		"sub":        s.subject,
		"iss":        i.URL(),
		"token_use":  use,
		"auth_time":  iat,
		"iat":        iat,
		"exp":        s.expiresAt.Unix(),
		"jti":        newUUID(),
		"origin_jti": newUUID(),
		"event_id":   newUUID(),
	}
	if len(s.groups) > 0 {
		c["cognito:groups"] = s.groups
	}
	switch use {
	case "id":
		c["aud"] = s.clientID
		c["cognito:username"] = s.username
		c["email"] = s.email
		c["email_verified"] = true
		c["at_hash"] = "local-at-hash"
	default:
		c["client_id"] = s.clientID
		c["username"] = s.username
		c["version"] = 2
		scope := "aws.cognito.signin.user.admin"
		if s.scopes != nil {
			scope = strings.Join(s.scopes, " ")
		}
		c["scope"] = scope
	}
	for name, v := range s.claims {
		if _, gone := v.(deleted); gone {
			delete(c, name)
		} else {
			c[name] = v
		}
	}
	return c
}

// AccessToken mints a signed access token with Cognito's claim set:
// sub, iss, client_id, origin_jti, event_id, token_use, scope, auth_time,
// exp, iat, jti, username, version and, if set, cognito:groups.
func (i *Issuer) AccessToken(opts ...TokenOption) string {
	s := i.spec(opts)
	return i.SignWith(s.key, s.header, i.claims("access", s))
}

// IDToken mints a signed ID token with Cognito's claim set: sub, iss, aud,
// token_use, auth_time, exp, iat, jti, origin_jti, event_id, at_hash,
// cognito:username, email, email_verified, and any custom attributes.
func (i *Issuer) IDToken(opts ...TokenOption) string {
	s := i.spec(opts)
	return i.SignWith(s.key, s.header, i.claims("id", s))
}

// MachineToken mints a client-credentials access token: client_id and
// resource-server scopes, no username and no groups.
func (i *Issuer) MachineToken(scopes []string, opts ...TokenOption) string {
	s := i.spec(append([]TokenOption{WithScopes(scopes...)}, opts...))
	c := i.claims("access", s)
	delete(c, "username")
	delete(c, "cognito:groups")
	delete(c, "origin_jti")
	delete(c, "event_id")
	c["sub"] = s.clientID
	return i.SignWith(s.key, s.header, c)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
