package cognitojwt_test

// Examples of the middleware's options, one per With function.

import (
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// startPool starts a local pool and a verifier for its client "my-client".
func startPool() (*cognitotest.Issuer, *cognitojwt.Verifier) {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	return pool, v
}

func ExampleWithTokenSource() {
	pool, v := startPool()
	defer pool.Close()
	// A browser app that keeps the access token in a cookie of its own.
	protect := cognitojwt.Middleware(v, cognitojwt.WithTokenSource(cognitojwt.CookieToken("access_token")))
	handler := protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := cognitojwt.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Username)
	}))

	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "access_token", Value: pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithUsername("alice"))})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())

	// The Authorization header is not read any more.
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client")))
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 200 hello alice
	// 401
}

func ExampleWithCredentialsOptional() {
	pool, v := startPool()
	defer pool.Close()
	// A page for everyone that greets signed-in users by name.
	handler := cognitojwt.Middleware(v, cognitojwt.WithCredentialsOptional())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if claims, ok := cognitojwt.ClaimsFromContext(r.Context()); ok {
			fmt.Fprintf(w, "hello %s", claims.Username)
			return
		}
		fmt.Fprint(w, "hello stranger")
	}))
	for _, token := range []string{
		pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithUsername("alice")),
		"", // no token: let through without claims
		pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithLifetime(-time.Hour)), // a bad token is still refused
	} {
		req := httptest.NewRequest("GET", "/", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 hello alice
	// 200 hello stranger
	// 401 {"error":"invalid_token","error_description":"The access token expired."}
}

func ExampleWithErrorHandler() {
	pool, v := startPool()
	defer pool.Close()
	// Refusals in the service's own error format; answers it does not
	// shape itself (here the 503 of unavailable keys) go to WriteError.
	onError := func(w http.ResponseWriter, r *http.Request, err error) {
		status, _, description := cognitojwt.ErrorStatus(err)
		if status == http.StatusServiceUnavailable {
			cognitojwt.WriteError(w, err, "api")
			return
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status":%d,"type":%q,"detail":%q}`, status, cognitojwt.ErrorCode(err), description)
	}
	handler := cognitojwt.Middleware(v, cognitojwt.WithErrorHandler(onError))(http.NotFoundHandler())

	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("another-client")))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 401 {"status":401,"type":"wrong_client","detail":"The token was issued to another client."}
}

func ExampleWithCORSPreflight() {
	pool, v := startPool()
	defer pool.Close()
	// The CORS handler runs after the middleware, so preflights (which
	// never carry credentials) must be let through to it.
	cors := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Headers", "Authorization")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "orders") })
	for _, opts := range [][]cognitojwt.Option{nil, {cognitojwt.WithCORSPreflight()}} {
		handler := cognitojwt.Middleware(v, opts...)(cors(api))
		req := httptest.NewRequest(http.MethodOptions, "/orders", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "GET")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 401
	// 204
}

func ExampleWithRealm() {
	pool, v := startPool()
	defer pool.Close()
	handler := cognitojwt.Middleware(v, cognitojwt.WithRealm("orders"))(http.NotFoundHandler())
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 401 Bearer realm="orders"
}

func ExampleWithLogger() {
	pool, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := cognitojwt.New(pool.Config("my-client"))
	if err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		// Drop the time so that the output below stays the same.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	protect := cognitojwt.Middleware(v, cognitojwt.WithLogger(logger))
	mux := http.NewServeMux()
	mux.Handle("GET /orders/{id}", protect(http.NotFoundHandler()))

	req := httptest.NewRequest("GET", "/orders/42", nil)
	req.Header.Set("Authorization", "Bearer "+pool.AccessToken(cognitotest.WithClientID("my-client"), cognitotest.WithLifetime(-time.Hour)))
	mux.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// level=INFO msg="cognitojwt: request rejected" kind=expired method=GET path=/orders/42 route="GET /orders/{id}" detail="exp has passed"
}
