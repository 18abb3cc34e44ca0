package cognitolocal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// page GETs path with the authorization request's parameters (and
// extra ones, which may name another client).
func page(t *testing.T, p http.Handler, path string, extra url.Values) *httptest.ResponseRecorder {
	t.Helper()
	q := authorizeParams()
	for k, v := range extra {
		q[k] = v
	}
	return serve(p, httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil))
}

// postPage POSTs a form to path with the authorization request's
// parameters, from the page's own origin.
func postPage(t *testing.T, p http.Handler, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return postPageAs(t, p, path, nil, form)
}

// postPageAs is postPage with extra request parameters.
func postPageAs(t *testing.T, p http.Handler, path string, extra, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	q := authorizeParams()
	for k, v := range extra {
		q[k] = v
	}
	r := httptest.NewRequest(http.MethodPost, path+"?"+q.Encode(), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://"+r.Host)
	return serve(p, r)
}

// hidden reads a hidden field of a page.
func hidden(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "no hidden field %s in the page", name)
	return m[1]
}

func TestLoginPageLinksCarryTheRequest(t *testing.T) {
	p := newPool(t, Config{})
	rec := page(t, p, "/login", nil)
	body := rec.Body.String()
	require.Contains(t, body, `href="/signup?`)
	require.Contains(t, body, `href="/forgotPassword?`)
	require.Contains(t, body, "client_id="+DefaultClientID)
	require.Contains(t, body, "redirect_uri="+url.QueryEscape(callback))
	csp := rec.Header().Get("Content-Security-Policy")
	require.Contains(t, csp, "default-src 'none'")
	require.Contains(t, csp, "img-src data:")
	require.NotContains(t, body, "<script")
}

// pagesPool adds to a's service a pool with settings and a client
// "pages-client" for the code flow; it returns the pool and the extra
// request parameters that name the client.
func pagesPool(t *testing.T, a *Pool, settings map[string]any) (*Pool, url.Values) {
	t.Helper()
	p, _ := apiPool(t, a, settings)
	_, err := p.CreateAppClient(AppClient{ClientID: "pages-client", AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", scopeAdmin}, CallbackURLs: []string{callback}})
	require.NoError(t, err)
	return p, url.Values{"client_id": {"pages-client"}}
}

func TestSignUpConfirmAndSignIn(t *testing.T) {
	a := newPool(t, Config{})
	p, as := pagesPool(t, a, map[string]any{"AutoVerifiedAttributes": []string{"email"},
		"Schema": []map[string]any{{"Name": "email", "Required": true}, {"Name": "given_name", "Required": true}}})

	form := page(t, a, "/signup", as).Body.String()
	for _, name := range []string{"username", "password", "email", "given_name"} {
		require.Contains(t, form, `name="`+name+`"`)
	}
	rec := postPageAs(t, a, "/signup", as, url.Values{"username": {"carol"}, "password": {"weak"}, "email": {"c@example.com"}, "given_name": {"Carol"}})
	require.Contains(t, rec.Body.String(), "Password did not conform with policy")
	require.Contains(t, rec.Body.String(), `value="Carol"`, "the form keeps what was typed")
	rec = postPageAs(t, a, "/signup", as, url.Values{"username": {"carol"}, "password": {testPassword}, "email": {"c@example.com"}})
	require.Contains(t, rec.Body.String(), "given_name")

	rec = postPageAs(t, a, "/signup", as, url.Values{"username": {"carol"}, "password": {testPassword}, "email": {"c@example.com"}, "given_name": {"Carol"}})
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "Confirm your account")
	require.Contains(t, body, "c***@e***")
	require.Contains(t, body, `action="/confirm?`)

	// Signing in before confirming says so.
	rec = postPageAs(t, a, "/login", as, url.Values{"username": {"carol"}, "password": {testPassword}})
	require.Contains(t, rec.Body.String(), "User is not confirmed.")
	require.Contains(t, rec.Body.String(), `action="/confirm?`, "on to the confirmation page")

	code, ok := p.LastCode("carol", MessageSignUp)
	require.True(t, ok)
	rec = postPageAs(t, a, "/confirm", as, url.Values{"username": {"carol"}, "code": {"000000x"}})
	require.Contains(t, rec.Body.String(), "Invalid verification code provided, please try again.")
	rec = postPageAs(t, a, "/confirm", as, url.Values{"username": {"carol"}, "code": {code}})
	require.Contains(t, rec.Body.String(), "Your account is confirmed.")
	require.Contains(t, rec.Body.String(), `value="carol"`)

	rec = postPageAs(t, a, "/login", as, url.Values{"username": {"carol"}, "password": {testPassword}})
	tokenForm := url.Values{"grant_type": {"authorization_code"}, "client_id": {"pages-client"}, "code": {codeFrom(t, rec)},
		"redirect_uri": {callback}, "code_verifier": {verifier}}
	status, tok := postToken(a, tokenForm)
	require.Equal(t, http.StatusOK, status, tok)
	require.Equal(t, "Carol", payload(t, tok["id_token"].(string))["given_name"])
}

func TestConfirmUserLinkConfirms(t *testing.T) {
	a := newPool(t, Config{})
	p, as := pagesPool(t, a, map[string]any{"AutoVerifiedAttributes": []string{"email"}})
	status, _ := call(t, a, "SignUp", map[string]any{"ClientId": "pages-client", "Username": "dora", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "d@example.com"}}})
	require.Equal(t, http.StatusOK, status)
	code, ok := p.LastCode("dora", MessageSignUp)
	require.True(t, ok)
	as.Set("user_name", "dora")
	as.Set("confirmation_code", code)
	rec := page(t, a, "/confirmUser", as)
	require.Contains(t, rec.Body.String(), "Your account is confirmed.")
	// The link's parameters stay out of the next form's action.
	require.NotContains(t, rec.Body.String(), "confirmation_code")
}

