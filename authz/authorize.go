package authz

import (
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/guard"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/view"
)

// Policy decides whether verified claims may proceed. Policies built here
// deny when given nothing to check: an empty list never means "anyone".
type Policy func(*cognitojwt.Claims) bool

// InAnyGroup allows members of any one of the Cognito groups.
func InAnyGroup(groups ...string) Policy {
	groups = slices.Clone(groups)
	return func(c *cognitojwt.Claims) bool {
		if c == nil {
			return false
		}
		for _, g := range groups {
			if c.InGroup(g) {
				return true
			}
		}
		if len(groups) == 0 {
			return deny(c, "", "InAnyGroup: no groups given, so no one is allowed")
		}
		return deny(c, "", "InAnyGroup: the user is in none of the groups")
	}
}

// InAllGroups allows members of every one of the groups.
func InAllGroups(groups ...string) Policy {
	return every("InAllGroups", "group", groups, (*cognitojwt.Claims).InGroup)
}

// HasAllScopes allows tokens that carry every one of the scopes.
func HasAllScopes(scopes ...string) Policy {
	return every("HasAllScopes", "scope", scopes, (*cognitojwt.Claims).HasScope)
}

// every allows claims for which has holds for each name; an empty list
// denies. The method expression costs no allocation per request. policy
// and what name the refusal in explanations.
func every(policy, what string, names []string, has func(*cognitojwt.Claims, string) bool) Policy {
	names = slices.Clone(names)
	return func(c *cognitojwt.Claims) bool {
		if c == nil {
			return false
		}
		if len(names) == 0 {
			return deny(c, "", policy, ": no ", what, "s given, so no one is allowed")
		}
		for _, n := range names {
			if !has(c, n) {
				return deny(c, "", policy, ": a required ", what, " is missing")
			}
		}
		return true
	}
}

// ClaimIn allows tokens whose claim name, read exactly as named (write
// "custom:domain" for a custom attribute), is a non-empty string or an
// array of strings and, when values are given, equals one of them or
// (for an array) contains one of them.
func ClaimIn(name string, values ...string) Policy {
	values = slices.Clone(values)
	return func(c *cognitojwt.Claims) bool {
		if c == nil || name == "" {
			return false
		}
		if s, ok := customString(c, name); ok {
			switch {
			case s == "":
				return deny(c, name, "ClaimIn: the ", name, " claim is empty")
			case len(values) == 0 || slices.Contains(values, s):
				return true
			}
			return deny(c, name, "ClaimIn: the ", name, " claim holds none of the allowed values")
		}
		v, ok := lookup(c, name)
		if !ok {
			return deny(c, name, "ClaimIn: the token has no ", name, " claim")
		}
		var got []string
		switch v.Kind {
		case jsonscan.String:
			s, err := v.AsString()
			if err != nil || s == "" {
				return deny(c, name, "ClaimIn: the ", name, " claim is empty")
			}
			got = []string{s}
		case jsonscan.Array:
			var err error
			if got, err = v.AppendStrings(nil); err != nil || len(got) == 0 {
				return deny(c, name, "ClaimIn: the ", name, " claim is an empty array or holds more than strings")
			}
		default:
			return deny(c, name, "ClaimIn: the ", name, " claim is neither a string nor an array of strings")
		}
		if len(values) == 0 {
			return true
		}
		for _, g := range got {
			if slices.Contains(values, g) {
				return true
			}
		}
		return deny(c, name, "ClaimIn: the ", name, " claim holds none of the allowed values")
	}
}

// lookup finds the claim name, read exactly as named, in c's payload
// (which the Verifier validated with jsonscan). Reading it through
// RawPayload costs one copy of the payload; Get would decode the value
// with encoding/json, several allocations, and Attribute does not read
// names exactly.
func lookup(c *cognitojwt.Claims, name string) (jsonscan.Value, bool) {
	return jsonscan.Lookup(view.String(c.RawPayload()), name)
}

// customString reads a custom attribute's claim, named "custom:...", when
// it is a string, without lookup's copy of the payload: Claims.Attribute
// reads such a name exactly as named, and a custom attribute is always a
// string in Cognito's tokens. Any other name, or a claim that is not a
// string, is left to lookup (ok false).
func customString(c *cognitojwt.Claims, name string) (string, bool) {
	if !strings.HasPrefix(name, "custom:") {
		return "", false
	}
	return c.Attribute(name)
}

// AgeAtLeast allows tokens whose birthdate claim shows the user is at
// least years old today. A missing or yearless birthdate is denied.
func AgeAtLeast(years int) Policy {
	return func(c *cognitojwt.Claims) bool {
		age, ok := c.AgeAt(time.Now())
		switch {
		case !ok:
			return deny(c, "birthdate", "AgeAtLeast: the birthdate claim is missing, yearless or in the future")
		case age < years:
			return deny(c, "birthdate", "AgeAtLeast: the user is younger than required")
		}
		return true
	}
}

// PolicyKind is either kind of policy: a Policy, which reads the claims,
// or a RequestPolicy, which reads the request too (or a func of either
// shape). AllOf, AnyOf and Authorize take either kind, so one vocabulary
// serves both.
type PolicyKind interface {
	~func(*cognitojwt.Claims) bool | ~func(*http.Request, *cognitojwt.Claims) bool
}

