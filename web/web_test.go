package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/web"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// app is a small site guarded by web.Auth, with a browser to visit it.
type app struct {
	t      testing.TB
	pool   *testPool
	clock  *testClock
	auth   *web.Auth
	cfg    web.Config
	srv    *httptest.Server
	mux    *http.ServeMux
	jar    http.CookieJar
	follow *http.Client // follows redirects, like a browser
	step   *http.Client // stops at each redirect
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newApp(t testing.TB, tune ...func(*web.Config)) *app {
	t.Helper()
	clock := &testClock{t: time.Now().Truncate(time.Second)}
	secret := ""
	cfg := web.Config{}
	for _, f := range tune {
		f(&cfg)
	}
	secret = cfg.ClientSecret
	a := &app{t: t, clock: clock, mux: http.NewServeMux(), logs: &syncBuffer{}}
	a.pool = newTestPool(t, clock.Now, "web-client", secret)
	a.srv = httptest.NewServer(a.mux)
	t.Cleanup(a.srv.Close)
	cfg.Domain = a.pool.Domain()
	cfg.ClientID = "web-client"
	cfg.RedirectURL = a.srv.URL + "/callback"
	cfg.LogoutURL = a.srv.URL + "/"
	cfg.Verify.Issuer = a.pool.URL()
	if cfg.Keys == nil {
		cfg.Keys = [][]byte{web.NewKey()}
	}
	cfg.Now = clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(a.logs, nil))
	a.cfg = cfg
	auth, err := web.New(cfg)
	require.NoError(t, err)
	a.auth = auth
	a.routes(auth, "")

	a.jar, _ = cookiejar.New(nil)
	a.follow = &http.Client{Jar: a.jar, Timeout: 10 * time.Second}
	a.step = &http.Client{Jar: a.jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(func() {
		a.follow.CloseIdleConnections()
		// Nothing a log line says may come from a cookie or a token.
		assert.NotContains(t, a.logs.String(), "eyJ", "logs must not contain tokens")
		assert.NotContains(t, a.logs.String(), "rt-", "logs must not contain refresh tokens")
	})
	return a
}

// routes mounts the site's pages under prefix, guarded by auth.
func (a *app) routes(auth *web.Auth, prefix string) {
	a.mux.Handle("GET "+prefix+"/login", auth.Login())
	a.mux.Handle("GET "+prefix+"/callback", auth.Callback())
	a.mux.Handle(prefix+"/logout", auth.Logout())
	a.mux.HandleFunc("GET "+prefix+"/{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "home") })
	a.mux.Handle("GET "+prefix+"/account", auth.Require(http.HandlerFunc(account)))
	a.mux.Handle("POST "+prefix+"/account", auth.Require(http.HandlerFunc(account)))
	a.mux.Handle("GET "+prefix+"/admin", auth.Require(cognitojwt.RequireGroup("admin")(http.HandlerFunc(account))))
	a.mux.Handle("GET "+prefix+"/tenant", auth.Require(cognitojwt.RequireClaim("custom:tenant_id", "acme")(http.HandlerFunc(account))))
	a.mux.Handle("GET "+prefix+"/maybe", auth.Optional(http.HandlerFunc(account)))
}

// account shows what the context holds.
func account(w http.ResponseWriter, r *http.Request) {
	c, ok := cognitojwt.ClaimsFromContext(r.Context())
	if !ok {
		_, _ = io.WriteString(w, "anonymous")
		return
	}
	tenant, _ := c.Attribute("tenant_id")
	at, hasAT := web.AccessToken(r.Context())
	var scopes []string
	var subject string
	if ac, ok := web.AccessClaims(r.Context()); ok {
		scopes, subject = ac.Scopes.Slice(), ac.Subject
	}
	fmt.Fprintf(w, "user=%s email=%s groups=%v tenant=%s use=%s access=%v scopes=%v subject=%s",
		c.Username, c.Email, c.Groups, tenant, c.TokenUse, hasAT && strings.Count(at, ".") == 2, scopes, subject)
}

func (a *app) get(path string, header ...string) *http.Response {
	return a.do(a.step, http.MethodGet, path, header...)
}

func (a *app) do(c *http.Client, method, path string, header ...string) *http.Response {
	a.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = a.srv.URL + path
	}
	req, err := http.NewRequest(method, u, nil)
	require.NoError(a.t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(a.t, err)
	a.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// signIn goes through the whole flow as the pool's current user and
// returns the page it ends on.
func (a *app) signIn(next string) *http.Response {
	a.t.Helper()
	resp := a.do(a.follow, http.MethodGet, "/login?next="+url.QueryEscape(next))
	require.Equal(a.t, http.StatusOK, resp.StatusCode)
	return resp
}

func (a *app) cookie(name string) *http.Cookie {
	u, _ := url.Parse(a.srv.URL)
	for _, c := range a.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// flowCookie returns the sign-in cookie Login set, or nil.
func (a *app) flowCookie() *http.Cookie {
	u, _ := url.Parse(a.srv.URL)
	for _, c := range a.jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "session-signin-") {
			return c
		}
	}
	return nil
}

func (a *app) setCookie(name, value string) {
	u, _ := url.Parse(a.srv.URL)
	a.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// callbackURL runs the first half of a sign-in by hand: Login, then the
// pool's authorize, and returns the callback URL the pool sent back.
func (a *app) callbackURL() string {
	a.t.Helper()
	resp := a.get("/login?next=/account")
	require.Equal(a.t, http.StatusFound, resp.StatusCode)
	resp = a.do(a.step, http.MethodGet, resp.Header.Get("Location"))
	require.Equal(a.t, http.StatusFound, resp.StatusCode)
	return resp.Header.Get("Location")
}

func TestSignInPutsIDTokenClaimsAndAccessTokenInContext(t *testing.T) {
	a := newApp(t)
	resp := a.signIn("/account")
	assert.Equal(t, "/account", resp.Request.URL.Path)
	got := body(t, resp)
	assert.Contains(t, got, "user=alice email=alice@example.com")
	assert.Contains(t, got, "tenant=acme use=id access=true scopes=[openid email profile]")
	assert.Equal(t, 1, int(a.pool.tokenCalls.Load()))
	// Later requests are served from the cookie without the pool.
	assert.Contains(t, body(t, a.get("/account")), "user=alice")
	assert.Equal(t, 1, int(a.pool.tokenCalls.Load()))
}

func TestUnauthenticatedPageRequestRedirectsToSignIn(t *testing.T) {
	a := newApp(t)
	resp := a.get("/account?tab=2", "Accept", "text/html", "Sec-Fetch-Mode", "navigate")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/login?next="+url.QueryEscape("/account?tab=2"), resp.Header.Get("Location"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
}

func TestUnauthenticatedAPIRequestGets401(t *testing.T) {
	a := newApp(t)
	for _, h := range [][]string{
		{"Accept", "application/json"},
		{"Sec-Fetch-Mode", "cors"},
		{"Sec-Fetch-Mode", "same-origin"},
		{"X-Requested-With", "XMLHttpRequest"},
	} {
		resp := a.get("/account", h...)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, h)
		assert.JSONEq(t, `{"error":"unauthorized","error_description":"Please sign in."}`, body(t, resp), h)
	}
}

func TestOptionalServesAnonymousAndSignedIn(t *testing.T) {
	a := newApp(t)
	assert.Equal(t, "anonymous", body(t, a.get("/maybe")))
	a.signIn("/")
	assert.Contains(t, body(t, a.get("/maybe")), "user=alice")
}

func TestCallbackRejectsStateMismatch(t *testing.T) {
	a := newApp(t)
	cb, err := url.Parse(a.callbackURL())
	require.NoError(t, err)
	q := cb.Query()
	q.Set("state", "attacker-state")
	cb.RawQuery = q.Encode()
	resp := a.get(cb.String())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
	assert.Equal(t, 0, int(a.pool.tokenCalls.Load()), "no code is redeemed for a foreign state")
}

func TestCallbackWithoutSignInCookieIsRefused(t *testing.T) {
	// Login CSRF: an attacker's own callback URL, opened in the victim's
	// browser, finds no sign-in of that browser.
	a := newApp(t)
	cb := a.callbackURL()
	a.setCookie(a.flowCookie().Name, "")
	resp := a.get(cb)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
}

func TestCallbackRejectsReplayedCode(t *testing.T) {
	a := newApp(t)
	cb := a.callbackURL()
	flowCookie := a.flowCookie()
	require.NotNil(t, flowCookie)
	resp := a.get(cb)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// Replayed as is: the sign-in cookie is gone.
	a.jar, _ = cookiejar.New(nil)
	a.step.Jar = a.jar
	assert.Equal(t, http.StatusBadRequest, a.get(cb).StatusCode)
	// Replayed with the sign-in cookie too: the pool refuses the code.
	a.setCookie(flowCookie.Name, flowCookie.Value)
	assert.Equal(t, http.StatusBadRequest, a.get(cb).StatusCode)
	assert.Nil(t, a.cookie("session"))
}

func TestCallbackRejectsNonceMismatch(t *testing.T) {
	a := newApp(t)
	a.pool.badNonce.Store(true)
	resp := a.get(a.callbackURL())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
	assert.Contains(t, a.logs.String(), "nonce does not match")
}

func TestCallbackRejectsPoolError(t *testing.T) {
	a := newApp(t)
	cb, _ := url.Parse(a.callbackURL())
	q := cb.Query()
	q.Del("code")
	q.Set("error", "access_denied")
	cb.RawQuery = q.Encode()
	assert.Equal(t, http.StatusBadRequest, a.get(cb.String()).StatusCode)
}

func TestCallbackRejectsExpiredSignIn(t *testing.T) {
	a := newApp(t)
	cb := a.callbackURL()
	a.clock.Advance(11 * time.Minute)
	assert.Equal(t, http.StatusBadRequest, a.get(cb).StatusCode)
}

func TestTamperedSessionCookieEndsSession(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	c := a.cookie("session")
	require.NotNil(t, c)
	v := []byte(c.Value)
	v[len(v)/2] ^= 1
	if v[len(v)/2] == '.' { // keep it base64url
		v[len(v)/2] = 'A'
	}
	a.setCookie("session", string(v))
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"), "the bad cookie is cleared")
}

func TestIdleSessionEnds(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.IdleTimeout = 10 * time.Minute })
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "activity within the idle lifetime")
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "the last request renewed it")
	a.clock.Advance(11 * time.Minute)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

