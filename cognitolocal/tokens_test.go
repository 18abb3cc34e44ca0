package cognitolocal

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt"
	"github.com/stretchr/testify/require"
)

func TestAccessTokenCarriesCognitosClaimsOnly(t *testing.T) {
	p := newPool(t, Config{})
	c := payload(t, signIn(t, p).AccessToken)
	require.ElementsMatch(t, []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope",
		"auth_time", "exp", "iat", "jti", "username", "version", "cognito:groups"}, keys(c))
	require.Equal(t, "access", c["token_use"])
	require.Equal(t, DefaultClientID, c["client_id"])
	require.Equal(t, "alice", c["username"])
	require.Equal(t, scopeAdmin, c["scope"])
	require.Equal(t, []any{"admin"}, c["cognito:groups"])
	require.Equal(t, p.Issuer(), c["iss"])
	require.EqualValues(t, 2, c["version"])
}

func TestIDTokenCarriesReadableAttributes(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	id := payload(t, tok.IDToken)
	access := payload(t, tok.AccessToken)
	require.Equal(t, "id", id["token_use"])
	require.Equal(t, DefaultClientID, id["aud"])
	require.Equal(t, "alice", id["cognito:username"])
	require.Equal(t, "alice@example.com", id["email"])
	require.Equal(t, true, id["email_verified"])
	require.Equal(t, "acme", id["custom:tenant_id"])
	require.Equal(t, access["origin_jti"], id["origin_jti"])
	require.Equal(t, access["event_id"], id["event_id"])
	require.NotEqual(t, access["jti"], id["jti"])
	require.NotContains(t, id, "client_id")
	require.NotContains(t, id, "at_hash", "InitiateAuth's ID tokens carry no at_hash")
}

func TestReadAttributesLimitIDTokenClaims(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, ReadAttributes: []string{"email"}})
	require.NoError(t, err)
	tok, err := p.SignIn(context.Background(), c.ClientID, "alice", testPassword)
	require.NoError(t, err)
	id := payload(t, tok.IDToken)
	require.Equal(t, "alice@example.com", id["email"])
	require.NotContains(t, id, "custom:tenant_id")
	require.NotContains(t, id, "email_verified")
	require.NotEmpty(t, id["sub"])
}

func TestTokensVerifyWithTheLibrary(t *testing.T) {
	s, err := Start("127.0.0.1:0", Config{})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	tok, err := s.SignIn(context.Background(), DefaultClientID, "bob", testPassword)
	require.NoError(t, err)
	for use, token := range map[cognitojwt.TokenUse]string{cognitojwt.AccessToken: tok.AccessToken, cognitojwt.IDToken: tok.IDToken} {
		v, err := s.Verifier(DefaultClientID, use)
		require.NoError(t, err)
		c, err := v.Verify(context.Background(), token)
		require.NoError(t, err, use)
		require.Equal(t, "bob", c.Username)
	}
	require.Equal(t, s.URL()+"/local_Dev", s.Issuer())
	require.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"))
}

func TestGroupsAppearInNextTokens(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateGroup", map[string]any{"UserPoolId": "local_Dev", "GroupName": "PremiumUsers", "Precedence": 1})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "PremiumUsers", out["Group"].(map[string]any)["GroupName"])
	requireAPIError(t, p, "CreateGroup", map[string]any{"UserPoolId": "local_Dev", "GroupName": "PremiumUsers"}, codeGroupExists, "")
	status, _ = call(t, p, "AdminAddUserToGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "PremiumUsers"})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{"admin", "PremiumUsers"}, payload(t, signIn(t, p).AccessToken)["cognito:groups"])
	_, out = call(t, p, "AdminListGroupsForUser", map[string]any{"UserPoolId": "local_Dev", "Username": "alice"})
	require.Len(t, out["Groups"], 2)
	status, _ = call(t, p, "AdminRemoveUserFromGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "admin"})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{"PremiumUsers"}, payload(t, signIn(t, p).AccessToken)["cognito:groups"])
	requireAPIError(t, p, "AdminAddUserToGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "nope"}, codeResourceNotFound, "")
}
