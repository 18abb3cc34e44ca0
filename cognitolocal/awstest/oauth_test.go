package awstest

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

const callback = "http://localhost:8080/callback"

// oauthConfig is an OAuth client of the pool's Managed Login.
func (f *fixture) oauthConfig(clientID, secret string, style oauth2.AuthStyle, scopes ...string) *oauth2.Config {
	base := f.pool.Endpoint()
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/oauth2/authorize",
			TokenURL:  base + "/oauth2/token",
			AuthStyle: style,
		},
		RedirectURL: callback,
		Scopes:      scopes,
	}
}

// oauthCtx makes golang.org/x/oauth2 use the fixture's transport, so that
// its connections are closed with the test.
func (f *fixture) oauthCtx(t *testing.T) context.Context {
	return context.WithValue(ctx(t), oauth2.HTTPClient, &http.Client{Transport: f.tr})
}

func (f *fixture) get(t *testing.T, client *http.Client, rawURL string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// resolve makes a Location header absolute against the pool.
func (f *fixture) resolve(t *testing.T, loc string) string {
	t.Helper()
	base, err := url.Parse(f.pool.Endpoint() + "/")
	require.NoError(t, err)
	u, err := base.Parse(loc)
	require.NoError(t, err)
	return u.String()
}

var (
	formTag   = regexp.MustCompile(`(?is)<form[^>]*>`)
	inputTag  = regexp.MustCompile(`(?is)<input[^>]*>`)
	attribute = regexp.MustCompile(`(?is)([a-z_-]+)\s*=\s*"([^"]*)"`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attribute.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// signInPage follows /oauth2/authorize to the sign-in form, and returns
// the form's absolute action URL and its hidden fields.
func (f *fixture) signInPage(t *testing.T, browser *http.Client, authURL string) (action string, fields url.Values) {
	t.Helper()
	resp := f.get(t, browser, authURL)
	require.Equal(t, http.StatusFound, resp.StatusCode, body(t, resp))
	login := f.resolve(t, resp.Header.Get("Location"))
	require.Contains(t, login, "/login", "authorize sends the browser to the sign-in page")
	resp = f.get(t, browser, login)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page := body(t, resp)
	form := formTag.FindString(page)
	require.NotEmpty(t, form, "the sign-in page holds a form")
	fa := attrs(form)
	assert.True(t, strings.EqualFold(fa["method"], "post"), "the form POSTs")
	action = login
	if fa["action"] != "" {
		action = f.resolve(t, fa["action"])
	}
	fields = url.Values{}
	var names []string
	for _, in := range inputTag.FindAllString(page, -1) {
		a := attrs(in)
		names = append(names, a["name"])
		if strings.EqualFold(a["type"], "hidden") {
			fields.Set(a["name"], a["value"])
		}
	}
	require.Contains(t, names, "username")
	require.Contains(t, names, "password")
	return action, fields
}

// submit posts the sign-in form and returns the answer without following
// its redirect.
func (f *fixture) submit(t *testing.T, browser *http.Client, action string, fields url.Values, username, password string) *http.Response {
	t.Helper()
	fields.Set("username", username)
	fields.Set("password", password)
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, action, strings.NewReader(fields.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := browser.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// authorize runs Managed Login in a fresh browser up to the redirect back
// to the app and returns that redirect's query.
func (f *fixture) authorize(t *testing.T, authURL, username, password string) url.Values {
	t.Helper()
	browser := f.browser(t)
	action, fields := f.signInPage(t, browser, authURL)
	resp := f.submit(t, browser, action, fields, username, password)
	require.Equal(t, http.StatusFound, resp.StatusCode, body(t, resp))
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(back.String(), callback+"?"), "back to the registered redirect_uri: %s", back.Redacted())
	return back.Query()
}

// codeFlow signs a user in with the authorization code flow and PKCE and
// returns the token answer.
func (f *fixture) codeFlow(t *testing.T, conf *oauth2.Config, username, password string) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	q := f.authorize(t, conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)), username, password)
	require.Equal(t, "st-1", q.Get("state"))
	tok, err := conf.Exchange(f.oauthCtx(t), q.Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	return tok
}

func requireOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, code, re.ErrorCode)
	want := []int{http.StatusBadRequest}
	if code == "invalid_client" {
		want = append(want, http.StatusUnauthorized) // RFC 6749 §5.2, after Basic authentication
	}
	assert.Contains(t, want, re.Response.StatusCode, "RFC 6749 §5.2")
}

