package cognitolocal

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceServerChecks(t *testing.T) {
	p := newPool(t, Config{})
	ok := ResourceServer{Identifier: "https://api.example.com", Name: "API", Scopes: []ResourceServerScope{{Name: "read", Description: "Read"}}}
	require.NoError(t, p.CreateResourceServer(ok))
	got, found := p.ResourceServer("https://api.example.com")
	require.True(t, found)
	assert.Equal(t, ok, got)
	require.Error(t, p.CreateResourceServer(ok), "an identifier is taken once")

	for name, rs := range map[string]ResourceServer{
		"no identifier":     {Name: "x"},
		"quote":             {Identifier: `a"b`, Name: "x"},
		"no name":           {Identifier: "a"},
		"scope with slash":  {Identifier: "a", Name: "x", Scopes: []ResourceServerScope{{Name: "r/w", Description: "d"}}},
		"no description":    {Identifier: "a", Name: "x", Scopes: []ResourceServerScope{{Name: "r"}}},
		"scope twice":       {Identifier: "a", Name: "x", Scopes: []ResourceServerScope{{Name: "r", Description: "d"}, {Name: "r", Description: "e"}}},
		"identifier length": {Identifier: string(make([]byte, 257)), Name: "x"},
	} {
		var e *Error
		require.ErrorAs(t, p.CreateResourceServer(rs), &e, name)
		assert.Equal(t, codeInvalidParameter, e.Code, name)
	}
	assert.Equal(t, errResourceServerNotFound, p.UpdateResourceServer(ResourceServer{Identifier: "nope", Name: "x"}))
	assert.Equal(t, errResourceServerNotFound, p.DeleteResourceServer("nope"))
}

// API reference, CreateUserPoolClient: AllowedOAuthScopes are standard
// scopes or "{resourceServerIdentifier}/{scope}"; anything else is
// ScopeDoesNotExistException.
func TestClientScopesMustBeDefined(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.CreateResourceServer(ResourceServer{Identifier: "https://api.example.com/v1", Name: "API",
		Scopes: []ResourceServerScope{{Name: "read", Description: "Read"}}}))
	for _, scopes := range [][]string{
		{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"},
		{"orders/read", "orders/write"},
		{"https://api.example.com/v1/read"},
	} {
		_, err := p.CreateAppClient(AppClient{AllowedOAuthScopes: scopes})
		require.NoError(t, err, "%v", scopes)
	}
	for _, scopes := range [][]string{{"orders/delete"}, {"billing/read"}, {"read"}, {"https://api.example.com/read"}, {"OpenID"}} {
		_, err := p.CreateAppClient(AppClient{AllowedOAuthScopes: scopes})
		assert.Equal(t, errScopeUnknown, err, "%v", scopes)
	}
	require.NoError(t, p.UpdateResourceServer(ResourceServer{Identifier: "orders", Name: "Orders"}))
	_, err := p.CreateAppClient(AppClient{AllowedOAuthScopes: []string{"orders/read"}})
	assert.Equal(t, errScopeUnknown, err, "an update that drops a scope undefines it")
	require.NoError(t, p.DeleteResourceServer("orders"))
	_, found := p.ResourceServer("orders")
	assert.False(t, found)
}

// A client keeps the scope names it was allowed, but a deleted resource
// server's scopes are granted no more.
func TestClientCredentialsDropDeletedScopes(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	status, _ := postToken(p, url.Values{"grant_type": {"client_credentials"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, p.DeleteResourceServer("orders"))
	status, out := postToken(p, url.Values{"grant_type": {"client_credentials"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_scope", out["error"])
}
