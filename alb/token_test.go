package alb_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestALBDataTokenSource(t *testing.T) {
	req := func(values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			r.Header.Add("X-Amzn-Oidc-Data", v)
		}
		return r
	}
	tok, err := alb.ForwardedDataToken(req(" eyJ0=.eyJ9.c2ln== "))
	require.NoError(t, err)
	require.Equal(t, "eyJ0=.eyJ9.c2ln==", tok)
	_, err = alb.ForwardedDataToken(req())
	requireKind(t, cognitojwt.ErrNoToken, err)
	_, err = alb.ForwardedDataToken(req(""))
	requireKind(t, cognitojwt.ErrNoToken, err)
	_, err = alb.ForwardedDataToken(req("a.b.c", "a.b.c"))
	requireKind(t, cognitojwt.ErrInvalidRequest, err)
	for _, bad := range []string{"a.b.c d", "a.b.c\"", "a+b.c.d", "Bearer a.b.c"} {
		_, err = alb.ForwardedDataToken(req(bad))
		requireKind(t, cognitojwt.ErrInvalidRequest, err)
	}
}

// The ALB also forwards the user's Cognito access token; it is an ordinary
// access token for the main Verifier.
func TestALBAccessTokenWithTheMainVerifier(t *testing.T) {
	iss := cognitotest.NewIssuer(t, cognitotest.WithPoolID("us-east-1_AlbPool"))
	v, err := cognitojwt.New(iss.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	h := cognitojwt.Middleware(v, cognitojwt.WithTokenSource(alb.ForwardedAccessToken))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := cognitojwt.ClaimsFromContext(r.Context())
			_, _ = w.Write([]byte(c.Username))
		}))
	serve := func(tok string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tok != "" {
			r.Header.Set("X-Amzn-Oidc-Accesstoken", tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := serve(iss.AccessToken(cognitotest.WithUsername("carol")))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "carol", w.Body.String())
	require.Equal(t, http.StatusUnauthorized, serve("").Code)
	require.Equal(t, http.StatusUnauthorized, serve(iss.AccessToken(cognitotest.WithLifetime(-time.Minute))).Code)
	require.Equal(t, http.StatusUnauthorized, serve(iss.IDToken()).Code)
}

func TestALBMiddlewareTakesIdentityFromTheDataHeader(t *testing.T) {
	f := newALBFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithTokenSource(alb.ForwardedDataToken))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := cognitojwt.ClaimsFromContext(r.Context())
			require.True(t, ok)
			_, _ = w.Write([]byte(c.Email))
		}))
	serve := func(edit func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		edit(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := serve(func(r *http.Request) { r.Header.Set("X-Amzn-Oidc-Data", f.token(nil, nil)) })
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "alice@example.com", w.Body.String())

	// A bearer token is not the ALB's identity.
	w = serve(func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.token(nil, nil)) })
	require.Equal(t, http.StatusUnauthorized, w.Code)

	bad := f.token(func(h map[string]any) { h["signer"] = albOther }, nil)
	w = serve(func(r *http.Request) { r.Header.Set("X-Amzn-Oidc-Data", bad) })
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
	require.NotContains(t, w.Body.String(), albOther)
	require.NotContains(t, w.Body.String(), f.kid)
}
