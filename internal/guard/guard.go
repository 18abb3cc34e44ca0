// Package guard is the seam between the root package's middleware and
// the guards of package authz. The guards import the root package (for
// Claims and the sentinels), so the root can never import them; what a
// guard needs of the middleware that ran before it — whether the request
// is a CORS preflight let through, whether its logger explains refusals,
// and how it answers and logs one — it finds here, under a key only this
// module can name, without the root exporting anything for it.
package guard

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
)

// Key is the context key under which the middleware leaves its Auth.
type Key struct{}

// Auth is the request's context value as the middleware (or the root's
// ContextWithAuthentication) left it. Its claims are read with the root's
// ClaimsFromContext.
type Auth interface {
	// Preflight reports a CORS preflight the middleware let through
	// unverified; guards let it through too.
	Preflight() bool
	// Debug reports whether the middleware's logger logs at debug level
	// for ctx, so that a guard explains a refusal only when it is read.
	Debug(ctx context.Context) bool
	// Reject answers a refused request with the middleware's realm and
	// error handler and logs it with its logger; scope names the scopes
	// the resource needs, space-separated, for the challenge, and why
	// the debug-level attributes that say why.
	Reject(w http.ResponseWriter, r *http.Request, err error, scope string, why ...slog.Attr)
}

// From returns the Auth the middleware left in ctx, or nil when none ran.
func From(ctx context.Context) Auth {
	a, _ := ctx.Value(Key{}).(Auth)
	return a
}

// Miswired answers 500 for a wiring mistake no client can fix, and logs
// what to change to slog's default logger: the one place a guard without
// a middleware, or a middleware without a verifier, can log.
func Miswired(w http.ResponseWriter, r *http.Request, mistake string) {
	slog.Default().LogAttrs(r.Context(), slog.LevelError, "cognitojwt: "+mistake,
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", r.Pattern))
	WriteBody(w, http.StatusInternalServerError, "server_error", "The server is misconfigured.")
}

// WriteBody writes the JSON error body every answer of the module's
// middleware and guards has, with headers that keep it out of caches and
// content sniffing.
func WriteBody(w http.ResponseWriter, status int, code, desc string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	body, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, desc})
	_, _ = w.Write(append(body, '\n'))
}