func TestAbsoluteSessionLifetimeEnds(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.IdleTimeout = 40 * time.Minute; c.AbsoluteTimeout = 90 * time.Minute })
	a.signIn("/")
	for range 2 {
		a.clock.Advance(30 * time.Minute)
		require.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	}
	a.clock.Advance(30 * time.Minute)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

func TestKeyRotation(t *testing.T) {
	oldKey, newKey := web.NewKey(), web.NewKey()
	a := newApp(t, func(c *web.Config) { c.Keys = [][]byte{oldKey} })
	a.signIn("/")
	sealedWithOld := a.cookie("session").Value

	rotated := a.cfg
	rotated.Keys = [][]byte{newKey, oldKey}
	auth, err := web.New(rotated)
	require.NoError(t, err)
	a.routes(auth, "/rotated")
	resp := a.get("/rotated/account")
	require.Equal(t, http.StatusOK, resp.StatusCode, "an old key still opens")
	assert.NotEqual(t, sealedWithOld, a.cookie("session").Value, "and the cookie moves to the new key")

	only := a.cfg
	only.Keys = [][]byte{newKey}
	auth, err = web.New(only)
	require.NoError(t, err)
	a.routes(auth, "/new")
	assert.Equal(t, http.StatusOK, a.get("/new/account").StatusCode, "the re-sealed cookie needs no old key")
	a.setCookie("session", sealedWithOld)
	assert.Equal(t, http.StatusFound, a.get("/new/account").StatusCode, "a dropped key opens nothing")
}

