package authz_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// tenantAPI routes /tenants/{tenant}/orders and /users/{user}/profile
// behind Middleware, each guarded by the request policy given.
func tenantAPI(v cognitojwt.TokenVerifier, tenants, users authz.RequestPolicy) (http.Handler, *probe) {
	var p probe
	mux := http.NewServeMux()
	mux.Handle("GET /tenants/{tenant}/orders", authz.Authorize(tenants)(&p))
	mux.Handle("PUT /users/{user}/profile", authz.Authorize(users)(&p))
	mux.Handle("GET /plain", authz.Authorize(tenants)(&p))
	return cognitojwt.Middleware(v)(mux), &p
}

func TestAuthorizeRequestPolicyGrantsAndRefuses(t *testing.T) {
	f := newFixture(t, nil)
	ownTenant := authz.PathValueIsClaim("tenant", "custom:tenant_id")
	// Staff of any tenant, or a user of this one.
	tenants := authz.AnyOf(authz.InAnyGroup("staff").ForRequest(), ownTenant)
	users := authz.PathValueIsClaim("user", "sub")
	h, p := tenantAPI(f.v, tenants, users)

	acme := f.iss.AccessToken(cognitotest.WithSubject("u-1"), cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme"))
	staff := f.iss.AccessToken(cognitotest.WithSubject("u-2"), cognitotest.WithGroups("staff"))
	noTenant := f.iss.AccessToken(cognitotest.WithSubject("u-3"))
	listTenant := f.iss.AccessToken(cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", []string{"acme"}))
	emptyTenant := f.iss.AccessToken(cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", ""))

	tests := []struct {
		name, method, path, token string
		want                      wantResponse
	}{
		{"own tenant", "GET", "/tenants/acme/orders", acme, wantOK},
		{"another tenant", "GET", "/tenants/globex/orders", acme, wantForbidden},
		{"tenant differing in case only", "GET", "/tenants/ACME/orders", acme, wantForbidden},
		{"staff of any tenant", "GET", "/tenants/globex/orders", staff, wantOK},
		{"no tenant claim", "GET", "/tenants/acme/orders", noTenant, wantForbidden},
		{"tenant claim not a string", "GET", "/tenants/acme/orders", listTenant, wantForbidden},
		{"empty tenant claim", "GET", "/tenants/acme/orders", emptyTenant, wantForbidden},
		{"pattern without the wildcard", "GET", "/plain", acme, wantForbidden},
		{"own profile", "PUT", "/users/u-1/profile", acme, wantOK},
		{"another user's profile", "PUT", "/users/u-2/profile", acme, wantForbidden},
		{"no token", "GET", "/tenants/acme/orders", "", wantNoCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*p = probe{}
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			w := serve(h, r)
			requireResponse(t, tt.want, w)
			require.Equal(t, tt.want.status == http.StatusOK, p.ran)
			require.NotContains(t, w.Body.String(), "acme")
		})
	}
}

func TestRequestPoliciesDenyWhenGivenNothing(t *testing.T) {
	c := &cognitojwt.Claims{Subject: "u-1", Groups: cognitojwt.NamesOf("staff")}
	r := httptest.NewRequest("GET", "/users/u-1", nil)
	r.SetPathValue("user", "u-1")
	require.True(t, authz.PathValueIsClaim("user", "sub")(r, mustClaims(t, `{"sub":"u-1"}`)))

	for name, p := range map[string]authz.RequestPolicy{
		"AllOf()":                   authz.AllOf[authz.RequestPolicy](),
		"AnyOf()":                   authz.AnyOf[authz.RequestPolicy](),
		"AllOf(nil)":                authz.AllOf[authz.RequestPolicy](nil),
		"AnyOf(nil)":                authz.AnyOf[authz.RequestPolicy](nil),
		"nil Policy ForRequest":     authz.Policy(nil).ForRequest(),
		"PathValueIsClaim no name":  authz.PathValueIsClaim("", "sub"),
		"PathValueIsClaim no claim": authz.PathValueIsClaim("user", ""),
		"AllOf with a refusal":      authz.AllOf(authz.InAnyGroup("staff").ForRequest(), authz.InAnyGroup("admin").ForRequest()),
	} {
		require.False(t, p(r, c), name)
	}
	require.False(t, authz.PathValueIsClaim("user", "sub")(r, nil), "no claims")
	require.False(t, authz.PathValueIsClaim("user", "sub")(nil, c), "no request")
	require.True(t, authz.AllOf(authz.InAnyGroup("staff").ForRequest())(r, c))
	require.True(t, authz.AnyOf(nil, authz.InAnyGroup("staff").ForRequest())(r, c))
}

func mustClaims(t *testing.T, payload string) *cognitojwt.Claims {
	t.Helper()
	c, err := cognitojwt.ClaimsFromUserInfo(payload)
	require.NoError(t, err)
	return c
}

// Authorize with a RequestPolicy answers as the other guards do outside Middleware and
// on credentials-optional routes.
func TestAuthorizeRequestPolicyWiring(t *testing.T) {
	allow := authz.RequestPolicy(func(*http.Request, *cognitojwt.Claims) bool { return true })
	var p probe
	requireResponse(t, wantMisconfigured, serve(authz.Authorize(allow)(&p), httptest.NewRequest("GET", "/", nil)))
	require.False(t, p.ran)

	f := newFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithCredentialsOptional())(authz.Authorize(allow)(&p))
	requireResponse(t, wantNoCredentials, serve(h, httptest.NewRequest("GET", "/", nil)))
	require.False(t, p.ran)

	h = cognitojwt.Middleware(f.v)(authz.Authorize(authz.RequestPolicy(nil))(&p))
	requireResponse(t, wantForbidden, serve(h, bearer(f.iss.AccessToken())))
	require.False(t, p.ran)
}

// A caller's own named policy types, and plain func literals, are
// PolicyKind: AllOf and AnyOf return the caller's type, and Authorize
// guards with it, for both shapes.
type (
	ownPolicy        func(*cognitojwt.Claims) bool
	ownRequestPolicy func(*http.Request, *cognitojwt.Claims) bool
)

func TestPolicyKindTakesTheCallersOwnTypes(t *testing.T) {
	f := newFixture(t, nil)
	isAlice := ownPolicy(func(c *cognitojwt.Claims) bool { return c.Username == "alice" })
	isAdmin := ownPolicy(func(c *cognitojwt.Claims) bool { return c.InGroup("admin") })
	var both ownPolicy = authz.AllOf(isAlice, isAdmin)
	var either ownPolicy = authz.AnyOf(isAlice, isAdmin)
	onGET := ownRequestPolicy(func(r *http.Request, _ *cognitojwt.Claims) bool { return r.Method == http.MethodGet })
	var getAndAlice ownRequestPolicy = authz.AllOf(onGET, func(_ *http.Request, c *cognitojwt.Claims) bool { return c.Username == "alice" })

	var p probe
	mux := http.NewServeMux()
	mux.Handle("/both", authz.Authorize(both)(&p))
	mux.Handle("/either", authz.Authorize(either)(&p))
	mux.Handle("/literal", authz.Authorize(func(c *cognitojwt.Claims) bool { return c.Username == "alice" })(&p))
	mux.Handle("/request", authz.Authorize(getAndAlice)(&p))
	h := cognitojwt.Middleware(f.v)(mux)

	alice := f.iss.AccessToken(cognitotest.WithUsername("alice"))
	aliceAdmin := f.iss.AccessToken(cognitotest.WithUsername("alice"), cognitotest.WithGroups("admin"))
	bob := f.iss.AccessToken(cognitotest.WithUsername("bob"))
	tests := []struct {
		method, path, token string
		want                wantResponse
	}{
		{"GET", "/both", aliceAdmin, wantOK},
		{"GET", "/both", alice, wantForbidden},
		{"GET", "/either", alice, wantOK},
		{"GET", "/either", bob, wantForbidden},
		{"GET", "/literal", alice, wantOK},
		{"GET", "/literal", bob, wantForbidden},
		{"GET", "/request", alice, wantOK},
		{"POST", "/request", alice, wantForbidden},
		{"GET", "/request", bob, wantForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			p = probe{}
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.Header.Set("Authorization", "Bearer "+tt.token)
			w := serve(h, r)
			requireResponse(t, tt.want, w)
			require.Equal(t, tt.want.status == http.StatusOK, p.ran)
		})
	}
}

