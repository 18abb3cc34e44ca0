package cognitolocal

import (
	"net"
	"net/http"
	"strings"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// errForeignHost is the refusal of a request whose Host header does not
// name a loopback address; it names the rule, never the Host received.
const errForeignHost = "the Host header must name a loopback address"

// RequireLoopbackHost wraps h, a Pool's or Service's handler, so that it
// answers only requests whose Host header names a loopback address
// (127.0.0.1 or any 127.x address, ::1, localhost in any case; any port);
// the others get 403 Forbidden with the text "the Host header must name a
// loopback address". The JWKS and discovery documents of the issuers
// (GET or HEAD of /PoolID/.well-known/...) are answered whatever the
// Host: they hold nothing secret. The Server that Start returns serves
// through it, as cognitojwt dev-issuer does.
//
// Listening on loopback keeps other machines out, not the web pages the
// developer opens: a page whose DNS name its owner rebinds to 127.0.0.1
// is, to the browser, the same origin as the pool, and could administer
// it, sign in as anyone and read the outbox. Its requests carry the
// page's own name in Host, which is what this refuses. A program that
// serves the pool under another name (a container's service name,
// a reverse proxy that keeps the Host) serves the unwrapped handler on a
// listener of its own.
func RequireLoopbackHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) && !publicDocument(r) {
			http.Error(w, errForeignHost, http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// publicDocument reports whether r reads an issuer's JWKS or discovery
// document: /PoolID/.well-known/NAME, by GET or HEAD.
func publicDocument(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	parts := strings.Split(r.URL.Path, "/")
	return len(parts) == 4 && parts[0] == "" && parts[1] != "" && parts[2] == ".well-known" && parts[3] != ""
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return fetch.IsLoopback(strings.Trim(host, "[]"))
}
