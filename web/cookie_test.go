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
