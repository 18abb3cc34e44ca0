package authz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// signingKey signs the tokens of every issuer of these tests: generating
// an RSA key dominates a run under the race detector.
var signingKey = sync.OnceValues(cognitotest.NewSigningKey)

// fixture is a test pool and a verifier of its access tokens (edit may
// change the verifier's Config).
type fixture struct {
	iss *cognitotest.Issuer
	v   *cognitojwt.Verifier
}

func newFixture(t *testing.T, edit func(*cognitojwt.Config)) *fixture {
	t.Helper()
	key, err := signingKey()
	require.NoError(t, err)
	f := &fixture{iss: cognitotest.NewIssuer(t, cognitotest.WithSigningKey(*key))}
	cfg := f.iss.Config(cognitotest.DefaultClientID)
	if edit != nil {
		edit(&cfg)
	}
	f.v, err = cognitojwt.New(cfg)
	require.NoError(t, err)
	return f
}

// claimsOf verifies an access token minted with opts.
func claimsOf(t *testing.T, f *fixture, opts ...cognitotest.TokenOption) *cognitojwt.Claims {
	t.Helper()
	c, err := f.v.Verify(context.Background(), f.iss.AccessToken(opts...))
	require.NoError(t, err)
	return c
}

// wantResponse is an answer as a client reads it: status, the one
// challenge ("" for none) and the JSON body's error and description.
type wantResponse struct {
	status                       int
	challenge, code, description string
}

// refusal is the 403 of a guard whose description is desc.
func refusal(desc string) wantResponse {
	return wantResponse{http.StatusForbidden,
		`Bearer realm="api", error="insufficient_scope", error_description="` + desc + `"`, "insufficient_scope", desc}
}

var (
	wantOK            = wantResponse{status: http.StatusOK}
	wantNoCredentials = wantResponse{http.StatusUnauthorized, `Bearer realm="api"`, "unauthorized", "Authentication is required."}
	wantMisconfigured = wantResponse{http.StatusInternalServerError, "", "server_error", "The server is misconfigured."}
	wantForbidden     = refusal("The token does not grant access to this resource.")
	wantNotInGroup    = refusal("The token's user is not in a group this resource requires.")
	wantMissingScope  = refusal("The token lacks a scope this resource requires.")
	wantMissingClaim  = refusal("The token lacks a claim value this resource requires.")
)

// serve records h's answer to r.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// requireResponse checks the answer w recorded against want, and that an
// error answer is JSON kept out of caches.
func requireResponse(t *testing.T, want wantResponse, w *httptest.ResponseRecorder) {
	t.Helper()
	got := wantResponse{status: w.Code}
	if w.Code != http.StatusOK {
		challenges := w.Header().Values("WWW-Authenticate")
		require.LessOrEqual(t, len(challenges), 1, "challenges %q", challenges)
		if len(challenges) == 1 {
			got.challenge = challenges[0]
		}
		var body map[string]string
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		require.Len(t, body, 2, "body %s", w.Body)
		got.code, got.description = body["error"], body["error_description"]
		require.Equal(t, []string{"application/json", "no-store"},
			[]string{w.Header().Get("Content-Type"), w.Header().Get("Cache-Control")})
	}
	require.Equal(t, want, got, "body %s", w.Body)
}

// probe is the guarded handler: it records whether it ran, and the
// claims it found.
type probe struct {
	ran    bool
	claims *cognitojwt.Claims
}

func (p *probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.ran = true
	p.claims, _ = cognitojwt.ClaimsFromContext(r.Context())
}

// bearer is a GET of /orders with token in the Authorization header.
func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/orders", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}
