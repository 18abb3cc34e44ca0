package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/web"
)

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

func TestSealedValuesDoNotPassForOneAnother(t *testing.T) {
	// Every sealed value is bound to its purpose: moved into another
	// cookie, under the same keys, it opens nothing.
	key := web.NewKey()
	a := newApp(t, func(c *web.Config) { c.Keys = [][]byte{key} })
	a.pool.lifetime = 10 * time.Minute
	require.Equal(t, http.StatusFound, a.get("/login").StatusCode)
	flow := a.flowCookie()
	a.signIn("/")
	session, rt := a.cookie("session"), a.cookie("session-rt")
	require.NotNil(t, rt)

	stored := a.cfg
	stored.Store = &web.MemoryStore{}
	stored.RedirectURL = a.srv.URL + "/stored/callback"
	storeAuth, err := web.New(stored)
	require.NoError(t, err)
	a.routes(storeAuth, "/stored")
	require.Equal(t, http.StatusOK, a.do(a.follow, http.MethodGet, "/stored/login?next=/stored/account").StatusCode)
	ref := a.cookie("session")
	require.Less(t, len(ref.Value), 200, "a sealed id")

	for name, c := range map[string]struct{ prefix, value string }{
		"sign-in cookie as the session":         {"", flow.Value},
		"refresh-token cookie as the session":   {"", rt.Value},
		"store's sealed id as a cookie session": {"", ref.Value},
		"cookie session as the store's id":      {"/stored", session.Value},
	} {
		a.setCookie("session", c.value)
		assert.Equal(t, http.StatusFound, a.get(c.prefix+"/account").StatusCode, name)
	}

	// The session's own value as its refresh token refreshes nothing.
	a.setCookie("session", session.Value)
	a.setCookie("session-rt", session.Value)
	calls := a.pool.tokenCalls.Load()
	a.clock.Advance(a.cfgLifetime())
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
	assert.Equal(t, calls, a.pool.tokenCalls.Load(), "no refresh token to redeem")
}
