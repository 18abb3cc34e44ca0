// Package authz guards the routes of a cognitojwt.Middleware with
// policies over the verified claims, and over the request too.
//
// A Policy reads the claims: InAnyGroup and InAllGroups, HasAllScopes,
// ClaimIn, AgeAtLeast, or a func of your own. A RequestPolicy reads the
// request as well, for resource-based rules such as PathValueIsClaim
// ("the tenant in the path is the token's"). AllOf and AnyOf combine
// either kind (Policy.ForRequest turns a Policy into a RequestPolicy to
// mix them), and every policy built here denies when given nothing to
// check. The guards run inside the middleware: Authorize takes any policy;
// RequireAnyGroup, RequireAllScopes and RequireClaim are the common
// cases, whose refusals tell the client what kind of thing was missing.
// Refusals are answered through the middleware's realm, error handler and
// logger; at debug level its log line says which policy refused and why.
//
// A service whose orders are read by a tenant's own users and by staff:
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
//			log.Fatal(err)
//		}
//		ownTenantOrStaff := authz.AnyOf(
//			authz.InAnyGroup("staff").ForRequest(),
//			authz.PathValueIsClaim("tenant", "custom:tenant_id"),
//		)
//		mux := http.NewServeMux()
//		mux.Handle("GET /tenants/{tenant}/orders", authz.Authorize(ownTenantOrStaff)(
//			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//				fmt.Fprintf(w, "orders of %s", r.PathValue("tenant"))
//			})))
//		mux.Handle("DELETE /orders/{id}", authz.RequireAnyGroup("admin")(
//			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//				w.WriteHeader(http.StatusNoContent)
//			})))
//		log.Fatal(http.ListenAndServe(":8080", cognitojwt.Middleware(v)(mux)))
//	}
//
// A guard with no Middleware in front of it answers 500 and logs the
// wiring mistake; on a route with cognitojwt.WithCredentialsOptional, a
// guarded request without a token is answered 401.
package authz
