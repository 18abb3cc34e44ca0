package authz_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// behindMiddleware serves h behind cognitojwt.Middleware, verifying the
// access tokens of a local test pool for its client "my-client"; send
// makes a request with a token of that pool minted with opts, and stop
// closes the pool.
func behindMiddleware(h http.Handler) (send func(method, path string, opts ...cognitotest.TokenOption) *httptest.ResponseRecorder, stop func()) {
	var v *cognitojwt.Verifier
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err == nil {
		v, err = cognitojwt.New(pool.Config("my-client"))
	}
	if err != nil {
		log.Fatal(err)
	}
	protected := cognitojwt.Middleware(v)(h)
	send = func(method, path string, opts ...cognitotest.TokenOption) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		r.Header.Set("Authorization", "Bearer "+pool.AccessToken(append([]cognitotest.TokenOption{cognitotest.WithClientID("my-client")}, opts...)...))
		rec := httptest.NewRecorder()
		protected.ServeHTTP(rec, r)
		return rec
	}
	return send, pool.Close
}

func ExampleInAnyGroup() {
	staff := authz.InAnyGroup("admin", "support")
	fmt.Println(staff(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("support")}))
	fmt.Println(staff(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("customers")}))
	fmt.Println(authz.InAnyGroup()(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("admin")})) // no groups, no one
	// Output:
	// true
	// false
	// false
}

func ExampleInAllGroups() {
	both := authz.InAllGroups("finance", "approvers")
	fmt.Println(both(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("approvers", "finance")}))
	fmt.Println(both(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("finance")}))
	// Output:
	// true
	// false
}

func ExampleHasAllScopes() {
	canWrite := authz.HasAllScopes("orders/read", "orders/write")
	fmt.Println(canWrite(&cognitojwt.Claims{Scopes: cognitojwt.NamesOf("orders/read", "orders/write")}))
	fmt.Println(canWrite(&cognitojwt.Claims{Scopes: cognitojwt.NamesOf("orders/read")}))
	// Output:
	// true
	// false
}

func ExampleClaimIn() {
	// An ID token's claims, or an access token's with a pre token
	// generation trigger that adds the attribute.
	claims, err := cognitojwt.ClaimsFromUserInfo(`{"sub":"u-1","custom:tenant_id":"acme"}`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(authz.ClaimIn("custom:tenant_id", "acme", "globex")(claims))
	fmt.Println(authz.ClaimIn("custom:tenant_id", "initech")(claims))
	fmt.Println(authz.ClaimIn("custom:tenant_id")(claims)) // present and non-empty
	fmt.Println(authz.ClaimIn("custom:region")(claims))
	// Output:
	// true
	// false
	// true
	// false
}

func ExampleAgeAtLeast() {
	thirtyYearsAgo := time.Now().AddDate(-30, 0, 0).Format(time.DateOnly)
	claims, err := cognitojwt.ClaimsFromUserInfo(`{"sub":"u-1","birthdate":"` + thirtyYearsAgo + `"}`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(authz.AgeAtLeast(18)(claims))
	fmt.Println(authz.AgeAtLeast(31)(claims))
	// Output:
	// true
	// false
}

func ExampleAllOf() {
	editor := authz.AllOf(authz.InAnyGroup("editors"), authz.HasAllScopes("articles/write"))
	fmt.Println(editor(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("editors"), Scopes: cognitojwt.NamesOf("articles/write")}))
	fmt.Println(editor(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("editors")}))
	// Output:
	// true
	// false
}

func ExampleAnyOf() {
	reader := authz.AnyOf(authz.InAnyGroup("admin"), authz.HasAllScopes("reports/read"))
	fmt.Println(reader(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("admin")}))
	fmt.Println(reader(&cognitojwt.Claims{Scopes: cognitojwt.NamesOf("reports/read")}))
	fmt.Println(reader(&cognitojwt.Claims{}))
	// Output:
	// true
	// true
	// false
}

func ExampleAuthorize() {
	// Admins, or members of tenant acme with the reports scope.
	canReadReports := authz.AnyOf(
		authz.InAnyGroup("admin"),
		authz.AllOf(authz.HasAllScopes("reports/read"), authz.ClaimIn("custom:tenant_id", "acme")),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /reports", authz.Authorize(canReadReports)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "reports")
	})))
	send, stop := behindMiddleware(mux)
	defer stop()

	tenant := func(t string) cognitotest.TokenOption {
		return cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", t)
	}
	fmt.Println(send("GET", "/reports", cognitotest.WithGroups("admin")).Code)
	fmt.Println(send("GET", "/reports", cognitotest.WithScopes("reports/read"), tenant("acme")).Code)
	fmt.Println(send("GET", "/reports", cognitotest.WithScopes("reports/read"), tenant("globex")).Code)
	// Output:
	// 200
	// 200
	// 403
}

