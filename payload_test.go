package cognitojwt_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"encoding/json"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestClaimsFromUserInfoReadsWhatTokensShare(t *testing.T) {
	c, err := cognitojwt.ClaimsFromUserInfo(`{"sub":"s-1","username":"alice","email":"a@example.com","email_verified":"true",
		"phone_number_verified":false,"cognito:groups":["admin"],"iss":"https://issuer.example","exp":1750000000,
		"iat":1749990000,"custom:tenant_id":"acme"}`)
	require.NoError(t, err)
	require.Equal(t, "s-1", c.Subject)
	require.Equal(t, "alice", c.Username)
	require.Equal(t, "a@example.com", c.Email)
	require.True(t, c.EmailVerified)
	require.Equal(t, []string{"admin"}, c.Groups.Slice())
	require.Equal(t, "https://issuer.example", c.Issuer)
	require.True(t, time.Unix(1750000000, 0).Equal(c.ExpiresAt))
	require.True(t, time.Unix(1749990000, 0).Equal(c.IssuedAt))
	tenant, ok := c.Attribute("tenant_id")
	require.True(t, ok)
	require.Equal(t, "acme", tenant)
	// What the caller knows from elsewhere is left to it.
	require.Empty(t, c.ClientID)
	require.Empty(t, c.TokenUse)
	require.Empty(t, c.KeyID)

	c, err = cognitojwt.ClaimsFromUserInfo(`{"sub":"s-2"}`)
	require.NoError(t, err)
	require.True(t, c.ExpiresAt.IsZero(), "exp may be absent from user info")
}

