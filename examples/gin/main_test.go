package main

import (
	"go.uber.org/goleak"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRoutes(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	v, err := cognitojwt.New(pool.Config(cognitotest.DefaultClientID))
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	router := newRouter(v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	admin := pool.AccessToken(cognitotest.WithUsername("ada"), cognitotest.WithGroups("admin"))
	user := pool.AccessToken(cognitotest.WithUsername("bo"), cognitotest.WithScopes("orders/write"))

	for _, tc := range []struct {
		method, path, token string
		status              int
		body                string
	}{
		{"GET", "/healthz", "", http.StatusOK, "ok"},
		{"GET", "/api/me", "", http.StatusUnauthorized, "unauthorized"},
		{"GET", "/api/me", user, http.StatusOK, `"username":"bo"`},
		{"GET", "/api/orders/17", user, http.StatusOK, `"order":"17"`},
		{"POST", "/api/orders", user, http.StatusCreated, `"created_by":"bo"`},
		{"POST", "/api/orders", admin, http.StatusForbidden, "insufficient_scope"},
		{"GET", "/api/admin/users", user, http.StatusForbidden, "insufficient_scope"},
		{"GET", "/api/admin/users", admin, http.StatusOK, `"users"`},
		{"DELETE", "/api/admin/users/9", admin, http.StatusOK, `"deleted":"9"`},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s %s: got %d %q, want %d containing %q", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
}
