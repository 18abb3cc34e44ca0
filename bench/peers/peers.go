// Package peers sets up cognitojwt and other Go JWT verifiers to verify the
// same Cognito access token against the same loopback JWKS, each checking
// as much of Cognito's rules (RS256, kid, iss, exp, client_id, token_use)
// as it can express.
package peers

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/MicahParks/keyfunc/v3"
	jwtmw "github.com/auth0/go-jwt-middleware/v3/jwks"
	"github.com/auth0/go-jwt-middleware/v3/validator"
	"github.com/coreos/go-oidc/v3/oidc"
	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/bench/internal/fixture"
)

// Verifier is one library, ready to verify.
type Verifier struct {
	Name string
	// Checks lists what the library verifies of the token.
	Checks string
	// NeedsAud marks a library that rejects tokens without aud, which
	// Cognito access tokens never carry: it is given the same token with
	// aud added.
	NeedsAud bool
	// Verify returns nil only for a token that passed every check.
	Verify func(ctx context.Context, token string) error
}

var (
	errClient   = errors.New("client_id is not the app client")
	errTokenUse = errors.New("token_use is not access")
)

// Set is every verifier, warmed up.
type Set struct {
	Verifiers []Verifier
	// Cognito is cognitojwt with its verified-token cache on, for the
	// repeated-token rows.
	Cognito *cognitojwt.Verifier
	// Auth0 is go-jwt-middleware's validator, for the middleware rows.
	Auth0 *validator.Validator
	stop  context.CancelFunc
}

// Close stops the key refreshers some libraries run in the background.
func (s *Set) Close() { s.stop() }

