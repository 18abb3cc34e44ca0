package cognitolocal

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

func TestMintPutsAttributesInIDTokenOnly(t *testing.T) {
	p := newPool(t, Config{})
	tok, err := p.MintTokens(Mint{Username: "zoe", Groups: []string{"ops"},
		Attributes: map[string]string{"email": "z@example.com", "email_verified": "true", "custom:tenant_id": "acme"}})
	require.NoError(t, err)
	access, id := payload(t, tok.AccessToken), payload(t, tok.IDToken)
	require.NotContains(t, access, "email")
	require.NotContains(t, access, "custom:tenant_id")
	require.Equal(t, "zoe", access["username"])
	require.Equal(t, scopeAdmin, access["scope"])
	require.Equal(t, "acme", id["custom:tenant_id"])
	require.Equal(t, true, id["email_verified"])
	require.Equal(t, access["sub"], id["sub"])
	require.Equal(t, 3600, tok.ExpiresIn)

	v, err := p.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	c, err := v.Verify(context.Background(), tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, []string{"ops"}, c.Groups.Slice())
}

func TestMintAccessTokenClaimsAsTrigger(t *testing.T) {
	p := newPool(t, Config{})
	access, _, err := p.MintClaims(Mint{Username: "zoe", AccessTokenClaims: map[string]any{"custom:tenant_id": "acme", "level": 3}})
	require.NoError(t, err)
	require.Equal(t, "acme", access["custom:tenant_id"])
	require.Equal(t, 3, access["level"])
	_, _, err = p.MintClaims(Mint{Username: "zoe", AccessTokenClaims: map[string]any{"iss": "x"}})
	require.Error(t, err, "a trigger cannot change iss")
}

func TestMintClientCredentials(t *testing.T) {
	p := newPool(t, Config{})
	access, id, err := p.MintClaims(Mint{ClientID: "m2m", ClientCredentials: true, Scopes: []string{"orders/read"}})
	require.NoError(t, err)
	require.Nil(t, id)
	require.ElementsMatch(t, []string{"sub", "iss", "client_id", "token_use", "scope", "auth_time", "exp", "iat", "jti", "version"}, keys(access))
	require.Equal(t, "m2m", access["sub"])
}

func TestMintLifetimeAndIssuedAt(t *testing.T) {
	p := newPool(t, Config{})
	at := time.Unix(1_700_000_000, 0)
	access, id, err := p.MintClaims(Mint{Username: "zoe", IssuedAt: at, Lifetime: -time.Minute})
	require.NoError(t, err)
	require.EqualValues(t, at.Unix(), access["iat"])
	require.EqualValues(t, at.Unix(), access["auth_time"])
	require.EqualValues(t, at.Add(-time.Minute).Unix(), access["exp"])
	require.EqualValues(t, at.Add(-time.Minute).Unix(), id["exp"])
}
