package cognitojwt_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func ExampleNew() {
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: "eu-west-1_AbC123",
		ClientIDs:  []string{"1example23456789"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// No network I/O yet: the JWKS is fetched on first use, or by Warm.
	fmt.Println(v.Issuer())

	_, err = cognitojwt.New(cognitojwt.Config{UserPoolID: "AbC123", ClientIDs: []string{"x"}})
	fmt.Println(errors.Is(err, cognitojwt.ErrInvalidConfig))
	// Output:
	// https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123
	// true
}

func ExampleNew_localIssuer() {
	// A local stand-in for the user pool, such as "cognitojwt dev-issuer"
	// or cognitotest, is trusted through Issuer; its JWKS URL follows.
	v, err := cognitojwt.New(cognitojwt.Config{
		Issuer:    "http://127.0.0.1:9229/local_Dev",
		ClientIDs: []string{"local-client"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Issuer())
	// Output:
	// http://127.0.0.1:9229/local_Dev
}

func ExampleVerifier_Verify() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	token := pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithUsername("alice"),
		cognitotest.WithGroups("admin"), cognitotest.WithScopes("orders/read"))
	claims, err := v.Verify(ctx, token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.TokenUse, claims.Username, claims.Groups, claims.Scopes)

	_, err = v.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithLifetime(-time.Minute)))
	fmt.Println(errors.Is(err, cognitojwt.ErrExpired))

	_, err = v.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("another-client")))
	fmt.Println(cognitojwt.ErrorCode(err))
	// Output:
	// access alice [admin] [orders/read]
	// true
	// wrong_client
}

func ExampleVerifier_VerifyInto() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// A request's state that the caller allocates (or pools) anyway holds
	// the claims too: verifying into it costs no allocation of its own
	// when the token is in the cache.
	type requestState struct {
		claims cognitojwt.Claims
		// ... the rest of the request's state
	}
	st := new(requestState)
	token := pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithUsername("alice"))
	for range 2 { // the second time from the cache
		if err := v.VerifyInto(ctx, token, &st.claims); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(st.claims.Username)

	// A refused token leaves nothing behind.
	err = v.VerifyInto(ctx, pool.AccessToken(cognitotest.WithClientID("another-client")), &st.claims)
	fmt.Println(cognitojwt.ErrorCode(err), st.claims.Username == "")
	// Output:
	// alice
	// wrong_client true
}

func ExampleVerifier_Verify_idToken() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config("my-client")
	cfg.TokenUse = cognitojwt.IDToken // ID tokens carry the client in aud
	v, err := cognitojwt.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	claims, err := v.Verify(context.Background(), pool.IDToken(cognitotest.WithClientID("my-client"),
		cognitotest.WithUsername("bob"), cognitotest.WithEmail("bob@example.com"),
		cognitotest.WithAttribute("tenant_id", "acme")))
	if err != nil {
		log.Fatal(err)
	}
	tenant, _ := claims.Attribute("tenant_id") // reads custom:tenant_id
	fmt.Println(claims.Username, claims.Email, claims.EmailVerified, tenant)
	// Output:
	// bob bob@example.com true acme
}

func ExampleMiddleware() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		claims, _ := cognitojwt.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Username)
	})
	handler := cognitojwt.Middleware(v)(mux)

	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithUsername("alice")))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())

	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/me", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))

	req = httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithLifetime(-time.Hour)))
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 200 hello alice
	// 401 Bearer realm="api"
	// 401 Bearer realm="api", error="invalid_token", error_description="The access token expired."
}

func ExampleHooks() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config("my-client")
	// Count and time with any metrics package; see examples/prometheus and
	// examples/otel in the repository.
	cfg.Hooks = cognitojwt.Hooks{
		OnVerify: func(o cognitojwt.VerifyOutcome) {
			fmt.Printf("verify: kind=%q cache_hit=%v\n", cognitojwt.ErrorCode(o.Err), o.CacheHit)
		},
		OnJWKSFetch: func(f cognitojwt.JWKSFetch) {
			fmt.Printf("jwks fetch: status=%d keys=%d err=%v\n", f.Status, f.Keys, f.Err)
		},
	}
	v, err := cognitojwt.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	token := pool.AccessToken(cognitotest.WithClientID("my-client"))
	_, _ = v.Verify(ctx, token)
	_, _ = v.Verify(ctx, token)
	_, _ = v.Verify(ctx, pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithLifetime(-time.Hour)))
	// Output:
	// jwks fetch: status=200 keys=1 err=<nil>
	// verify: kind="" cache_hit=false
	// verify: kind="" cache_hit=true
	// verify: kind="expired" cache_hit=false
}

