package web_test

import (
	"net/http"
	"testing"

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
