package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/web"
)

func TestLargeTokensAreChunked(t *testing.T) {
	a := newApp(t)
	groups := make([]string, 120)
	for i := range groups {
		groups[i] = fmt.Sprintf("group-with-a-rather-long-name-%03d", i)
	}
	a.pool.signInAs("alice", groups...)
	a.signIn("/")
	require.NotNil(t, a.cookie("session-1"), "the session spans several cookies")
	for _, c := range []string{"session", "session-1"} {
		assert.LessOrEqual(t, len(c)+1+len(a.cookie(c).Value), 4000)
	}
	assert.Contains(t, body(t, a.get("/account")), "group-with-a-rather-long-name-119")

	// A missing chunk is no session.
	a.setCookie("session-1", "")
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

func TestSecureCookieAttributes(t *testing.T) {
	a := newApp(t)
	cfg := a.cfg
	cfg.RedirectURL = "https://app.example/callback"
	auth, err := web.New(cfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	auth.Login().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://app.example/login", nil))
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.True(t, strings.HasPrefix(c.Name, "__Host-session-signin-"), c.Name)
	assert.True(t, c.Secure)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain)

	loc, _ := url.Parse(rec.Header().Get("Location"))
	q := loc.Query()
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.NotEmpty(t, q.Get("code_challenge"))
	assert.NotEmpty(t, q.Get("nonce"))
	assert.NotEmpty(t, q.Get("state"))
	assert.Equal(t, "openid email profile", q.Get("scope"))
	assert.Empty(t, q.Get("identity_provider"))
}

func TestSessionTooLargeForCookiesIsRefusedAtSignIn(t *testing.T) {
	// Tokens within the verifiers' size limit can still need more than
	// the 8 chunks a request may bring back: written anyway, the browser
	// would hold cookies no request reads, signed in by the log and sent
	// back to sign-in by every page.
	groups := make([]string, 280)
	for i := range groups {
		groups[i] = fmt.Sprintf("group-with-a-rather-long-name-%03d", i)
	}
	a := newApp(t)
	a.pool.signInAs("alice", groups...)
	resp := a.get(a.callbackURL())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	for _, c := range resp.Cookies() {
		assert.False(t, strings.HasPrefix(c.Name, "session") && !strings.HasPrefix(c.Name, "session-signin-") && c.MaxAge >= 0,
			"no session cookie is written: %s", c.Name)
	}
	assert.Contains(t, a.logs.String(), "session too large for cookies; set Config.Store")
	assert.NotContains(t, a.logs.String(), "signed in")

	// A store keeps a session of any size.
	s := newApp(t, func(c *web.Config) { c.Store = &web.MemoryStore{} })
	s.pool.signInAs("alice", groups...)
	assert.Equal(t, http.StatusSeeOther, s.get(s.callbackURL()).StatusCode)
	assert.Contains(t, body(t, s.get("/account")), "group-with-a-rather-long-name-279")
}

func TestSecureCookieAttributesOnEveryPath(t *testing.T) {
	// Every Set-Cookie the package sends over https, the deletions on
	// error paths included, is __Host-, Secure, HttpOnly, SameSite=Lax,
	// Path=/ and host-only: one that is not could be read by script, sent
	// in the clear, or shadowed by a sibling subdomain's.
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	cfg := a.cfg
	cfg.RedirectURL, cfg.LogoutURL = "https://app.example/callback", "https://app.example/"
	auth, err := web.New(cfg)
	require.NoError(t, err)
	var seen int
	serve := func(h http.Handler, method, target string, cookies []*http.Cookie, header ...string) *http.Response {
		req := httptest.NewRequest(method, target, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		for _, c := range resp.Cookies() {
			seen++
			assert.True(t, strings.HasPrefix(c.Name, "__Host-session"), "%s %s: %s", method, target, c.Name)
			assert.True(t, c.Secure, "%s %s: %s", method, target, c.Name)
			assert.True(t, c.HttpOnly, "%s %s: %s", method, target, c.Name)
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite, "%s %s: %s", method, target, c.Name)
			assert.Equal(t, "/", c.Path, "%s %s: %s", method, target, c.Name)
			assert.Empty(t, c.Domain, "%s %s: %s", method, target, c.Name)
		}
		return resp
	}
	signIn := func() []*http.Cookie {
		resp := serve(auth.Login(), http.MethodGet, "https://app.example/login", nil)
		flow := resp.Cookies()
		back := a.do(a.step, http.MethodGet, resp.Header.Get("Location"))
		require.Equal(t, http.StatusFound, back.StatusCode)
		resp = serve(auth.Callback(), http.MethodGet, back.Header.Get("Location"), flow)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var session []*http.Cookie
		for _, c := range resp.Cookies() {
			if c.MaxAge > 0 {
				session = append(session, c)
			}
		}
		return session
	}
	session := signIn()
	require.Len(t, session, 2, "the session and its refresh token")

	page := auth.Require(http.HandlerFunc(account))
	a.clock.Advance(a.cfgLifetime())
	resp := serve(page, http.MethodGet, "https://app.example/account", session)
	require.Equal(t, http.StatusOK, resp.StatusCode, a.logs.String())
	require.NotEmpty(t, resp.Cookies(), "the refresh wrote the session back")

	tampered := []*http.Cookie{{Name: session[0].Name, Value: session[0].Value[:len(session[0].Value)-2] + "AA"}, session[1]}
	require.Equal(t, http.StatusFound, serve(page, http.MethodGet, "https://app.example/account", tampered).StatusCode)

	require.Equal(t, http.StatusSeeOther, serve(auth.Logout(), http.MethodPost, "https://app.example/logout", signIn(),
		"Sec-Fetch-Site", "same-origin").StatusCode)

	// A callback whose state is not the browser's deletes the sign-in
	// cookie; so does a fifth sign-in start.
	var flows []*http.Cookie
	for range 4 {
		flows = append(flows, serve(auth.Login(), http.MethodGet, "https://app.example/login", nil).Cookies()...)
	}
	require.Equal(t, http.StatusBadRequest,
		serve(auth.Callback(), http.MethodGet, "https://app.example/callback?code=c&state="+strings.TrimPrefix(flows[0].Name, "__Host-session-signin-")+"x", flows).StatusCode)
	serve(auth.Login(), http.MethodGet, "https://app.example/login", flows)
	assert.Greater(t, seen, 15)
}