func ExampleErrorStatus() {
	for _, err := range []error{
		cognitojwt.ErrNoToken,
		cognitojwt.ErrInvalidRequest,
		cognitojwt.ErrExpired,
		cognitojwt.ErrInsufficientScope,
		cognitojwt.ErrKeysUnavailable,
	} {
		status, code, _ := cognitojwt.ErrorStatus(err)
		fmt.Printf("%d %q\n", status, code)
	}
	// Output:
	// 401 ""
	// 400 "invalid_request"
	// 401 "invalid_token"
	// 403 "insufficient_scope"
	// 503 "temporarily_unavailable"
}

func ExampleInAnyGroup() {
	staff := cognitojwt.InAnyGroup("admin", "support")
	fmt.Println(staff(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("support")}))
	fmt.Println(staff(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("customers")}))
	fmt.Println(cognitojwt.InAnyGroup()(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("admin")})) // no groups, no one
	// Output:
	// true
	// false
	// false
}

func ExampleInAllGroups() {
	both := cognitojwt.InAllGroups("finance", "approvers")
	fmt.Println(both(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("approvers", "finance")}))
	fmt.Println(both(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("finance")}))
	// Output:
	// true
	// false
}

func ExampleHasAllScopes() {
	canWrite := cognitojwt.HasAllScopes("orders/read", "orders/write")
	fmt.Println(canWrite(&cognitojwt.Claims{Scopes: cognitojwt.NamesOf("orders/read", "orders/write")}))
	fmt.Println(canWrite(&cognitojwt.Claims{Scopes: cognitojwt.NamesOf("orders/read")}))
	// Output:
	// true
	// false
}

func ExampleClaimIn() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(context.Background(), pool.AccessToken(cognitotest.WithClientID("my-client"),
		cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme")))
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(cognitojwt.ClaimIn("custom:tenant_id", "acme", "globex")(claims))
	fmt.Println(cognitojwt.ClaimIn("custom:tenant_id", "initech")(claims))
	fmt.Println(cognitojwt.ClaimIn("custom:tenant_id")(claims)) // present and non-empty
	fmt.Println(cognitojwt.ClaimIn("custom:region")(claims))
	// Output:
	// true
	// false
	// true
	// false
}

func ExampleAgeAtLeast() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	thirtyYearsAgo := time.Now().AddDate(-30, 0, 0).Format(time.DateOnly)
	claims, err := v.Verify(context.Background(), pool.AccessToken(cognitotest.WithClientID("my-client"),
		cognitotest.WithClaim("birthdate", thirtyYearsAgo)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cognitojwt.AgeAtLeast(18)(claims))
	fmt.Println(cognitojwt.AgeAtLeast(31)(claims))
	// Output:
	// true
	// false
}

func ExampleAllOf() {
	editor := cognitojwt.AllOf(cognitojwt.InAnyGroup("editors"), cognitojwt.HasAllScopes("articles/write"))
	fmt.Println(editor(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("editors"), Scopes: cognitojwt.NamesOf("articles/write")}))
	fmt.Println(editor(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("editors")}))
	// Output:
	// true
	// false
}

func ExampleAnyOf() {
	reader := cognitojwt.AnyOf(cognitojwt.InAnyGroup("admin"), cognitojwt.HasAllScopes("reports/read"))
	fmt.Println(reader(&cognitojwt.Claims{Groups: cognitojwt.NamesOf("admin")}))
	fmt.Println(reader(&cognitojwt.Claims{Scopes: cognitojwt.NamesOf("reports/read")}))
	fmt.Println(reader(&cognitojwt.Claims{}))
	// Output:
	// true
	// true
	// false
}

func ExampleAuthorize() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	// Admins, or members of tenant acme with the reports scope.
	canReadReports := cognitojwt.AnyOf(
		cognitojwt.InAnyGroup("admin"),
		cognitojwt.AllOf(cognitojwt.HasAllScopes("reports/read"), cognitojwt.ClaimIn("custom:tenant_id", "acme")),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /reports", cognitojwt.Authorize(canReadReports)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "reports")
	})))
	handler := cognitojwt.Middleware(v)(mux)

	for _, token := range []string{
		pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithGroups("admin")),
		pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithScopes("reports/read"), cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme")),
		pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithScopes("reports/read"), cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "globex")),
	} {
		req := httptest.NewRequest("GET", "/reports", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 200
	// 403
}

func ExampleRequireAnyGroup() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("DELETE /users/{id}", cognitojwt.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	handler := cognitojwt.Middleware(v)(mux)

	for _, groups := range [][]string{{"admin"}, {"staff"}} {
		req := httptest.NewRequest("DELETE", "/users/7", nil)
		req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithGroups(groups...)))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(groups, rec.Code)
	}
	// Output:
	// [admin] 204
	// [staff] 403
}

