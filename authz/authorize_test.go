package authz_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

const cyrillicAdmin = "\u0430dmin" // "а" is U+0430, not ASCII "a"

func TestPolicies(t *testing.T) {
	f := newFixture(t, nil)
	groups := func(g ...string) cognitotest.TokenOption { return cognitotest.WithGroups(g...) }
	scopes := func(s ...string) cognitotest.TokenOption { return cognitotest.WithScopes(s...) }
	attr := func(name, value string) cognitotest.TokenOption {
		return cognitotest.WithPreTokenGenerationClaim("custom:"+name, value)
	}
	claim := cognitotest.WithClaim
	allow := func(*cognitojwt.Claims) bool { return true }
	deny := func(*cognitojwt.Claims) bool { return false }
	years := func(n, days int) cognitotest.TokenOption {
		return claim("birthdate", time.Now().AddDate(-n, 0, days).Format(time.DateOnly))
	}

	tests := []struct {
		name   string
		policy authz.Policy
		opts   []cognitotest.TokenOption
		want   bool
	}{
		{"InGroup member", authz.InAnyGroup("admin"), []cognitotest.TokenOption{groups("users", "admin")}, true},
		{"InGroup any of several", authz.InAnyGroup("ops", "admin"), []cognitotest.TokenOption{groups("admin")}, true},
		{"InGroup no list", authz.InAnyGroup(), []cognitotest.TokenOption{groups("admin")}, false},
		{"InGroup empty name", authz.InAnyGroup(""), []cognitotest.TokenOption{groups("admin")}, false},
		{"InGroup no groups claim", authz.InAnyGroup("admin"), nil, false},
		{"InGroup case differs", authz.InAnyGroup("admin"), []cognitotest.TokenOption{groups("Admin")}, false},
		{"InGroup trailing space", authz.InAnyGroup("admin"), []cognitotest.TokenOption{groups("admin ")}, false},
		{"InGroup Cyrillic lookalike", authz.InAnyGroup("admin"), []cognitotest.TokenOption{groups(cyrillicAdmin)}, false},
		{"InGroup NUL suffix", authz.InAnyGroup("admin"), []cognitotest.TokenOption{groups("admin\x00")}, false},
		{"InGroup prefix", authz.InAnyGroup("admin"), []cognitotest.TokenOption{groups("administrators")}, false},
		{"InAllGroups all", authz.InAllGroups("a", "b"), []cognitotest.TokenOption{groups("b", "c", "a")}, true},
		{"InAllGroups some", authz.InAllGroups("a", "b"), []cognitotest.TokenOption{groups("a")}, false},
		{"InAllGroups no list", authz.InAllGroups(), []cognitotest.TokenOption{groups("a")}, false},
		{"HasScope present", authz.HasAllScopes("orders/read"), []cognitotest.TokenOption{scopes("orders/read", "orders/write")}, true},
		{"HasScope needs all", authz.HasAllScopes("orders/read", "orders/delete"), []cognitotest.TokenOption{scopes("orders/read", "orders/write")}, false},
		{"HasScope all present", authz.HasAllScopes("orders/read", "orders/write"), []cognitotest.TokenOption{scopes("orders/write", "orders/read")}, true},
		{"HasScope no list", authz.HasAllScopes(), []cognitotest.TokenOption{scopes("orders/read")}, false},
		{"HasScope case differs", authz.HasAllScopes("orders/read"), []cognitotest.TokenOption{scopes("Orders/read")}, false},
		{"HasScope tab is no separator", authz.HasAllScopes("orders/read"), []cognitotest.TokenOption{claim("scope", "orders/read\torders/write")}, false},
		{"HasScope substring", authz.HasAllScopes("orders"), []cognitotest.TokenOption{scopes("orders/read")}, false},
		{"ClaimIn custom attribute", authz.ClaimIn("custom:tenant", "acme", "globex"), []cognitotest.TokenOption{attr("tenant", "globex")}, true},
		{"ClaimIn needs the exact name", authz.ClaimIn("tenant", "acme"), []cognitotest.TokenOption{attr("tenant", "acme")}, false},
		{"ClaimIn case differs", authz.ClaimIn("custom:tenant", "acme"), []cognitotest.TokenOption{attr("tenant", "ACME")}, false},
		{"ClaimIn trailing space", authz.ClaimIn("custom:tenant", "acme"), []cognitotest.TokenOption{attr("tenant", "acme ")}, false},
		{"ClaimIn Cyrillic lookalike", authz.ClaimIn("custom:role", "admin"), []cognitotest.TokenOption{attr("role", cyrillicAdmin)}, false},
		{"ClaimIn NUL suffix", authz.ClaimIn("custom:role", "admin"), []cognitotest.TokenOption{attr("role", "admin\x00")}, false},
		{"ClaimIn escaped value matches decoded", authz.ClaimIn("custom:role", "admin"), []cognitotest.TokenOption{attr("role", "admin")}, true},
		{"ClaimIn presence only", authz.ClaimIn("custom:tenant"), []cognitotest.TokenOption{attr("tenant", "acme")}, true},
		{"ClaimIn presence of empty string", authz.ClaimIn("custom:tenant"), []cognitotest.TokenOption{attr("tenant", "")}, false},
		{"ClaimIn empty value listed", authz.ClaimIn("custom:tenant", ""), []cognitotest.TokenOption{attr("tenant", "")}, false},
		{"ClaimIn missing claim", authz.ClaimIn("custom:tenant", "acme"), nil, false},
		{"ClaimIn no name", authz.ClaimIn("", "acme"), []cognitotest.TokenOption{claim("", "acme")}, false},
		{"ClaimIn array contains", authz.ClaimIn("cognito:groups", "admin"), []cognitotest.TokenOption{groups("users", "admin")}, true},
		{"ClaimIn empty array", authz.ClaimIn("cognito:groups"), []cognitotest.TokenOption{claim("cognito:groups", []string{})}, false},
		{"ClaimIn mixed array", authz.ClaimIn("roles", "admin"), []cognitotest.TokenOption{claim("roles", []any{"admin", 1})}, false},
		{"ClaimIn number", authz.ClaimIn("level", "3"), []cognitotest.TokenOption{claim("level", 3)}, false},
		{"ClaimIn boolean", authz.ClaimIn("admin", "true"), []cognitotest.TokenOption{claim("admin", true)}, false},
		{"ClaimIn object", authz.ClaimIn("org"), []cognitotest.TokenOption{claim("org", map[string]any{"id": "acme"})}, false},
		{"AllOf all allow", authz.AllOf(allow, allow), nil, true},
		{"AllOf one denies", authz.AllOf(allow, deny), nil, false},
		{"AllOf nil policy", authz.AllOf(allow, nil), nil, false},
		{"AllOf empty", authz.AllOf[authz.Policy](), nil, false},
		{"AnyOf one allows", authz.AnyOf(deny, allow), nil, true},
		{"AnyOf none allows", authz.AnyOf(deny, deny), nil, false},
		{"AnyOf skips nil", authz.AnyOf(nil, allow), nil, true},
		{"AnyOf only nil", authz.AnyOf[authz.Policy](nil), nil, false},
		{"AnyOf empty", authz.AnyOf[authz.Policy](), nil, false},
		{"composed", authz.AllOf(authz.InAnyGroup("admin"), authz.AnyOf(authz.HasAllScopes("x"), authz.ClaimIn("custom:tenant", "acme"))),
			[]cognitotest.TokenOption{groups("admin"), attr("tenant", "acme")}, true},
		{"AgeAtLeast old enough", authz.AgeAtLeast(18), []cognitotest.TokenOption{years(18, -2)}, true},
		{"AgeAtLeast days short", authz.AgeAtLeast(18), []cognitotest.TokenOption{years(18, 2)}, false},
		{"AgeAtLeast no birthdate", authz.AgeAtLeast(0), nil, false},
		{"AgeAtLeast yearless birthdate", authz.AgeAtLeast(0), []cognitotest.TokenOption{claim("birthdate", "0000-01-01")}, false},
		{"AgeAtLeast future birthdate", authz.AgeAtLeast(0), []cognitotest.TokenOption{years(0, 2)}, false},
		{"AgeAtLeast birthdate not a string", authz.AgeAtLeast(0), []cognitotest.TokenOption{claim("birthdate", 19900101)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsOf(t, f, tt.opts...)
			require.Equal(t, tt.want, tt.policy(c))
		})
	}

	t.Run("nil claims are denied", func(t *testing.T) {
		for _, p := range []authz.Policy{
			authz.InAnyGroup("a"), authz.InAllGroups("a"), authz.HasAllScopes("a"),
			authz.ClaimIn("a"), authz.AgeAtLeast(0),
		} {
			require.False(t, p(nil))
		}
	})

	t.Run("policies keep their own copy of the lists", func(t *testing.T) {
		names := []string{"admin"}
		p := authz.InAnyGroup(names...)
		names[0] = "users"
		require.True(t, p(claimsOf(t, f, groups("admin"))))
		require.False(t, p(claimsOf(t, f, groups("users"))))
	})
}

