package cognitojwt

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cognitojwt/cognitojwt/internal/guard"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// TokenSource extracts the raw token from a request. It returns ErrNoToken
// when the request carries none and an error wrapping ErrInvalidRequest
// when what it carries is malformed.
type TokenSource func(r *http.Request) (string, error)

// Option configures Middleware and MiddlewareFor.
type Option func(*middleware)

// WithErrorHandler replaces the RFC 6750 error responses: h writes the
// answer to a refused request, whose err wraps one of the package's
// sentinels (ErrorStatus maps it; WriteError answers the cases h leaves).
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(m *middleware) { m.onError = h }
}

// WithTokenSource reads the token from somewhere other than the
// Authorization header, for example CookieToken("id_token"). It applies
// to Middleware's default authenticator; an Authenticator given to
// MiddlewareFor reads the request itself, and the option has no effect
// there.
func WithTokenSource(src TokenSource) Option {
	return func(m *middleware) { m.source = src }
}

// WithCredentialsOptional lets requests without a token through with no
// claims in the context; a token that is present must still be valid.
// Guard routes that need a caller with package authz's Authorize.
func WithCredentialsOptional() Option {
	return func(m *middleware) { m.optional = true }
}

// WithLogger logs every rejection at Info level with its error code (see
// ErrorCode) as "kind", its method, path and, when a ServeMux routed the
// request, its pattern. When l is enabled at Debug level, the record says
// more: for a token of the wrong issuer, client or token_use, the expected
// ones and what the token carries (its token_use; the pool ID of a
// Cognito issuer, or that it is none; its client id when it has the shape
// of a Cognito app client ID, or that it has not); for the refusal of a
// guard of package authz, the guard and why its policy refused
// (authz.AgeAtLeast: a missing birthdate or too young an age), with a hint
// when an access token was refused over a claim Cognito puts only in ID
// tokens. Token bytes and other claim values are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(m *middleware) { m.logger = l }
}

// WithCORSPreflight lets CORS preflight requests (OPTIONS with Origin and
// Access-Control-Request-Method) through unverified and without claims:
// browsers never send credentials with a preflight, so without this option
// the middleware answers it 401 and the browser reports a CORS failure.
// It is needed only where the CORS handler runs after Middleware; placed
// in front of it, the CORS handler answers preflights itself (see the
// README's "Where the middleware goes").
func WithCORSPreflight() Option {
	return func(m *middleware) { m.preflight = true }
}

// WithRealm sets the realm of WWW-Authenticate challenges (default "api").
func WithRealm(realm string) Option {
	return func(m *middleware) { m.realm = quotable(realm) }
}

const defaultRealm = "api"

type middleware struct {
	authn     Authenticator
	source    TokenSource
	onError   func(w http.ResponseWriter, r *http.Request, err error)
	optional  bool
	preflight bool
	logger    *slog.Logger
	realm     string
	// defaultSource is set when no WithTokenSource replaced BearerToken,
	// so that a Verifier's cache hit may skip BearerToken's b64token scan
	// (see bearer.lazy).
	defaultSource bool
}

// Middleware verifies the request's token with v and puts its claims into
// the request context for ClaimsFromContext. Rejections are answered the
// RFC 6750 way (see ErrorStatus).
func Middleware(v TokenVerifier, opts ...Option) func(http.Handler) http.Handler {
	m := newMiddleware(opts)
	if v != nil {
		own, _ := v.(cachedVerifier)
		m.authn = bearer{src: m.source, v: v, own: own, lazy: m.defaultSource && own != nil}
	}
	return m.handler
}

func newMiddleware(opts []Option) *middleware {
	m := &middleware{realm: defaultRealm}
	for _, o := range opts {
		o(m)
	}
	if m.source == nil {
		m.source, m.defaultSource = BearerToken, true
	}
	return m
}

func (m *middleware) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.preflight && isPreflight(r) {
			(&authRequest{auth: auth{mw: m, preflight: true}}).serve(next, w, r)
			return
		}
		if m.authn == nil {
			guard.Miswired(w, r, "Middleware was given a nil TokenVerifier, or MiddlewareFor a nil Authenticator")
			return
		}
		// One allocation per request: the context value, the request
		// copy handed on and, for the bearer authenticator, the claims.
		var x *authRequest
		var err error
		if b, ok := m.authn.(bearer); ok {
			x, err = b.authenticateNew(r, m)
		} else {
			x = &authRequest{auth: auth{mw: m}}
			x.Authentication, err = m.authn.Authenticate(w, r)
		}
		if err == nil {
			if x.Claims == nil {
				err = errNoClaimsReturned
			} else {
				x.serve(next, w, r)
				return
			}
		}
		if m.optional && errors.Is(err, ErrNoToken) {
			// The authenticator's state travels on without claims: a
			// page that greets signed-in users still reaches it.
			x.Authentication = Authentication{State: x.State}
			x.serve(next, w, r)
			return
		}
		m.reject(w, r, err, "", m.mismatch(r, x.Token, err)...)
	})
}

