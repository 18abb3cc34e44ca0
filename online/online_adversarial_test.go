package online_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/online"
)

// A web session puts the ID token's claims in the context and hands its
// access token through Config.Token: the ID token has no scope claim, so
// its claims must not decide the access token's scope, while a revocation
// Cognito reports is still recorded for the session's user.
func TestRequireFreshUnderWebSessionChecksTheAccessTokensScope(t *testing.T) {
	var access string
	e := newEnv(t, func(c *online.Config) {
		c.Token = func(*http.Request) (string, bool) { return access, access != "" }
	})
	tok := e.signIn(t, "alice", nil)
	access = tok.AccessToken
	ids, err := cognitojwt.New(cognitojwt.Config{Issuer: e.pool.Issuer(), ClientIDs: []string{client}, TokenUse: cognitojwt.IDToken})
	require.NoError(t, err)
	var s seen
	h := cognitojwt.Middleware(ids)(e.checker.RequireFresh(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.user, _ = online.UserFromContext(r.Context())
	})))
	page := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/account", nil)
		r.Header.Set("Authorization", "Bearer "+tok.IDToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := page()
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "alice", s.user.Username)

	require.NoError(t, e.pool.GlobalSignOut("alice"))
	e.clk.Advance(online.DefaultVerdictTTL)
	w = page()
	require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	idClaims, err := ids.Verify(t.Context(), tok.IDToken)
	require.NoError(t, err)
	require.True(t, e.list.Revoked(idClaims), "the session's user is refused locally from now on")
}
