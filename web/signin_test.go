package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

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
