package cognitolocal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pageNonce is a page's style nonce, new on each page.
var pageNonce = regexp.MustCompile(`nonce="[^"]*"`)

// codeWithVerifier signs alice in through the form with the challenge of v
// and returns the code.
func codeWithVerifier(t *testing.T, p *Pool, v string) string {
	t.Helper()
	q := authorizeParams()
	q.Set("code_challenge", challenge(v))
	return codeFrom(t, signInForm(t, p, q, "alice", testPassword))
}

func TestCodeVerifierOutsideRFC7636Refused(t *testing.T) {
	// RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~]. A client
	// whose challenge matches a verifier outside that is broken, and a
	// real pool refuses it; code that passes here must pass there.
	p := newPool(t, Config{})
	for _, v := range []string{
		"short", strings.Repeat("a", 42), strings.Repeat("a", 129),
		strings.Repeat("a", 42) + "+", strings.Repeat("a", 42) + "=", strings.Repeat("a", 42) + " ",
		strings.Repeat("é", 22),
	} {
		status, out := exchange(p, codeWithVerifier(t, p, v), v)
		require.Equal(t, http.StatusBadRequest, status, "verifier %q", v)
		require.Equal(t, "invalid_grant", out["error"], "verifier %q", v)
	}
	for _, v := range []string{strings.Repeat("a", 43), strings.Repeat("Az09-._~", 16)} {
		status, out := exchange(p, codeWithVerifier(t, p, v), v)
		require.Equal(t, http.StatusOK, status, "verifier %q: %v", v, out)
	}
}

func TestAuthorizeMalformedChallengeRefused(t *testing.T) {
	p := newPool(t, Config{})
	padded := challenge(verifier) + "="
	for _, c := range []string{padded, strings.Repeat("a", 42) + "+", strings.Repeat("a", 42) + "/", strings.Repeat("a", 43) + " "} {
		q := authorizeParams()
		q.Set("code_challenge", c)
		rec := serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
		require.Equal(t, http.StatusFound, rec.Code, c)
		u, err := url.Parse(rec.Header().Get("Location"))
		require.NoError(t, err)
		require.Equal(t, "invalid_request", u.Query().Get("error"), "challenge %q", c)
	}
	q := authorizeParams()
	q.Del("code_challenge_method")
	rec := serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
	u, _ := url.Parse(rec.Header().Get("Location"))
	require.Equal(t, "invalid_request", u.Query().Get("error"), "a challenge without its method")
}

func TestAuthorizeRedirectURITricksNotRedirected(t *testing.T) {
	p := newPool(t, Config{})
	for _, ru := range []string{
		"HTTP://localhost:8080/callback", "http://LOCALHOST:8080/callback", "http://localhost:8080/Callback",
		"http://localhost:8080/callback/", "http://localhost:8080/callbackx", "http://localhost:8080/callback?x=1",
		"http://localhost:8080/callback#x", "http://localhost:8080/callback/../evil", "http://localhost:8080//callback",
		"http://localhost:8080/callback%2F..%2Fevil", "http://localhost:8080@evil.example/callback",
		"http://localhost:80800/callback", " http://localhost:8080/callback", "http://localhost:8080/callback ",
		"//localhost:8080/callback", "http://localhost:8080/callback\x00",
	} {
		q := authorizeParams()
		q.Set("redirect_uri", ru)
		for _, path := range []string{"/oauth2/authorize?", "/login?"} {
			rec := serve(p, httptest.NewRequest(http.MethodGet, path+q.Encode(), nil))
			require.Equal(t, http.StatusBadRequest, rec.Code, "%s%q", path, ru)
			require.Empty(t, rec.Header().Get("Location"), "%s%q", path, ru)
		}
	}
}

func TestTokenBasicAndFormClientIDsMustAgree(t *testing.T) {
	// RFC 6749 §2.3: one authentication method per request. A form
	// client_id beside Basic credentials of another client is refused,
	// not silently ignored.
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	status, out := postToken(p, url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "invalid_client", out["error"])
	// The same id in both places is what Cognito's own examples send.
	status, out = postToken(p, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status, out)
	// A wrong secret in Basic is not rescued by a right one in the form.
	status, out = postToken(p, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}, c.ClientID, "wrong")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "invalid_client", out["error"])
}

