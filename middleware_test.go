package cognitojwt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// probe is a next handler that records whether it ran and with what.
type probe struct {
	ran    bool
	claims *cognitojwt.Claims
	ok     bool
}

func (p *probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.ran = true
	p.claims, p.ok = cognitojwt.ClaimsFromContext(r.Context())
	w.WriteHeader(http.StatusOK)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/orders", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// wantResponse is an exact RFC 6750 answer.
type wantResponse struct {
	status      int
	challenge   string // WWW-Authenticate; "" means absent
	code        string // body "error"
	description string // body "error_description"
}

func requireResponse(t *testing.T, want wantResponse, w *httptest.ResponseRecorder) {
	t.Helper()
	require.Equal(t, want.status, w.Code, "body %s", w.Body)
	if want.status == http.StatusOK {
		return
	}
	require.Equal(t, want.challenge, w.Header().Get("WWW-Authenticate"))
	require.Len(t, w.Header().Values("WWW-Authenticate"), map[bool]int{true: 0, false: 1}[want.challenge == ""])
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Equal(t, map[string]string{"error": want.code, "error_description": want.description}, body)
}

func invalidToken(description string) wantResponse {
	return wantResponse{
		status:      http.StatusUnauthorized,
		challenge:   `Bearer realm="api", error="invalid_token", error_description="` + description + `"`,
		code:        "invalid_token",
		description: description,
	}
}

var (
	wantOK            = wantResponse{status: http.StatusOK}
	wantNoCredentials = wantResponse{
		status:      http.StatusUnauthorized,
		challenge:   `Bearer realm="api"`,
		code:        "unauthorized",
		description: "Authentication is required.",
	}
	wantInvalidRequest = wantResponse{
		status:      http.StatusBadRequest,
		challenge:   `Bearer realm="api", error="invalid_request", error_description="The Authorization header is malformed."`,
		code:        "invalid_request",
		description: "The Authorization header is malformed.",
	}
	wantMisconfigured = wantResponse{
		status:      http.StatusInternalServerError,
		code:        "server_error",
		description: "The server is misconfigured.",
	}
)

func TestMiddlewareAnswers(t *testing.T) {
	f := newFixture(t, nil)
	iss := f.iss
	good := iss.AccessToken()
	expired := iss.AccessToken(cognitotest.WithIssuedAt(f.clk.Now().Add(-2*time.Hour)), cognitotest.WithLifetime(time.Hour))
	parts := strings.Split(good, ".")
	withHeaders := func(values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/orders", nil)
		for _, v := range values {
			r.Header.Add("Authorization", v)
		}
		return r
	}

	tests := []struct {
		name string
		req  *http.Request
		want wantResponse
	}{
		{"valid token", bearer(good), wantOK},
		{"scheme in lower case", withHeaders("bearer " + good), wantOK},
		{"scheme in upper case", withHeaders("BEARER " + good), wantOK},
		{"scheme in mixed case", withHeaders("BeArEr " + good), wantOK},
		{"several spaces before the token", withHeaders("Bearer   " + good), wantOK},
		{"surrounding whitespace", withHeaders(" \tBearer " + good + " \t"), wantOK},
		{"no Authorization header", withHeaders(), wantNoCredentials},
		{"Basic scheme", withHeaders("Basic dXNlcjpwYXNz"), wantNoCredentials},
		{"Digest scheme with parameters", withHeaders(`Digest username="u", realm="r"`), wantNoCredentials},
		{"two Authorization headers", withHeaders("Bearer "+good, "Bearer "+good), wantInvalidRequest},
		{"Bearer and Basic headers", withHeaders("Basic dXNlcjpwYXNz", "Bearer "+good), wantInvalidRequest},
		{"empty header", withHeaders(""), wantInvalidRequest},
		{"blank header", withHeaders("  "), wantInvalidRequest},
		{"Bearer without token", withHeaders("Bearer"), wantInvalidRequest},
		{"Bearer and spaces only", withHeaders("Bearer    "), wantInvalidRequest},
		{"tab after scheme", withHeaders("Bearer\t" + good), wantInvalidRequest},
		{"space inside token", withHeaders("Bearer " + parts[0] + " " + parts[1]), wantInvalidRequest},
		{"quote in token", withHeaders(`Bearer "` + good + `"`), wantInvalidRequest},
		{"comma in token", withHeaders("Bearer " + good + ",x"), wantInvalidRequest},
		{"malformed token", bearer(parts[0] + "." + parts[1]), invalidToken("The access token is malformed.")},
		{"padded token", bearer(good + "=="), invalidToken("The access token is malformed.")},
		{"unsupported algorithm", bearer(iss.AccessToken(cognitotest.WithHeader("alg", "HS256"))), invalidToken("The token's signing algorithm is not accepted.")},
		{"unknown key", bearer(iss.AccessToken(cognitotest.WithKey(spareKey()))), invalidToken("The token was signed by an unknown key.")},
		{"invalid signature", bearer(parts[0] + "." + parts[1] + "." + strings.Split(expired, ".")[2]), invalidToken("The token signature is invalid.")},
		{"expired", bearer(expired), invalidToken("The access token expired.")},
		{"not yet valid", bearer(iss.AccessToken(cognitotest.WithClaim("nbf", f.clk.Now().Add(time.Hour).Unix()))), invalidToken("The access token is not yet valid.")},
		{"wrong issuer", bearer(iss.AccessToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X"))), invalidToken("The token was issued by another issuer.")},
		{"wrong client", bearer(iss.AccessToken(cognitotest.WithClientID("other"))), invalidToken("The token was issued to another client.")},
		{"wrong token use", bearer(iss.IDToken()), invalidToken("The token is not of the accepted kind.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p probe
			w := serve(cognitojwt.Middleware(f.v)(&p), tt.req)
			requireResponse(t, tt.want, w)
			require.Equal(t, tt.want.status == http.StatusOK, p.ran, "next ran")
			if p.ran {
				require.True(t, p.ok)
				require.Equal(t, primaryKey().KeyID, p.claims.KeyID)
				return
			}
			requireNoSecrets(t, w, tt.req.Header.Get("Authorization"), primaryKey().KeyID, spareKey().KeyID)
		})
	}
}

// requireNoSecrets checks that a response repeats none of the request's
// credentials, token segments or key ids.
func requireNoSecrets(t *testing.T, w *httptest.ResponseRecorder, authorization string, kids ...string) {
	t.Helper()
	var dump strings.Builder
	_ = w.Header().Write(&dump)
	dump.Write(w.Body.Bytes())
	for _, field := range strings.FieldsFunc(authorization, func(r rune) bool { return r == ' ' || r == '.' }) {
		if len(field) >= 8 {
			require.NotContains(t, dump.String(), field)
		}
	}
	for _, kid := range kids {
		require.NotContains(t, dump.String(), kid)
	}
}

func TestMiddlewareKeysUnavailable(t *testing.T) {
	f := newFixture(t, nil)
	f.iss.SetJWKSHandler(serveStatus(http.StatusBadGateway))
	h := cognitojwt.Middleware(f.v)
	token := f.iss.AccessToken()
	want := wantResponse{
		status:      http.StatusServiceUnavailable,
		code:        "temporarily_unavailable",
		description: "Token signing keys are temporarily unavailable.",
	}

	var p probe
	w := serve(h(&p), bearer(token))
	requireResponse(t, want, w)
	require.Equal(t, "10", w.Header().Get("Retry-After"))
	require.False(t, p.ran)

	f.clk.Advance(2500 * time.Millisecond)
	w = serve(h(&p), bearer(token))
	requireResponse(t, want, w)
	require.Equal(t, "8", w.Header().Get("Retry-After"), "7.5s left, rounded up")
	require.False(t, p.ran)
	require.Equal(t, 1, f.iss.JWKSFetches())
}

func TestMiddlewareRealm(t *testing.T) {
	f := newFixture(t, nil)
	var p probe
	w := serve(cognitojwt.Middleware(f.v, cognitojwt.WithRealm(`orders "v2"`))(&p), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, `Bearer realm="orders v2"`, w.Header().Get("WWW-Authenticate"))
}

func TestMiddlewareCORSPreflight(t *testing.T) {
	f := newFixture(t, nil)
	preflight := func(mutate func(r *http.Request)) *http.Request {
		r := httptest.NewRequest(http.MethodOptions, "/orders", nil)
		r.Header.Set("Origin", "https://app.example.com")
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization")
		if mutate != nil {
			mutate(r)
		}
		return r
	}
	guarded := func(p *probe, opts ...cognitojwt.Option) http.Handler {
		return cognitojwt.Middleware(f.v, opts...)(authz.RequireAnyGroup("admin")(p))
	}

	t.Run("refused without the option", func(t *testing.T) {
		var p probe
		requireResponse(t, wantNoCredentials, serve(guarded(&p), preflight(nil)))
		require.False(t, p.ran)
	})
	t.Run("let through, past guards, without claims", func(t *testing.T) {
		var p probe
		requireResponse(t, wantOK, serve(guarded(&p, cognitojwt.WithCORSPreflight()), preflight(nil)))
		require.True(t, p.ran)
		require.False(t, p.ok)
	})
	for name, mutate := range map[string]func(r *http.Request){
		"OPTIONS without Access-Control-Request-Method": func(r *http.Request) { r.Header.Del("Access-Control-Request-Method") },
		"OPTIONS without Origin":                        func(r *http.Request) { r.Header.Del("Origin") },
		"another method with preflight headers":         func(r *http.Request) { r.Method = http.MethodPost },
	} {
		t.Run(name+" is verified", func(t *testing.T) {
			var p probe
			requireResponse(t, wantNoCredentials, serve(guarded(&p, cognitojwt.WithCORSPreflight()), preflight(mutate)))
			require.False(t, p.ran)
		})
	}
	t.Run("a preflight carrying a bad token is still let through", func(t *testing.T) {
		var p probe
		r := preflight(func(r *http.Request) { r.Header.Set("Authorization", "Bearer not.a.token") })
		requireResponse(t, wantOK, serve(guarded(&p, cognitojwt.WithCORSPreflight()), r))
		require.False(t, p.ok)
	})
}

func TestMiddlewareCredentialsOptional(t *testing.T) {
	f := newFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithCredentialsOptional())
	tests := []struct {
		name       string
		req        *http.Request
		want       wantResponse
		wantClaims bool
	}{
		{"no credentials pass without claims", httptest.NewRequest(http.MethodGet, "/", nil), wantOK, false},
		{"another scheme passes without claims", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
			return r
		}(), wantOK, false},
		{"valid token brings claims", bearer(f.iss.AccessToken()), wantOK, true},
		{"invalid token is still refused", bearer(f.iss.AccessToken(cognitotest.WithClientID("other"))), invalidToken("The token was issued to another client."), false},
		{"malformed header is still refused", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer")
			return r
		}(), wantInvalidRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p probe
			w := serve(h(&p), tt.req)
			requireResponse(t, tt.want, w)
			require.Equal(t, tt.want.status == http.StatusOK, p.ran)
			require.Equal(t, tt.wantClaims, p.ok)
			require.Equal(t, tt.wantClaims, p.claims != nil)
		})
	}

	t.Run("Authorize behind it asks for credentials", func(t *testing.T) {
		var p probe
		w := serve(h(authz.RequireAnyGroup("admin")(&p)), httptest.NewRequest(http.MethodGet, "/", nil))
		requireResponse(t, wantNoCredentials, w)
		require.False(t, p.ran)
	})
}

