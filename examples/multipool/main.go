// Command multipool serves an API that accepts access tokens from several
// Cognito user pools, each with its own app clients, through one
// cognitojwt.MultiVerifier.
//
// Against real pools (one entry per pool, clients after "="):
//
//	COGNITO_POOLS='us-east-1_AbC123=client1,client2;eu-west-1_XyZ789=client3' \
//	  go run ./examples/multipool
//
// Set COGNITO_ACCEPT_UPDATED_ISSUER=true to also accept each pool's
// "updated" issuer (https://issuer-cognito-idp.{region}.amazonaws.com/{pool}),
// which multi-Region replicated pools use.
//
// Without AWS, two local fake pools and ready-made tokens:
//
//	go run ./examples/multipool -demo
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/issuer"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	demo := flag.Bool("demo", false, "run two local fake user pools and print tokens to try")
	flag.Parse()

	var cfgs []cognitojwt.Config
	var err error
	if *demo {
		cfgs, err = demoPools(*addr)
	} else {
		cfgs, err = poolsFromEnv(os.Getenv("COGNITO_POOLS"), os.Getenv("COGNITO_ACCEPT_UPDATED_ISSUER") == "true")
	}
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := cognitojwt.NewMulti(cfgs...)
	if err != nil {
		log.Fatal(err)
	}
	// Fetch every pool's keys before taking traffic; a failure is not
	// fatal, since keys are fetched again on first use.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := verifier.Warm(ctx); err != nil {
		log.Printf("warming keys: %v", err)
	}
	cancel()

	auth := cognitojwt.Middleware(verifier)
	mux := http.NewServeMux()
	mux.Handle("GET /whoami", auth(http.HandlerFunc(whoami)))
	mux.Handle("GET /admin", auth(authz.RequireAnyGroup("admin")(http.HandlerFunc(whoami))))
	// A customer sees their own tenant's orders, staff any tenant's: the
	// policy reads the tenant from the path the request was routed by.
	ownTenant := authz.AnyOf(
		authz.InAnyGroup("admin").ForRequest(),
		authz.PathValueIsClaim("tenant", "custom:tenant_id"),
	)
	mux.Handle("GET /tenants/{tenant}/orders", auth(authz.Authorize(ownTenant)(http.HandlerFunc(whoami))))
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}

func whoami(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"pool":   c.Issuer,
		"sub":    c.Subject,
		"user":   c.Username,
		"client": c.ClientID,
		"groups": c.Groups,
	})
}

// poolsFromEnv parses "pool=client,client;pool=client".
func poolsFromEnv(spec string, updated bool) ([]cognitojwt.Config, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("set COGNITO_POOLS, e.g. 'us-east-1_AbC123=client1;eu-west-1_XyZ789=client2', or run with -demo")
	}
	var cfgs []cognitojwt.Config
	for _, entry := range strings.Split(spec, ";") {
		pool, clients, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok || clients == "" {
			return nil, fmt.Errorf("COGNITO_POOLS entry %q is not pool=client[,client]", entry)
		}
		cfg := cognitojwt.Config{UserPoolID: pool, ClientIDs: strings.Split(clients, ",")}
		if updated {
			iss, err := issuer.Updated(pool)
			if err != nil {
				return nil, err
			}
			cfg.AdditionalIssuers = []string{iss}
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs, nil
}

// demoPools starts two local fake pools and prints a token of each, plus
// one of a pool the server does not trust.
func demoPools(addr string) ([]cognitojwt.Config, error) {
	staff, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("us-east-1_Staff"))
	if err != nil {
		return nil, err
	}
	customers, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("eu-west-1_Customers"))
	if err != nil {
		return nil, err
	}
	stranger, err := cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("us-west-2_Stranger"))
	if err != nil {
		return nil, err
	}
	fmt.Printf("Try:\n")
	show := func(what, tok, path string) {
		fmt.Printf("  # %s\n  curl -i -H 'Authorization: Bearer %s' http://%s%s\n\n", what, tok, addr, path)
	}
	show("staff pool, admin", staff.AccessToken(cognitotest.WithClientID("staff-app"), cognitotest.WithGroups("admin")), "/admin")
	show("customers pool", customers.AccessToken(cognitotest.WithClientID("shop-app"), cognitotest.WithUsername("carol")), "/whoami")
	show("customers pool, not admin (403)", customers.AccessToken(cognitotest.WithClientID("shop-app")), "/admin")
	acme := customers.AccessToken(cognitotest.WithClientID("shop-app"), cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme"))
	show("customers pool, own tenant", acme, "/tenants/acme/orders")
	show("customers pool, another tenant (403)", acme, "/tenants/globex/orders")
	show("untrusted pool (401, no key fetch)", stranger.AccessToken(), "/whoami")
	return []cognitojwt.Config{staff.Config("staff-app"), customers.Config("shop-app")}, nil
}
