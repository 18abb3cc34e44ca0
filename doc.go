// Package cognitojwt verifies Amazon Cognito user-pool tokens (access and
// ID tokens) locally, and protects net/http handlers with them.
//
// A Verifier checks the RS256 signature against the pool's cached JWKS,
// the issuer, the lifetime, token_use and the app client; Middleware puts
// the resulting Claims into the request context, and the guards of
// package authz (Authorize, RequireAnyGroup, RequireAllScopes,
// RequireClaim) refuse what a route's policy does not allow.
//
// A complete service:
//
//	package main
//
//	import (
//		"fmt"
//		"log"
//		"net/http"
//
//		"github.com/cognitojwt/cognitojwt"
//		"github.com/cognitojwt/cognitojwt/authz"
//	)
//
//	func main() {
//		v, err := cognitojwt.New(cognitojwt.Config{
//			UserPoolID: "eu-west-1_AbC123",
//			ClientIDs:  []string{"7h3cl13nt1d"},
//		})
//		if err != nil {
//			log.Fatal(err) // wraps ErrInvalidConfig and says which field
//		}
//		protect := cognitojwt.Middleware(v)
//		mux := http.NewServeMux()
//		mux.Handle("GET /orders", protect(authz.RequireAllScopes("orders/read")(
//			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//				claims, _ := cognitojwt.ClaimsFromContext(r.Context())
//				fmt.Fprintf(w, "orders of %s", claims.Username)
//			}))))
//		log.Fatal(http.ListenAndServe(":8080", mux))
//	}
//
// Refusals are answered the RFC 6750 way (see ErrorStatus); errors wrap
// one of the package's sentinels and never repeat token bytes or claim
// values. MiddlewareFor takes other credentials (the web package's
// sessions). Beside it: authz, alb, apigateway, issuer, revocation,
// cognitotest and cognitolocal, and the redisstore and online modules.
package cognitojwt