func TestDiscoveryDocument(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{PoolID: "local_Disc"})
	resp := f.get(t, f.web, f.pool.Issuer()+"/.well-known/openid-configuration")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(body(t, resp)), &doc))
	base := f.pool.Endpoint()
	assert.Equal(t, base+"/local_Disc", doc["issuer"])
	assert.Equal(t, f.pool.Issuer(), doc["issuer"])
	assert.Equal(t, f.pool.JWKSURL(), doc["jwks_uri"])
	assert.Equal(t, base+"/oauth2/authorize", doc["authorization_endpoint"])
	assert.Equal(t, base+"/oauth2/token", doc["token_endpoint"])
	assert.Equal(t, base+"/oauth2/userInfo", doc["userinfo_endpoint"])
	assert.Equal(t, base+"/oauth2/revoke", doc["revocation_endpoint"])

	resp = f.get(t, f.web, f.pool.JWKSURL())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(body(t, resp)), &jwks))
	require.NotEmpty(t, jwks.Keys)
	assert.Equal(t, "RS256", jwks.Keys[0]["alg"])
	assert.Equal(t, "sig", jwks.Keys[0]["use"])
	assert.NotEmpty(t, jwks.Keys[0]["kid"])
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	sub := f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true"})
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid", "email")
	verifier := oauth2.GenerateVerifier()
	q := f.authorize(t, conf.AuthCodeURL("xyz", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-0S6")), "alice", password)
	assert.Equal(t, "xyz", q.Get("state"))
	require.NotEmpty(t, q.Get("code"))

	tok, err := conf.Exchange(f.oauthCtx(t), q.Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.NotEmpty(t, tok.RefreshToken, "the code grant issues a refresh token")
	assert.WithinDuration(t, time.Now().Add(time.Hour), tok.Expiry, time.Minute)

	access := f.verify(t, localClient, cognitojwt.AccessToken, tok.AccessToken)
	assert.Equal(t, sub, access.Subject)
	assert.ElementsMatch(t, []string{"openid", "email"}, access.Scopes.Slice(), "the scopes asked for, no more")

	idToken, _ := tok.Extra("id_token").(string)
	id := f.verify(t, localClient, cognitojwt.IDToken, idToken)
	ic := claimsOf(t, id)
	assert.Equal(t, "n-0S6", ic["nonce"], "the ID token carries the authorize request's nonce")
	assert.Equal(t, "alice@example.com", ic["email"])
	assert.NotEmpty(t, ic["at_hash"])
}

func TestAuthorizationCodeBadPKCEVerifier(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	q := f.authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice", password)
	_, err := conf.Exchange(f.oauthCtx(t), q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
	requireOAuthError(t, err, "invalid_grant")
}

func TestAuthorizationCodeReplayedCode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	verifier := oauth2.GenerateVerifier()
	q := f.authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "alice", password)
	_, err := conf.Exchange(f.oauthCtx(t), q.Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	_, err = conf.Exchange(f.oauthCtx(t), q.Get("code"), oauth2.VerifierOption(verifier))
	requireOAuthError(t, err, "invalid_grant")
}

func TestAuthorizeUnregisteredRedirectURI(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	conf.RedirectURL = "http://evil.example/callback"
	resp := f.get(t, f.browser(t), conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	loc := resp.Header.Get("Location")
	assert.False(t, strings.HasPrefix(loc, "http://evil.example"), "never redirect to an unregistered URI, got %d %s", resp.StatusCode, loc)
	if resp.StatusCode == http.StatusFound {
		assert.NotContains(t, f.resolve(t, loc), "/login", "no sign-in form for a bad request")
	} else {
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}
}

func TestAuthorizeRefusesPlainPKCE(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	authURL := conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"),
		oauth2.SetAuthURLParam("code_challenge_method", "plain"))
	resp := f.get(t, f.browser(t), authURL)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(back.String(), callback+"?"), "errors go back on the redirect: %s", back.Redacted())
	assert.Equal(t, "invalid_request", back.Query().Get("error"))
	assert.Equal(t, "s", back.Query().Get("state"))
	assert.Empty(t, back.Query().Get("code"))
}

func TestSignInFormWrongPassword(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	browser := f.browser(t)
	action, fields := f.signInPage(t, browser, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	resp := f.submit(t, browser, action, fields, "alice", "not-the-password")
	loc := resp.Header.Get("Location")
	assert.False(t, strings.HasPrefix(loc, callback), "no code for a wrong password")
	page := body(t, resp)
	assert.NotContains(t, page, "not-the-password", "the password is never echoed")
	if resp.StatusCode == http.StatusOK {
		assert.Contains(t, page, "Incorrect username or password.")
	}
}

func TestRefreshTokenGrant(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	first := f.codeFlow(t, conf, "alice", password)

	stale := &oauth2.Token{AccessToken: first.AccessToken, RefreshToken: first.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	next, err := conf.TokenSource(f.oauthCtx(t), stale).Token()
	require.NoError(t, err)
	require.NotEqual(t, first.AccessToken, next.AccessToken)
	before := f.verify(t, localClient, cognitojwt.AccessToken, first.AccessToken)
	after := f.verify(t, localClient, cognitojwt.AccessToken, next.AccessToken)
	assert.Equal(t, before.OriginJTI, after.OriginJTI)
	assert.Equal(t, before.AuthTime, after.AuthTime)
	assert.NotEqual(t, before.JWTID, after.JWTID)
	assert.Equal(t, before.Scopes, after.Scopes)
}

func TestRefreshTokenGrantGarbageToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	_, err := conf.TokenSource(f.oauthCtx(t), &oauth2.Token{RefreshToken: "garbage", Expiry: time.Now().Add(-time.Minute)}).Token()
	requireOAuthError(t, err, "invalid_grant")
}

// confidential registers a confidential client for one OAuth flow: Cognito
// refuses client_credentials alongside the code flow.
func (f *fixture) confidential(t *testing.T, flow string) cognitolocal.AppClient {
	t.Helper()
	c := cognitolocal.AppClient{ClientName: "backend", GenerateSecret: true, AllowedOAuthFlows: []string{flow}}
	if flow == "code" {
		c.AllowedOAuthScopes = []string{"openid"}
		c.CallbackURLs = []string{callback}
	} else {
		// The scopes must be a resource server's (ScopeDoesNotExistException
		// otherwise).
		if _, ok := f.pool.ResourceServer("orders"); !ok {
			require.NoError(t, f.pool.CreateResourceServer(cognitolocal.ResourceServer{Identifier: "orders", Name: "Orders",
				Scopes: []cognitolocal.ResourceServerScope{{Name: "read", Description: "Read"}, {Name: "write", Description: "Write"}}}))
		}
		c.AllowedOAuthScopes = []string{"orders/read", "orders/write"}
	}
	c, err := f.pool.CreateAppClient(c)
	require.NoError(t, err)
	require.NotEmpty(t, c.ClientID)
	require.NotEmpty(t, c.ClientSecret)
	return c
}

func TestConfidentialCodeFlowSecretBasicAndPost(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	c := f.confidential(t, "code")
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		conf := f.oauthConfig(c.ClientID, c.ClientSecret, style, "openid")
		tok := f.codeFlow(t, conf, "alice", password)
		assert.Equal(t, c.ClientID, f.verify(t, c.ClientID, cognitojwt.AccessToken, tok.AccessToken).ClientID)
	}
}

func TestConfidentialCodeFlowWrongSecret(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	c := f.confidential(t, "code")
	conf := f.oauthConfig(c.ClientID, "wrong-secret", oauth2.AuthStyleInHeader, "openid")
	verifier := oauth2.GenerateVerifier()
	q := f.authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "alice", password)
	_, err := conf.Exchange(f.oauthCtx(t), q.Get("code"), oauth2.VerifierOption(verifier))
	requireOAuthError(t, err, "invalid_client")
}

