package cognitojwt

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

// Policy decides whether verified claims may proceed. Policies built here
// deny when given nothing to check: an empty list never means "anyone".
type Policy func(*Claims) bool

// InAnyGroup allows members of any one of the Cognito groups.
func InAnyGroup(groups ...string) Policy {
	groups = slices.Clone(groups)
	return func(c *Claims) bool {
		if c == nil {
			return false
		}
		for _, g := range groups {
			if c.InGroup(g) {
				return true
			}
		}
		return false
	}
}

// InAllGroups allows members of every one of the groups.
func InAllGroups(groups ...string) Policy { return every(groups, (*Claims).InGroup) }

// HasAllScopes allows tokens that carry every one of the scopes.
func HasAllScopes(scopes ...string) Policy { return every(scopes, (*Claims).HasScope) }

// every allows claims for which has holds for each name; an empty list
// denies. The method expression costs no allocation per request.
func every(names []string, has func(*Claims, string) bool) Policy {
	names = slices.Clone(names)
	return func(c *Claims) bool {
		if c == nil || len(names) == 0 {
			return false
		}
		for _, n := range names {
			if !has(c, n) {
				return false
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
	return func(c *Claims) bool {
		if c == nil || name == "" {
			return false
		}
		v, ok := jsonscan.Lookup(c.payload, name)
		if !ok {
			return false
		}
		var got []string
		switch v.Kind {
		case jsonscan.String:
			s, err := v.AsString()
			if err != nil || s == "" {
				return false
			}
			got = []string{s}
		case jsonscan.Array:
			var err error
			if got, err = v.AppendStrings(nil); err != nil || len(got) == 0 {
				return false
			}
		default:
			return false
		}
		if len(values) == 0 {
			return true
		}
		for _, g := range got {
			if slices.Contains(values, g) {
				return true
			}
		}
		return false
	}
}

// AgeAtLeast allows tokens whose birthdate claim shows the user is at
// least years old today. A missing or yearless birthdate is denied.
func AgeAtLeast(years int) Policy {
	return func(c *Claims) bool {
		age, ok := c.AgeAt(time.Now())
		return ok && age >= years
	}
}

// AllOf allows what every policy allows; with no policies it denies.
func AllOf(ps ...Policy) Policy {
	ps = slices.Clone(ps)
	return func(c *Claims) bool {
		if len(ps) == 0 {
			return false
		}
		for _, p := range ps {
			if p == nil || !p(c) {
				return false
			}
		}
		return true
	}
}

// AnyOf allows what any policy allows; with no policies it denies.
func AnyOf(ps ...Policy) Policy {
	ps = slices.Clone(ps)
	return func(c *Claims) bool {
		for _, p := range ps {
			if p != nil && p(c) {
				return true
			}
		}
		return false
	}
}

// Authorize guards a handler with p. It must run inside Middleware: a
// request without verified claims (a credentials-optional route called
// without a token) is answered 401, one that p refuses 403
// insufficient_scope, both through the middleware's error handler. With
// no Middleware in front, every request is answered 500 and the wiring
// mistake is logged to slog.Default().
func Authorize(p Policy) func(http.Handler) http.Handler {
	return authorize("Authorize", p.ForRequest(), errPolicyRefused, "")
}

// RequireAnyGroup allows members of any one of the groups, like ASP.NET
// Core's [Authorize(Roles = "a,b")]. A refusal's description says a group
// was missing, without naming any.
func RequireAnyGroup(groups ...string) func(http.Handler) http.Handler {
	return authorize("RequireAnyGroup", InAnyGroup(groups...).ForRequest(), errNotInGroup, "")
}

// RequireAllScopes allows tokens with every one of the scopes; a refusal
// names them in the challenge's scope attribute, as RFC 6750 §3 provides.
func RequireAllScopes(scopes ...string) func(http.Handler) http.Handler {
	return authorize("RequireAllScopes", HasAllScopes(scopes...).ForRequest(), errMissingScope, quotable(strings.Join(scopes, " ")))
}

// RequireClaim allows tokens whose claim is one of values (see ClaimIn). A
// refusal's description says a claim value was missing, without naming
// the claim or the values.
func RequireClaim(name string, values ...string) func(http.Handler) http.Handler {
	return authorize("RequireClaim", ClaimIn(name, values...).ForRequest(), errMissingClaim, "")
}

var errNoClaims = fail(ErrNoToken, "route requires a verified token")

// authorize builds a guard named guard (for the wiring-mistake log) that
// answers refused when p denies.
func authorize(guard string, p RequestPolicy, refused error, scope string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := authOf(r.Context())
			var err error
			switch {
			case a == nil:
				// No Middleware ran before the guard: the route was wired
				// wrong, which no client can fix.
				misconfigured(w, r, guard)
				return
			case a.preflight:
				next.ServeHTTP(w, r)
				return
			case a.Claims == nil:
				err = errNoClaims
			case p == nil || !p(r, a.Claims):
				err = refused
			default:
				next.ServeHTTP(w, r)
				return
			}
			if a.mw != nil {
				a.mw.reject(w, r, err, scope)
				return
			}
			writeError(w, err, defaultRealm, scope)
		})
	}
}

// misconfigured answers 500 for a guard that runs without Middleware in
// front of it, and logs the mistake to slog's default logger, the one
// place a guard without a middleware can log.
func misconfigured(w http.ResponseWriter, r *http.Request, guard string) {
	miswired(w, r, guard+" ran without cognitojwt.Middleware in front of it; wrap the route (or its mux) with Middleware")
}

// miswired answers 500 for a wiring mistake no client can fix, and logs
// what to change.
func miswired(w http.ResponseWriter, r *http.Request, mistake string) {
	slog.Default().LogAttrs(r.Context(), slog.LevelError, "cognitojwt: "+mistake,
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", r.Pattern))
	writeBody(w, http.StatusInternalServerError, "server_error", "The server is misconfigured.")
}