func TestAuthorizeThroughMiddleware(t *testing.T) {
	f := newFixture(t, nil)
	member := f.iss.AccessToken(cognitotest.WithGroups("admin"), cognitotest.WithScopes("orders/read", "orders/write"),
		cognitotest.WithPreTokenGenerationClaim("custom:tenant", "acme"))
	outsider := f.iss.AccessToken(cognitotest.WithGroups("users"), cognitotest.WithScopes("orders/read"),
		cognitotest.WithPreTokenGenerationClaim("custom:tenant", "globex"))
	tests := []struct {
		name            string
		guard           func(http.Handler) http.Handler
		memberAllowed   bool
		outsiderAllowed bool
		scope           string // the challenge's scope attribute, if any
		refusal         wantResponse
	}{
		{"Authorize", authz.Authorize(authz.ClaimIn("custom:tenant", "acme")), true, false, "", wantForbidden},
		{"Authorize nil policy", authz.Authorize(authz.Policy(nil)), false, false, "", wantForbidden},
		{"RequireAnyGroup", authz.RequireAnyGroup("ops", "admin"), true, false, "", wantNotInGroup},
		{"RequireAnyGroup without groups", authz.RequireAnyGroup(), false, false, "", wantNotInGroup},
		{"RequireAllScopes", authz.RequireAllScopes("orders/write"), true, false, "orders/write", wantMissingScope},
		{"RequireAllScopes names every scope", authz.RequireAllScopes("orders/write", "admin:all"), false, false, "orders/write admin:all", wantMissingScope},
		{"RequireAllScopes without scopes", authz.RequireAllScopes(), false, false, "", wantMissingScope},
		{"RequireAllScopes strips what cannot be quoted", authz.RequireAllScopes(`x"y\z`), false, false, "xyz", wantMissingScope},
		{"RequireClaim", authz.RequireClaim("custom:tenant", "acme"), true, false, "", wantMissingClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withScope := func(w wantResponse) wantResponse {
				if tt.scope != "" && w.status != http.StatusOK {
					w.challenge += `, scope="` + tt.scope + `"`
				}
				return w
			}
			answer := func(allowed bool) wantResponse {
				if allowed {
					return wantOK
				}
				return withScope(tt.refusal)
			}
			for _, c := range []struct {
				token string
				want  wantResponse
			}{{member, answer(tt.memberAllowed)}, {outsider, answer(tt.outsiderAllowed)}} {
				var p probe
				w := serve(cognitojwt.Middleware(f.v)(tt.guard(&p)), bearer(c.token))
				requireResponse(t, c.want, w)
				require.Equal(t, c.want.status == http.StatusOK, p.ran)
			}

			var p probe
			w := serve(cognitojwt.Middleware(f.v, cognitojwt.WithCredentialsOptional())(tt.guard(&p)),
				httptest.NewRequest(http.MethodGet, "/orders", nil))
			requireResponse(t, withScope(wantNoCredentials), w)
			require.False(t, p.ran, "a guard needs claims even where credentials are optional")
		})
	}

	t.Run("realm of the middleware", func(t *testing.T) {
		var p probe
		w := serve(cognitojwt.Middleware(f.v, cognitojwt.WithRealm("orders"))(authz.RequireAnyGroup("ops")(&p)), bearer(member))
		require.Equal(t, http.StatusForbidden, w.Code)
		require.Equal(t, `Bearer realm="orders", error="insufficient_scope", error_description="The token's user is not in a group this resource requires."`,
			w.Header().Get("WWW-Authenticate"))
	})

	t.Run("claims placed by ContextWithAuthentication", func(t *testing.T) {
		c := claimsOf(t, f, cognitotest.WithGroups("admin"))
		for _, tc := range []struct {
			group string
			want  wantResponse
		}{{"admin", wantOK}, {"ops", wantNotInGroup}} {
			var p probe
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r = r.WithContext(cognitojwt.ContextWithAuthentication(r.Context(), cognitojwt.Authentication{Claims: c}))
			w := serve(authz.RequireAnyGroup(tc.group)(&p), r)
			requireResponse(t, tc.want, w)
			require.Equal(t, tc.want.status == http.StatusOK, p.ran)
			if p.ran {
				require.Same(t, c, p.claims)
			}
		}
	})
}

