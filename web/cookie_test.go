package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

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