func TestResendCodePage(t *testing.T) {
	a := newPool(t, Config{})
	p, as := pagesPool(t, a, map[string]any{"AutoVerifiedAttributes": []string{"email"}})
	status, _ := call(t, a, "SignUp", map[string]any{"ClientId": "pages-client", "Username": "eve", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "e@example.com"}}})
	require.Equal(t, http.StatusOK, status)
	first, _ := p.LastCode("eve", MessageSignUp)
	rec := page(t, a, "/resendcode", url.Values{"client_id": {"pages-client"}, "username": {"eve"}})
	require.Contains(t, rec.Body.String(), "We sent a new code.")
	second, _ := p.LastCode("eve", MessageResendCode)
	require.NotEmpty(t, second)
	if first != second {
		rec = postPageAs(t, a, "/confirm", as, url.Values{"username": {"eve"}, "code": {first}})
		require.Contains(t, rec.Body.String(), "Invalid verification code provided")
	}
	rec = postPageAs(t, a, "/confirm", as, url.Values{"username": {"eve"}, "code": {second}})
	require.Contains(t, rec.Body.String(), "Your account is confirmed.")
}

func TestSignUpRefusedWhenAdminsCreateUsers(t *testing.T) {
	a := newPool(t, Config{})
	_, as := pagesPool(t, a, map[string]any{"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": true}})
	q := authorizeParams()
	q.Set("client_id", as.Get("client_id"))
	rec := serve(a, httptest.NewRequest(http.MethodGet, "/login?"+q.Encode(), nil))
	require.NotContains(t, rec.Body.String(), `href="/signup?`)
	rec = serve(a, httptest.NewRequest(http.MethodGet, "/signup?"+q.Encode(), nil))
	require.Contains(t, rec.Body.String(), "SignUp is not permitted for this user pool")
	require.NotContains(t, rec.Body.String(), `name="signUpButton"`)
}

func TestForgotPasswordPages(t *testing.T) {
	p := newPool(t, Config{})
	rec := page(t, p, "/forgotPassword", nil)
	require.Contains(t, rec.Body.String(), `name="username"`)
	rec = postPage(t, p, "/forgotPassword", url.Values{"username": {"alice"}})
	body := rec.Body.String()
	require.Contains(t, body, "a***@e***")
	require.Contains(t, body, `action="/confirmForgotPassword?`)
	for _, name := range []string{"username", "code", "password"} {
		require.Contains(t, body, `name="`+name+`"`)
	}
	code, ok := p.LastCode("alice", MessageForgotPassword)
	require.True(t, ok)
	rec = postPage(t, p, "/confirmForgotPassword", url.Values{"username": {"alice"}, "code": {"999999x"}, "password": {"New-pass1!"}})
	require.Contains(t, rec.Body.String(), "Invalid verification code provided")
	rec = postPage(t, p, "/confirmForgotPassword", url.Values{"username": {"alice"}, "code": {code}, "password": {"New-pass1!"}})
	require.Contains(t, rec.Body.String(), "Your password is changed.")
	rec = postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {"New-pass1!"}})
	codeFrom(t, rec)
}

func TestAccountPagesRefuseCrossOriginPosts(t *testing.T) {
	p := newPool(t, Config{})
	for _, path := range []string{"/signup", "/confirm", "/forgotPassword", "/confirmForgotPassword", "/newPassword", "/mfa", "/mfaSetup", "/selectMfa"} {
		r := httptest.NewRequest(http.MethodPost, path+"?"+authorizeParams().Encode(), strings.NewReader("username=alice"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "http://evil.example")
		require.Equal(t, http.StatusForbidden, serve(p, r).Code, path)
	}
}

func TestAccountPagesNeedAValidRequest(t *testing.T) {
	p := newPool(t, Config{})
	q := authorizeParams()
	q.Set("redirect_uri", "https://evil.example/cb")
	for _, path := range []string{"/signup", "/confirm", "/forgotPassword", "/confirmForgotPassword", "/resendcode"} {
		rec := serve(p, httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil))
		require.Equal(t, http.StatusBadRequest, rec.Code, path)
	}
}

func TestLoginAfterAdminResetAsksForTheCode(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "AdminResetUserPassword", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, http.StatusOK, status)
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	body := rec.Body.String()
	require.Contains(t, body, "Password reset required for the user")
	require.Contains(t, body, `action="/confirmForgotPassword?`)
	code, ok := p.LastCode("alice", MessageForgotPassword)
	require.True(t, ok)
	rec = postPage(t, p, "/confirmForgotPassword", url.Values{"username": {"alice"}, "code": {code}, "password": {"New-pass1!"}})
	require.Contains(t, rec.Body.String(), "Your password is changed.")
}