func TestMiddlewareErrorHandler(t *testing.T) {
	f := newFixture(t, nil)
	type call struct {
		err       error
		hadClaims bool
	}
	var calls []call
	h := cognitojwt.Middleware(f.v, cognitojwt.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		_, ok := cognitojwt.ClaimsFromContext(r.Context())
		calls = append(calls, call{err, ok})
		if errors.Is(err, cognitojwt.ErrExpired) {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		cognitojwt.WriteError(w, err, "custom")
	}))

	var p probe
	expired := f.iss.AccessToken(cognitotest.WithIssuedAt(f.clk.Now().Add(-2*time.Hour)), cognitotest.WithLifetime(time.Hour))
	w := serve(h(&p), bearer(expired))
	require.Equal(t, http.StatusTeapot, w.Code)

	w = serve(h(&p), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, `Bearer realm="custom"`, w.Header().Get("WWW-Authenticate"))

	w = serve(h(authz.RequireAllScopes("admin")(&p)), bearer(f.iss.AccessToken()))
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Equal(t, `Bearer realm="custom", error="insufficient_scope", error_description="The token lacks a scope this resource requires."`,
		w.Header().Get("WWW-Authenticate"))

	require.False(t, p.ran)
	require.Len(t, calls, 3)
	requireKind(t, cognitojwt.ErrExpired, calls[0].err)
	requireKind(t, cognitojwt.ErrNoToken, calls[1].err)
	requireKind(t, cognitojwt.ErrInsufficientScope, calls[2].err)
	require.False(t, calls[0].hadClaims)
	require.False(t, calls[1].hadClaims)
}

