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

	"github.com/cognitojwt/cognitojwt/revocation"
	"github.com/cognitojwt/cognitojwt/web"
)

// returnTo runs a sign-in with next and returns where the callback sends
// the browser.
func (a *app) returnTo(next string) string {
	a.t.Helper()
	resp := a.get("/login?next=" + url.QueryEscape(next))
	require.Equal(a.t, http.StatusFound, resp.StatusCode)
	resp = a.do(a.step, http.MethodGet, resp.Header.Get("Location"))
	require.Equal(a.t, http.StatusFound, resp.StatusCode)
	resp = a.get(resp.Header.Get("Location"))
	require.Equal(a.t, http.StatusSeeOther, resp.StatusCode)
	return resp.Header.Get("Location")
}

func TestNextNeverLeavesTheSite(t *testing.T) {
	a := newApp(t)
	for _, next := range []string{
		"/%2F%2Fevil.example", "/%5Cevil.example", "/%0d%0aLocation:%20https://evil.example",
		"/.//evil.example", "/..//evil.example", "/a/..//evil.example", "///evil.example",
		" //evil.example", "\t//evil.example", "/\x00/evil.example", "/\r/evil.example",
		"/%09/evil.example", "JavaScript:alert(1)", "data:text/html,x", "https:evil.example",
		"/\u3000/evil.example", "\u2215\u2215evil.example", "/#//evil.example", "/?//evil.example",
	} {
		loc := a.returnTo(next)
		u, err := url.Parse(loc)
		require.NoError(t, err, "next=%q", next)
		assert.Empty(t, u.Scheme, "next=%q gave %q", next, loc)
		assert.Empty(t, u.Host, "next=%q gave %q", next, loc)
		assert.True(t, strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.ContainsAny(loc, "\\\r\n\t"),
			"next=%q gave %q", next, loc)
	}
}

func TestSignOutFormPostsToThisSiteWhateverThePath(t *testing.T) {
	a := newApp(t)
	// Routers that do not clean paths (http.StripPrefix under a prefix,
	// many third-party ones) hand Logout "//evil.example" for
	// "/app//evil.example": that must not become the form's target.
	req := httptest.NewRequest(http.MethodGet, "/app//evil.example", nil)
	req.URL.Path = "//evil.example"
	rec := httptest.NewRecorder()
	a.auth.Logout().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `<form method="post"`)
	assert.NotContains(t, rec.Body.String(), "evil.example")
}

func TestRepeatedSignInStartsDoNotPileUpCookies(t *testing.T) {
	a := newApp(t)
	// Each visit to Login leaves a sign-in cookie for its tab; a page
	// that sends the browser there over and over must not grow the
	// Cookie header past what proxies accept.
	for range 50 {
		require.Equal(t, http.StatusFound, a.get("/login").StatusCode)
	}
	u, _ := url.Parse(a.srv.URL)
	n := 0
	for _, c := range a.jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "session-signin-") {
			n++
		}
	}
	assert.LessOrEqual(t, n, 4)
	assert.Positive(t, n)
	// The latest sign-in still completes.
	assert.Equal(t, http.StatusSeeOther, a.get(a.callbackURL()).StatusCode)
}

func TestSpliceOfTwoUsersChunkedSessionsIsNoSession(t *testing.T) {
	a := newApp(t)
	a.pool.refreshPad = 6000
	a.signIn("/")
	aliceMain, aliceChunk := a.cookie("session"), a.cookie("session-1")
	aliceRT, aliceRT1 := a.cookie("session-rt"), a.cookie("session-rt-1")
	require.NotNil(t, aliceRT1, "the refresh token is chunked")
	a.pool.signInAs("bob")
	a.signIn("/")
	bobRT, bobRT1 := a.cookie("session-rt"), a.cookie("session-rt-1")
	require.NotNil(t, bobRT1)

	// Alice's refresh-token cookie with Bob's second chunk, and Bob's
	// whole refresh-token cookie beside Alice's session: neither opens.
	for _, rt := range [][2]*http.Cookie{{aliceRT, bobRT1}, {bobRT, bobRT1}} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, c := range []*http.Cookie{aliceMain, rt[0], rt[1]} {
			req.AddCookie(c)
		}
		if aliceChunk != nil {
			req.AddCookie(aliceChunk)
		}
		a.clock.Advance(a.cfgLifetime())
		calls := a.pool.tokenCalls.Load()
		rec := httptest.NewRecorder()
		a.auth.Require(http.HandlerFunc(account)).ServeHTTP(rec, req)
		assert.Equal(t, http.StatusFound, rec.Code, "a spliced refresh token must not refresh")
		assert.Equal(t, calls, a.pool.tokenCalls.Load(), "no refresh was attempted with a spliced token")
	}
}

