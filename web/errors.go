package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognitojwt/cognitojwt"
)

// Sentinel errors, found with errors.Is in the error a guard or Require
// hands to the answer, and in log records as their kind.
var (
	// ErrNoSession: the request has no usable session (none, tampered,
	// expired, or ended because refresh failed). It wraps
	// cognitojwt.ErrNoToken, so Optional lets such requests through.
	ErrNoSession = sessionErr{cognitojwt.ErrNoToken, "web: no session"}
	// ErrUnavailable: the store, the signing keys, or the token endpoint
	// once the session's tokens have expired, cannot be reached. The
	// answer is 503 and the session is kept.
	ErrUnavailable = errors.New("web: sign-in service unavailable")
	// ErrSignIn: a callback could not complete sign-in (missing or
	// mismatched state, a code the pool refused, a bad ID token).
	ErrSignIn = errors.New("web: sign-in failed")
)

// sessionErr is a sentinel that also wraps a cognitojwt one, so the
// middleware's rules (optional credentials, RFC 6750 kinds) apply to it.
type sessionErr struct {
	kind error
	text string
}

func (e sessionErr) Error() string { return e.text }
func (e sessionErr) Unwrap() error { return e.kind }

// reasonErr adds a fixed reason to a sentinel for logs.
type reasonErr struct {
	kind   error
	reason string
}

func (e *reasonErr) Error() string { return e.kind.Error() + ": " + e.reason }
func (e *reasonErr) Unwrap() error { return e.kind }

func because(kind error, reason string) error { return &reasonErr{kind: kind, reason: reason} }

// reasonOf returns the reason because gave err, or err's text.
func reasonOf(err error) string {
	var r *reasonErr
	if errors.As(err, &r) {
		return r.reason
	}
	return err.Error()
}

var errCrossOrigin = because(cognitojwt.ErrInsufficientScope, "cross-origin request to a session route")

// messages are the fixed sentences users see, by status.
var messages = map[int]string{
	http.StatusBadRequest:         "Sign-in could not be completed. Please try again.",
	http.StatusUnauthorized:       "Please sign in.",
	http.StatusForbidden:          "You do not have access to this page.",
	http.StatusServiceUnavailable: "Sign-in is temporarily unavailable. Please try again shortly.",
}

// statusOf maps an error to the answer's status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrSignIn):
		return http.StatusBadRequest
	case errors.Is(err, cognitojwt.ErrInsufficientScope):
		return http.StatusForbidden
	case errors.Is(err, ErrUnavailable), errors.Is(err, cognitojwt.ErrKeysUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

// reject is the error handler of Require and Optional: page requests
// without a session go to sign-in, API-style requests get JSON.
func (a *Auth) reject(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusUnauthorized && isPageRequest(r) {
		target := a.loginPath
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		noStore(w)
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	a.answer(w, r, status, err)
}

// answer writes status with a fixed message: an HTML page for page
// requests, JSON for the rest.
func (a *Auth) answer(w http.ResponseWriter, r *http.Request, status int, err error) {
	a.log(r, "request refused", err)
	noStore(w)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	if isPageRequest(r) {
		a.errorPage(w, r, status, messages[status])
		return
	}
	code := map[int]string{
		http.StatusBadRequest:         "invalid_request",
		http.StatusUnauthorized:       "unauthorized",
		http.StatusForbidden:          "forbidden",
		http.StatusServiceUnavailable: "temporarily_unavailable",
	}[status]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	body, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, messages[status]})
	_, _ = w.Write(append(body, '\n'))
}

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// isPageRequest tells a browser navigation from an API call: fetch and
// XHR send Sec-Fetch-Mode other than "navigate", and API clients ask for
// JSON; everything else (a typed URL, a link, curl) is a page request.
func isPageRequest(r *http.Request) bool {
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	if r.Header.Get("X-Requested-With") != "" {
		return false
	}
	accept := r.Header.Get("Accept")
	return !strings.Contains(accept, "application/json") || strings.Contains(accept, "text/html")
}

// log records err's kind and reason; neither ever holds a token or cookie.
func (a *Auth) log(r *http.Request, msg string, err error) {
	if a.logger == nil {
		return
	}
	attrs := []any{"path", r.URL.Path}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	a.logger.InfoContext(r.Context(), "web: "+msg, attrs...)
}
