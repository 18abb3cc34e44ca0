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
	"github.com/cognitojwt/cognitojwt/authz"
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
	handler := cognitojwt.MiddlewareFor(auth)(authz.RequireAnyGroup("admin")(mux))

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