var errNoClaimsReturned = fail(ErrMalformedToken, "authenticator returned no claims")

// isPreflight reports whether r is a CORS preflight as the Fetch standard
// defines it: OPTIONS with Origin and Access-Control-Request-Method.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// reject answers a refused request and logs it; extra are the debug-level
// attributes saying why, when the caller has them.
func (m *middleware) reject(w http.ResponseWriter, r *http.Request, err error, scope string, extra ...slog.Attr) {
	if m.logger != nil {
		attrs := []slog.Attr{slog.String("kind", ErrorCode(err)), slog.String("method", r.Method), slog.String("path", r.URL.Path)}
		if r.Pattern != "" {
			// The ServeMux pattern groups rejections by route where paths
			// carry IDs.
			attrs = append(attrs, slog.String("route", r.Pattern))
		}
		// Only this package's errors are known to keep token bytes out of
		// their text; a caller's verifier or token source might not.
		var ours *verifyError
		if errors.As(err, &ours) {
			attrs = append(attrs, slog.String("detail", ours.Detail))
		}
		attrs = append(attrs, extra...)
		m.logger.LogAttrs(r.Context(), slog.LevelInfo, "cognitojwt: request rejected", attrs...)
	}
	if m.onError != nil {
		m.onError(w, r, err)
		return
	}
	writeError(w, err, m.realm, scope)
}

// auth is what the middleware stores in the context, under guard.Key:
// what the authenticator proved, and the middleware itself so that the
// guards of package authz answer with the same realm, logger and error
// handler (auth is their guard.Auth).
//
// It is itself the request's context, the parent's with this one value
// added, so that a request costs one allocation for it rather than two.
type auth struct {
	context.Context
	Authentication
	mw *middleware
	// preflight marks a CORS preflight let through by WithCORSPreflight,
	// which guards let through too.
	preflight bool
}

// authRequest is a request's auth together with the request handed on,
// which carries it as its context: http.Request.WithContext is inlined
// and its copy does not escape when it is copied here, so the two cost
// one allocation rather than two (TestMiddlewareAllocatesOncePerRequest).
// A handler that keeps the claims keeps this request copy too.
type authRequest struct {
	auth
	req http.Request
}

// serve hands next the copy of r, held by x, whose context is x's auth
// extending r's.
func (x *authRequest) serve(next http.Handler, w http.ResponseWriter, r *http.Request) {
	x.req = *r.WithContext(x.in(r.Context()))
	next.ServeHTTP(w, &x.req)
}

// bearerRequest is authRequest with room for the claims, where the bearer
// authenticator's Verifier copies them (Authentication.Claims then points
// here), in the same allocation. Other authenticators bring claims of
// their own and get a plain authRequest. The claims come first: the
// compiler knows only an object's first 64 words to be zero after its
// allocation, and Claims.fill relies on it.
type bearerRequest struct {
	claims Claims
	authRequest
}

// in returns a, as a context that extends ctx with a as its authKey value.
func (a *auth) in(ctx context.Context) context.Context {
	a.Context = ctx
	return a
}

// Value answers guard.Key with a and every other key from the parent.
func (a *auth) Value(key any) any {
	if _, ok := key.(guard.Key); ok {
		return a
	}
	return a.Context.Value(key)
}

func authOf(ctx context.Context) *auth {
	a, _ := ctx.Value(guard.Key{}).(*auth)
	return a
}

// Preflight implements guard.Auth.
func (a *auth) Preflight() bool { return a.preflight }

// Debug implements guard.Auth.
func (a *auth) Debug(ctx context.Context) bool { return a.mw != nil && debugEnabled(ctx, a.mw.logger) }

// Reject implements guard.Auth: through the middleware that ran or, for
// claims placed by ContextWithAuthentication, with the default realm.
func (a *auth) Reject(w http.ResponseWriter, r *http.Request, err error, scope string, why ...slog.Attr) {
	if a.mw != nil {
		a.mw.reject(w, r, err, quotable(scope), why...)
		return
	}
	writeError(w, err, defaultRealm, quotable(scope))
}

