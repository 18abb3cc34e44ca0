package web_test

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/revocation"
	"github.com/cognitojwt/cognitojwt/web"
)

func (a *app) signOut() {
	a.t.Helper()
	resp := a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL)
	require.Equal(a.t, http.StatusSeeOther, resp.StatusCode)
}

func TestSignOutWithAnExpiredIDTokenStillListsTheFamily(t *testing.T) {
	// The app client has token revocation off, so the refresh token
	// outlives sign-out at the pool: only the revocation list stops a copy
	// of the cookies, which would otherwise refresh itself and live on.
	list := new(revocation.List)
	a := newApp(t, func(c *web.Config) { c.Verify.Revocations = list })
	a.pool.lifetime = 10 * time.Minute
	a.pool.noRevoke.Store(true)
	a.signIn("/")
	u, _ := url.Parse(a.srv.URL)
	copied := a.jar.Cookies(u)
	a.clock.Advance(11 * time.Minute) // the ID token has expired
	a.signOut()

	a.jar.SetCookies(u, copied)
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "the copy is signed out too")
	assert.Nil(t, a.cookie("session"))
	assert.Contains(t, a.logs.String(), "refreshed tokens do not verify: revoked")
}

func TestSignOutPageSaysWhatHappensAndFitsAPhone(t *testing.T) {
	a := newApp(t)
	resp := a.get("/logout")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	page := body(t, resp)
	assert.Contains(t, page, `<meta name="viewport" content="width=device-width, initial-scale=1">`)
	assert.Contains(t, page, "<title>Sign out</title>")
	assert.Contains(t, page, "Signing out ends your session on this site and with the sign-in service")
	assert.Contains(t, page, `<form method="post"><button type="submit">Sign out</button>`)
	assert.Contains(t, page, `<a href="/">Stay signed in</a>`)
}

func TestSignOutPageIsTheAppsWhenItGivesOne(t *testing.T) {
	a := newApp(t, func(c *web.Config) {
		c.SignOutPage = func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`<main class="app">Leaving so soon? <form method="post"><button>Sign out</button></form></main>`))
		}
	})
	a.signIn("/")
	resp := a.get("/logout")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Contains(t, body(t, resp), `<main class="app">Leaving so soon?`)
	assert.NotNil(t, a.cookie("session"), "showing the page signs no one out")
	assert.Zero(t, a.pool.revokeCalls.Load())
}

func TestErrorPageFitsAPhone(t *testing.T) {
	a := newApp(t)
	a.pool.signInAs("bob")
	a.signIn("/")
	resp := a.get("/admin")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, `<meta name="viewport"`)
	assert.Contains(t, page, "You do not have access to this page.")
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

func TestLogoutRefusesOtherMethods(t *testing.T) {
	a := newApp(t)
	resp := a.do(a.step, http.MethodPut, "/logout", "Origin", a.srv.URL)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, HEAD, POST", resp.Header.Get("Allow"))
}

// stallingStore stops answering the calls whose flag is set, each until
// its context ends, as a client of a Redis that stopped answering does.
type stallingStore struct {
	web.MemoryStore
	getStalls, deleteStalls, setStalls, swapStalls atomic.Bool
}

func (s *stallingStore) Set(ctx context.Context, id string, v []byte, ttl time.Duration) error {
	if s.setStalls.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.MemoryStore.Set(ctx, id, v, ttl)
}

func (s *stallingStore) Swap(ctx context.Context, id string, old, v []byte, ttl time.Duration) (bool, error) {
	if s.swapStalls.Load() {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return s.MemoryStore.Swap(ctx, id, old, v, ttl)
}

func (s *stallingStore) Get(ctx context.Context, id string) ([]byte, bool, error) {
	if s.getStalls.Load() {
		<-ctx.Done()
		return nil, false, ctx.Err()
	}
	return s.MemoryStore.Get(ctx, id)
}

func (s *stallingStore) Delete(ctx context.Context, id string) error {
	if s.deleteStalls.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.MemoryStore.Delete(ctx, id)
}

func TestSignOutWithAStalledStoreIsNotReportedDone(t *testing.T) {
	// With a Store, sign-out is the deletion of the record: while the
	// store does not answer, the record, which any copy of the cookie
	// still opens, survives. Clearing the browser's cookies and sending it
	// on as signed out would hide that; sign-out answers 503 instead and
	// keeps the cookies, so that the user can try again.
	for name, stall := range map[string]func(*stallingStore) *atomic.Bool{
		"read stalls":   func(s *stallingStore) *atomic.Bool { return &s.getStalls },
		"delete stalls": func(s *stallingStore) *atomic.Bool { return &s.deleteStalls },
	} {
		t.Run(name, func(t *testing.T) {
			store := &stallingStore{}
			a := newApp(t, func(c *web.Config) { c.Store = store; c.StoreTimeout = 20 * time.Millisecond })
			a.signIn("/")
			copied := a.cookie("session").Value
			stall(store).Store(true)
			resp := a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, "5", resp.Header.Get("Retry-After"))
			assert.Equal(t, copied, a.cookie("session").Value, "the cookies are kept for another try")
			assert.Contains(t, a.logs.String(), "did not finish within StoreTimeout")

			// Once the store answers, signing out again ends the session
			// for every copy.
			stall(store).Store(false)
			a.signOut()
			assert.Zero(t, store.Len())
			a.setCookie("session", copied)
			assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
		})
	}
}

func TestCopyFromBeforeARefreshCannotTakeTheRefreshAfterSignOut(t *testing.T) {
	// A refresh's result is kept for a minute so that requests still
	// carrying the old cookies take it rather than refresh again. After
	// sign-out, a copy of those old cookies must not take it: it would
	// trade a session that was signed out for fresh tokens without
	// asking the pool, which refuses the revoked refresh token.
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	u, _ := url.Parse(a.srv.URL)
	before := a.jar.Cookies(u)
	a.clock.Advance(8*time.Minute + 30*time.Second) // due, still valid
	require.Contains(t, body(t, a.get("/account")), "user=alice")
	require.Equal(t, 2, int(a.pool.tokenCalls.Load()), "refreshed")
	a.signOut()

	a.jar.SetCookies(u, before)
	a.clock.Advance(time.Second)
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "the copy is signed out")
	assert.Equal(t, 3, int(a.pool.tokenCalls.Load()), "the copy's refresh went to the pool")
	assert.Contains(t, a.logs.String(), "refresh refused by the token endpoint: invalid_grant")
}
