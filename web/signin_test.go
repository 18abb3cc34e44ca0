package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/revocation"
	"github.com/cognitojwt/cognitojwt/web"
)

func TestSigningInAgainRetiresTheReplacedSession(t *testing.T) {
	list := new(revocation.List)
	a := newApp(t, func(c *web.Config) { c.Verify.Revocations = list })
	a.signIn("/")
	u, _ := url.Parse(a.srv.URL)
	replaced := a.jar.Cookies(u)
	a.signIn("/") // the same browser signs in again
	assert.Equal(t, 1, int(a.pool.revokeCalls.Load()), "the replaced session's refresh token is revoked")
	a.signOut()

	a.pool.mu.Lock()
	for _, f := range a.pool.families {
		assert.True(t, f.revoked, "no refresh token of either session can refresh")
	}
	a.pool.mu.Unlock()
	a.jar.SetCookies(u, replaced)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode, "a copy of the replaced session is signed out")
	assert.Contains(t, a.logs.String(), "replaced by a new sign-in")
}

func TestSigningInAgainWithAStoreDeletesTheReplacedRecord(t *testing.T) {
	store := &web.MemoryStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	replaced := a.cookie("session").Value
	a.signIn("/")
	assert.Equal(t, 1, store.Len())
	assert.Equal(t, 1, int(a.pool.revokeCalls.Load()))
	a.setCookie("session", replaced)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
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

func TestIdentityProviderGoesToAuthorize(t *testing.T) {
	a := newApp(t, func(c *web.Config) { c.IdentityProvider = "Google"; c.Scopes = []string{"openid", "email"} })
	resp := a.get("/login")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "Google", loc.Query().Get("identity_provider"))
	assert.Equal(t, "openid email", loc.Query().Get("scope"))
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

func TestSignInsFromTwoTabsBothComplete(t *testing.T) {
	a := newApp(t)
	first := a.callbackURL()
	second := a.callbackURL()
	assert.Equal(t, http.StatusSeeOther, a.get(second).StatusCode)
	assert.Equal(t, http.StatusSeeOther, a.get(first).StatusCode, "the earlier tab's sign-in kept its own cookie")
	assert.Nil(t, a.flowCookie(), "both sign-in cookies are gone")
}

func TestCallbackRefusesSubstitutedTokens(t *testing.T) {
	// A token endpoint answer whose tokens are not this client's ID and
	// access tokens of one user of this pool starts no session, whatever
	// else about them is right (signature, nonce, lifetime).
	for name, tc := range map[string]struct {
		spoil func(p *testPool, body map[string]any, nonce string)
		log   string
	}{
		"access token as the ID token": {func(_ *testPool, b map[string]any, _ string) { b["id_token"] = b["access_token"] }, "tokens do not verify: wrong_token_use"},
		"ID token as the access token": {func(_ *testPool, b map[string]any, _ string) { b["access_token"] = b["id_token"] }, "tokens do not verify: wrong_token_use"},
		"ID token of another client": {func(p *testPool, b map[string]any, nonce string) {
			b["id_token"] = p.IDToken(cognitotest.WithClientID("other-client"), cognitotest.WithSubject("sub-alice"),
				cognitotest.WithClaim("nonce", nonce))
		}, "tokens do not verify: wrong_client"},
		"ID token of another pool": {func(p *testPool, b map[string]any, nonce string) {
			b["id_token"] = p.IDToken(cognitotest.WithClientID("web-client"), cognitotest.WithSubject("sub-alice"),
				cognitotest.WithClaim("iss", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"),
				cognitotest.WithClaim("nonce", nonce))
		}, "tokens do not verify: wrong_issuer"},
		"ID token of another user": {func(p *testPool, b map[string]any, nonce string) {
			b["id_token"] = p.IDToken(cognitotest.WithClientID("web-client"), cognitotest.WithSubject("sub-mallory"),
				cognitotest.WithUsername("mallory"), cognitotest.WithClaim("nonce", nonce))
		}, "tokens do not verify: access and ID tokens name different users"},
		"control: a genuine re-mint": {func(p *testPool, b map[string]any, nonce string) {
			b["id_token"] = p.IDToken(cognitotest.WithClientID("web-client"), cognitotest.WithSubject("sub-alice"),
				cognitotest.WithUsername("alice"), cognitotest.WithClaim("nonce", nonce))
		}, "signed in"},
	} {
		t.Run(name, func(t *testing.T) {
			a := newApp(t)
			spoil := func(b map[string]any, nonce string) { tc.spoil(a.pool, b, nonce) }
			a.pool.spoil.Store(&spoil)
			resp := a.get(a.callbackURL())
			assert.Contains(t, a.logs.String(), tc.log)
			if tc.log == "signed in" {
				assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
				return
			}
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Nil(t, a.cookie("session"))
		})
	}
}

func TestCallbackMixingTwoSignInsIsRefused(t *testing.T) {
	// Two sign-ins under way in one browser: the state of one with the
	// code of the other (a code injected into the callback URL) fails,
	// since the code was issued for the other's PKCE challenge and nonce.
	a := newApp(t)
	first, err := url.Parse(a.callbackURL())
	require.NoError(t, err)
	second, err := url.Parse(a.callbackURL())
	require.NoError(t, err)
	mixed := *first
	q := first.Query()
	q.Set("code", second.Query().Get("code"))
	mixed.RawQuery = q.Encode()
	assert.Equal(t, http.StatusBadRequest, a.get(mixed.String()).StatusCode)
	assert.Nil(t, a.cookie("session"))
	assert.Contains(t, a.logs.String(), "code exchange refused by the token endpoint: invalid_grant")
	assert.Equal(t, http.StatusBadRequest, a.get(first.String()).StatusCode, "the first sign-in's cookie was used up")
	assert.Nil(t, a.cookie("session"))
}

func TestCallbackLogsNoCodeStateOrPoolText(t *testing.T) {
	a := newApp(t)
	marker := "Zm9vYmFyYmF6cXV4MARKER"
	for reason, set := range map[string]map[string]string{
		"code exchange refused by the token endpoint":                {"code": "code-" + marker},
		"the user pool answered with an error":                       {"error": marker, "error_description": marker + " " + marker},
		"state does not match this browser's sign-in":                {"state+": marker},
		"no sign-in in progress in this browser":                     {"state": marker},
		"code exchange refused by the token endpoint: invalid_grant": {"code": "code-" + marker + "\n" + marker},
	} {
		// A sign-in of its own for each: a callback uses its cookie up.
		cb, err := url.Parse(a.callbackURL())
		require.NoError(t, err)
		q := cb.Query()
		for k, v := range set {
			if k == "state+" {
				k, v = "state", q.Get("state")+v
			}
			q.Set(k, v)
		}
		u := *cb
		u.RawQuery = q.Encode()
		assert.Equal(t, http.StatusBadRequest, a.get(u.String()).StatusCode, "%v", set)
		assert.Contains(t, a.logs.String(), reason)
		assert.NotContains(t, a.logs.String(), "MARKER")
		assert.NotContains(t, a.logs.String(), cb.Query().Get("state"))
		assert.NotContains(t, a.logs.String(), cb.Query().Get("code"))
	}
}