// cfgLifetime is how far to move the clock so that the session's tokens
// expire and a request has to refresh.
func (a *app) cfgLifetime() time.Duration { return a.pool.lifetime + time.Second }

func TestAccessTokenOfAnotherSessionIsNeverServed(t *testing.T) {
	// The access token is sealed inside the session cookie, bound to it:
	// a cookie of the old layout ("session-at") planted from another
	// session is neither opened nor kept.
	a := newApp(t)
	a.signIn("/")
	aliceSession := a.cookie("session")
	a.pool.signInAs("bob")
	a.signIn("/")
	a.setCookie("session-at", aliceSession.Value)
	got := body(t, a.get("/account"))
	assert.Contains(t, got, "user=bob")
	assert.Contains(t, got, "access=true", "Bob's own access token serves Bob's session")
	assert.Contains(t, got, "subject=sub-bob")
}

func TestUnsafeMethodsWithoutBrowserProofAreRefused(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	for _, h := range [][]string{
		{"Origin", "null"},
		{"Origin", "http://127.0.0.1.evil.example"},
		{"Sec-Fetch-Site", "cross-site", "Origin", a.srv.URL},
		{"Sec-Fetch-Site", "same-site", "Origin", a.srv.URL},
	} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			resp := a.do(a.step, m, "/logout", h...)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %v", m, h)
		}
	}
	// Safe methods from anywhere sign no one out.
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		a.do(a.step, m, "/logout", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	}
	// A method override header changes nothing: the method is GET.
	a.do(a.step, http.MethodGet, "/logout", "X-HTTP-Method-Override", "POST", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, int64(0), a.pool.revokeCalls.Load())
	assert.Contains(t, body(t, a.get("/account")), "user=alice")
}

func TestSessionCookieErrorsLogNoCookieContents(t *testing.T) {
	a := newApp(t)
	a.signIn("/")
	c := a.cookie("session")
	marker := "Zm9vYmFyYmF6cXV4"
	a.setCookie("session", c.Value[:len(c.Value)-len(marker)]+marker)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
	assert.NotContains(t, a.logs.String(), marker)
	assert.NotContains(t, a.logs.String(), c.Value[:20])
}

func TestCookieCopiedBeforeSignOutIsRefusedWithARevocationList(t *testing.T) {
	// In cookie mode the session is the cookie: a copy taken before
	// sign-out (a shared computer, malware, a proxy log) holds an ID token
	// that verifies until it expires. Sign-out lists the session's family
	// in Verify.Revocations, so the copy stops working at once.
	list := new(revocation.List)
	a := newApp(t, func(c *web.Config) { c.Verify.Revocations = list })
	a.signIn("/")
	u, _ := url.Parse(a.srv.URL)
	copied := a.jar.Cookies(u)
	require.Equal(t, http.StatusSeeOther, a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL).StatusCode)
	a.jar.SetCookies(u, copied)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode, "the copied cookie still signs in")
	assert.Equal(t, 1, int(a.pool.revokeCalls.Load()))
}

func TestChunkedSessionCookieManglingIsNoSession(t *testing.T) {
	a := newApp(t)
	groups := make([]string, 20)
	for i := range groups {
		groups[i] = fmt.Sprintf("group-with-a-rather-long-name-%03d", i)
	}
	a.pool.signInAs("alice", groups...)
	a.signIn("/")
	head, chunk := a.cookie("session"), a.cookie("session-1")
	require.NotNil(t, chunk)
	n, rest, ok := strings.Cut(head.Value, ".")
	require.True(t, ok)
	send := func(cookie string) int {
		req := httptest.NewRequest(http.MethodGet, "/account", nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		a.auth.Require(http.HandlerFunc(account)).ServeHTTP(rec, req)
		return rec.Code
	}
	whole := "session=" + head.Value + "; session-1=" + chunk.Value
	require.Equal(t, "2", n, "two chunks")
	require.Equal(t, http.StatusOK, send(whole))
	for name, cookie := range map[string]string{
		"duplicated chunk":       whole + "; session-1=" + chunk.Value,
		"chunk in a second line": whole + "; session-1=" + chunk.Value[:len(chunk.Value)-4],
		"chunks swapped":         "session=" + n + "." + chunk.Value + "; session-1=" + rest,
		"count too high":         "session=9." + rest + "; session-1=" + chunk.Value,
		"count too low":          "session=1." + rest + "; session-1=" + chunk.Value,
		"count grown":            "session=3." + rest + "; session-1=" + chunk.Value + "; session-2=" + chunk.Value,
		"head without count":     "session=" + rest + "; session-1=" + chunk.Value,
		"quoted":                 `session="` + head.Value + `"; session-1=` + chunk.Value,
	} {
		assert.Equal(t, http.StatusFound, send(cookie), name)
	}
}
