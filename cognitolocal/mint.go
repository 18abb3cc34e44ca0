package cognitolocal

import (
	"cmp"
	"maps"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Mint describes tokens for a user who need not exist in the pool, with
// the claim sets Cognito issues: quick tokens for tests and for a
// development server's mint endpoint. Minted tokens start no refresh-token
// family, so the user operations of the JSON API do not honour them.
type Mint struct {
	// ClientID is client_id (access) and aud (ID); default
	// DefaultClientID.
	ClientID string
	// Username is username (access) and cognito:username (ID).
	Username string
	// Subject is sub; default a random UUID.
	Subject string
	// Groups is cognito:groups (absent when empty).
	Groups []string
	// Scopes is the access token's scope; nil: aws.cognito.signin.user.admin,
	// as InitiateAuth grants.
	Scopes []string
	// Attributes are user attributes (email, email_verified, custom:…).
	// As in Cognito they go into the ID token only.
	Attributes map[string]string
	// AccessTokenClaims are added to the access token as a
	// pre-token-generation trigger's claimsToAddOrOverride adds them: the
	// only way Cognito puts attributes or other claims there. Claims a
	// trigger cannot change are refused.
	AccessTokenClaims map[string]any
	// IDTokenClaims likewise for the ID token.
	IDTokenClaims map[string]any
	// IssuedAt is iat and auth_time; default the pool's clock.
	IssuedAt time.Time
	// Lifetime is exp minus iat of both tokens; default one hour. A
	// negative lifetime mints expired tokens.
	Lifetime time.Duration
	// ClientCredentials mints a machine-to-machine access token: sub and
	// client_id are the client, scope is Scopes; no user, no ID token.
	ClientCredentials bool
}

// MintClaims returns the claim sets of the tokens m describes, before
// signing: the access token's, and the ID token's (nil for client
// credentials).
func (p *Pool) MintClaims(m Mint) (access, id map[string]any, err error) {
	now := m.IssuedAt
	if now.IsZero() {
		now = p.now()
	}
	life := cmp.Or(m.Lifetime, time.Hour)
	req := issueRequest{
		client: AppClient{ClientID: cmp.Or(m.ClientID, DefaultClientID), AccessTokenValidity: life, IDTokenValidity: life},
		fam:    family{OriginJTI: newUUID(), Scopes: m.Scopes, AuthTime: now},
	}
	if m.Scopes == nil && !m.ClientCredentials {
		req.fam.Scopes = []string{scopeAdmin}
	}
	if !m.ClientCredentials {
		attrs := maps.Clone(m.Attributes)
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["sub"] = m.Subject
		if m.Subject == "" {
			attrs["sub"] = newUUID()
		}
		req.user = &snapshot{username: m.Username, attrs: attrs, groups: m.Groups}
		req.idToken = true
	}
	access, id = p.claimSets(req, now)
	var d events.ClaimsAndScopeOverrideDetailsV2_0
	d.AccessTokenGeneration.ClaimsToAddOrOverride = m.AccessTokenClaims
	d.IDTokenGeneration.ClaimsToAddOrOverride = m.IDTokenClaims
	if err := applyTriggerResponse(d, access, id); err != nil {
		return nil, nil, err
	}
	return access, id, nil
}

// MintTokens signs the tokens m describes with the pool's current key.
// RefreshToken is empty; ExpiresIn is the lifetime in seconds.
func (p *Pool) MintTokens(m Mint) (Tokens, error) {
	access, id, err := p.MintClaims(m)
	if err != nil {
		return Tokens{}, err
	}
	t, err := p.sign(access, id, false)
	t.ExpiresIn = int(cmp.Or(m.Lifetime, time.Hour) / time.Second)
	return t, err
}