func TestClientCredentials(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	c := f.confidential(t, "client_credentials")
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cc := &clientcredentials.Config{
			ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: f.pool.Endpoint() + "/oauth2/token",
			Scopes: []string{"orders/read"}, AuthStyle: style,
		}
		tok, err := cc.Token(f.oauthCtx(t))
		require.NoError(t, err)
		assert.Empty(t, tok.RefreshToken, "client credentials have no refresh token")
		assert.Nil(t, tok.Extra("id_token"), "nor an ID token")
		access := f.verify(t, c.ClientID, cognitojwt.AccessToken, tok.AccessToken)
		assert.Equal(t, []string{"orders/read"}, access.Scopes.Slice())
		assert.Equal(t, c.ClientID, access.ClientID)
		assert.Equal(t, c.ClientID, access.Subject, "a machine token's subject is the client")
		assert.Empty(t, access.Username)
		assert.Empty(t, access.Groups)
	}
}

func TestClientCredentialsWrongSecret(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	c := f.confidential(t, "client_credentials")
	cc := &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: "wrong", TokenURL: f.pool.Endpoint() + "/oauth2/token",
		Scopes: []string{"orders/read"}, AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cc.Token(f.oauthCtx(t))
	requireOAuthError(t, err, "invalid_client")
}

func TestClientCredentialsPublicClientUnauthorized(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	cc := &clientcredentials.Config{ClientID: localClient, TokenURL: f.pool.Endpoint() + "/oauth2/token",
		Scopes: []string{"openid"}, AuthStyle: oauth2.AuthStyleInParams}
	_, err := cc.Token(f.oauthCtx(t))
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, []string{"invalid_client", "unauthorized_client"}, re.ErrorCode)
}

