package web_test

import (
	"bytes"
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
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
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
	a.follow = &http.Client{Jar: a.jar, Timeout: testwait.Limit(t)}
	a.step = &http.Client{Jar: a.jar, Timeout: testwait.Limit(t),
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
	a.mux.Handle("GET "+prefix+"/admin", auth.Require(authz.RequireAnyGroup("admin")(http.HandlerFunc(account))))
	a.mux.Handle("GET "+prefix+"/tenant", auth.Require(authz.RequireClaim("custom:tenant_id", "acme")(http.HandlerFunc(account))))
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
