package cognitolocal

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateAndDescribeUserPoolClient(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateUserPoolClient", pool(map[string]any{
		"ClientName": "web", "GenerateSecret": true, "ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		"AllowedOAuthFlows": []string{"code"}, "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": []string{"openid"},
		"CallbackURLs": []string{"http://localhost:3000/cb"}, "AccessTokenValidity": 15,
		"TokenValidityUnits": map[string]string{"AccessToken": "minutes"},
	}))
	require.Equal(t, http.StatusOK, status, out)
	c := out["UserPoolClient"].(map[string]any)
	require.Len(t, c["ClientId"], 26)
	require.NotEmpty(t, c["ClientSecret"])
	require.EqualValues(t, 15, c["AccessTokenValidity"])
	_, out = call(t, p, "DescribeUserPoolClient", pool(map[string]any{"ClientId": c["ClientId"]}))
	require.Equal(t, "web", out["UserPoolClient"].(map[string]any)["ClientName"])
	got, ok := p.AppClient(c["ClientId"].(string))
	require.True(t, ok)
	tok, err := p.SignIn(context.Background(), got.ClientID, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, 900, tok.ExpiresIn)
	requireAPIError(t, p, "DescribeUserPoolClient", pool(map[string]any{"ClientId": "nope"}), codeResourceNotFound, "")
}

func TestCreateUserPoolClientRules(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "CreateUserPoolClient", pool(map[string]any{"ClientName": "m2m",
		"AllowedOAuthFlows": []string{"client_credentials"}, "AllowedOAuthFlowsUserPoolClient": true}), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolClient", pool(map[string]any{"ClientName": "x",
		"AllowedOAuthFlows": []string{"code"}}), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolClient", pool(map[string]any{"ClientName": "x",
		"ExplicitAuthFlows": []string{"ALLOW_EVERYTHING"}}), codeInvalidParameter, "")
}

// A client with EnableTokenRevocation false revokes nothing, through the
// revocation endpoint either ("Ending user sessions with token
// revocation").
func TestRevocationEndpointNeedsRevocationEnabled(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, TokenRevocationDisabled: true})
	require.NoError(t, err)
	tok, err := p.SignIn(context.Background(), c.ClientID, "alice", testPassword)
	require.NoError(t, err)
	rec := revokeForm(p, url.Values{"token": {tok.RefreshToken}, "client_id": {c.ClientID}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "unsupported_token_type")
	_, err = p.refreshTokens(context.Background(), c.ClientID, tok.RefreshToken, "", nil)
	require.NoError(t, err, "nothing was revoked")
}
