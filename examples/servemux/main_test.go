package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRoutes(t *testing.T) {
	pool := cognitotest.NewIssuer(t)
	v, err := cognitojwt.New(pool.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	api := newAPI(v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	admin := pool.AccessToken(cognitotest.WithUsername("ada"), cognitotest.WithGroups("admin"))
	user := pool.AccessToken(cognitotest.WithUsername("bo"), cognitotest.WithGroups("staff"))

	for _, tc := range []struct {
		method, path, token string
		status              int
		body                string
	}{
		{"GET", "/healthz", "", http.StatusOK, "ok"},
		{"GET", "/api/me", "", http.StatusUnauthorized, ""},
		{"GET", "/api/me", user, http.StatusOK, `"username":"bo"`},
		{"GET", "/api/orders/17", user, http.StatusOK, `"order":"17"`},
		{"GET", "/api/admin/users", user, http.StatusForbidden, "insufficient_scope"},
		{"GET", "/api/admin/users", admin, http.StatusOK, `"users"`},
		{"DELETE", "/api/admin/users/9", admin, http.StatusOK, `"deleted":"9"`},
		{"DELETE", "/api/admin/users/9", "", http.StatusUnauthorized, ""},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		assert.Equal(t, tc.status, rec.Code, "%s %s", tc.method, tc.path)
		assert.True(t, strings.Contains(rec.Body.String(), tc.body), "%s %s: %s", tc.method, tc.path, rec.Body)
	}
}
