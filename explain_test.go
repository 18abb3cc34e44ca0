package cognitojwt_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// lastRejection serves token to h and returns the middleware's record of
// the rejection.
func lastRejection(t *testing.T, logs *bytes.Buffer, h http.Handler, token string) map[string]any {
	t.Helper()
	logs.Reset()
	w := serve(h, bearer(token))
	require.NotEqual(t, http.StatusOK, w.Code)
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == "cognitojwt: request rejected" {
			return rec
		}
	}
	t.Fatalf("no rejection logged: %s", logs)
	return nil
}

func debugLogger(buf *bytes.Buffer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level}))
}

func TestDebugLogNamesExpectedAndActual(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))(&probe{})

	rec := lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other1")))
	require.Equal(t, "wrong_issuer", rec["kind"])
	require.Equal(t, []any{f.v.Issuer()}, rec["expected_issuers"])
	require.Equal(t, "the Cognito user pool us-west-2_Other1", rec["issuer"])

	rec = lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClaim("iss", "https://idp.example.com/private-path")))
	require.Equal(t, "not a Cognito user pool's issuer", rec["issuer"])
	require.NotContains(t, logs.String(), "private-path")

	rec = lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClientID("other-client")))
	require.Equal(t, "wrong_client", rec["kind"])
	require.Equal(t, []any{testClient}, rec["expected_clients"])
	require.Equal(t, "not a Cognito app client ID", rec["client"])
	require.NotContains(t, logs.String(), "other-client", "a client id is a claim value")

	rec = lastRejection(t, &logs, h, f.iss.IDToken())
	require.Equal(t, "wrong_token_use", rec["kind"])
	require.Equal(t, "access", rec["expected_token_use"])
	require.Equal(t, "id", rec["token_use"])

	// Above debug level the record stays as it was.
	h = cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelInfo)))(&probe{})
	rec = lastRejection(t, &logs, h, f.iss.IDToken())
	require.NotContains(t, rec, "expected_token_use")
	require.NotContains(t, rec, "token_use")
}

// TestDebugLogNamesACognitoShapedClient: the actual client is named when
// it has the shape of a Cognito app client ID (ClientIdType in the
// Cognito API: 1 to 128 of letters, digits, "_" and "+"), the value an
// operator compares with Config.ClientIDs; any other value is not logged.
func TestDebugLogNamesACognitoShapedClient(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))(&probe{})
	for _, tt := range []struct {
		client string
		named  bool
	}{
		{"4mrv1ug2hf0kb1bvm7bdsqy0it", true},
		{"Mixed_Case+Plus09", true},
		{"a", true},
		{strings.Repeat("b", 128), true},
		{strings.Repeat("b", 129), false},
		{"client-with-dashes", false},
		{"client.with.dots", false},
		{"client with spaces", false},
		{"clientwithaccént", false},
		{"client/path", false},
	} {
		t.Run(tt.client, func(t *testing.T) {
			rec := lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClientID(tt.client)))
			require.Equal(t, "wrong_client", rec["kind"])
			if tt.named {
				require.Equal(t, tt.client, rec["client"])
				return
			}
			require.Equal(t, "not a Cognito app client ID", rec["client"])
			require.NotContains(t, logs.String(), tt.client)
		})
	}
}

func TestDebugLogSaysWhyAPolicyRefused(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.AnyToken })
	mw := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))
	adults := mw(cognitojwt.Authorize(cognitojwt.AllOf(cognitojwt.InAnyGroup("staff"), cognitojwt.AgeAtLeast(18)))(&probe{}))
	tenant := mw(cognitojwt.RequireClaim("custom:tenant_id", "acme")(&probe{}))
	admins := mw(cognitojwt.RequireAnyGroup("admin")(&probe{}))
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

func TestIDTokenRefusalsSayToken(t *testing.T) {
	f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	h := cognitojwt.Middleware(f.v)(&probe{})
	w := serve(h, bearer(f.iss.IDToken(cognitotest.WithLifetime(-time.Hour))))
	requireResponse(t, invalidToken("The token expired."), w)
	w = serve(h, bearer("not-a-jwt"))
	requireResponse(t, invalidToken("The token is malformed."), w)

	// Access-token verifiers keep their wording.
	a := newFixture(t, nil)
	w = serve(cognitojwt.Middleware(a.v)(&probe{}), bearer(a.iss.AccessToken(cognitotest.WithLifetime(-time.Hour))))
	requireResponse(t, invalidToken("The access token expired."), w)
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
	mux.Handle("GET /tenants/{tenant}/orders", cognitojwt.Authorize(cognitojwt.PathValueIsClaim("tenant", "custom:tenant_id"))(&probe{}))
	mux.Handle("GET /own", cognitojwt.Authorize(func(*http.Request, *cognitojwt.Claims) bool { return false })(&probe{}))
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

// TestEveryTokenTextSaysTokenForIDTokens: no fixed text calls an ID
// token an access token, on a route of ID tokens or of either kind.
func TestEveryTokenTextSaysTokenForIDTokens(t *testing.T) {
	for _, use := range []cognitojwt.TokenUse{cognitojwt.IDToken, cognitojwt.AnyToken} {
		t.Run(string(use), func(t *testing.T) {
			f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = use })
			h := cognitojwt.Middleware(f.v)(&probe{})
			future := f.clk.Now().Add(time.Hour)
			for _, tt := range []struct {
				token string
				want  string
			}{
				{f.iss.IDToken(cognitotest.WithLifetime(-time.Hour)), "The token expired."},
				{f.iss.IDToken(cognitotest.WithIssuedAt(future), cognitotest.WithExpiresAt(future.Add(time.Hour))), "The token is not yet valid."},
				{"not-a-jwt", "The token is malformed."},
			} {
				requireResponse(t, invalidToken(tt.want), serve(h, bearer(tt.token)))
			}

			revoked := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = use; c.Revocations = revokeAll{} })
			w := serve(cognitojwt.Middleware(revoked.v)(&probe{}), bearer(revoked.iss.IDToken()))
			requireResponse(t, invalidToken("The token has been revoked."), w)
		})
	}
}

func TestNewWithANonCognitoPoolIDSaysToSetIssuer(t *testing.T) {
	_, err := cognitojwt.New(cognitojwt.Config{UserPoolID: "local_Dev", ClientIDs: []string{"c"}})
	requireKind(t, cognitojwt.ErrInvalidConfig, err)
	require.Contains(t, err.Error(), "set Config.Issuer")
}