func TestClientCredentialsUnknownScope(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	c := f.confidential(t, "client_credentials")
	cc := &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: f.pool.Endpoint() + "/oauth2/token",
		Scopes: []string{"billing/admin"}, AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cc.Token(f.oauthCtx(t))
	requireOAuthError(t, err, "invalid_scope")
}

// userInfo calls /oauth2/userInfo with a bearer token.
func (f *fixture) userInfo(t *testing.T, accessToken string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, f.pool.Endpoint()+"/oauth2/userInfo", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := f.web.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	var m map[string]any
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	}
	return resp, m
}

func TestUserInfo(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	sub := f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true"})
	tok := f.codeFlow(t, f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid", "email"), "alice", password)
	resp, info := f.userInfo(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, sub, info["sub"])
	assert.Equal(t, "alice", info["username"])
	assert.Equal(t, "alice@example.com", info["email"])
}

func TestUserInfoRefusesABadToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	resp, _ := f.userInfo(t, "not.a.token")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
}

// revoke posts to /oauth2/revoke as a public client.
func (f *fixture) revoke(t *testing.T, clientID, token string) *http.Response {
	t.Helper()
	form := url.Values{"token": {token}, "client_id": {clientID}}
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, f.pool.Endpoint()+"/oauth2/revoke", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.web.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestOAuthRevokeEndsTheFamily(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid")
	tok := f.codeFlow(t, conf, "alice", password)

	resp := f.revoke(t, localClient, tok.RefreshToken)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	_, err := conf.TokenSource(f.oauthCtx(t), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
	requireOAuthError(t, err, "invalid_grant")
	resp, _ = f.userInfo(t, tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
}

func TestOAuthRevokeUnknownTokenIsOK(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	resp := f.revoke(t, localClient, "never-issued")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestLogoutToRegisteredURI(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	q := url.Values{"client_id": {localClient}, "logout_uri": {"http://localhost:8080/"}}
	resp := f.get(t, f.web, f.pool.Endpoint()+"/logout?"+q.Encode())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "http://localhost:8080/", resp.Header.Get("Location"))
}

func TestLogoutUnregisteredURI(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	q := url.Values{"client_id": {localClient}, "logout_uri": {"http://evil.example/"}}
	resp := f.get(t, f.web, f.pool.Endpoint()+"/logout?"+q.Encode())
	assert.False(t, strings.HasPrefix(resp.Header.Get("Location"), "http://evil.example"), "never redirect to an unregistered URI")
}

func TestLogoutBackToSignIn(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	q := url.Values{"client_id": {localClient}, "redirect_uri": {callback}, "response_type": {"code"}, "scope": {"openid"}}
	resp := f.get(t, f.web, f.pool.Endpoint()+"/logout?"+q.Encode())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	next := f.resolve(t, resp.Header.Get("Location"))
	assert.True(t, strings.Contains(next, "/login") || strings.Contains(next, "/oauth2/authorize"), "back to sign-in: %s", next)
}
