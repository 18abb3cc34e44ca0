package cognitojwt

import (
	"context"
	"net/http"
)

// Authenticator is the seam between the middleware and whatever proves
// who is calling: it turns one request into an Authentication, or an
// error wrapping one of the package's sentinels. Middleware(v) uses the
// default one, a TokenSource (BearerToken unless WithTokenSource says
// otherwise) followed by v.Verify; MiddlewareFor takes any other, such as
// the web package's session cookies, and gives it the same options,
// guards, error answers and context readers.
//
// Authenticate may write headers to w (a session that was refreshed sets
// its new cookies) but must not write a body or a status: the middleware
// answers refusals itself. It returns an error wrapping ErrNoToken when
// the request carries no credentials at all, which WithCredentialsOptional
// lets through without claims; any other error is answered through the
// error handler. Authenticate is called once per request, concurrently.
type Authenticator interface {
	Authenticate(w http.ResponseWriter, r *http.Request) (Authentication, error)
}

// Authentication is what an Authenticator proved about one request. The
// middleware puts it into the request context as a single value, which
// ClaimsFromContext and AuthenticationFromContext read back and guards
// decide on.
type Authentication struct {
	// Claims are the verified claims; an Authentication without them is
	// refused as ErrMalformedToken.
	Claims *Claims
	// Token is the raw token Claims were verified from, to hand on;
	// empty when there is none.
	Token string
	// State is the authenticator's own per-request value, carried in the
	// same context value so that an authenticator needs no second one:
	// the web package keeps the request's session there and reads it
	// back with AuthenticationFromContext. The middleware never looks
	// inside it.
	State any
}

// bearer is the default Authenticator: a token from src, verified by v.
type bearer struct {
	src TokenSource
	v   TokenVerifier
	// own is v when it is one of the package's verifiers, found once when
	// the middleware is built.
	own cachedVerifier
	// lazy is set when src is BearerToken and v is a Verifier or a
	// MultiVerifier: the header is read without BearerToken's scan of the
	// token's characters, which runs only when the cache does not know the
	// token. A cached token passed strict base64url decoding when it was
	// verified, so it is b64token, and a hit costs no pass over its bytes
	// beyond the hash and the comparison. A token outside b64token is
	// still refused as ErrInvalidRequest, before it is verified.
	lazy bool
}

// cachedVerifier is what the package's own verifiers offer the
// middleware beyond Verify: the cache asked alone, before the request's
// context value is allocated, and claims verified into that value instead
// of a struct of their own.
type cachedVerifier interface {
	cached(token string) (cacheHit, cacheMiss)
	verifyInto(ctx context.Context, token string, dst *Claims, miss cacheMiss) (*Claims, error)
}

func (v *Verifier) verifyInto(ctx context.Context, token string, dst *Claims, miss cacheMiss) (*Claims, error) {
	return v.verifyObserved(ctx, token, nil, dst, miss)
}

// Authenticate implements Authenticator.
func (b bearer) Authenticate(_ http.ResponseWriter, r *http.Request) (Authentication, error) {
	token, err := b.src(r)
	if err != nil {
		return Authentication{}, err
	}
	c, err := b.v.Verify(r.Context(), token)
	if err != nil {
		// The token travels with the error for the debug log's
		// expected-versus-actual record only.
		return Authentication{Token: token}, err
	}
	return Authentication{Claims: c, Token: token}, nil
}

// authenticateNew is Authenticate for the middleware: it returns the
// request's context value, which holds the claims, allocated once per
// request. On a cache hit the value is allocated after the lookup and
// the claims are copied into it before any call (see Claims.fill), so
// that the copy's write barriers record only the new pointers.
func (b bearer) authenticateNew(r *http.Request, m *middleware) (*authRequest, error) {
	var token string
	var err error
	if b.lazy {
		token, err = bearerToken(r)
	} else {
		token, err = b.src(r)
	}
	if err != nil {
		return &authRequest{auth: auth{mw: m}}, err
	}
	v := b.own
	if v == nil {
		x := &authRequest{auth: auth{mw: m}}
		x.Claims, err = b.v.Verify(r.Context(), token)
		// On error the token stays for the debug log's
		// expected-versus-actual record only; a refused request's value
		// is never handed on.
		x.Token = token
		return x, err
	}
	found, miss := v.cached(token)
	if found.shared != nil {
		x := new(bearerRequest)
		x.claims.fill(found.shared)
		x.mw, x.Token = m, token
		if err := found.check(&x.claims); err != nil {
			return &x.authRequest, err
		}
		x.Claims = &x.claims
		return &x.authRequest, nil
	}
	if b.lazy && !isToken68(token) {
		return &authRequest{auth: auth{mw: m}}, errBadBearer
	}
	x := &bearerRequest{authRequest: authRequest{auth: auth{mw: m}}}
	x.Claims, err = v.verifyInto(r.Context(), token, &x.claims, miss)
	x.Token = token
	return &x.authRequest, err
}

// MiddlewareFor is Middleware with another way of proving who is calling:
// a asserts each request, and what it returns is put into the request
// context for ClaimsFromContext, AuthenticationFromContext and the guards, which
// answer through the same error handler, realm and logger. The web
// package builds its session middleware on it.
func MiddlewareFor(a Authenticator, opts ...Option) func(http.Handler) http.Handler {
	m := newMiddleware(opts)
	if a != nil {
		m.authn = a
	}
	return m.handler
}

// AuthenticationFromContext returns what the request's authenticator
// proved: the raw token, to call Cognito with the user's own access token
// (GetUser, UpdateUserAttributes) or to forward it downstream (check
// Claims.TokenUse before sending it where only an access token belongs),
// and the State an Authenticator given to MiddlewareFor reads back.
// Requests let through without credentials (WithCredentialsOptional)
// report true with nil Claims and whatever State the authenticator
// returned with its ErrNoToken.
func AuthenticationFromContext(ctx context.Context) (Authentication, bool) {
	a := authOf(ctx)
	if a == nil || a.preflight {
		return Authentication{}, false
	}
	return a.Authentication, true
}

// ContextWithAuthentication returns ctx carrying a, as the middleware
// would: for tests of handlers and guards (Authentication{Claims: c} is
// enough for most), and for middleware of the caller's own that proves
// who is calling some other way.
func ContextWithAuthentication(ctx context.Context, a Authentication) context.Context {
	return (&auth{Authentication: a}).in(ctx)
}
