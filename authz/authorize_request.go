package authz

import (
	"net/http"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

// RequestPolicy decides whether a request may proceed, seeing the request
// as well as its verified claims: for rules over what is asked for, such
// as "the tenant in /tenants/{tenant}/… is the token's custom:tenant_id"
// or "users edit only their own profile" (ASP.NET calls this
// resource-based authorization). Guard routes with Authorize. A
// Policy becomes one with ForRequest, so both kinds compose through AllOf
// and AnyOf. Like Policy, a RequestPolicy built here
// denies when given nothing to check.
type RequestPolicy func(r *http.Request, c *cognitojwt.Claims) bool

// ForRequest returns p as a RequestPolicy that ignores the request, to
// combine it with request policies. A nil p denies.
func (p Policy) ForRequest() RequestPolicy {
	return func(_ *http.Request, c *cognitojwt.Claims) bool { return p != nil && p(c) }
}

// PathValueIsClaim allows requests whose path wildcard (r.PathValue, as a
// ServeMux pattern such as "/tenants/{tenant}/orders" names it) equals the
// token's claim, read exactly as named (write "custom:tenant_id" for a
// custom attribute) and required to be a non-empty string:
//
//	PathValueIsClaim("tenant", "custom:tenant_id") // a tenant's own data
//	PathValueIsClaim("user", "sub")                 // a user's own resource
//
// An empty or missing path value, or a claim that is missing, empty or not
// a string, denies. The comparison is exact: no case folding, no
// trimming.
func PathValueIsClaim(wildcard, claim string) RequestPolicy {
	return func(r *http.Request, c *cognitojwt.Claims) bool {
		if r == nil || c == nil || wildcard == "" || claim == "" {
			return false
		}
		want := r.PathValue(wildcard)
		if want == "" {
			return deny(c, "", "PathValueIsClaim: the path has no value for {", wildcard, "}")
		}
		got, ok := customString(c, claim)
		if !ok {
			v, found := lookup(c, claim)
			if !found || v.Kind != jsonscan.String {
				return deny(c, claim, "PathValueIsClaim: the ", claim, " claim is missing or not a string")
			}
			var err error
			if got, err = v.AsString(); err != nil {
				return deny(c, claim, "PathValueIsClaim: the path's {", wildcard, "} is not the token's ", claim)
			}
		}
		if got != want {
			return deny(c, claim, "PathValueIsClaim: the path's {", wildcard, "} is not the token's ", claim)
		}
		return true
	}
}

func allOfRequest(ps []RequestPolicy) RequestPolicy {
	return func(r *http.Request, c *cognitojwt.Claims) bool {
		if len(ps) == 0 {
			return false
		}
		for _, p := range ps {
			if p == nil || !p(r, c) {
				return false
			}
		}
		return true
	}
}

func anyOfRequest(ps []RequestPolicy) RequestPolicy {
	return func(r *http.Request, c *cognitojwt.Claims) bool {
		for _, p := range ps {
			if p != nil && p(r, c) {
				return true
			}
		}
		return false
	}
}
