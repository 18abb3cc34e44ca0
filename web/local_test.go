package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
	"github.com/cognitojwt/cognitojwt/web"
)

// localSite is a site signed in through the local user pool's own sign-in
// form, with a cookie-jar client as the browser.
type localSite struct {
	t      *testing.T
	pool   *cognitolocal.Server
	client cognitolocal.AppClient
	clock  *testClock
	srv    *httptest.Server
	http   *http.Client // follows redirects, like a browser
	step   *http.Client // stops at each redirect
	// lastAccess is the access token the last /account request saw.
	lastAccess string
}

func newLocalSite(t *testing.T, confidential bool) *localSite {
	t.Helper()
	s := &localSite{t: t, clock: &testClock{t: time.Now().Truncate(time.Second)}}
	pool := cognitotest.NewUserPool(t, cognitolocal.Config{Now: s.clock.Now})
	s.pool = pool
	mux := http.NewServeMux()
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	var err error
	s.client, err = pool.CreateAppClient(cognitolocal.AppClient{
		ClientName:          "web",
		GenerateSecret:      confidential,
		ExplicitAuthFlows:   []string{"ALLOW_REFRESH_TOKEN_AUTH"},
		AllowedOAuthFlows:   []string{"code"},
		AllowedOAuthScopes:  []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		CallbackURLs:        []string{s.srv.URL + "/callback"},
		LogoutURLs:          []string{s.srv.URL + "/"},
		AccessTokenValidity: 10 * time.Minute,
		IDTokenValidity:     10 * time.Minute,
	})
	require.NoError(t, err)
	_, err = pool.CreateUser("carol", "Passw0rd!carol", map[string]string{"email": "carol@example.com", "custom:tenant_id": "acme"})
	require.NoError(t, err)

	auth, err := web.New(web.Config{
		Domain: pool.Endpoint(), ClientID: s.client.ClientID, ClientSecret: s.client.ClientSecret,
		RedirectURL: s.srv.URL + "/callback", LogoutURL: s.srv.URL + "/",
		Scopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		Verify: cognitojwt.Config{Issuer: pool.Issuer()},
		Keys:   [][]byte{web.NewKey()}, Now: s.clock.Now, Logger: slog.New(slog.NewTextHandler(tWriter{t}, nil)),
	})
	require.NoError(t, err)
	mux.Handle("GET /login", auth.Login())
	mux.Handle("GET /callback", auth.Callback())
	mux.Handle("/logout", auth.Logout())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "home") })
	mux.Handle("GET /account", auth.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		s.lastAccess, _ = web.AccessToken(r.Context())
		tenant, _ := c.Attribute("tenant_id")
		_, _ = io.WriteString(w, "user="+c.Username+" tenant="+tenant)
	})))
	jar, _ := cookiejar.New(nil)
	s.http = &http.Client{Jar: jar, Timeout: testwait.Limit(t)}
	s.step = &http.Client{Jar: jar, Timeout: testwait.Limit(t),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(s.http.CloseIdleConnections)
	return s
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)

// signIn opens /account, fills in the pool's sign-in form and returns the
// page the browser ends on.
func (s *localSite) signIn(username, password string) (*http.Response, string) {
	s.t.Helper()
	resp, err := s.http.Get(s.srv.URL + "/account")
	require.NoError(s.t, err)
	form, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(s.t, s.pool.Endpoint()+"/login", resp.Request.URL.Scheme+"://"+resp.Request.URL.Host+resp.Request.URL.Path)
	m := formAction.FindSubmatch(form)
	require.NotNil(s.t, m, "the pool shows a sign-in form")
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	require.NoError(s.t, err)
	resp, err = s.http.PostForm(action.String(), url.Values{"username": {username}, "password": {password}})
	require.NoError(s.t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(b)
}

// get requests path without following redirects.
func (s *localSite) get(path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := s.step.Get(s.srv.URL + path)
	require.NoError(s.t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(b)
}

// getUser calls the pool's GetUser with an access token, as the AWS SDK
// would, and returns the error type it answers ("" for success).
func (s *localSite) getUser(token string) string {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.pool.Endpoint()+"/", strings.NewReader(`{"AccessToken":"`+token+`"}`))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("X-Amzn-Errortype")
}

func TestLocalPoolSignInThroughTheForm(t *testing.T) {
	for _, confidential := range []bool{false, true} {
		s := newLocalSite(t, confidential)
		resp, page := s.signIn("carol", "Passw0rd!carol")
		assert.Equal(t, s.srv.URL+"/account", resp.Request.URL.String())
		assert.Equal(t, "user=carol tenant=acme", page)
		assert.Empty(t, s.getUser(s.lastAccess), "the session's access token works with Cognito's API")
	}
}

func TestLocalPoolWrongPasswordStartsNoSession(t *testing.T) {
	s := newLocalSite(t, false)
	resp, _ := s.signIn("carol", "wrong")
	assert.Equal(t, "/login", resp.Request.URL.Path, "the pool shows its form again")
	resp, _ = s.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

func TestLocalPoolRefreshKeepsSessionGoing(t *testing.T) {
	s := newLocalSite(t, false)
	s.signIn("carol", "Passw0rd!carol")
	first := s.lastAccess
	s.clock.Advance(9 * time.Minute)
	resp, page := s.get("/account")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "user=carol tenant=acme", page)
	assert.NotEqual(t, first, s.lastAccess, "tokens were refreshed")
	s.clock.Advance(9 * time.Minute)
	resp, _ = s.get("/account")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "past the first tokens' expiry")
}

func TestLocalPoolRefreshFailureEndsSession(t *testing.T) {
	for name, cut := range map[string]func(*cognitolocal.Pool) error{
		"global sign-out": func(p *cognitolocal.Pool) error { return p.GlobalSignOut("carol") },
		"user disabled":   func(p *cognitolocal.Pool) error { return p.DisableUser("carol") },
	} {
		s := newLocalSite(t, false)
		s.signIn("carol", "Passw0rd!carol")
		require.NoError(t, cut(s.pool.Pool))
		resp, _ := s.get("/account")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: the tokens are still good until the refresh", name)
		s.clock.Advance(9 * time.Minute)
		resp, _ = s.get("/account")
		assert.Equal(t, http.StatusFound, resp.StatusCode, name)
		assert.Contains(t, resp.Header.Get("Location"), "/login?next=", name)
		assert.Contains(t, resp.Header.Values("Set-Cookie")[0], "Max-Age=0", "%s: the session cookie is cleared", name)
	}
}

func TestLocalPoolSignOutRevokesTheRefreshTokenFamily(t *testing.T) {
	for _, confidential := range []bool{false, true} {
		s := newLocalSite(t, confidential)
		s.signIn("carol", "Passw0rd!carol")
		access := s.lastAccess
		require.Empty(t, s.getUser(access))
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.srv.URL+"/logout", nil)
		req.Header.Set("Origin", s.srv.URL)
		resp, err := s.http.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, s.srv.URL+"/", resp.Request.URL.String(), "through the pool's /logout back to the logout URL")
		assert.Equal(t, "NotAuthorizedException", s.getUser(access), "revoking the refresh token revoked its access tokens")
		resp, _ = s.get("/account")
		assert.Equal(t, http.StatusFound, resp.StatusCode)
	}
}

// tWriter sends log lines to the test's log.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