func TestRefreshBeforeExpiry(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	before := a.cookie("session").Value
	a.clock.Advance(7 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	assert.Equal(t, 1, int(a.pool.tokenCalls.Load()), "outside the refresh window")
	a.clock.Advance(2 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "refreshed within the window")
	assert.NotEqual(t, before, a.cookie("session").Value)
	a.clock.Advance(5 * time.Minute)
	assert.Contains(t, body(t, a.get("/account")), "user=alice", "the refreshed tokens outlive the first ones")
}

func TestConcurrentRequestsRefreshOnce(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	a.pool.hold = make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/account", nil)
			resp, err := a.step.Do(req)
			if err == nil {
				codes[i] = resp.StatusCode
				_ = resp.Body.Close()
			}
		})
	}
	// Every request reaches the refresh before the pool answers: one
	// calls the pool, seven wait for it.
	require.Eventually(t, func() bool {
		return a.pool.tokenCalls.Load() == 2 && web.RefreshWaiters(a.auth) == len(codes)-1
	}, 10*time.Second, time.Millisecond)
	close(a.pool.hold)
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, http.StatusOK, c)
	}
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "sign-in and one refresh")
}

func TestRevokedRefreshTokenEndsSession(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.pool.revokeAll()
	a.clock.Advance(9 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
	assert.Contains(t, a.logs.String(), "refresh refused by the token endpoint: invalid_grant")
}

func TestUnreachableTokenEndpointKeepsSession(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.pool.fail.Store(true)
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "tokens still valid: served")
	a.clock.Advance(2 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "expired and no refresh: 503")
	assert.NotNil(t, a.cookie("session"), "the session is kept")
	a.pool.fail.Store(false)
	// The outage is remembered for as long as Retry-After says, so that a
	// failing endpoint is not called by every request.
	a.clock.Advance(5 * time.Second)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
}

