package cognitolocal

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	callback = "http://localhost:8080/callback"
	verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough"
)

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeParams() url.Values {
	return url.Values{
		"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {callback},
		"state": {"st-1"}, "scope": {"openid email aws.cognito.signin.user.admin"}, "nonce": {"n-1"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
	}
}

func serve(p http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	return rec
}

// signInForm goes through /oauth2/authorize and posts the sign-in form,
// returning the final answer (a redirect to the callback on success).
func signInForm(t *testing.T, p *Pool, q url.Values, username, password string) *httptest.ResponseRecorder {
	t.Helper()
	rec := serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	loc := rec.Header().Get("Location")
	require.True(t, strings.HasPrefix(loc, "/login?"), loc)
	page := serve(p, httptest.NewRequest(http.MethodGet, loc, nil))
	require.Equal(t, http.StatusOK, page.Code)
	require.Contains(t, page.Body.String(), `name="username"`)
	require.Contains(t, page.Body.String(), `name="password"`)
	form := url.Values{"username": {username}, "password": {password}}
	r := httptest.NewRequest(http.MethodPost, loc, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(p, r)
}

func codeFrom(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	u, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	require.Equal(t, callback, u.Scheme+"://"+u.Host+u.Path)
	require.Equal(t, "st-1", u.Query().Get("state"))
	code := u.Query().Get("code")
	require.NotEmpty(t, code)
	return code
}

func postToken(p *Pool, form url.Values, basic ...string) (int, map[string]any) {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		r.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	rec := serve(p, r)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func exchange(p *Pool, code, v string) (int, map[string]any) {
	return postToken(p, url.Values{"grant_type": {"authorization_code"}, "client_id": {DefaultClientID},
		"code": {code}, "redirect_uri": {callback}, "code_verifier": {v}})
}

func TestCodeFlowIssuesTokens(t *testing.T) {
	p := newPool(t, Config{})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	status, out := exchange(p, code, verifier)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "Bearer", out["token_type"])
	require.EqualValues(t, 3600, out["expires_in"])
	require.NotEmpty(t, out["refresh_token"])
	access := payload(t, out["access_token"].(string))
	require.Equal(t, "openid email aws.cognito.signin.user.admin", access["scope"])
	require.NotContains(t, access, "email")
	id := payload(t, out["id_token"].(string))
	require.Equal(t, "n-1", id["nonce"])
	require.Equal(t, atHash(out["access_token"].(string)), id["at_hash"])
	require.Equal(t, "alice@example.com", id["email"])
}

func TestCodeFlowWithoutOpenIDIssuesNoIDToken(t *testing.T) {
	p := newPool(t, Config{})
	q := authorizeParams()
	q.Set("scope", "aws.cognito.signin.user.admin")
	status, out := exchange(p, codeFrom(t, signInForm(t, p, q, "alice", testPassword)), verifier)
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, out, "id_token")
}

func TestCodeIsSingleUse(t *testing.T) {
	p := newPool(t, Config{})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	status, _ := exchange(p, code, verifier)
	require.Equal(t, http.StatusOK, status)
	status, out := exchange(p, code, verifier)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_grant", out["error"])
}

func TestCodeExpiresAfterFiveMinutes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	now = now.Add(codeLifetime)
	_, out := exchange(p, code, verifier)
	require.Equal(t, "invalid_grant", out["error"])
}

func TestCodeWrongVerifierRefused(t *testing.T) {
	p := newPool(t, Config{})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	_, out := exchange(p, code, verifier+"x")
	require.Equal(t, "invalid_grant", out["error"])
	_, out = exchange(p, code, verifier)
	require.Equal(t, "invalid_grant", out["error"], "a failed exchange spends the code")
}

func TestCodeWrongRedirectURIRefused(t *testing.T) {
	p := newPool(t, Config{})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	_, out := postToken(p, url.Values{"grant_type": {"authorization_code"}, "client_id": {DefaultClientID},
		"code": {code}, "redirect_uri": {"http://127.0.0.1:8080/callback"}, "code_verifier": {verifier}})
	require.Equal(t, "invalid_grant", out["error"])
}

func TestAuthorizeUnregisteredRedirectURINotRedirected(t *testing.T) {
	p := newPool(t, Config{})
	q := authorizeParams()
	q.Set("redirect_uri", "http://evil.example/cb")
	for _, path := range []string{"/oauth2/authorize?", "/login?"} {
		rec := serve(p, httptest.NewRequest(http.MethodGet, path+q.Encode(), nil))
		require.Equal(t, http.StatusBadRequest, rec.Code)
		require.Empty(t, rec.Header().Get("Location"))
	}
}