// fakeVerifier is a TokenVerifier of the caller's own.
type fakeVerifier struct {
	claims *cognitojwt.Claims
	err    error
}

func (v fakeVerifier) Verify(context.Context, string) (*cognitojwt.Claims, error) {
	return v.claims, v.err
}

func TestMiddlewareOtherVerifiers(t *testing.T) {
	tests := []struct {
		name string
		v    fakeVerifier
		want wantResponse
	}{
		{"claims", fakeVerifier{claims: &cognitojwt.Claims{Subject: "s"}}, wantOK},
		{"no claims and no error", fakeVerifier{}, invalidToken("The access token is malformed.")},
		{"unknown error", fakeVerifier{err: errors.New("secret-token-text")}, invalidToken("The access token is invalid.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p probe
			w := serve(cognitojwt.Middleware(tt.v)(&p), bearer("abc.def.ghi"))
			requireResponse(t, tt.want, w)
			require.NotContains(t, w.Body.String(), "secret-token-text")
			require.Equal(t, tt.want.status == http.StatusOK, p.ran)
		})
	}
}

func TestMiddlewareLogsWithoutSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFixture(t, func(c *cognitojwt.Config) { c.Logger = logger })
	iss := f.iss
	secrets := []string{"user-zx81q", "grp-zx81q", "tenant-zx81q", "client-zx81q", "mail-zx81q@example.com", "sub-zx81q", "scope-zx81q"}
	personal := []cognitotest.TokenOption{
		cognitotest.WithUsername(secrets[0]), cognitotest.WithGroups(secrets[1]),
		cognitotest.WithPreTokenGenerationClaim("custom:tenant", secrets[2]), cognitotest.WithSubject(secrets[5]),
		cognitotest.WithScopes(secrets[6]), cognitotest.WithClaim("email", secrets[4]),
	}
	with := func(opts ...cognitotest.TokenOption) string {
		return iss.AccessToken(append(append([]cognitotest.TokenOption(nil), personal...), opts...)...)
	}
	tokens := []string{
		with(),
		with(cognitotest.WithClientID(secrets[3])),
		with(cognitotest.WithClaim("token_use", "id")),
		with(cognitotest.WithIssuedAt(f.clk.Now().Add(-2*time.Hour)), cognitotest.WithLifetime(time.Hour)),
		with(cognitotest.WithKey(spareKey())),
		with(cognitotest.WithClaim("iss", "https://"+secrets[3]+".example.com")),
		with(cognitotest.WithClaim("exp", secrets[0])),
		with(cognitotest.WithHeader("alg", secrets[0])),
		with(cognitotest.WithHeader("kid", secrets[0])),
		with(cognitotest.WithHeader("typ", secrets[0])),
	}
	h := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(logger))
	guarded := h(authz.RequireAllScopes("admin")(&probe{}))
	rejected := 0
	for _, token := range tokens {
		if w := serve(guarded, bearer(token)); w.Code != http.StatusOK {
			rejected++
		}
	}
	require.Equal(t, len(tokens), rejected)
	serve(guarded, httptest.NewRequest(http.MethodGet, "/orders", nil))

	records := strings.Split(strings.TrimSpace(logs.String()), "\n")
	kinds := map[string]int{}
	for _, line := range records {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == "cognitojwt: request rejected" {
			kinds[rec["kind"].(string)]++
			require.Equal(t, "/orders", rec["path"], "%s", line)
		}
	}
	require.Equal(t, len(tokens)+1, sumValues(kinds), "one record per rejection: %v", kinds)
	require.Equal(t, 1, kinds["insufficient_scope"])
	require.Equal(t, 1, kinds["no_token"])

	for _, token := range tokens {
		for _, seg := range strings.Split(token, ".") {
			require.NotContains(t, logs.String(), seg)
		}
	}
	for _, s := range append(secrets, primaryKey().KeyID, spareKey().KeyID) {
		require.NotContains(t, logs.String(), s)
	}
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// The request context the middleware hands on is the parent's with the
// claims added: the parent's values, deadline and cancellation reach the
// handler, and contexts derived from it are cancelled with it.
func TestMiddlewareContextExtendsTheRequests(t *testing.T) {
	f := newFixture(t, nil)
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, "kept"))
	var got *http.Request
	h := cognitojwt.Middleware(f.v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r }))
	r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(parent)
	r.Header.Set("Authorization", "Bearer "+f.iss.AccessToken())
	h.ServeHTTP(httptest.NewRecorder(), r)
	require.NotNil(t, got)
	ctx := got.Context()
	require.Equal(t, "kept", ctx.Value(key{}))
	c, ok := cognitojwt.ClaimsFromContext(ctx)
	require.True(t, ok)
	require.NotEmpty(t, c.Subject)
	child, stop := context.WithCancel(ctx)
	defer stop()
	require.NoError(t, child.Err())
	cancel()
	<-child.Done()
	require.ErrorIs(t, ctx.Err(), context.Canceled)
	require.ErrorIs(t, child.Err(), context.Canceled)
}

