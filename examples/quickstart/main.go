// Command quickstart shows cognitojwt protecting a small API.
//
// With no flags it runs offline: it starts a local stand-in for a Cognito
// user pool, serves the API on a loopback port, sends it real requests with
// good and bad tokens, and prints each answer and why. It exits non-zero if
// any answer differs from what the library promises.
//
// With -pool and -client-id it serves the same API against a real user
// pool instead, on -addr, until interrupted; with -issuer it serves against
// a local issuer such as "cognitojwt dev-issuer".
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func main() {
	pool := flag.String("pool", "", "Cognito user pool ID (e.g. us-east-1_AbC123); empty runs the offline demo")
	issuer := flag.String("issuer", "", "issuer URL of a local user pool, e.g. http://127.0.0.1:9229/local_Dev from 'cognitojwt dev-issuer'")
	clientID := flag.String("client-id", "", "app client ID the API accepts (default local-client with -issuer)")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (with -pool or -issuer)")
	flag.Parse()

	if *pool != "" || *issuer != "" {
		cfg := cognitojwt.Config{UserPoolID: *pool, Issuer: *issuer, ClientIDs: []string{*clientID}}
		if *clientID == "" {
			if *issuer == "" {
				log.Fatal("-client-id is required with -pool")
			}
			cfg.ClientIDs = []string{cognitotest.DefaultClientID}
		}
		if err := serve(cfg, *addr); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := demo(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// api is the protected service: the part of this file a real service has.
// The middleware goes on each protected route, inside the mux, so that
// unknown paths still answer 404 and wrong methods 405.
func api(v cognitojwt.TokenVerifier) http.Handler {
	protect := cognitojwt.Middleware(v)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "anyone may read this")
	})
	mux.Handle("GET /me", protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s, groups %v\n", c.Username, c.Groups)
	})))
	mux.Handle("GET /admin", protect(authz.RequireAnyGroup("admin")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "admin console") }))))
	mux.Handle("GET /orders", protect(authz.RequireAllScopes("orders/read")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "your orders") }))))
	mux.Handle("GET /tenant", protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// In-handler check: the tenant comes from the custom:tenant_id
		// attribute, never from the request.
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		tenant, ok := c.Attribute("tenant_id")
		if !ok {
			http.Error(w, "no tenant", http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, "data of tenant %s\n", tenant)
	})))
	mux.Handle("GET /drinks", protect(authz.Authorize(authz.AgeAtLeast(18))(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "drinks menu") }))))
	return mux
}

