package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const origin = "https://app.example.com"

func TestCORSInFrontOfTheMiddleware(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	v, err := cognitojwt.New(pool.Config(cognitotest.DefaultClientID))
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(v, []string{origin})
	writer := pool.AccessToken(cognitotest.WithUsername("ada"), cognitotest.WithScopes("orders/write"))
	reader := pool.AccessToken(cognitotest.WithUsername("bo"))

	for _, tc := range []struct {
		name, method, path, token string
		preflight                 bool
		status                    int
		corsHeaders               bool
	}{
		{"preflight of a protected route", http.MethodOptions, "/api/orders", "", true, http.StatusNoContent, true},
		{"call without a token: 401 the page can read", http.MethodGet, "/api/me", "", false, http.StatusUnauthorized, true},
		{"call with a token", http.MethodGet, "/api/me", reader, false, http.StatusOK, true},
		{"guarded call without the scope: 403 the page can read", http.MethodPost, "/api/orders", reader, false, http.StatusForbidden, true},
		{"guarded call with the scope", http.MethodPost, "/api/orders", writer, false, http.StatusCreated, true},
		{"unknown path stays 404", http.MethodGet, "/api/nothing", "", false, http.StatusNotFound, true},
		// rs/cors adds no headers for a method it does not allow.
		{"wrong method stays 405", http.MethodDelete, "/api/me", reader, false, http.StatusMethodNotAllowed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			req.Header.Set("Origin", origin)
			if tc.preflight {
				req.Header.Set("Access-Control-Request-Method", http.MethodPost)
				req.Header.Set("Access-Control-Request-Headers", "authorization")
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %q", rec.Code, tc.status, rec.Body)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); (got == origin) != tc.corsHeaders {
				t.Fatalf("Access-Control-Allow-Origin %q", got)
			}
			if tc.preflight && !strings.Contains(strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")), "authorization") {
				t.Fatalf("preflight does not allow Authorization: %v", rec.Header())
			}
		})
	}
}

func TestCORSRefusesOtherOrigins(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	v, err := cognitojwt.New(pool.Config(cognitotest.DefaultClientID))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodOptions, "/api/orders", nil)
	req.Header.Set("Origin", "https://evil.example.net")
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	rec := httptest.NewRecorder()
	newHandler(v, []string{origin}).ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("Access-Control-Allow-Origin %q for another origin", got)
	}
}