// A guard without Middleware in front of it is a wiring mistake no client
// can fix: 500, and a log record that names the guard and the remedy.
func TestGuardWithoutMiddlewareIsAServerError(t *testing.T) {
	f := newFixture(t, nil)
	token := f.iss.AccessToken(cognitotest.WithGroups("admin"), cognitotest.WithScopes("orders/read"))
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	for _, tc := range []struct {
		guard string
		wrap  func(http.Handler) http.Handler
	}{
		{"Authorize", authz.Authorize(authz.InAnyGroup("admin"))},
		{"RequireAnyGroup", authz.RequireAnyGroup("admin")},
		{"RequireAllScopes", authz.RequireAllScopes("orders/read")},
		{"RequireClaim", authz.RequireClaim("token_use", "access")},
	} {
		t.Run(tc.guard, func(t *testing.T) {
			logs.Reset()
			var p probe
			w := serve(tc.wrap(&p), bearer(token))
			requireResponse(t, wantMisconfigured, w)
			require.False(t, p.ran)
			require.Contains(t, logs.String(), "level=ERROR")
			require.Contains(t, logs.String(), tc.guard+" ran without cognitojwt.Middleware")
			require.NotContains(t, logs.String(), strings.Split(token, ".")[1])
		})
	}
}

func TestClaimsFromContextWithoutMiddleware(t *testing.T) {
	c, ok := cognitojwt.ClaimsFromContext(context.Background())
	require.False(t, ok)
	require.Nil(t, c)
	c, ok = cognitojwt.ClaimsFromContext(cognitojwt.ContextWithAuthentication(context.Background(), cognitojwt.Authentication{}))
	require.False(t, ok)
	require.Nil(t, c)
}
