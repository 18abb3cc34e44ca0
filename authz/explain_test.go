package authz_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// lastRejection serves token to h, which must refuse it, and returns the
// one record its middleware logged: that of the rejection.
func lastRejection(t *testing.T, logs *bytes.Buffer, h http.Handler, token string) map[string]any {
	t.Helper()
	logs.Reset()
	require.NotEqual(t, http.StatusOK, serve(h, bearer(token)).Code)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &rec), "one record: %s", logs)
	require.Equal(t, "cognitojwt: request rejected", rec["msg"])
	return rec
}

// debugLogger logs JSON records to buf from level up.
func debugLogger(buf *bytes.Buffer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level}))
}

func TestDebugLogSaysWhyAPolicyRefused(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.AnyToken })
	mw := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))
	adults := mw(authz.Authorize(authz.AllOf(authz.InAnyGroup("staff"), authz.AgeAtLeast(18)))(&probe{}))
	tenant := mw(authz.RequireClaim("custom:tenant_id", "acme")(&probe{}))
	admins := mw(authz.RequireAnyGroup("admin")(&probe{}))
	child := time.Now().AddDate(-10, 0, 0).Format(time.DateOnly)

	tests := []struct {
		name    string
		h       http.Handler
		token   string
		guard   string
		why     string
		hinted  bool
		without []string
	}{
		{"birthdate missing", adults, f.iss.IDToken(cognitotest.WithGroups("staff")),
			"Authorize", "AgeAtLeast: the birthdate claim is missing", false, nil},
		{"too young", adults, f.iss.IDToken(cognitotest.WithGroups("staff"), cognitotest.WithClaim("birthdate", child)),
			"Authorize", "AgeAtLeast: the user is younger than required", false, []string{child}},
		{"birthdate asked of an access token", adults, f.iss.AccessToken(cognitotest.WithGroups("staff")),
			"Authorize", "AgeAtLeast: the birthdate claim is missing", true, nil},
		{"custom attribute asked of an access token", tenant, f.iss.AccessToken(),
			"RequireClaim", "ClaimIn: the token has no custom:tenant_id claim", true, nil},
		{"custom attribute of another value", tenant, f.iss.IDToken(cognitotest.WithAttribute("tenant_id", "globex")),
			"RequireClaim", "ClaimIn: the custom:tenant_id claim holds none of the allowed values", false, []string{"globex"}},
		{"not in the group", admins, f.iss.AccessToken(cognitotest.WithGroups("staff-secret")),
			"RequireAnyGroup", "InAnyGroup: the user is in none of the groups", false, []string{"staff-secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := lastRejection(t, &logs, tt.h, tt.token)
			require.Equal(t, "insufficient_scope", rec["kind"])
			require.Equal(t, tt.guard, rec["guard"])
			require.Contains(t, rec["why"], tt.why)
			hint, hinted := rec["hint"].(string)
			require.Equal(t, tt.hinted, hinted, "hint %q", hint)
			if hinted {
				require.Contains(t, hint, "Cognito puts it in ID tokens only")
			}
			for _, s := range tt.without {
				require.NotContains(t, logs.String(), s)
			}
		})
	}
}

// TestDebugLogSaysWhyARequestPolicyRefused: a request policy's refusal
// is explained as a claims policy's is, with the hint for an access token
// refused over an ID-token claim; a policy of the caller's own is named
// as such, and the values compared never reach the log.
func TestDebugLogSaysWhyARequestPolicyRefused(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.AnyToken })
	mw := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))
	mux := http.NewServeMux()
	mux.Handle("GET /tenants/{tenant}/orders", authz.Authorize(authz.PathValueIsClaim("tenant", "custom:tenant_id"))(&probe{}))
	mux.Handle("GET /own", authz.Authorize(func(*http.Request, *cognitojwt.Claims) bool { return false })(&probe{}))
	h := mw(mux)
	rejection := func(path, token string) map[string]any {
		t.Helper()
		logs.Reset()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		require.Equal(t, http.StatusForbidden, serve(h, r).Code)
		var rec map[string]any
		require.NoError(t, json.Unmarshal(logs.Bytes(), &rec))
		require.Equal(t, "insufficient_scope", rec["kind"])
		require.Equal(t, "Authorize", rec["guard"])
		return rec
	}

	rec := rejection("/tenants/acme-tenant/orders", f.iss.IDToken(cognitotest.WithAttribute("tenant_id", "globex-tenant")))
	require.Equal(t, "PathValueIsClaim: the path's {tenant} is not the token's custom:tenant_id", rec["why"])
	require.NotContains(t, rec, "hint")
	require.NotContains(t, logs.String(), "globex-tenant")

	rec = rejection("/tenants/acme-tenant/orders", f.iss.AccessToken())
	require.Equal(t, "PathValueIsClaim: the custom:tenant_id claim is missing or not a string", rec["why"])
	require.Contains(t, rec["hint"], "access tokens carry no custom:tenant_id")

	rec = rejection("/own", f.iss.AccessToken())
	require.Equal(t, "a policy of the caller's own refused", rec["why"])
	require.NotContains(t, rec, "hint")
}
