package cognitotest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func names(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// The claim sets Cognito issues, from its documentation.
var (
	accessClaims  = []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp", "iat", "jti", "username", "version"}
	idClaims      = []string{"sub", "iss", "aud", "token_use", "auth_time", "exp", "iat", "jti", "origin_jti", "event_id", "cognito:username", "email", "email_verified"}
	machineClaims = []string{"sub", "iss", "client_id", "token_use", "scope", "auth_time", "exp", "iat", "jti", "version"}
)

func TestTokensCarryCognitoClaimSets(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(func() time.Time { return now }))

	t.Run("access token", func(t *testing.T) {
		token := iss.AccessToken(cognitotest.WithUsername("bob"), cognitotest.WithSubject("sub-1"))
		h := segment(t, token, 0)
		require.Equal(t, map[string]any{"alg": "RS256", "kid": iss.CurrentKey().KeyID}, h)
		c := segment(t, token, 1)
		require.Equal(t, sorted(accessClaims...), names(c))
		require.Equal(t, "access", c["token_use"])
		require.Equal(t, cognitotest.DefaultClientID, c["client_id"])
		require.Equal(t, "bob", c["username"])
		require.Equal(t, "sub-1", c["sub"])
		require.Equal(t, iss.URL(), c["iss"])
		require.Equal(t, "aws.cognito.signin.user.admin", c["scope"])
		require.Equal(t, float64(2), c["version"])
		require.Equal(t, float64(now.Unix()), c["iat"])
		require.Equal(t, float64(now.Unix()), c["auth_time"])
		require.Equal(t, float64(now.Add(time.Hour).Unix()), c["exp"])
		require.NotContains(t, c, "aud", "Cognito access tokens have no aud")
		require.NotEqual(t, c["jti"], segment(t, iss.AccessToken(), 1)["jti"])
	})

	t.Run("access token with groups and scopes", func(t *testing.T) {
		c := segment(t, iss.AccessToken(cognitotest.WithGroups("a", "b"), cognitotest.WithScopes("openid", "orders/read")), 1)
		require.Equal(t, sorted(append([]string{"cognito:groups"}, accessClaims...)...), names(c))
		require.Equal(t, []any{"a", "b"}, c["cognito:groups"])
		require.Equal(t, "openid orders/read", c["scope"])
	})

	t.Run("ID token", func(t *testing.T) {
		c := segment(t, iss.IDToken(cognitotest.WithUsername("carol"), cognitotest.WithEmail("c@example.com"),
			cognitotest.WithClientID("web")), 1)
		require.Equal(t, sorted(idClaims...), names(c))
		require.Equal(t, "id", c["token_use"])
		require.Equal(t, "web", c["aud"])
		require.Equal(t, "carol", c["cognito:username"])
		require.Equal(t, "c@example.com", c["email"])
		require.Equal(t, true, c["email_verified"])
		require.NotContains(t, c, "client_id")
		require.NotContains(t, c, "scope")
	})

	t.Run("ID token with groups and custom attributes", func(t *testing.T) {
		c := segment(t, iss.IDToken(cognitotest.WithGroups("g"), cognitotest.WithAttribute("tenant", "acme"),
			cognitotest.WithAttribute("custom:plan", "pro")), 1)
		require.Equal(t, sorted(append([]string{"cognito:groups", "custom:tenant", "custom:plan"}, idClaims...)...), names(c))
		require.Equal(t, "acme", c["custom:tenant"])
		require.Equal(t, "pro", c["custom:plan"])
	})

	t.Run("attributes stay out of access tokens", func(t *testing.T) {
		c := segment(t, iss.AccessToken(cognitotest.WithAttribute("tenant", "acme"), cognitotest.WithEmail("e@example.com")), 1)
		require.Equal(t, sorted(accessClaims...), names(c))
	})

	t.Run("access token with trigger claims", func(t *testing.T) {
		c := segment(t, iss.AccessToken(cognitotest.WithPreTokenGenerationClaim("custom:tenant", "acme"),
			cognitotest.WithPreTokenGenerationClaim("roles", []string{"a", "b"})), 1)
		require.Equal(t, "acme", c["custom:tenant"])
		require.Equal(t, []any{"a", "b"}, c["roles"])
		id := segment(t, iss.IDToken(cognitotest.WithPreTokenGenerationClaim("roles", "x")), 1)
		require.NotContains(t, id, "roles", "the option names the access token")
	})

	t.Run("trigger cannot change protected claims", func(t *testing.T) {
		require.PanicsWithError(t, "cognitotest: WithPreTokenGenerationClaim: cognitolocal: InvalidLambdaResponseException: Invalid lambda response: a claim that cannot be modified was changed.", func() {
			iss.AccessToken(cognitotest.WithPreTokenGenerationClaim("sub", "x"))
		})
	})

	t.Run("machine token", func(t *testing.T) {
		c := segment(t, iss.MachineToken([]string{"orders/read", "orders/write"}, cognitotest.WithClientID("svc"),
			cognitotest.WithGroups("ignored")), 1)
		require.Equal(t, sorted(machineClaims...), names(c))
		require.Equal(t, "svc", c["client_id"])
		require.Equal(t, "svc", c["sub"])
		require.Equal(t, "orders/read orders/write", c["scope"])
	})

	t.Run("claim options", func(t *testing.T) {
		exp := now.Add(5 * time.Minute)
		c := segment(t, iss.AccessToken(cognitotest.WithExpiresAt(exp), cognitotest.WithoutClaim("jti"),
			cognitotest.WithClaim("version", "x"), cognitotest.WithHeader("typ", "JWT")), 1)
		require.Equal(t, float64(exp.Unix()), c["exp"])
		require.NotContains(t, c, "jti")
		require.Equal(t, "x", c["version"])

		c = segment(t, iss.AccessToken(cognitotest.WithLifetime(-time.Minute)), 1)
		require.Equal(t, float64(now.Add(-time.Minute).Unix()), c["exp"])
	})
}

func TestTokensVerify(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	v, err := cognitojwt.New(iss.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	for _, token := range []string{iss.AccessToken(), iss.MachineToken([]string{"s"})} {
		_, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
	}
	cfg := iss.Config(cognitotest.DefaultClientID)
	cfg.TokenUse = cognitojwt.IDToken
	idv, err := cognitojwt.New(cfg)
	require.NoError(t, err)
	_, err = idv.Verify(context.Background(), iss.IDToken())
	require.NoError(t, err)
}
