package cognitotest

import (
	"fmt"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// TokenOption shapes a minted token.
type TokenOption func(*tokenSpec)

// tokenSpec is the pool's Mint (claims as Cognito issues them) and what
// only a test kit adds: an exact exp, raw claims, header members and a
// key of the test's choosing.
type tokenSpec struct {
	mint      cognitolocal.Mint
	lifetime  time.Duration
	expiresAt time.Time
	claims    map[string]any // raw, either token
	header    map[string]any
	key       *SigningKey
}

// DefaultClientID is the app client tokens are minted for unless told
// otherwise: the local user pool's default client.
const DefaultClientID = cognitolocal.DefaultClientID

// WithClientID sets client_id (access) or aud (ID).
func WithClientID(id string) TokenOption { return func(s *tokenSpec) { s.mint.ClientID = id } }

// WithSubject sets sub.
func WithSubject(sub string) TokenOption { return func(s *tokenSpec) { s.mint.Subject = sub } }

// WithUsername sets username (access) or cognito:username (ID).
func WithUsername(name string) TokenOption { return func(s *tokenSpec) { s.mint.Username = name } }

// WithEmail sets the user's email (default alice@example.com, verified),
// which Cognito puts in ID tokens only.
func WithEmail(email string) TokenOption {
	return func(s *tokenSpec) { s.mint.Attributes["email"] = email }
}

// WithGroups sets cognito:groups.
func WithGroups(groups ...string) TokenOption {
	return func(s *tokenSpec) { s.mint.Groups = append([]string(nil), groups...) }
}

// WithScopes sets the access token's scope claim (space-joined).
func WithScopes(scopes ...string) TokenOption {
	return func(s *tokenSpec) { s.mint.Scopes = append([]string(nil), scopes...) }
}

// WithAttribute sets a user-pool custom attribute: WithAttribute("tenant_id",
// "acme") sets custom:tenant_id. As in Cognito, attributes go into ID
// tokens only, as strings; to find one in an access token, add it as a
// trigger would with WithPreTokenGenerationClaim.
func WithAttribute(name, value string) TokenOption {
	if !strings.HasPrefix(name, "custom:") {
		name = "custom:" + name
	}
	return func(s *tokenSpec) { s.mint.Attributes[name] = value }
}

// WithPreTokenGenerationClaim adds a claim of any JSON value to the access
// token, as a pre-token-generation trigger (V2_0) adds it: the only way a
// real access token carries attributes, email, or claims of your own. A
// claim Cognito does not let a trigger change (iss, sub, exp, token_use,
// …) is a mistake in the test: minting panics, naming the rule.
func WithPreTokenGenerationClaim(name string, value any) TokenOption {
	return func(s *tokenSpec) { s.mint.AccessTokenClaims[name] = value }
}

// WithClaim sets any claim of whichever token is minted to any JSON
// value, standard ones included, with no rule applied: the raw tool for
// tokens Cognito would not issue. For claims a trigger adds to access
// tokens, prefer WithPreTokenGenerationClaim.
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
func WithIssuedAt(t time.Time) TokenOption { return func(s *tokenSpec) { s.mint.IssuedAt = t } }

// WithHeader sets a JOSE header member; nil removes it.
func WithHeader(name string, value any) TokenOption {
	return func(s *tokenSpec) { s.header[name] = value }
}

// WithKey signs with k instead of the current key (k need not be
// published: a key of another pool, say).
func WithKey(k *SigningKey) TokenOption { return func(s *tokenSpec) { s.key = k } }

func newSpec(now func() time.Time, opts []TokenOption) *tokenSpec {
	s := &tokenSpec{
		mint: cognitolocal.Mint{
			ClientID:          DefaultClientID,
			Username:          "alice",
			Attributes:        map[string]string{"email": "alice@example.com", "email_verified": "true"},
			AccessTokenClaims: map[string]any{},
		},
		lifetime: time.Hour,
		claims:   map[string]any{},
		header:   map[string]any{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.mint.IssuedAt.IsZero() {
		s.mint.IssuedAt = now()
	}
	if s.expiresAt.IsZero() {
		s.expiresAt = s.mint.IssuedAt.Add(s.lifetime)
	}
	return s
}

func (i *Issuer) spec(opts []TokenOption) *tokenSpec {
	s := newSpec(i.now, opts)
	if s.key == nil {
		s.key = i.CurrentKey()
	}
	return s
}

// mustMint is mint for the Issuer's methods, which have no test to fail:
// a claim no trigger may change is a mistake in the test's code.
func mustMint(pool *cognitolocal.Pool, use string, s *tokenSpec) map[string]any {
	c, err := mint(pool, use, s)
	if err != nil {
		panic(err)
	}
	return c
}

// mint builds the claim set of an access ("access"), ID ("id") or
// client-credentials ("machine") token of pool as s describes it.
func mint(pool *cognitolocal.Pool, use string, s *tokenSpec) (map[string]any, error) {
	m := s.mint
	m.ClientCredentials = use == "machine"
	access, id, err := pool.MintClaims(m)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: WithPreTokenGenerationClaim: %w", err)
	}
	c := access
	if use == "id" {
		c = id
	}
	c["exp"] = s.expiresAt.Unix()
	for name, v := range s.claims {
		if _, gone := v.(deleted); gone {
			delete(c, name)
		} else {
			c[name] = v
		}
	}
	return c, nil
}

// Claims returns the claim set an access or ID token would carry, before
// signing: for tests that start from a real claim set and break it.
func (i *Issuer) Claims(use string, opts ...TokenOption) map[string]any {
	return mustMint(i.pool, use, i.spec(opts))
}

// AccessToken mints a signed access token with Cognito's claim set:
// sub, iss, client_id, origin_jti, event_id, token_use, scope, auth_time,
// exp, iat, jti, username, version and, if set, cognito:groups. No
// attributes: see WithPreTokenGenerationClaim.
func (i *Issuer) AccessToken(opts ...TokenOption) string {
	s := i.spec(opts)
	return i.SignWith(s.key, s.header, mustMint(i.pool, "access", s))
}

// IDToken mints a signed ID token with Cognito's claim set: sub, iss, aud,
// token_use, auth_time, exp, iat, jti, origin_jti, event_id,
// cognito:username, email, email_verified, and any custom attributes.
func (i *Issuer) IDToken(opts ...TokenOption) string {
	s := i.spec(opts)
	return i.SignWith(s.key, s.header, mustMint(i.pool, "id", s))
}

// MachineToken mints a client-credentials access token: client_id and
// resource-server scopes, no username and no groups.
func (i *Issuer) MachineToken(scopes []string, opts ...TokenOption) string {
	s := i.spec(append([]TokenOption{WithScopes(scopes...)}, opts...))
	return i.SignWith(s.key, s.header, mustMint(i.pool, "machine", s))
}
