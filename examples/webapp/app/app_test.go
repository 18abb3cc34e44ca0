package app_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/examples/webapp/app"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs the app as the command does, on a free port.
func start(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	base, stop, err := app.Start([]string{"-addr", "127.0.0.1:0"}, &out)
	require.NoError(t, err, out.String())
	t.Cleanup(func() { require.NoError(t, stop()) })
	return base
}

type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	t.Cleanup(c.CloseIdleConnections)
	return &browser{t: t, base: base, c: c}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)

// signIn follows the sign-in link and submits the pool's form.
func (b *browser) signIn(user, password string) (*http.Response, string) {
	b.t.Helper()
	resp, page := b.get("/login?next=/account")
	m := formAction.FindStringSubmatch(page)
	require.NotNil(b.t, m, "the pool's sign-in form")
	action, err := resp.Request.URL.Parse(html.UnescapeString(m[1]))
	require.NoError(b.t, err)
	req, _ := http.NewRequest(http.MethodPost, action.String(),
		bytes.NewBufferString(url.Values{"username": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func TestWebappAsBobThenAlice(t *testing.T) {
	base := start(t)
	b := newBrowser(t, base)
	_, page := b.get("/")
	assert.Contains(t, page, `id="signin"`)

	resp, page := b.signIn("bob", "Passw0rd!bob")
	assert.Equal(t, base+"/account", resp.Request.URL.String())
	assert.Contains(t, page, `<dd id="username">bob</dd>`)
	assert.Contains(t, page, `<dd id="email">bob@example.com</dd>`)
	assert.Contains(t, page, `<dd id="groups">none</dd>`)
	assert.Contains(t, page, `<dd id="tenant">globex</dd>`)
	resp, page = b.get("/admin")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, page, `<h1 id="status">403 Forbidden</h1>`)

	a := newBrowser(t, base)
	_, page = a.signIn("alice", "Passw0rd!alice")
	assert.Contains(t, page, `<dd id="groups">admin</dd>`)
	assert.Contains(t, page, `<dd id="tenant">acme</dd>`)
	resp, page = a.get("/admin")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `<h1 id="admin">Admin</h1>`)

	resp, page = a.get("/logout")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `<button id="confirm-signout" type="submit">Sign out</button>`, "the app's own sign-out page")
	assert.Contains(t, page, `<a href="/account">Account</a>`, "in the app's layout")

	req, _ := http.NewRequest(http.MethodPost, base+"/logout", nil)
	req.Header.Set("Origin", base)
	resp, page = a.do(req)
	assert.Equal(t, base+"/", resp.Request.URL.String(), "signed out through the pool, back home")
	assert.Contains(t, page, `id="signin"`)
	resp, _ = a.get("/account")
	assert.Contains(t, resp.Request.URL.Path, "/login", "signed out: /account leads to the sign-in form")
}

func TestWebappRejectsUnknownFlags(t *testing.T) {
	var out bytes.Buffer
	err := app.Run(context.Background(), []string{"-nope"}, &out, nil)
	assert.Error(t, err)
	err = app.Run(context.Background(), []string{"-addr", "127.0.0.1:0", "-issuer", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X"}, &out, nil)
	assert.ErrorContains(t, err, "-domain")
}
