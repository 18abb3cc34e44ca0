package cognitojwt_test

// Middleware suite, token sources: where the middleware reads a token
// (BearerToken, CookieToken, HeaderToken, a source of the caller's own)
// and how a handler reads it back (AuthenticationFromContext,
// ContextWithAuthentication).

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// The handler gets the very token the middleware verified, whichever
// source read it.
func TestAuthenticationTokenWithEveryTokenSource(t *testing.T) {
	f := newFixture(t, nil)
	token := f.iss.AccessToken()
	for _, tc := range []struct {
		name   string
		source cognitojwt.TokenSource
		set    func(r *http.Request)
	}{
		{"Bearer", cognitojwt.BearerToken, func(r *http.Request) { r.Header.Set("Authorization", "bearer  "+token) }},
		{"Cookie", cognitojwt.CookieToken("access_token"), func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "access_token", Value: token})
		}},
		{"Header", cognitojwt.HeaderToken("X-Amzn-Oidc-Accesstoken"), func(r *http.Request) {
			r.Header.Set("X-Amzn-Oidc-Accesstoken", " "+token+"\t")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			var ok bool
			h := cognitojwt.Middleware(f.v, cognitojwt.WithTokenSource(tc.source))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var a cognitojwt.Authentication
				a, ok = cognitojwt.AuthenticationFromContext(r.Context())
				got = a.Token
			}))
			r := httptest.NewRequest(http.MethodGet, "/orders", nil)
			tc.set(r)
			serve(h, r)
			require.True(t, ok)
			require.Equal(t, token, got)
		})
	}
}

func TestAuthenticationTokenWithoutAVerifiedToken(t *testing.T) {
	f := newFixture(t, nil)
	_, ok := cognitojwt.AuthenticationFromContext(context.Background())
	require.False(t, ok, "no middleware")

	ran := false
	var a cognitojwt.Authentication
	h := cognitojwt.Middleware(f.v, cognitojwt.WithCredentialsOptional())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		a, _ = cognitojwt.AuthenticationFromContext(r.Context())
	}))
	serve(h, httptest.NewRequest(http.MethodGet, "/orders", nil))
	require.True(t, ran)
	require.Empty(t, a.Token, "credentials-optional request without a token")

	c := claimsOf(t, f)
	a, _ = cognitojwt.AuthenticationFromContext(cognitojwt.ContextWithAuthentication(context.Background(), cognitojwt.Authentication{Claims: c}))
	require.Empty(t, a.Token, "claims placed without a token")
}

func TestContextWithAuthentication(t *testing.T) {
	f := newFixture(t, nil)
	token := f.iss.AccessToken()
	c, err := f.verify(token)
	require.NoError(t, err)
	ctx := cognitojwt.ContextWithAuthentication(context.Background(), cognitojwt.Authentication{Claims: c, Token: token})
	a, ok := cognitojwt.AuthenticationFromContext(ctx)
	require.True(t, ok)
	require.Equal(t, token, a.Token)
	gotClaims, ok := cognitojwt.ClaimsFromContext(ctx)
	require.True(t, ok)
	require.Same(t, c, gotClaims)
}

func TestMiddlewareTokenSources(t *testing.T) {
	f := newFixture(t, nil)
	token := f.iss.AccessToken()
	withCookies := func(values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			r.AddCookie(&http.Cookie{Name: "access_token", Value: v})
		}
		r.AddCookie(&http.Cookie{Name: "other", Value: "x"})
		return r
	}
	withHeader := func(name string, values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			r.Header.Add(name, v)
		}
		return r
	}
	cookie := cognitojwt.WithTokenSource(cognitojwt.CookieToken("access_token"))
	header := cognitojwt.WithTokenSource(cognitojwt.HeaderToken("x-amzn-oidc-accesstoken"))

	tests := []struct {
		name string
		opt  cognitojwt.Option
		req  *http.Request
		want wantResponse
	}{
		{"cookie", cookie, withCookies(token), wantOK},
		{"no cookie", cookie, withCookies(), wantNoCredentials},
		{"empty cookie", cookie, withCookies(""), wantNoCredentials},
		{"two cookies", cookie, withCookies(token, token), wantInvalidRequest},
		{"cookie outside b64token", cookie, withCookies("a%b"), wantInvalidRequest},
		{"cookie source ignores Authorization", cookie, bearer(token), wantNoCredentials},
		{"header", header, withHeader("X-Amzn-Oidc-Accesstoken", token), wantOK},
		{"header with surrounding spaces", header, withHeader("X-Amzn-Oidc-Accesstoken", " "+token+" "), wantOK},
		{"no header", header, withHeader("X-Other", token), wantNoCredentials},
		{"empty header", header, withHeader("X-Amzn-Oidc-Accesstoken", ""), wantNoCredentials},
		{"repeated header", header, withHeader("X-Amzn-Oidc-Accesstoken", token, token), wantInvalidRequest},
		{"header with a scheme", header, withHeader("X-Amzn-Oidc-Accesstoken", "Bearer "+token), wantInvalidRequest},
		{"header source ignores Authorization", header, bearer(token), wantNoCredentials},
		{"cookie with a bad token", cookie, withCookies(f.iss.AccessToken(cognitotest.WithClientID("x"))), invalidToken("The token was issued to another client.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p probe
			w := serve(cognitojwt.Middleware(f.v, tt.opt)(&p), tt.req)
			requireResponse(t, tt.want, w)
			require.Equal(t, tt.want.status == http.StatusOK, p.ran)
		})
	}
}