func ExampleRequireAllScopes() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("POST /orders", cognitojwt.RequireAllScopes("orders/write")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})))
	handler := cognitojwt.Middleware(v)(mux)

	req := httptest.NewRequest("POST", "/orders", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithScopes("orders/read")))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 403
	// Bearer realm="api", error="insufficient_scope", error_description="The token lacks a scope this resource requires.", scope="orders/write"
}

func ExampleRequireClaim() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /eu/data", cognitojwt.RequireClaim("custom:region", "eu-west-1", "eu-central-1")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "data")
	})))
	handler := cognitojwt.Middleware(v)(mux)

	for _, region := range []string{"eu-central-1", "us-east-1"} {
		req := httptest.NewRequest("GET", "/eu/data", nil)
		req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithPreTokenGenerationClaim("custom:region", region)))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(region, rec.Code)
	}
	// Output:
	// eu-central-1 200
	// us-east-1 403
}

func ExampleContextWithAuthentication() {
	// Handlers behind Middleware can be tested without tokens at all.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := cognitojwt.ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no claims", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "orders of %s", claims.Username)
	})
	req := httptest.NewRequest("GET", "/orders", nil)
	req = req.WithContext(cognitojwt.ContextWithAuthentication(req.Context(), cognitojwt.Authentication{
		Claims: &cognitojwt.Claims{Username: "carol"},
	}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// orders of carol
}

// sessionAuth is an Authenticator over a session cookie: here a fixed
// table stands in for a session store.
type sessionAuth struct{ sessions map[string]*cognitojwt.Claims }

func (a sessionAuth) Authenticate(w http.ResponseWriter, r *http.Request) (cognitojwt.Authentication, error) {
	c, err := r.Cookie("session")
	if err != nil {
		// No credentials at all: WithCredentialsOptional would let the
		// request through.
		return cognitojwt.Authentication{}, cognitojwt.ErrNoToken
	}
	claims, ok := a.sessions[c.Value]
	if !ok {
		// An unknown or ended session.
		return cognitojwt.Authentication{}, cognitojwt.ErrExpired
	}
	return cognitojwt.Authentication{Claims: claims}, nil
}

func ExampleMiddlewareFor() {
	auth := sessionAuth{sessions: map[string]*cognitojwt.Claims{
		"s1": {Subject: "u1", Username: "alice", Groups: cognitojwt.NamesOf("admin")},
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		claims, _ := cognitojwt.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Username)
	})
	// The guards and error answers are the same as behind Middleware.
	handler := cognitojwt.MiddlewareFor(auth)(cognitojwt.RequireAnyGroup("admin")(mux))

	req := httptest.NewRequest("GET", "/admin", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "s1"})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())

	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/admin", nil))
	fmt.Println(rec.Code)
	// Output:
	// 200 hello alice
	// 401
}

func ExampleClaimsFromUserInfo() {
	// A UserInfo answer the handler fetched over TLS from the pool's
	// /oauth2/userInfo with the user's access token.
	info := `{"sub":"9f1c0b5e","username":"alice","email":"alice@example.com","email_verified":"true","custom:tenant_id":"acme"}`
	c, err := cognitojwt.ClaimsFromUserInfo(info)
	if err != nil {
		log.Fatal(err)
	}
	tenant, _ := c.Attribute("tenant_id")
	fmt.Println(c.Username, c.EmailVerified, tenant)
	// Output:
	// alice true acme
}

func ExampleAuthorize_requestPolicy() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}

	// Staff see every tenant; everyone else only the tenant their token
	// names.
	ownTenant := cognitojwt.AnyOf(
		cognitojwt.InAnyGroup("staff").ForRequest(),
		cognitojwt.PathValueIsClaim("tenant", "custom:tenant_id"),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /tenants/{tenant}/orders", cognitojwt.Authorize(ownTenant)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "orders of %s", r.PathValue("tenant"))
		})))
	handler := cognitojwt.Middleware(v)(mux)

	token := pool.AccessToken(cognitotest.WithClientID("my-client"),
		cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme"))
	for _, path := range []string{"/tenants/acme/orders", "/tenants/globex/orders"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 orders of acme
	// 403 {"error":"insufficient_scope","error_description":"The token does not grant access to this resource."}
}
