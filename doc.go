// Package cognitojwt verifies Amazon Cognito user-pool tokens (access and
// ID tokens) locally, and protects net/http handlers with them.
//
// A Verifier checks the RS256 signature against the pool's cached JWKS,
// the issuer, the lifetime, token_use and the app client; Middleware puts
// the resulting Claims into the request context, and the guards
// (Authorize, RequireAnyGroup, RequireAllScopes, RequireClaim, and
// AuthorizeRequest for rules that read the request too) refuse what a
// route's policy does not allow.
//
// A complete service:
//
//	v, err := cognitojwt.New(cognitojwt.Config{
//		UserPoolID: "eu-west-1_AbC123",
//		ClientIDs:  []string{"7h3cl13nt1d"},
//	})
//	if err != nil {
//		log.Fatal(err) // wraps ErrInvalidConfig and says which field
//	}
//	protect := cognitojwt.Middleware(v)
//	mux := http.NewServeMux()
//	mux.Handle("GET /orders", protect(cognitojwt.RequireAllScopes("orders/read")(
//		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			claims, _ := cognitojwt.ClaimsFromContext(r.Context())
//			fmt.Fprintf(w, "orders of %s", claims.Username)
//		}))))
//	log.Fatal(http.ListenAndServe(":8080", mux))
//
// Requests without a valid token are answered 401 and refused policies 403,
// the RFC 6750 way (see ErrorStatus); every error wraps one of the package's
// sentinels and never repeats token bytes or claim values.
//
// Other credentials go through the same middleware: an Authenticator given
// to MiddlewareFor (the web package's sign-in sessions are one). Around the
// verifier sit the alb package (the load balancer's user-claims token),
// the apigateway package (claims an API Gateway JWT authorizer already
// checked), cognitotest and cognitolocal (a local user pool for tests and
// development), and the redisstore and online modules (revocations shared
// across a fleet, and checks against Cognito itself).
package cognitojwt