// A custom attribute, the claim a tenant's path is usually matched
// against, is read from the verified payload in place: neither policy
// copies the payload, so a guard over it adds no allocation to a request.
// Values, empty strings and arrays under a custom name keep their answers.
func TestCustomAttributePoliciesReadInPlace(t *testing.T) {
	c := mustClaims(t, `{"sub":"u-1","custom:tenant_id":"acme","custom:role":"owner","custom:empty":"","custom:list":["owner"]}`)
	r := httptest.NewRequest(http.MethodGet, "/tenants/acme/orders", nil)
	r.SetPathValue("tenant", "acme")
	own := authz.PathValueIsClaim("tenant", "custom:tenant_id")
	role := authz.ClaimIn("custom:role", "owner", "admin")
	require.True(t, own(r, c))
	require.True(t, role(c))
	require.Zero(t, testing.AllocsPerRun(100, func() {
		if !own(r, c) || !role(c) {
			t.Error("a policy changed its answer")
		}
	}))

	require.False(t, authz.ClaimIn("custom:role", "admin")(c), "a value not allowed")
	require.True(t, authz.ClaimIn("custom:role")(c), "any non-empty value")
	require.False(t, authz.ClaimIn("custom:empty")(c), "an empty string")
	require.False(t, authz.ClaimIn("custom:missing")(c), "a missing claim")
	require.True(t, authz.ClaimIn("custom:list", "owner")(c), "an array holding the value")
	require.False(t, authz.PathValueIsClaim("tenant", "custom:list")(r, c), "an array is not a string")
	r.SetPathValue("tenant", "globex")
	require.False(t, own(r, c), "another tenant's path")
}
