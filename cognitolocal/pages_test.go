package cognitolocal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoginWrongPasswordShowsFormAgain(t *testing.T) {
	p := newPool(t, Config{})
	for _, user := range []string{"alice", "nobody"} {
		rec := signInForm(t, p, authorizeParams(), user, "Wrong-pass1")
		require.Equal(t, http.StatusOK, rec.Code)
		require.Contains(t, rec.Body.String(), "Incorrect username or password.")
		require.Contains(t, rec.Body.String(), `name="password"`)
		require.NotContains(t, rec.Body.String(), "Wrong-pass1")
	}
}

func TestLoginEscapesInput(t *testing.T) {
	p := newPool(t, Config{})
	rec := signInForm(t, p, authorizeParams(), `<script>x</script>`, "Wrong-pass1")
	require.NotContains(t, rec.Body.String(), "<script>x")
}

func TestLoginCrossOriginPostRefused(t *testing.T) {
	p := newPool(t, Config{})
	form := url.Values{"username": {"alice"}, "password": {testPassword}}
	r := httptest.NewRequest(http.MethodPost, "/login?"+authorizeParams().Encode(), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://evil.example")
	require.Equal(t, http.StatusForbidden, serve(p, r).Code)
}

func TestLoginDisabledUserShowsMessage(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.DisableUser("alice"))
	rec := signInForm(t, p, authorizeParams(), "alice", testPassword)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "User is disabled.")
}

// Under Referrer-Policy no-referrer a browser posts the form with
// "Origin: null", which the cross-origin check refuses: the page must
// keep its origin for its own POST.
func TestLoginPageKeepsOriginForItsPost(t *testing.T) {
	p := newPool(t, Config{})
	rec := serve(p, httptest.NewRequest(http.MethodGet, "/login?"+authorizeParams().Encode(), nil))
	require.Equal(t, "same-origin", rec.Header().Get("Referrer-Policy"))
	require.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))
	form := url.Values{"username": {"alice"}, "password": {testPassword}}
	r := httptest.NewRequest(http.MethodPost, "/login?"+authorizeParams().Encode(), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://"+r.Host)
	codeFrom(t, serve(p, r))
}