func TestAuthorizeErrorsGoToTheRedirectURI(t *testing.T) {
	p := newPool(t, Config{})
	for name, tc := range map[string]struct{ key, value, code string }{
		"plain PKCE":    {"code_challenge_method", "plain", "invalid_request"},
		"unknown scope": {"scope", "openid admin:all", "invalid_scope"},
		"implicit":      {"response_type", "token", "unauthorized_client"},
		"response type": {"response_type", "id_token", "unsupported_response_type"},
	} {
		q := authorizeParams()
		q.Set(tc.key, tc.value)
		rec := serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
		require.Equal(t, http.StatusFound, rec.Code, name)
		u, err := url.Parse(rec.Header().Get("Location"))
		require.NoError(t, err)
		require.Equal(t, "localhost:8080", u.Host, name)
		require.Equal(t, tc.code, u.Query().Get("error"), name)
		require.Equal(t, "st-1", u.Query().Get("state"), name)
	}
}

func TestTokenRefreshGrant(t *testing.T) {
	p := newPool(t, Config{})
	_, out := exchange(p, codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword)), verifier)
	first := payload(t, out["access_token"].(string))
	status, again := postToken(p, url.Values{"grant_type": {"refresh_token"}, "client_id": {DefaultClientID}, "refresh_token": {out["refresh_token"].(string)}})
	require.Equal(t, http.StatusOK, status, again)
	second := payload(t, again["access_token"].(string))
	require.Equal(t, first["origin_jti"], second["origin_jti"])
	require.Equal(t, first["scope"], second["scope"])
	require.NotContains(t, again, "refresh_token")
	require.NotEmpty(t, again["id_token"])
}

// Developer guide, "Token endpoint"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html):
// users who sign in with InitiateAuth or AdminInitiateAuth "can refresh
// their tokens with the token endpoint when remembered devices is not
// active in your user pool. If remembered devices is active, refresh
// tokens with the AuthFlow of REFRESH_TOKEN_AUTH". The page lists no
// device_key parameter and names no error: the pool answers
// invalid_grant, with or without a device key in the form, and echoes
// neither token nor key. Managed Login's refresh tokens still refresh
// there, and API ones again once the pool stops remembering devices.
func TestTokenEndpointLeavesRememberedDevicesToTheAPI(t *testing.T) {
	p := newPool(t, Config{})
	_, hosted := exchange(p, codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword)), verifier)
	trackDevices(t, p, false, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	dev, _ := confirmNewDevice(t, p, res, "phone")
	refresh := res["AuthenticationResult"].(map[string]any)["RefreshToken"].(string)
	plain := signIn(t, p).RefreshToken // an API sign-in without a device key

	for _, form := range []url.Values{
		{"refresh_token": {refresh}},
		{"refresh_token": {refresh}, "device_key": {dev.key}},
		{"refresh_token": {plain}},
		{"refresh_token": {plain}, "device_key": {dev.key}},
	} {
		form.Set("grant_type", "refresh_token")
		form.Set("client_id", DefaultClientID)
		r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := serve(p, r)
		require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), `"invalid_grant"`)
		require.NotContains(t, rec.Body.String(), form.Get("refresh_token"))
		require.NotContains(t, rec.Body.String(), dev.key)
	}
	// REFRESH_TOKEN_AUTH, with the device key, serves them.
	status, out := refreshOn(t, p, refresh, dev.key)
	require.Equal(t, http.StatusOK, status, out)
	// Managed Login's token refreshes at the endpoint.
	status, out = postToken(p, url.Values{"grant_type": {"refresh_token"}, "client_id": {DefaultClientID}, "refresh_token": {hosted["refresh_token"].(string)}})
	require.Equal(t, http.StatusOK, status, out)

	// With remembered devices off, API sign-ins refresh there again.
	status, out = call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, http.StatusOK, status, out)
	status, out = postToken(p, url.Values{"grant_type": {"refresh_token"}, "client_id": {DefaultClientID}, "refresh_token": {plain}})
	require.Equal(t, http.StatusOK, status, out)
}

func TestTokenRevokeEndsFamily(t *testing.T) {
	p := newPool(t, Config{})
	_, out := exchange(p, codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword)), verifier)
	refresh := out["refresh_token"].(string)
	r := httptest.NewRequest(http.MethodPost, "/oauth2/revoke", strings.NewReader(url.Values{"token": {refresh}, "client_id": {DefaultClientID}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, serve(p, r).Code)
	_, again := postToken(p, url.Values{"grant_type": {"refresh_token"}, "client_id": {DefaultClientID}, "refresh_token": {refresh}})
	require.Equal(t, "invalid_grant", again["error"])
	rec := userInfo(p, out["access_token"].(string))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, invalidTokenChallenge, rec.Header().Get("WWW-Authenticate"))
}