func TestClaimsFromUserInfoRefuses(t *testing.T) {
	for name, payload := range map[string]string{
		"not an object":                     `["sub"]`,
		"not JSON":                          `{"sub":`,
		"sub of another type":               `{"sub":7}`,
		"username of another type":          `{"username":["secret-value"]}`,
		"phone_number_verified not boolean": `{"phone_number_verified":"secret-value"}`,
		"exp not a number":                  `{"exp":"secret-value"}`,
		"groups not strings":                `{"cognito:groups":[1]}`,
		"a name folding to a Cognito claim": `{"SUB":"secret-value"}`,
		"two names folding to one":          `{"custom:x":"a","custom:X":"secret-value"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, err := cognitojwt.ClaimsFromUserInfo(payload)
			require.Nil(t, c)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
			require.NotContains(t, err.Error(), "secret-value")
		})
	}
}

func TestVerifyTypedClaims(t *testing.T) {
	f := newFixture(t, nil)
	idf := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	iat := f.clk.Now().Add(-time.Minute)
	exp := iat.Add(time.Hour)
	nbf := iat.Add(-time.Second)

	t.Run("access token", func(t *testing.T) {
		token := f.iss.AccessToken(
			cognitotest.WithSubject("sub-1"),
			cognitotest.WithUsername("alice"),
			cognitotest.WithGroups("admin", "Admin", "ops team"),
			cognitotest.WithScopes("orders/read", "orders/write", "openid"),
			cognitotest.WithIssuedAt(iat),
			cognitotest.WithExpiresAt(exp),
			cognitotest.WithClaim("nbf", nbf.Unix()),
			cognitotest.WithClaim("jti", "jti-1"),
			cognitotest.WithClaim("origin_jti", "origin-1"),
			cognitotest.WithClaim("event_id", "event-1"),
			cognitotest.WithClaim("cognito:username", "not-the-access-username"),
		)
		c, err := f.verify(token)
		require.NoError(t, err)
		require.Equal(t, "sub-1", c.Subject)
		require.Equal(t, "alice", c.Username)
		require.Equal(t, testClient, c.ClientID)
		require.Equal(t, cognitojwt.AccessToken, c.TokenUse)
		require.Equal(t, []string{"admin", "Admin", "ops team"}, c.Groups.Slice())
		require.Equal(t, []string{"orders/read", "orders/write", "openid"}, c.Scopes.Slice())
		require.Equal(t, "jti-1", c.JWTID)
		require.Equal(t, "origin-1", c.OriginJTI)
		require.Equal(t, "event-1", c.EventID)
		require.Equal(t, 2, c.Version)
		require.True(t, c.IssuedAt.Equal(iat), "iat %v", c.IssuedAt)
		require.True(t, c.AuthTime.Equal(iat), "auth_time %v", c.AuthTime)
		require.True(t, c.ExpiresAt.Equal(exp), "exp %v", c.ExpiresAt)
		require.True(t, c.NotBefore.Equal(nbf), "nbf %v", c.NotBefore)
		require.Equal(t, time.UTC, c.ExpiresAt.Location())
	})

	t.Run("absent optional dates are zero", func(t *testing.T) {
		c, err := f.verify(f.iss.AccessToken(cognitotest.WithoutClaim("iat"), cognitotest.WithoutClaim("auth_time")))
		require.NoError(t, err)
		require.True(t, c.IssuedAt.IsZero())
		require.True(t, c.AuthTime.IsZero())
		require.True(t, c.NotBefore.IsZero())
		require.Zero(t, c.Groups.Len())
	})

	t.Run("ID token", func(t *testing.T) {
		token := idf.iss.IDToken(
			cognitotest.WithUsername("carol"),
			cognitotest.WithEmail("carol@example.com"),
			cognitotest.WithGroups("readers"),
			cognitotest.WithClaim("username", "not-the-id-username"),
			cognitotest.WithClaim("client_id", "not-the-id-client"),
		)
		c, err := idf.verify(token)
		require.NoError(t, err)
		require.Equal(t, "carol", c.Username)
		require.Equal(t, testClient, c.ClientID)
		require.Equal(t, "carol@example.com", c.Email)
		require.True(t, c.EmailVerified)
		require.Equal(t, []string{"readers"}, c.Groups.Slice())
		require.Zero(t, c.Scopes.Len())
		require.Equal(t, cognitojwt.IDToken, c.TokenUse)
	})

	scopeTests := []struct {
		scope any
		want  []string
		err   error
	}{
		{"a b", []string{"a", "b"}, nil},
		{"  a   b  ", []string{"a", "b"}, nil},
		{"a\tb", []string{"a\tb"}, nil},
		{"a\u00a0b c", []string{"a\u00a0b", "c"}, nil},
		{"a\nb", []string{"a\nb"}, nil},
		{"", nil, nil},
		{"   ", nil, nil},
		{[]string{"a", "b"}, nil, cognitojwt.ErrMalformedToken},
		{nil, nil, cognitojwt.ErrMalformedToken},
	}
	for _, tt := range scopeTests {
		name, _ := json.Marshal(tt.scope)
		t.Run("scope "+string(name), func(t *testing.T) {
			c, err := f.verify(f.iss.AccessToken(cognitotest.WithClaim("scope", tt.scope)))
			requireKind(t, tt.err, err)
			if tt.err == nil {
				require.Equal(t, tt.want, c.Scopes.Slice())
			}
		})
	}

	emailTests := []struct {
		value any
		want  bool
		err   error
	}{
		{true, true, nil},
		{false, false, nil},
		{"true", true, nil},
		{"false", false, nil},
		{"True", false, cognitojwt.ErrMalformedToken},
		{"yes", false, cognitojwt.ErrMalformedToken},
		{1, false, cognitojwt.ErrMalformedToken},
		{nil, false, cognitojwt.ErrMalformedToken},
	}
	for _, tt := range emailTests {
		name, _ := json.Marshal(tt.value)
		t.Run("email_verified "+string(name), func(t *testing.T) {
			c, err := idf.verify(idf.iss.IDToken(cognitotest.WithClaim("email_verified", tt.value)))
			requireKind(t, tt.err, err)
			if tt.err == nil {
				require.Equal(t, tt.want, c.EmailVerified)
			}
		})
	}

	typeTests := []struct {
		claim string
		value any
	}{
		{"sub", 1},
		{"username", false},
		{"jti", []string{"x"}},
		{"origin_jti", 1},
		{"event_id", map[string]any{}},
		{"email", 1},
		{"cognito:groups", "admin"},
		{"cognito:groups", []any{"admin", 1}},
		{"cognito:groups", nil},
		{"version", "2"},
		{"version", 2.5},
		{"version", -1},
		{"version", int64(1) << 40},
	}
	for _, tt := range typeTests {
		v, _ := json.Marshal(tt.value)
		t.Run(tt.claim+" "+string(v), func(t *testing.T) {
			_, err := f.verify(f.iss.AccessToken(cognitotest.WithClaim(tt.claim, tt.value)))
			requireKind(t, cognitojwt.ErrMalformedToken, err)
		})
	}
}

func TestPayloadNameFoldingToCognitoClaimIsMalformed(t *testing.T) {
	f := newFixture(t, nil)
	t.Run("reproductions", func(t *testing.T) {
		for _, tt := range []struct{ canonical, spelling string }{
			{"sub", "SUB"}, {"sub", "\u017fub"}, {"username", "USERNAME"},
			{"scope", "SCOPE"}, {"cognito:groups", "Cognito:Groups"},
		} {
			t.Run(tt.spelling, func(t *testing.T) {
				_, err := f.verify(signedWith(f, tt.canonical, tt.spelling))
				requireKind(t, cognitojwt.ErrMalformedToken, err)
				require.NotContains(t, err.Error(), tt.spelling, "the error names the claim, not the token's spelling")
			})
		}
	})
	t.Run("every Cognito claim", func(t *testing.T) {
		for _, name := range cognitoClaimNames {
			for _, spelling := range foldedSpellings(name) {
				t.Run(spelling, func(t *testing.T) {
					_, err := f.verify(signedWith(f, name, spelling))
					requireKind(t, cognitojwt.ErrMalformedToken, err)
				})
			}
		}
	})
	t.Run("spelt with escapes", func(t *testing.T) {
		claims := f.iss.Claims("access", cognitotest.WithoutClaim("sub"))
		payload, err := json.Marshal(claims)
		require.NoError(t, err)
		payload = append(payload[:len(payload)-1], `,"\u0053UB":"admin"}`...)
		_, err = f.verify(cognitotest.SignRaw(primaryKey().Private, []byte(`{"alg":"RS256","kid":"`+primaryKey().KeyID+`"}`), payload))
		requireKind(t, cognitojwt.ErrMalformedToken, err)
	})
}
