// Command alb serves an application behind an Application Load Balancer
// that authenticates users with Cognito. The load balancer forwards two
// tokens with every request:
//
//   - x-amzn-oidc-data, its own ES256-signed token of the user's claims,
//     checked here by alb.Verifier (pages under /);
//   - x-amzn-oidc-accesstoken, the user's Cognito access token, checked by
//     the ordinary cognitojwt.Verifier (routes under /api/, where scopes
//     matter).
//
// Against a real load balancer:
//
//	ALB_ARN=arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188 \
//	COGNITO_USER_POOL_ID=us-east-1_AbC123 COGNITO_CLIENT_ID=1example23456789 \
//	  go run ./examples/alb -addr :8080
//
// The key endpoint follows from the ARN's region (GovCloud included); set
// ALB_KEY_URL (a template with {kid}) for anything else.
//
// Without AWS, a local stand-in for the load balancer's key endpoint and
// ready-made headers:
//
//	go run ./examples/alb -demo
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/issuer"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	demo := flag.Bool("demo", false, "run a local key endpoint and user pool and print requests to try")
	flag.Parse()

	albCfg, poolCfg, err := configFromEnv()
	if *demo {
		albCfg, poolCfg, err = startDemo(*addr)
	}
	if err != nil {
		log.Fatal(err)
	}
	identity, err := alb.New(albCfg)
	if err != nil {
		log.Fatal(err)
	}
	access, err := cognitojwt.New(poolCfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := access.Warm(ctx); err != nil {
		log.Printf("warming the pool's keys: %v", err)
	}
	cancel()

	mux := http.NewServeMux()
	// Pages: who the load balancer says the user is.
	mux.Handle("GET /", cognitojwt.Middleware(identity, cognitojwt.WithTokenSource(alb.ForwardedDataToken))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := cognitojwt.ClaimsFromContext(r.Context())
			fmt.Fprintf(w, "Hello %s (%s), signed in through %s\n", c.Username, c.Email, c.ClientID)
		})))
	// API: the Cognito access token, with scopes and groups.
	mux.Handle("GET /api/profile", cognitojwt.Middleware(access, cognitojwt.WithTokenSource(alb.ForwardedAccessToken))(
		authz.RequireAllScopes("openid")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := cognitojwt.ClaimsFromContext(r.Context())
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"sub": c.Subject, "scopes": c.Scopes, "groups": c.Groups})
		}))))
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}

func configFromEnv() (alb.Config, cognitojwt.Config, error) {
	arn, pool, client := os.Getenv("ALB_ARN"), os.Getenv("COGNITO_USER_POOL_ID"), os.Getenv("COGNITO_CLIENT_ID")
	if arn == "" || pool == "" || client == "" {
		return alb.Config{}, cognitojwt.Config{}, errors.New("set ALB_ARN, COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID, or run with -demo")
	}
	issuer, err := issuer.Original(pool)
	if err != nil {
		return alb.Config{}, cognitojwt.Config{}, err
	}
	albCfg := alb.Config{
		ALBARNs:   []string{arn},
		ClientIDs: []string{client},
		Issuer:    issuer,
		KeyURL:    os.Getenv("ALB_KEY_URL"),
	}
	return albCfg, cognitojwt.Config{UserPoolID: pool, ClientIDs: []string{client}}, nil
}

// startDemo plays the load balancer: a P-256 key served as PEM by kid on a
// loopback port, and a fake user pool for the access token. It prints the
// headers the load balancer would add.
func startDemo(addr string) (alb.Config, cognitojwt.Config, error) {
	const arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo/50dc6c495c0c9188"
	const client = "demo-client"
	pool, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("us-east-1_AlbDemo"))
	if err != nil {
		return alb.Config{}, cognitojwt.Config{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return alb.Config{}, cognitojwt.Config{}, err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return alb.Config{}, cognitojwt.Config{}, err
	}
	kid := "6db77464-4ac6-4968-9ec9-a6c669649ba1"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return alb.Config{}, cognitojwt.Config{}, err
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/"+kid {
				http.NotFound(w, r)
				return
			}
			_ = pem.Encode(w, &pem.Block{Type: "PUBLIC KEY", Bytes: der})
		}))
	}()

	header, _ := json.Marshal(map[string]any{
		"typ": "JWT", "alg": "ES256", "kid": kid, "signer": arn, "iss": pool.URL(), "client": client,
		"exp": time.Now().Add(10 * time.Minute).Unix(),
	})
	payload, _ := json.Marshal(map[string]any{
		"sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "email_verified": "true", "email": "alice@example.com",
		"username": "alice", "exp": time.Now().Add(10 * time.Minute).Unix(), "iss": pool.URL(),
	})
	// Like the load balancer: padded base64url, signed as sent.
	signing := base64.URLEncoding.EncodeToString(header) + "." + base64.URLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return alb.Config{}, cognitojwt.Config{}, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	data := signing + "." + base64.URLEncoding.EncodeToString(sig)
	accessToken := pool.AccessToken(cognitotest.WithClientID(client), cognitotest.WithScopes("openid", "email"))

	fmt.Printf("Try:\n  curl -i -H 'x-amzn-oidc-data: %s' http://%s/\n\n", data, addr)
	fmt.Printf("  curl -i -H 'x-amzn-oidc-accesstoken: %s' http://%s/api/profile\n\n", accessToken, addr)
	forged := strings.Replace(string(payload), "alice", "mallory", -1)
	tampered := base64.URLEncoding.EncodeToString(header) + "." + base64.URLEncoding.EncodeToString([]byte(forged)) +
		data[strings.LastIndexByte(data, '.'):]
	fmt.Printf("  # claims changed after signing (401)\n  curl -i -H 'x-amzn-oidc-data: %s' http://%s/\n\n", tampered, addr)

	albCfg := alb.Config{
		ALBARNs:   []string{arn},
		ClientIDs: []string{client},
		Issuer:    pool.URL(),
		KeyURL:    "http://" + ln.Addr().String() + "/{kid}",
	}
	return albCfg, pool.Config(client), nil
}