func TestRevokeUnknownTokenAnswers200(t *testing.T) {
	p := newPool(t, Config{})
	r := httptest.NewRequest(http.MethodPost, "/oauth2/revoke", strings.NewReader("token=nope&client_id="+DefaultClientID))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, serve(p, r).Code)
}

func userInfo(p *Pool, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/oauth2/userInfo", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return serve(p, r)
}

// userInfoFor signs alice (name Alice) in through Managed Login with
// scope and answers userInfo for her access token.
func userInfoFor(t *testing.T, scope string) map[string]any {
	t.Helper()
	p := newPool(t, Config{})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"name": "Alice"}))
	q := authorizeParams()
	q.Set("scope", scope)
	_, out := exchange(p, codeFrom(t, signInForm(t, p, q, "alice", testPassword)), verifier)
	rec := userInfo(p, out["access_token"].(string))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var info map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &info))
	return info
}

func TestUserInfoFollowsScopes(t *testing.T) {
	info := userInfoFor(t, "openid email aws.cognito.signin.user.admin")
	require.Equal(t, "alice@example.com", info["email"])
	require.Equal(t, "true", info["email_verified"])
	require.Equal(t, "alice", info["username"])
	require.NotContains(t, info, "name", "no profile scope")
	require.NotContains(t, info, "custom:tenant_id", "no profile scope")
	info = userInfoFor(t, "openid profile")
	require.Equal(t, "Alice", info["name"])
	require.Equal(t, "acme", info["custom:tenant_id"])
	require.NotContains(t, info, "email", "no email scope")
}

func TestUserInfoOpenIDAloneReadsEveryAttribute(t *testing.T) {
	info := userInfoFor(t, "openid")
	require.Equal(t, "Alice", info["name"])
	require.Equal(t, "alice@example.com", info["email"])
	require.Equal(t, "acme", info["custom:tenant_id"])
}

func TestUserInfoNeedsOpenIDScope(t *testing.T) {
	p := newPool(t, Config{})
	rec := userInfo(p, signIn(t, p).AccessToken) // InitiateAuth: aws.cognito.signin.user.admin only
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.Contains(t, rec.Header().Get("WWW-Authenticate"), "insufficient_scope")
}

func TestUserInfoWithoutTokenChallenges(t *testing.T) {
	p := newPool(t, Config{})
	rec := userInfo(p, "")
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, "Bearer", rec.Header().Get("WWW-Authenticate"))
	rec = userInfo(p, "garbage")
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, invalidTokenChallenge, rec.Header().Get("WWW-Authenticate"))
}

func TestClientCredentials(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"},
		AllowedOAuthScopes: []string{"orders/read", "orders/write"}})
	require.NoError(t, err)
	status, out := postToken(p, url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/read"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status, out)
	access := payload(t, out["access_token"].(string))
	require.Equal(t, "orders/read", access["scope"])
	require.Equal(t, c.ClientID, access["client_id"])
	require.Equal(t, c.ClientID, access["sub"])
	require.NotContains(t, access, "username")
	require.NotContains(t, access, "cognito:groups")
	require.NotContains(t, out, "id_token")
	require.NotContains(t, out, "refresh_token")

	// client_secret_post works too.
	status, _ = postToken(p, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}})
	require.Equal(t, http.StatusOK, status)

	status, out = postToken(p, url.Values{"grant_type": {"client_credentials"}, "scope": {"billing/read"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_scope", out["error"])
	status, out = postToken(p, url.Values{"grant_type": {"client_credentials"}}, c.ClientID, "wrong")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "invalid_client", out["error"])
	_, out = postToken(p, url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}})
	require.Equal(t, "unauthorized_client", out["error"], "a public client has no client credentials")
}

func TestTokenUnsupportedGrant(t *testing.T) {
	p := newPool(t, Config{})
	_, out := postToken(p, url.Values{"grant_type": {"password"}, "client_id": {DefaultClientID}})
	require.Equal(t, "unsupported_grant_type", out["error"])
}

