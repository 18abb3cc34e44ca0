package cognitojwt_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
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