// revokeAfter is a RevocationList that refuses every token once set.
type revokeAfter struct{ on atomic.Bool }

func (r *revokeAfter) RevocationReason(*cognitojwt.Claims) cognitojwt.RevocationReason {
	if r.on.Load() {
		return cognitojwt.RevokedToken
	}
	return cognitojwt.NotRevoked
}

// TestMiddlewareCacheHitsAndTokenCharacters: the middleware's default
// source scans the token's characters only when the verifier's cache does
// not know the token, so a hit is answered from the cache alone, and a
// token outside b64token is still refused as invalid_request before Verify
// sees it, even one that differs from a cached token by a byte appended.
func TestMiddlewareCacheHitsAndTokenCharacters(t *testing.T) {
	rec := newHookRecorder()
	revoked := &revokeAfter{}
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.Hooks = rec.hooks()
		c.Revocations = revoked
	})
	good := f.iss.AccessToken()
	h := cognitojwt.Middleware(f.v)
	outcomes := func() []cognitojwt.VerifyOutcome {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return slices.Clone(rec.verifies)
	}

	for range 2 {
		var p probe
		requireResponse(t, wantOK, serve(h(&p), bearer(good)))
		require.True(t, p.ok)
		require.Equal(t, primaryKey().KeyID, p.claims.KeyID)
	}
	got := outcomes()
	require.Len(t, got, 2)
	require.False(t, got[0].CacheHit, "the first request verifies")
	require.True(t, got[1].CacheHit, "the second is a cache hit")
	require.NoError(t, got[1].Err)

	for _, bad := range []string{good + "!", good + ",x", `"` + good + `"`, good[:10] + "\x00" + good[11:], good + "é"} {
		var p probe
		w := serve(h(&p), bearer(bad))
		requireResponse(t, wantInvalidRequest, w)
		require.False(t, p.ran)
	}
	require.Len(t, outcomes(), 2, "a token outside b64token never reaches Verify")

	// Inside b64token but not base64url: Verify refuses it.
	var p probe
	requireResponse(t, invalidToken("The access token is malformed."), serve(h(&p), bearer(good+"~")))
	require.Len(t, outcomes(), 3)

	// A hit still consults the revocation list, through the same answer
	// as a cold verification.
	revoked.on.Store(true)
	w := serve(h(&p), bearer(good))
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.False(t, p.ran)
	got = outcomes()
	require.Len(t, got, 4)
	require.True(t, got[3].CacheHit)
	require.ErrorIs(t, got[3].Err, cognitojwt.ErrRevoked)
}

