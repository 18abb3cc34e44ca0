package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/web"
)

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

func TestResponsesThatSetSessionCookiesAreNotStoredByCaches(t *testing.T) {
	// A page whose response carries the session's Set-Cookie (the
	// last-seen time written back, a refresh, a deletion) must not be
	// kept by a shared cache in front of the site: served to the next
	// visitor, it would hand them the session. A page the app made
	// cacheable (Last-Modified, as http.FileServer sets) is so by
	// heuristic freshness unless the response says otherwise.
	a := newApp(t)
	a.pool.lifetime = 20 * time.Minute
	a.mux.Handle("GET /static", a.auth.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "page.txt", time.Unix(1_700_000_000, 0), strings.NewReader("members only"))
	})))
	a.signIn("/")
	check := func(what string) {
		t.Helper()
		resp := a.get("/static")
		require.NotEmpty(t, resp.Header.Values("Set-Cookie"), what)
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), what)
	}
	a.clock.Advance(7 * time.Minute)
	check("last-seen time written back")
	a.clock.Advance(14 * time.Minute)
	check("refreshed")
	resp := a.get("/static")
	assert.Empty(t, resp.Header.Values("Set-Cookie"), "an ordinary request writes nothing")
	a.setCookie("session", "AAAA")
	check("deleted")
}