func TestSignOutRevokesAndGoesThroughCognitoLogout(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	resp := a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, a.pool.Domain()+"/logout", loc.Scheme+"://"+loc.Host+loc.Path)
	assert.Equal(t, "web-client", loc.Query().Get("client_id"))
	assert.Equal(t, a.srv.URL+"/", loc.Query().Get("logout_uri"))
	assert.Nil(t, a.cookie("session"))
	assert.Equal(t, 1, int(a.pool.revokeCalls.Load()))
	a.pool.mu.Lock()
	for _, f := range a.pool.families {
		assert.True(t, f.revoked, "the refresh token is revoked")
	}
	a.pool.mu.Unlock()
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

func TestSignOutGetShowsButtonOnly(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	resp := a.get("/logout")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), `method="post"`)
	assert.NotNil(t, a.cookie("session"))
	assert.Equal(t, 0, int(a.pool.revokeCalls.Load()))
}

func TestOpenRedirectAttemptsReturnHome(t *testing.T) {
	a := newApp(t)
	for _, next := range []string{"//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example",
		"javascript:alert(1)", "evil.example", "http:/evil.example", "/\n/evil.example"} {
		resp := a.signIn(next)
		assert.Equal(t, a.srv.URL+"/", resp.Request.URL.String(), "next=%q", next)
	}
}

func TestLocalPath(t *testing.T) {
	for p, ok := range map[string]bool{
		"/": true, "/account": true, "/a?b=c#d": true, "/%2F%2Fevil": true,
		"": false, "//evil": false, "/\\evil": false, "\\\\evil": false, "https://evil/": false,
		"/\t/evil": false, "/\r\n/evil": false, "javascript:x": false, "evil": false, "/a\\b": false,
		"/" + strings.Repeat("a", 3000): false,
	} {
		_, got := web.LocalPath(p)
		assert.Equal(t, ok, got, "%q", p)
	}
}