func TestLogout(t *testing.T) {
	p := newPool(t, Config{})
	rec := serve(p, httptest.NewRequest(http.MethodGet, "/logout?client_id=local-client&logout_uri="+url.QueryEscape("http://localhost:8080/"), nil))
	require.Equal(t, http.StatusFound, rec.Code)
	require.Equal(t, "http://localhost:8080/", rec.Header().Get("Location"))
	rec = serve(p, httptest.NewRequest(http.MethodGet, "/logout?client_id=local-client&logout_uri="+url.QueryEscape("http://evil.example/"), nil))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	q := authorizeParams()
	rec = serve(p, httptest.NewRequest(http.MethodGet, "/logout?"+q.Encode(), nil))
	require.Equal(t, http.StatusFound, rec.Code)
	require.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/login?"))
}

func TestAuthorizeUnknownClientNotRedirected(t *testing.T) {
	p := newPool(t, Config{})
	q := authorizeParams()
	q.Set("client_id", "nope")
	rec := serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Empty(t, rec.Header().Get("Location"))
}

func TestAuthorizeClientWithoutCodeFlowRefused(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{CallbackURLs: []string{callback}})
	require.NoError(t, err)
	q := authorizeParams()
	q.Set("client_id", c.ClientID)
	rec := serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
	require.Equal(t, http.StatusFound, rec.Code)
	require.Contains(t, rec.Header().Get("Location"), "error=unauthorized_client")
}

func TestCodeOfAnotherClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	other, err := p.CreateAppClient(AppClient{AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{callback}})
	require.NoError(t, err)
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	_, out := postToken(p, url.Values{"grant_type": {"authorization_code"}, "client_id": {other.ClientID},
		"code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}})
	require.Equal(t, "invalid_grant", out["error"])
}

func TestTokenConfidentialClientWithoutSecretRefused(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	status, out := postToken(p, url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_client", out["error"])
}

func TestTokenMissingGrantTypeRefused(t *testing.T) {
	p := newPool(t, Config{})
	_, out := postToken(p, url.Values{"client_id": {DefaultClientID}})
	require.Equal(t, "invalid_request", out["error"])
}

func TestRefreshGrantNeedsRefreshFlow(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	_, out := postToken(p, url.Values{"grant_type": {"refresh_token"}, "client_id": {c.ClientID}, "refresh_token": {"x"}})
	require.Equal(t, "unauthorized_client", out["error"])
}

func TestRefreshGrantOfAnotherClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{})
	require.NoError(t, err)
	_, out := postToken(p, url.Values{"grant_type": {"refresh_token"}, "client_id": {c.ClientID}, "refresh_token": {signIn(t, p).RefreshToken}})
	require.Equal(t, "invalid_grant", out["error"])
}

func revokeForm(p *Pool, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/revoke", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(p, r)
}

func TestRevokeOtherClientsTokenRefused(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{})
	require.NoError(t, err)
	rec := revokeForm(p, url.Values{"token": {signIn(t, p).RefreshToken}, "client_id": {c.ClientID}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "unauthorized_client")
}

func TestRevokeUnknownClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	rec := revokeForm(p, url.Values{"token": {"x"}, "client_id": {"nope"}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "invalid_client")
}

func TestLogoutNeedsRegisteredClientAndTarget(t *testing.T) {
	p := newPool(t, Config{})
	for _, q := range []string{"", "client_id=nope&logout_uri=" + url.QueryEscape("http://localhost:8080/"), "client_id=local-client"} {
		rec := serve(p, httptest.NewRequest(http.MethodGet, "/logout?"+q, nil))
		require.Equal(t, http.StatusBadRequest, rec.Code, q)
		require.Empty(t, rec.Header().Get("Location"), q)
	}
}

func TestManagedLoginMethodsEnforced(t *testing.T) {
	p := newPool(t, Config{})
	for path, method := range map[string]string{"/oauth2/token": http.MethodGet, "/oauth2/authorize": http.MethodPost,
		"/oauth2/revoke": http.MethodGet, "/logout": http.MethodPost} {
		rec := serve(p, httptest.NewRequest(method, path, nil))
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code, path)
		require.NotEmpty(t, rec.Header().Get("Allow"), path)
	}
	require.Equal(t, http.StatusNotFound, serve(p, httptest.NewRequest(http.MethodGet, "/oauth2/other", nil)).Code)
}

func TestUserInfoDisabledUserRefused(t *testing.T) {
	p := newPool(t, Config{})
	_, out := exchange(p, codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword)), verifier)
	require.NoError(t, p.DisableUser("alice"))
	rec := userInfo(p, out["access_token"].(string))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, invalidTokenChallenge, rec.Header().Get("WWW-Authenticate"))
}