// ClaimsFromContext returns the claims Middleware (or MiddlewareFor's
// authenticator) verified for this request.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	a := authOf(ctx)
	if a == nil || a.Claims == nil {
		return nil, false
	}
	return a.Claims, true
}

// BearerToken reads "Authorization: Bearer <token>" (scheme compared
// case-insensitively). A missing header or another scheme is ErrNoToken; a
// repeated header, an empty token or one with characters outside RFC 6750's
// b64token is ErrInvalidRequest.
func BearerToken(r *http.Request) (string, error) {
	token, err := bearerToken(r)
	if err != nil {
		return "", err
	}
	if !isToken68(token) {
		return "", errBadBearer
	}
	return token, nil
}

// bearerToken is BearerToken without the scan of the token's characters,
// for the middleware's Verifier, whose cache hits prove them (see
// bearer.lazy): the scan is most of what reading the header costs.
func bearerToken(r *http.Request) (string, error) {
	values := r.Header["Authorization"]
	switch len(values) {
	case 0:
		return "", errNoAuthorization
	case 1:
	default:
		return "", errRepeatedHeader
	}
	v := strings.Trim(values[0], " \t")
	if v == "" {
		return "", errEmptyHeader
	}
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		if !isToken68(scheme) {
			return "", errBadScheme
		}
		return "", errOtherScheme
	}
	token := strings.TrimLeft(rest, " ")
	if token == "" {
		return "", errEmptyBearer
	}
	return token, nil
}

var (
	errNoAuthorization = fail(ErrNoToken, "no Authorization header")
	errOtherScheme     = fail(ErrNoToken, "Authorization scheme is not Bearer")
	errNoTokenSource   = fail(ErrNoToken, "no token in the configured source")
	errRepeatedHeader  = fail(ErrInvalidRequest, "more than one Authorization header")
	errEmptyHeader     = fail(ErrInvalidRequest, "empty Authorization header")
	errBadScheme       = fail(ErrInvalidRequest, "malformed Authorization scheme")
	errEmptyBearer     = fail(ErrInvalidRequest, "Bearer scheme without a token")
	errBadBearer       = fail(ErrInvalidRequest, "bearer token has characters outside b64token")
)

// isToken68 reports whether s is RFC 6750's b64token (RFC 7235 token68):
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". It runs on
// every request over the whole token, hence the table.
func isToken68(s string) bool {
	i := 0
	// Eight bytes per branch: the token is scanned on every request.
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		if token68Chars[b[0]]&token68Chars[b[1]]&token68Chars[b[2]]&token68Chars[b[3]]&
			token68Chars[b[4]]&token68Chars[b[5]]&token68Chars[b[6]]&token68Chars[b[7]] == 0 {
			break
		}
	}
	for i < len(s) && token68Chars[s[i]] == 1 {
		i++
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// token68Chars is 1 for the characters of token68 before its padding.
var token68Chars = func() (t [256]uint8) {
	for c := range t {
		b := byte(c)
		if rules.IsB64URL(b) || b == '.' || b == '~' || b == '+' || b == '/' {
			t[c] = 1
		}
	}
	return t
}()

// CookieToken reads the token from the named cookie. A missing or empty
// cookie is ErrNoToken; two cookies of that name are ErrInvalidRequest.
func CookieToken(name string) TokenSource {
	return func(r *http.Request) (string, error) {
		var found []string
		for _, c := range r.CookiesNamed(name) {
			found = append(found, c.Value)
		}
		switch {
		case len(found) == 0 || (len(found) == 1 && found[0] == ""):
			return "", errNoTokenSource
		case len(found) > 1:
			return "", fail(ErrInvalidRequest, "more than one token cookie")
		case !isToken68(found[0]):
			return "", fail(ErrInvalidRequest, "token cookie has characters outside b64token")
		}
		return found[0], nil
	}
}

// HeaderToken reads a raw token (no scheme) from the named header, such as
// the access token an Application Load Balancer forwards in
// "X-Amzn-Oidc-Accesstoken".
func HeaderToken(name string) TokenSource {
	key := http.CanonicalHeaderKey(name)
	return func(r *http.Request) (string, error) {
		values := r.Header[key]
		switch {
		case len(values) == 0 || (len(values) == 1 && values[0] == ""):
			return "", errNoTokenSource
		case len(values) > 1:
			return "", fail(ErrInvalidRequest, "token header repeated")
		}
		v := strings.Trim(values[0], " \t")
		if !isToken68(v) {
			return "", fail(ErrInvalidRequest, "token header has characters outside b64token")
		}
		return v, nil
	}
}