// New builds every verifier against the JWKS at jwksURL and fetches its
// keys once, so that the measurements never include the network.
func New(jwksURL string) (*Set, error) {
	ctx, stop := context.WithCancel(context.Background())
	s := &Set{stop: stop}
	fail := func(name string, err error) (*Set, error) {
		stop()
		return nil, fmt.Errorf("%s: %w", name, err)
	}

	cold, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: fixture.PoolID, ClientIDs: []string{fixture.ClientID}, JWKSURL: jwksURL, CacheSize: -1,
	})
	if err != nil {
		return fail("cognitojwt", err)
	}
	if err := cold.Warm(ctx); err != nil {
		return fail("cognitojwt", err)
	}
	s.Cognito, err = cognitojwt.New(cognitojwt.Config{
		UserPoolID: fixture.PoolID, ClientIDs: []string{fixture.ClientID}, JWKSURL: jwksURL,
	})
	if err != nil {
		return fail("cognitojwt", err)
	}
	if err := s.Cognito.Warm(ctx); err != nil {
		return fail("cognitojwt", err)
	}
	s.Verifiers = append(s.Verifiers, Verifier{
		Name:   "cognitojwt (cold)",
		Checks: "strict shape, RS256, kid, iss, exp, nbf/iat, token_use, client_id",
		Verify: func(ctx context.Context, tok string) error {
			_, err := cold.Verify(ctx, tok)
			return err
		},
	})

	set, err := jwk.Fetch(ctx, jwksURL)
	if err != nil {
		return fail("jwx", err)
	}
	s.Verifiers = append(s.Verifiers, Verifier{
		Name:   "lestrrat-go/jwx v3 jwt.Parse + key set",
		Checks: "alg from key, kid, iss, exp required, token_use, client_id",
		Verify: func(_ context.Context, tok string) error {
			_, err := jwt.ParseString(tok,
				jwt.WithKeySet(set),
				jwt.WithIssuer(fixture.Issuer),
				jwt.WithRequiredClaim("exp"),
				jwt.WithClaimValue("token_use", "access"),
				jwt.WithClaimValue("client_id", fixture.ClientID))
			return err
		},
	})

	kf, err := keyfunc.NewDefaultCtx(ctx, []string{jwksURL})
	if err != nil {
		return fail("keyfunc", err)
	}
	parser := gojwt.NewParser(
		gojwt.WithValidMethods([]string{"RS256"}),
		gojwt.WithIssuer(fixture.Issuer),
		gojwt.WithExpirationRequired())
	s.Verifiers = append(s.Verifiers, Verifier{
		Name:   "golang-jwt v5 + MicahParks/keyfunc v3",
		Checks: "RS256, kid, iss, exp required, token_use, client_id",
		Verify: func(_ context.Context, tok string) error {
			var c cognitoClaims
			if _, err := parser.ParseWithClaims(tok, &c, kf.Keyfunc); err != nil {
				return err
			}
			return c.check()
		},
	})

	issuerURL, err := url.Parse(fixture.Issuer + "/")
	if err != nil {
		return fail("go-jwt-middleware", err)
	}
	jwksU, err := url.Parse(jwksURL)
	if err != nil {
		return fail("go-jwt-middleware", err)
	}
	provider, err := jwtmw.NewCachingProvider(jwtmw.WithIssuerURL(issuerURL), jwtmw.WithCustomJWKSURI(jwksU))
	if err != nil {
		return fail("go-jwt-middleware", err)
	}
	v, err := validator.New(
		validator.WithKeyFunc(provider.KeyFunc),
		validator.WithAlgorithm(validator.RS256),
		validator.WithIssuer(fixture.Issuer),
		validator.WithAudience(fixture.ClientID),
		validator.WithCustomClaims(func() *cognitoClaimsAuth0 { return &cognitoClaimsAuth0{} }))
	if err != nil {
		return fail("go-jwt-middleware", err)
	}
	if _, err := provider.KeyFunc(ctx); err != nil {
		return fail("go-jwt-middleware", err)
	}
	s.Auth0 = v
	s.Verifiers = append(s.Verifiers, Verifier{
		Name:     "auth0/go-jwt-middleware v3 validator",
		Checks:   "RS256, kid, iss, exp, aud (required), token_use, client_id",
		NeedsAud: true,
		Verify: func(ctx context.Context, tok string) error {
			_, err := v.ValidateToken(ctx, tok)
			return err
		},
	})

	keySet := oidc.NewRemoteKeySet(ctx, jwksURL)
	oidcVerifier := oidc.NewVerifier(fixture.Issuer, keySet, &oidc.Config{
		SkipClientIDCheck:    true,
		SupportedSigningAlgs: []string{oidc.RS256},
	})
	s.Verifiers = append(s.Verifiers, Verifier{
		Name:   "coreos/go-oidc v3 (SkipClientIDCheck)",
		Checks: "RS256, kid, iss, exp, token_use, client_id (via Claims)",
		Verify: func(ctx context.Context, tok string) error {
			t, err := oidcVerifier.Verify(ctx, tok)
			if err != nil {
				return err
			}
			var c cognitoClaims
			if err := t.Claims(&c); err != nil {
				return err
			}
			return c.check()
		},
	})
	return s, nil
}

// cognitoClaims are the Cognito claims golang-jwt and go-oidc decode, so
// that the client and token_use checks cost them what they cost a user.
type cognitoClaims struct {
	gojwt.RegisteredClaims
	ClientID string   `json:"client_id"`
	TokenUse string   `json:"token_use"`
	Groups   []string `json:"cognito:groups"`
	Scope    string   `json:"scope"`
	Username string   `json:"username"`
}

func (c *cognitoClaims) check() error {
	if c.TokenUse != "access" {
		return errTokenUse
	}
	if c.ClientID != fixture.ClientID {
		return errClient
	}
	return nil
}

// cognitoClaimsAuth0 are the custom claims go-jwt-middleware decodes and
// validates after the standard ones.
type cognitoClaimsAuth0 struct {
	ClientID string   `json:"client_id"`
	TokenUse string   `json:"token_use"`
	Groups   []string `json:"cognito:groups"`
	Scope    string   `json:"scope"`
	Username string   `json:"username"`
}

func (c *cognitoClaimsAuth0) Validate(context.Context) error {
	if c.TokenUse != "access" {
		return errTokenUse
	}
	if c.ClientID != fixture.ClientID {
		return errClient
	}
	return nil
}