func ExampleRequireAnyGroup() {
	mux := http.NewServeMux()
	mux.Handle("DELETE /users/{id}", authz.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	send, stop := behindMiddleware(mux)
	defer stop()

	for _, groups := range [][]string{{"admin"}, {"staff"}} {
		fmt.Println(groups, send("DELETE", "/users/7", cognitotest.WithGroups(groups...)).Code)
	}
	// Output:
	// [admin] 204
	// [staff] 403
}

func ExampleRequireAllScopes() {
	created := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) })
	send, stop := behindMiddleware(authz.RequireAllScopes("orders/write")(created))
	defer stop()

	rec := send("POST", "/orders", cognitotest.WithScopes("orders/read"))
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 403
	// Bearer realm="api", error="insufficient_scope", error_description="The token lacks a scope this resource requires.", scope="orders/write"
}

func ExampleRequireClaim() {
	mux := http.NewServeMux()
	mux.Handle("GET /eu/data", authz.RequireClaim("custom:region", "eu-west-1", "eu-central-1")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "data")
	})))
	send, stop := behindMiddleware(mux)
	defer stop()

	for _, region := range []string{"eu-central-1", "us-east-1"} {
		fmt.Println(region, send("GET", "/eu/data", cognitotest.WithPreTokenGenerationClaim("custom:region", region)).Code)
	}
	// Output:
	// eu-central-1 200
	// us-east-1 403
}

func ExampleAuthorize_requestPolicy() {
	// Staff see every tenant; everyone else only the tenant their token
	// names.
	ownTenant := authz.AnyOf(
		authz.InAnyGroup("staff").ForRequest(),
		authz.PathValueIsClaim("tenant", "custom:tenant_id"),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /tenants/{tenant}/orders", authz.Authorize(ownTenant)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "orders of %s", r.PathValue("tenant"))
		})))
	send, stop := behindMiddleware(mux)
	defer stop()

	acme := cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme")
	for _, path := range []string{"/tenants/acme/orders", "/tenants/globex/orders"} {
		rec := send("GET", path, acme)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 orders of acme
	// 403 {"error":"insufficient_scope","error_description":"The token does not grant access to this resource."}
}

func ExamplePathValueIsClaim() {
	ownProfile := authz.PathValueIsClaim("user", "sub")
	claims, err := cognitojwt.ClaimsFromUserInfo(`{"sub":"u-1","username":"alice"}`)
	if err != nil {
		log.Fatal(err)
	}
	for _, user := range []string{"u-1", "u-2"} {
		// A ServeMux routing "PUT /users/{user}/profile" sets the path
		// value; the guard's policy reads it.
		r := httptest.NewRequest("PUT", "/users/"+user+"/profile", nil)
		r.SetPathValue("user", user)
		fmt.Println(user, ownProfile(r, claims))
	}
	// Output:
	// u-1 true
	// u-2 false
}

func ExamplePolicy_ForRequest() {
	reads := authz.RequestPolicy(func(r *http.Request, _ *cognitojwt.Claims) bool { return r.Method == http.MethodGet })
	// Anyone reads; admins also change.
	readsOrAdmin := authz.AnyOf(reads, authz.InAnyGroup("admin").ForRequest())

	admin := &cognitojwt.Claims{Groups: cognitojwt.NamesOf("admin")}
	user := &cognitojwt.Claims{Groups: cognitojwt.NamesOf("users")}
	get := httptest.NewRequest("GET", "/orders/7", nil)
	del := httptest.NewRequest("DELETE", "/orders/7", nil)
	fmt.Println(readsOrAdmin(get, user), readsOrAdmin(del, user), readsOrAdmin(del, admin))
	// Output: true false true
}

func ExamplePolicy() {
	// A policy of your own is a func over the claims; it composes with
	// those built here.
	verifiedEmail := authz.Policy(func(c *cognitojwt.Claims) bool { return c.EmailVerified })
	canInvite := authz.AllOf(verifiedEmail, authz.InAnyGroup("members"))

	fmt.Println(canInvite(&cognitojwt.Claims{EmailVerified: true, Groups: cognitojwt.NamesOf("members")}))
	fmt.Println(canInvite(&cognitojwt.Claims{EmailVerified: false, Groups: cognitojwt.NamesOf("members")}))
	// Output:
	// true
	// false
}