func TestCrossOriginUnsafeRequestsAreRefused(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "https://evil.example"},
	} {
		resp := a.do(a.step, http.MethodPost, "/account", h...)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, h)
		resp = a.do(a.step, http.MethodPost, "/logout", h...)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, h)
	}
	assert.NotNil(t, a.cookie("session"), "a cross-origin sign-out did nothing")
	for _, h := range [][]string{{"Sec-Fetch-Site", "same-origin"}, {"Origin", a.srv.URL}} {
		resp := a.do(a.step, http.MethodPost, "/account", h...)
		assert.Equal(t, http.StatusOK, resp.StatusCode, h)
	}
	// Safe methods are not checked: they must not change state.
	assert.Equal(t, http.StatusOK, a.get("/account", "Sec-Fetch-Site", "cross-site").StatusCode)
}

func TestTrustedOriginMaySendUnsafeRequests(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.TrustedOrigins = []string{"https://admin.example"} })
	a.signIn("/")
	resp := a.do(a.step, http.MethodPost, "/account", "Origin", "https://admin.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestGuardsAnswerThroughTheSession(t *testing.T) {
	a := newApp(t)
	a.pool.signInAs("bob")
	a.signIn("/")
	resp := a.get("/admin")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	resp = a.get("/admin", "Accept", "application/json")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.JSONEq(t, `{"error":"forbidden","error_description":"You do not have access to this page."}`, body(t, resp))
	assert.Equal(t, http.StatusOK, a.get("/tenant").StatusCode, "RequireClaim reads the ID token's attributes")

	b := newApp(t)
	b.pool.signInAs("alice", "admin")
	b.signIn("/")
	assert.Contains(t, body(t, b.get("/admin")), "groups=[admin]")
}

func TestConfidentialClient(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.ClientSecret = "s3cret" })
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "refreshed with the secret")
	a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL)
	a.pool.mu.Lock()
	defer a.pool.mu.Unlock()
	for _, f := range a.pool.families {
		assert.True(t, f.revoked, "revoked with the secret")
	}
}

func TestWrongClientSecretFailsSignIn(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.ClientSecret = "s3cret" })
	a.pool.secret = "another"
	assert.Equal(t, http.StatusBadRequest, a.get(a.callbackURL()).StatusCode)
}

func TestServerSideStoreKeepsOnlyAnIDInTheCookie(t *testing.T) {
	store := &web.MemoryStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	c := a.cookie("session")
	require.NotNil(t, c)
	assert.Less(t, len(c.Value), 120, "the cookie holds a sealed id")
	assert.Equal(t, 1, store.Len())
	assert.Contains(t, body(t, a.get("/account")), "user=alice")
	a.signIn("/")
	assert.Equal(t, 1, store.Len(), "signing in again replaces the record")
	assert.NotEqual(t, c.Value, a.cookie("session").Value, "with a new id")
	c = a.cookie("session")

	// Deleting the record ends the session wherever the cookie is.
	a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL)
	assert.Equal(t, 0, store.Len())
	a.setCookie("session", c.Value)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

func TestServerSideStoreRefreshes(t *testing.T) {
	store := &web.MemoryStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	store.Now = a.clock.Now
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	cookie := a.cookie("session").Value
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()))
	assert.Equal(t, cookie, a.cookie("session").Value, "the cookie does not change, the record does")
	a.clock.Advance(5 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
}

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