// A request costs the middleware one allocation, for its context value,
// the request copy handed on and, behind Middleware, the claims: a cache
// hit of the 704-byte size class, and through MiddlewareFor, a request
// let through without a token and a CORS preflight one allocation beyond
// the authenticator's own.
func TestMiddlewareAllocatesOncePerRequest(t *testing.T) {
	f := newFixture(t, nil)
	token := f.iss.AccessToken(cognitotest.WithGroups("admin", "editors"))
	c := &cognitojwt.Claims{Subject: "s"}
	authn := authFunc(func(http.ResponseWriter, *http.Request) (cognitojwt.Authentication, error) {
		return cognitojwt.Authentication{Claims: c}, nil
	})
	request := func(authorization string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		return r
	}
	preflight := httptest.NewRequest(http.MethodOptions, "/", nil)
	preflight.Header.Set("Origin", "https://app.example")
	preflight.Header.Set("Access-Control-Request-Method", "POST")
	for _, tc := range []struct {
		name   string
		mw     func(http.Handler) http.Handler
		r      *http.Request
		claims bool
		bytes  float64
	}{
		{"cache hit", cognitojwt.Middleware(f.v), request("Bearer " + token), true, 704},
		{"MiddlewareFor", cognitojwt.MiddlewareFor(authn), request(""), true, 384},
		{"no token, optional", cognitojwt.Middleware(f.v, cognitojwt.WithCredentialsOptional()), request(""), false, 384},
		{"preflight", cognitojwt.Middleware(f.v, cognitojwt.WithCORSPreflight()), preflight, false, 384},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ran, got := false, false
			h := tc.mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				_, got = cognitojwt.ClaimsFromContext(r.Context())
				ran = true
			}))
			w := &discardWriter{h: http.Header{}}
			serve := func() {
				ran, got = false, false
				h.ServeHTTP(w, tc.r)
				if !ran || got != tc.claims {
					t.Fatalf("handler ran: %v, with claims: %v", ran, got)
				}
			}
			serve()
			require.Equal(t, 1.0, testing.AllocsPerRun(100, serve))
			require.LessOrEqual(t, allocatedPerRun(100, serve), tc.bytes)
		})
	}
}
