package cognitojwt_test

// Adversarial suite, Authorization headers: request shapes around a valid
// token that BearerToken and the middleware must refuse.

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// TestHostileAuthorizationHeaders covers request shapes around a valid
// token: only one well-formed Bearer credential is ever accepted.
func TestHostileAuthorizationHeaders(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, nil)
	valid := iss.AccessToken()
	forged := iss.AccessToken(cognitotest.WithKey(sharedKey(t, "stranger")))
	for _, c := range []struct {
		name   string
		values []string
		status int
	}{
		{"valid then forged", []string{"Bearer " + valid, "Bearer " + forged}, http.StatusBadRequest},
		{"forged then valid", []string{"Bearer " + forged, "Bearer " + valid}, http.StatusBadRequest},
		{"valid twice", []string{"Bearer " + valid, "Bearer " + valid}, http.StatusBadRequest},
		{"two tokens in one header", []string{"Bearer " + valid + " " + valid}, http.StatusBadRequest},
		{"comma-joined credentials", []string{"Bearer " + valid + ", Bearer " + valid}, http.StatusBadRequest},
		{"tab after scheme", []string{"Bearer\t" + valid}, http.StatusBadRequest},
		{"scheme only", []string{"Bearer"}, http.StatusBadRequest},
		{"empty header", []string{""}, http.StatusBadRequest},
		{"quoted token", []string{`Bearer "` + valid + `"`}, http.StatusBadRequest},
		{"token with NUL", []string{"Bearer " + valid + "\x00"}, http.StatusBadRequest},
		{"forged token", []string{"Bearer " + forged}, http.StatusUnauthorized},
		{"token of another scheme", []string{"Basic " + valid}, http.StatusUnauthorized},
		{"scheme lookalike", []string{"Bearers " + valid}, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := serveProtected(v, c.values, nil)
			if c.name == "token of another scheme" || c.name == "scheme lookalike" {
				// Not a Bearer credential: a plain challenge, no error code.
				if res.reached || res.rec.Code != http.StatusUnauthorized || res.rec.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
					t.Fatalf("got %d %q", res.rec.Code, res.rec.Header().Get("WWW-Authenticate"))
				}
				return
			}
			assertRejection(t, res, c.status, append(secretsOf(valid), secretsOf(forged)...))
		})
	}
	// The scheme is case-insensitive (RFC 7235 §2.1), and surrounding
	// whitespace is not part of the field value.
	for _, value := range []string{"bearer " + valid, "BEARER " + valid, "  Bearer   " + valid + " \t"} {
		if res := serveProtected(v, []string{value}, nil); !res.reached {
			t.Errorf("%q refused with %d", value[:10], res.rec.Code)
		}
	}
	// Tokens in the URL are never read (RFC 6750 §5.3).
	req := httptest.NewRequest(http.MethodGet, "/orders?access_token="+valid, nil)
	rec := httptest.NewRecorder()
	reached := false
	cognitojwt.Middleware(v)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(rec, req)
	if reached || rec.Code != http.StatusUnauthorized {
		t.Fatalf("query-string token: %d, reached %v", rec.Code, reached)
	}
}
