package cognitolocal

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiscoveryListsEndpoints(t *testing.T) {
	p := newPool(t, Config{BaseURL: "http://127.0.0.1:9"})
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/local_Dev/.well-known/openid-configuration", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	for _, want := range []string{`"issuer":"http://127.0.0.1:9/local_Dev"`, `"token_endpoint":"http://127.0.0.1:9/oauth2/token"`,
		`"authorization_endpoint":"http://127.0.0.1:9/oauth2/authorize"`, `"userinfo_endpoint":"http://127.0.0.1:9/oauth2/userInfo"`,
		`"revocation_endpoint":"http://127.0.0.1:9/oauth2/revoke"`, `"end_session_endpoint":"http://127.0.0.1:9/logout"`,
		`"jwks_uri":"http://127.0.0.1:9/local_Dev/.well-known/jwks.json"`} {
		require.Contains(t, rec.Body.String(), want)
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/local_Dev/.well-known/jwks.json", nil))
	require.Contains(t, rec.Body.String(), p.SigningKeys()[0].KeyID)
	require.Contains(t, rec.Body.String(), `"alg":"RS256"`)
}
