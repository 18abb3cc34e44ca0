package online_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/online"
)

func TestUserInfoNeedsOpenIDScope(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	_, err := e.checker.UserInfo(context.Background(), tok.AccessToken, claims)
	require.ErrorIs(t, err, online.ErrMissingScope)
	require.Contains(t, err.Error(), online.OpenIDScope)
	require.Zero(t, e.count("/oauth2/userInfo"))
}

// codeFlow signs username in through Managed Login (authorization code,
// no browser) with scopes, and returns the tokens.
func (e *env) codeFlow(t *testing.T, username string, scopes ...string) (access string) {
	t.Helper()
	_, err := e.pool.CreateUser(username, password, map[string]string{"email": username + "@example.com"})
	require.NoError(t, err)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{
		"response_type": {"code"}, "client_id": {client}, "redirect_uri": {"http://localhost:8080/callback"},
		"scope": {strings.Join(scopes, " ")}, "state": {"s"},
	}
	resp, err := noRedirect.PostForm(e.url+"/login?"+q.Encode(), url.Values{"username": {username}, "password": {password}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)
	resp, err = http.PostForm(e.url+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "client_id": {client},
		"redirect_uri": {"http://localhost:8080/callback"},
	})
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	return tok.AccessToken
}

// UserInfo returns the claims the token's scopes grant, reuses its verdict
// within the TTL, and reports a token Cognito no longer honours as revoked.
func TestUserInfoFetchesCachesAndRefusesRevoked(t *testing.T) {
	e := newEnv(t, nil)
	access := e.codeFlow(t, "carol", "openid", "email")
	claims, err := e.v.Verify(t.Context(), access)
	require.NoError(t, err)

	info, err := e.checker.UserInfo(t.Context(), access, claims)
	require.NoError(t, err)
	require.Equal(t, "carol@example.com", info["email"])
	require.Equal(t, claims.Subject, info["sub"])
	_, err = e.checker.UserInfo(t.Context(), access, claims)
	require.NoError(t, err)
	require.Equal(t, int64(1), e.count("/oauth2/userInfo"), "reused within the TTL")

	require.NoError(t, e.pool.GlobalSignOut("carol"))
	e.clk.Advance(online.DefaultVerdictTTL)
	_, err = e.checker.UserInfo(t.Context(), access, claims)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
	require.True(t, e.list.Revoked(claims), "the family is recorded")
}

func TestUserInfoThrottledAndUnreachable(t *testing.T) {
	e := newEnv(t, nil)
	access := e.codeFlow(t, "carol", "openid")
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) })
	srv := httptest.NewServer(h)
	defer srv.Close()
	throttled, err := online.New(online.Config{Region: "us-east-1", Domain: srv.URL})
	require.NoError(t, err)
	_, err = throttled.UserInfo(t.Context(), access, nil)
	require.ErrorIs(t, err, online.ErrThrottled)

	down, err := online.New(online.Config{Region: "us-east-1", Domain: unreachable(t)})
	require.NoError(t, err)
	_, err = down.UserInfo(t.Context(), access, nil)
	require.ErrorIs(t, err, online.ErrUnavailable)
}