func serve(cfg cognitojwt.Config, addr string) error {
	v, err := cognitojwt.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	warm, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := v.Warm(warm); err != nil {
		return fmt.Errorf("fetching the pool's keys: %w", err)
	}
	srv := &http.Server{Addr: addr, Handler: api(v), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	log.Printf("serving on http://%s (issuer %s)", addr, v.Issuer())
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// demo runs the offline demo, writing its report to out.
func demo(out io.Writer) error {
	issuer, err := cognitotest.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer issuer.Close()
	other, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("eu-west-1_Other"))
	if err != nil {
		return err
	}
	defer other.Close()

	v, err := cognitojwt.New(issuer.Config(cognitotest.DefaultClientID))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api(v), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "A local user pool and the API run on loopback ports until this demo ends.\n\n")

	// Claims a pre-token-generation trigger would add to access tokens.
	alice := issuer.AccessToken(
		cognitotest.WithUsername("alice"),
		cognitotest.WithGroups("admin", "staff"),
		cognitotest.WithScopes("orders/read", "profile"),
		cognitotest.WithClaim("custom:tenant_id", "acme"),
		cognitotest.WithClaim("birthdate", "1990-04-01"),
	)
	bob := issuer.AccessToken(
		cognitotest.WithUsername("bob"),
		cognitotest.WithGroups("staff"),
		cognitotest.WithScopes("profile"),
		cognitotest.WithClaim("birthdate", time.Now().AddDate(-16, 0, 0).Format(time.DateOnly)),
	)
	expired := issuer.AccessToken(cognitotest.WithIssuedAt(time.Now().Add(-2*time.Hour)), cognitotest.WithLifetime(time.Hour))
	otherClient := issuer.AccessToken(cognitotest.WithClientID("some-other-app"))
	idToken := issuer.IDToken()
	otherPool := other.AccessToken()
	tampered := promote(bob)

	cases := []struct {
		what, path, auth string
		want             int
	}{
		{"public route, no token", "/public", "", 200},
		{"no token", "/me", "", 401},
		{"alice's access token", "/me", "Bearer " + alice, 200},
		{"scheme in lower case", "/me", "bearer " + alice, 200},
		{"alice is in group admin", "/admin", "Bearer " + alice, 200},
		{"bob is not in group admin", "/admin", "Bearer " + bob, 403},
		{"alice has scope orders/read", "/orders", "Bearer " + alice, 200},
		{"bob lacks scope orders/read", "/orders", "Bearer " + bob, 403},
		{"tenant from custom:tenant_id", "/tenant", "Bearer " + alice, 200},
		{"bob has no tenant", "/tenant", "Bearer " + bob, 403},
		{"alice is over 18 by birthdate", "/drinks", "Bearer " + alice, 200},
		{"bob is under 18 by birthdate", "/drinks", "Bearer " + bob, 403},
		{"expired token", "/me", "Bearer " + expired, 401},
		{"token for another app client", "/me", "Bearer " + otherClient, 401},
		{"ID token where an access token is needed", "/me", "Bearer " + idToken, 401},
		{"token from another user pool", "/me", "Bearer " + otherPool, 401},
		{"bob's groups edited to admin, signature kept", "/admin", "Bearer " + tampered, 401},
		{"alg none", "/me", "Bearer " + unsigned(), 401},
		{"not a JWT", "/me", "Bearer hello", 401},
		{"Bearer without a token", "/me", "Bearer", 400},
		{"Basic credentials", "/me", "Basic YWxpY2U6cGFzc3dvcmQ=", 401},
		{"unknown path stays 404", "/nothing", "", 404},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	failed := 0
	for _, tc := range cases {
		status, why, err := get(client, base+tc.path, tc.auth)
		if err != nil {
			return err
		}
		mark := "ok  "
		if status != tc.want {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(out, "%s %-44s GET %-8s -> %d %s\n", mark, tc.what, tc.path, status, why)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d answers were not as expected", failed, len(cases))
	}
	fmt.Fprintf(out, "\nall %d answers as expected\n\n", len(cases))
	fmt.Fprint(out, nextSteps)
	return nil
}

// nextSteps ends the demo: where its code is, how to keep a server up to
// try requests by hand, and where the documentation is.
const nextSteps = `The code: examples/quickstart/main.go (the API is func api).
Try it by hand: go run ./cmd/cognitojwt dev-issuer in one terminal, go run ./examples/quickstart -issuer http://127.0.0.1:9229/local_Dev in another, then curl it with a token from go run ./cmd/cognitojwt mint (README: "A two-terminal workflow").
Docs: README.md, docs/*.md and go doc github.com/cognitojwt/cognitojwt.
`

// get sends one request and explains the answer: the body of a success,
// or the RFC 6750 error the middleware gave.
func get(client *http.Client, url, auth string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if resp.StatusCode >= 400 && json.Unmarshal(body, &e) == nil && e.Error != "" {
		return resp.StatusCode, fmt.Sprintf("%s: %s", e.Error, e.Description), nil
	}
	return resp.StatusCode, strings.TrimSpace(string(body)), nil
}

// promote rewrites bob's groups to include admin and keeps the signature,
// as an attacker who can edit but not sign would.
func promote(token string) string {
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		panic(err)
	}
	edited := strings.Replace(string(payload), `"cognito:groups":["staff"]`, `"cognito:groups":["admin"]`, 1)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(edited)) + "." + parts[2]
}

// unsigned builds an "alg": "none" token, which must never pass.
func unsigned() string {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return enc(`{"alg":"none"}`) + "." + enc(`{"sub":"mallory","token_use":"access"}`) + "."
}