// AllOf allows what every policy allows; with no policies it denies. It
// combines policies of one kind into one of the same kind: Policies (or
// funcs of their shape) into a Policy, RequestPolicies into a
// RequestPolicy. Turn a Policy into a RequestPolicy with ForRequest to
// mix the two.
func AllOf[P PolicyKind](ps ...P) P {
	return combine(ps, allOf, allOfRequest)
}

// AnyOf allows what any policy allows; with no policies it denies. Like
// AllOf, it combines policies of one kind into one of the same kind.
func AnyOf[P PolicyKind](ps ...P) P {
	return combine(ps, anyOf, anyOfRequest)
}

var (
	policyType        = reflect.TypeFor[Policy]()
	requestPolicyType = reflect.TypeFor[RequestPolicy]()
)

// combine applies the combinator of ps's kind. The conversions to the
// kind's named type and back happen once, when the policy is built, so
// each kind keeps its own code path per request.
func combine[P PolicyKind](ps []P, claims func([]Policy) Policy, request func([]RequestPolicy) RequestPolicy) P {
	kind := reflect.TypeFor[P]()
	var out reflect.Value
	if kind.ConvertibleTo(policyType) {
		list := make([]Policy, len(ps))
		for i, p := range ps {
			list[i] = reflect.ValueOf(p).Convert(policyType).Interface().(Policy)
		}
		out = reflect.ValueOf(claims(list))
	} else {
		list := make([]RequestPolicy, len(ps))
		for i, p := range ps {
			list[i] = reflect.ValueOf(p).Convert(requestPolicyType).Interface().(RequestPolicy)
		}
		out = reflect.ValueOf(request(list))
	}
	return out.Convert(kind).Interface().(P)
}

func allOf(ps []Policy) Policy {
	return func(c *cognitojwt.Claims) bool {
		if len(ps) == 0 {
			return deny(c, "", "AllOf: no policies given, so no one is allowed")
		}
		for _, p := range ps {
			if p == nil {
				return deny(c, "", "AllOf: a nil policy refuses everything")
			}
			if !p(c) {
				return false
			}
		}
		return true
	}
}

func anyOf(ps []Policy) Policy {
	return func(c *cognitojwt.Claims) bool {
		for _, p := range ps {
			if p != nil && p(c) {
				return true
			}
		}
		return false
	}
}

// Authorize guards a handler with p, a Policy or a RequestPolicy (or a
// func of either shape). It must run inside cognitojwt.Middleware (or
// MiddlewareFor): a request without verified claims (a
// credentials-optional route called without a token) is answered 401, one
// that p refuses 403 insufficient_scope with the description "The token
// does not grant access to this resource.", both through the middleware's
// error handler. A RequestPolicy sees the request the guard was given, so
// wildcards are those of the pattern that routed it. With no Middleware
// in front, every request is answered 500 and the wiring mistake is
// logged to slog.Default().
func Authorize[P PolicyKind](p P) func(http.Handler) http.Handler {
	var rp RequestPolicy
	if v := reflect.ValueOf(p); v.Type().ConvertibleTo(policyType) {
		rp = v.Convert(policyType).Interface().(Policy).ForRequest()
	} else {
		rp = v.Convert(requestPolicyType).Interface().(RequestPolicy)
	}
	return authorize("Authorize", rp, errs.PolicyRefused, "")
}

// RequireAnyGroup allows members of any one of the groups, like ASP.NET
// Core's [Authorize(Roles = "a,b")]. A refusal's description says a group
// was missing, without naming any.
func RequireAnyGroup(groups ...string) func(http.Handler) http.Handler {
	return authorize("RequireAnyGroup", InAnyGroup(groups...).ForRequest(), errs.NotInGroup, "")
}

// RequireAllScopes allows tokens with every one of the scopes; a refusal
// names them in the challenge's scope attribute, as RFC 6750 §3 provides.
func RequireAllScopes(scopes ...string) func(http.Handler) http.Handler {
	return authorize("RequireAllScopes", HasAllScopes(scopes...).ForRequest(), errs.MissingScope, strings.Join(scopes, " "))
}

// RequireClaim allows tokens whose claim is one of values (see ClaimIn). A
// refusal's description says a claim value was missing, without naming
// the claim or the values.
func RequireClaim(name string, values ...string) func(http.Handler) http.Handler {
	return authorize("RequireClaim", ClaimIn(name, values...).ForRequest(), errs.MissingClaim, "")
}

var errNoClaims = errs.New(cognitojwt.ErrNoToken, "route requires a verified token")

// authorize builds a guard named name (for the logs) that answers refused
// when p denies, through the middleware found in the request's context.
func authorize(name string, p RequestPolicy, refused error, scope string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := guard.From(r.Context())
			if a == nil {
				// No Middleware ran before the guard: the route was wired
				// wrong, which no client can fix.
				guard.Miswired(w, r, "authz."+name+" ran without cognitojwt.Middleware in front of it; wrap the route (or its mux) with Middleware")
				return
			}
			if a.Preflight() {
				next.ServeHTTP(w, r)
				return
			}
			c, ok := cognitojwt.ClaimsFromContext(r.Context())
			switch {
			case !ok:
				a.Reject(w, r, errNoClaims, scope)
			case p == nil || !p(r, c):
				var why []slog.Attr
				if a.Debug(r.Context()) {
					why = append([]slog.Attr{slog.String("guard", name)}, explain(r, c, p)...)
				}
				a.Reject(w, r, refused, scope, why...)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}