func TestIdentityProviderGoesToAuthorize(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.IdentityProvider = "Google"; c.Scopes = []string{"openid", "email"} })
	resp := a.get("/login")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "Google", loc.Query().Get("identity_provider"))
	assert.Equal(t, "openid email", loc.Query().Get("scope"))
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := web.Config{
		Domain: "https://auth.example", ClientID: "c", RedirectURL: "https://app.example/callback",
		LogoutURL: "https://app.example/", Verify: cognitojwt.Config{UserPoolID: "eu-west-1_Abc"},
		Keys: [][]byte{web.NewKey()},
	}
	_, err := web.New(good)
	require.NoError(t, err)
	for name, f := range map[string]func(*web.Config){
		"no domain":              func(c *web.Config) { c.Domain = "" },
		"http domain":            func(c *web.Config) { c.Domain = "http://auth.example" },
		"no client":              func(c *web.Config) { c.ClientID = "" },
		"http redirect":          func(c *web.Config) { c.RedirectURL = "http://app.example/callback" },
		"no logout url":          func(c *web.Config) { c.LogoutURL = "" },
		"no keys":                func(c *web.Config) { c.Keys = nil },
		"short key":              func(c *web.Config) { c.Keys = [][]byte{make([]byte, 16)} },
		"repeated key":           func(c *web.Config) { k := web.NewKey(); c.Keys = [][]byte{k, k} },
		"no pool":                func(c *web.Config) { c.Verify = cognitojwt.Config{} },
		"bad cookie name":        func(c *web.Config) { c.CookieName = "a b" },
		"remote login path":      func(c *web.Config) { c.LoginPath = "//evil/login" },
		"negative lifetime":      func(c *web.Config) { c.IdleTimeout = -time.Second },
		"bad trusted origin":     func(c *web.Config) { c.TrustedOrigins = []string{"not a url"} },
		"no openid scope":        func(c *web.Config) { c.Scopes = []string{"email"} },
		"negative store timeout": func(c *web.Config) { c.StoreTimeout = -time.Second },
	} {
		cfg := good
		f(&cfg)
		_, err := web.New(cfg)
		assert.Error(t, err, name)
	}
}

func TestNewRefusesVerifySettingsItWouldOverride(t *testing.T) {
	good := web.Config{
		Domain: "https://auth.example", ClientID: "c", RedirectURL: "https://app.example/callback",
		LogoutURL: "https://app.example/", Verify: cognitojwt.Config{UserPoolID: "eu-west-1_Abc"},
		Keys: [][]byte{web.NewKey()},
	}
	for name, f := range map[string]func(*cognitojwt.Config){
		"another client":    func(v *cognitojwt.Config) { v.ClientIDs = []string{"another"} },
		"a second client":   func(v *cognitojwt.Config) { v.ClientIDs = []string{"c", "another"} },
		"any client":        func(v *cognitojwt.Config) { v.AllowAnyClient = true },
		"one kind of token": func(v *cognitojwt.Config) { v.TokenUse = cognitojwt.AccessToken },
	} {
		cfg := good
		f(&cfg.Verify)
		_, err := web.New(cfg)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), "leave them unset", name)
		}
	}
	cfg := good
	cfg.Verify.ClientIDs = []string{"c"}
	_, err := web.New(cfg)
	assert.NoError(t, err, "ClientIDs naming ClientID alone is honoured")
}

func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	s := &web.MemoryStore{Now: func() time.Time { return now }}
	_, ok, err := s.Get(ctx, "x")
	assert.False(t, ok)
	assert.NoError(t, err)
	require.NoError(t, s.Set(ctx, "x", []byte("v"), time.Minute))
	v, ok, _ := s.Get(ctx, "x")
	assert.True(t, ok)
	assert.Equal(t, "v", string(v))
	v[0] = 'w'
	v, _, _ = s.Get(ctx, "x")
	assert.Equal(t, "v", string(v), "Get returns a copy")
	now = now.Add(time.Minute)
	_, ok, _ = s.Get(ctx, "x")
	assert.False(t, ok, "expired")
	require.NoError(t, s.Set(ctx, "y", []byte("v"), time.Minute))
	require.NoError(t, s.Delete(ctx, "y"))
	assert.Equal(t, 0, s.Len())
}

func TestAccessTokenIsTheSessionsOwn(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	assert.Contains(t, body(t, a.get("/account")), "access=true scopes=[openid email profile] subject=sub-alice")

	// The cookie of another session holds that session whole: it serves
	// that session, never a mix of the two.
	b := newApp(t)
	b.pool.signInAs("bob")
	b.signIn("/")
	a.setCookie("session", b.cookie("session").Value)
	got := body(t, a.get("/account"))
	assert.NotContains(t, got, "user=alice")
	assert.NotContains(t, got, "sub-alice")
}

func TestCallbackRejectsTamperedSignInCookie(t *testing.T) {
	a := newApp(t)
	cb := a.callbackURL()
	c := a.flowCookie()
	a.setCookie(c.Name, "AAAA"+c.Value[4:])
	assert.Equal(t, http.StatusBadRequest, a.get(cb).StatusCode)
	assert.Equal(t, 0, int(a.pool.tokenCalls.Load()))
}