func TestTokenFormInQueryStringIgnored(t *testing.T) {
	p := newPool(t, Config{})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	q := url.Values{"grant_type": {"authorization_code"}, "client_id": {DefaultClientID},
		"code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}}
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token?"+q.Encode(), nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := serve(p, r)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.NotContains(t, rec.Body.String(), "access_token")
}

func TestSignInDoesNotRevealWhichUsersExist(t *testing.T) {
	p := newPool(t, Config{})
	_, err := p.CreateUser("dora", testPassword, nil)
	require.NoError(t, err)
	require.NoError(t, p.DisableUser("dora"))
	var pages, apis []string
	for _, user := range []string{"alice", "nobody", "dora", "ALICE-not"} {
		rec := signInForm(t, p, authorizeParams(), user, "Wrong-pass1")
		// The style nonce is new on every page, whoever signs in.
		page := pageNonce.ReplaceAllString(rec.Body.String(), `nonce=""`)
		pages = append(pages, strings.ReplaceAll(page, `value="`+user+`"`, ""))
		out := callRaw(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": "Wrong-pass1"}})
		apis = append(apis, out.Body.String())
	}
	for i := range pages {
		require.Equal(t, pages[0], pages[i], "the sign-in page tells users apart")
		require.Equal(t, apis[0], apis[i], "InitiateAuth tells users apart")
	}
}

func TestErrorsEchoNoPasswordsOrTokens(t *testing.T) {
	p := newPool(t, Config{})
	const marker = "Zq9!markerSecret"
	tok := signIn(t, p)
	for _, tc := range []struct {
		op string
		in any
	}{
		{"InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID, "AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": marker}}},
		{"InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID, "AuthParameters": map[string]string{"REFRESH_TOKEN": marker}}},
		{"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "eve", "Password": "weak" + marker[:3]}},
		{"AdminSetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice", "Password": "x" + marker[:3]}},
		{"GetUser", map[string]any{"AccessToken": tok.AccessToken + marker}},
		{"GetUser", map[string]any{"AccessToken": tok.IDToken}},
		{"RevokeToken", map[string]any{"ClientId": DefaultClientID, "Token": tok.AccessToken}},
		{"InitiateAuth", map[string]any{"AuthFlow": marker, "ClientId": DefaultClientID}},
		{"AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": marker}},
		{"UpdateUserAttributes", map[string]any{"AccessToken": tok.AccessToken, "UserAttributes": []map[string]string{{"Name": "custom:" + marker, "Value": marker}}}},
	} {
		rec := callRaw(t, p, tc.op, tc.in)
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", tc.op, rec.Body.String())
		b := rec.Body.String()
		for _, secret := range []string{marker, marker[:3], tok.AccessToken[:40], tok.IDToken[:40], tok.RefreshToken[:20]} {
			require.NotContains(t, b, secret, tc.op)
		}
	}
}

func TestAPIRejectsMalformedRequests(t *testing.T) {
	p := newPool(t, Config{})
	send := func(target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", target)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		return serve(p, r)
	}
	for name, tc := range map[string]struct{ target, body, code string }{
		"not json":        {targetPrefix + "GetUser", "{", "SerializationException"},
		"array":           {targetPrefix + "GetUser", "[]", "SerializationException"},
		"wrong type":      {targetPrefix + "GetUser", `{"AccessToken":7}`, "SerializationException"},
		"trailing data":   {targetPrefix + "GetUser", `{"AccessToken":"x"} {}`, "SerializationException"},
		"too large":       {targetPrefix + "GetUser", `{"AccessToken":"` + strings.Repeat("a", maxAPIBody) + `"}`, "SerializationException"},
		"unknown op":      {targetPrefix + "CreateIdentityProvider", "{}", "UnknownOperationException"},
		"other service":   {"AmazonS3.GetUser", "{}", "UnknownOperationException"},
		"prefix only":     {targetPrefix, "{}", "UnknownOperationException"},
		"lowercase op":    {targetPrefix + "getuser", "{}", "UnknownOperationException"},
		"null":            {targetPrefix + "GetUser", "null", "InvalidParameterException"},
		"empty body":      {targetPrefix + "GetUser", "", "SerializationException"},
		"admin on null":   {targetPrefix + "AdminGetUser", `{"UserPoolId":null,"Username":null}`, "InvalidParameterException"},
		"deep nesting":    {targetPrefix + "GetUser", strings.Repeat("[", 100000), "SerializationException"},
		"invalid utf8 op": {targetPrefix + "Get\xffUser", "{}", "UnknownOperationException"},
	} {
		rec := send(tc.target, tc.body)
		require.Equal(t, http.StatusBadRequest, rec.Code, name)
		require.Equal(t, tc.code, rec.Header().Get("x-amzn-ErrorType"), "%s: %s", name, rec.Body.String())
		var out map[string]string
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), name)
		require.Equal(t, tc.code, out["__type"], name)
	}
	// GET / and a POST without a target are not the API.
	require.Equal(t, http.StatusNotFound, serve(p, httptest.NewRequest(http.MethodGet, "/", nil)).Code)
	require.Equal(t, http.StatusNotFound, serve(p, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(nil))).Code)
}