func TestCallbackRejectsMissingCode(t *testing.T) {
	a := newApp(t)
	cb, _ := url.Parse(a.callbackURL())
	q := cb.Query()
	q.Del("code")
	cb.RawQuery = q.Encode()
	assert.Equal(t, http.StatusBadRequest, a.get(cb.String()).StatusCode)
}

func TestCallbackRejectsTokenAnswersThatDoNotVerify(t *testing.T) {
	foreign, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	for log, spoil := range map[string]func(*testPool){
		"no ID token":          func(p *testPool) { p.noIDToken.Store(true) },
		"tokens do not verify": func(p *testPool) { p.foreignKey.Store(foreign) },
	} {
		a := newApp(t)
		spoil(a.pool)
		assert.Equal(t, http.StatusBadRequest, a.get(a.callbackURL()).StatusCode, log)
		assert.Nil(t, a.cookie("session"), log)
		assert.Contains(t, a.logs.String(), log)
	}
}

func TestCallbackAnswers503WhenTokenEndpointIsDown(t *testing.T) {
	a := newApp(t)
	cb := a.callbackURL()
	a.pool.fail.Store(true)
	resp := a.get(cb)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.Nil(t, a.cookie("session"))
}

func TestPlantedDuplicateSessionCookieIsNoSession(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	c := a.cookie("session")
	// A second "session" cookie, as a sibling subdomain could plant one
	// without the __Host- prefix: neither is trusted.
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/account", nil)
	req.Header.Set("Cookie", "session="+c.Value+"; session="+c.Value)
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

func TestSessionWhoseTokensNoLongerVerifyEnds(t *testing.T) {
	// The same keys, but the site now accepts another app client: the
	// session's ID token fails with ErrWrongClient, which no refresh can
	// mend (a token listed in Verify.Revocations takes the same path).
	a := newApp(t)
	a.signIn("/")
	moved := a.cfg
	moved.ClientID = "another-client"
	auth, err := web.New(moved)
	require.NoError(t, err)
	a.routes(auth, "/moved")
	resp := a.get("/moved/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
	assert.Equal(t, 1, int(a.pool.tokenCalls.Load()), "no refresh is attempted")
	assert.Contains(t, a.logs.String(), "ID token no longer verifies: wrong_client")
}

// corruptStore damages every value it hands back.
type corruptStore struct{ web.MemoryStore }

func (s *corruptStore) Get(ctx context.Context, id string) ([]byte, bool, error) {
	v, ok, err := s.MemoryStore.Get(ctx, id)
	if len(v) > 10 {
		v[10] ^= 1 // inside the first part, which every request opens
	}
	return v, ok, err
}

func TestDamagedStoredSessionEndsSession(t *testing.T) {
	store := &corruptStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
}

// failingStore fails every call.
type failingStore struct{ web.MemoryStore }

func (*failingStore) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("store down")
}

func TestStoreOutageAnswers503AndKeepsCookie(t *testing.T) {
	store := &failingStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	require.NotNil(t, a.cookie("session"))
	resp := a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotNil(t, a.cookie("session"), "the session is kept for when the store is back")
	resp = a.get("/account", "Accept", "application/json")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, body(t, resp), "temporarily_unavailable")
}

func TestLogoutRefusesOtherMethods(t *testing.T) {
	a := newApp(t)
	resp := a.do(a.step, http.MethodPut, "/logout", "Origin", a.srv.URL)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, HEAD, POST", resp.Header.Get("Allow"))
}

func TestSignInsFromTwoTabsBothComplete(t *testing.T) {
	a := newApp(t)
	first := a.callbackURL()
	second := a.callbackURL()
	assert.Equal(t, http.StatusSeeOther, a.get(second).StatusCode)
	assert.Equal(t, http.StatusSeeOther, a.get(first).StatusCode, "the earlier tab's sign-in kept its own cookie")
	assert.Nil(t, a.flowCookie(), "both sign-in cookies are gone")
}
