package web

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitojwt/cognitojwt"
)

// Purposes bind each sealed value to its use: a sealed session id can not
// be passed off as a session, nor a sign-in flow as either.
const (
	purposeSession = "cognitojwt/web session"
	purposeRef     = "cognitojwt/web session id"
	purposeStore   = "cognitojwt/web stored session "
	purposeFlow    = "cognitojwt/web sign-in"
)

// Require lets only requests with a session through, with the ID token's
// claims in the context as cognitojwt.Middleware puts them. Without one,
// page requests are redirected to LoginPath with the page as next, and
// API-style requests get 401. Unsafe methods from another origin get 403.
func (a *Auth) Require(next http.Handler) http.Handler { return a.wrap(next, false) }

// Optional lets every request through, with the claims in the context
// when a session exists: for pages that greet signed-in users.
func (a *Auth) Optional(next http.Handler) http.Handler { return a.wrap(next, true) }

func (a *Auth) wrap(next http.Handler, optional bool) http.Handler {
	opts := []cognitojwt.Option{
		cognitojwt.WithTokenSource(stateToken),
		cognitojwt.WithErrorHandler(a.reject),
	}
	if optional {
		opts = append(opts, cognitojwt.WithCredentialsOptional())
	}
	// The session was verified in resolve; the middleware only carries
	// its claims into the context, so that guards inside answer through
	// this package's error handler.
	inner := cognitojwt.Middleware(stateVerifier{}, opts...)(next)
	return a.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := a.resolve(w, r)
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
	}))
}

type stateKey struct{}

// state is one request's session, verified.
type state struct {
	idToken      string
	access       string
	idClaims     *cognitojwt.Claims
	accessClaims *cognitojwt.Claims
	err          error
}

func stateOf(ctx context.Context) *state {
	st, _ := ctx.Value(stateKey{}).(*state)
	return st
}

func stateToken(r *http.Request) (string, error) {
	st := stateOf(r.Context())
	if st == nil {
		return "", ErrNoSession
	}
	if st.err != nil {
		return "", st.err
	}
	return st.idToken, nil
}

type stateVerifier struct{}

func (stateVerifier) Verify(ctx context.Context, _ string) (*cognitojwt.Claims, error) {
	if st := stateOf(ctx); st != nil && st.idClaims != nil {
		return st.idClaims, nil
	}
	return nil, ErrNoSession
}

// AccessToken returns the session's access token, verified for this
// request: for GetUser and other calls to Cognito on the user's behalf,
// or for online checks that take the token from the request.
func AccessToken(ctx context.Context) (string, bool) {
	st := stateOf(ctx)
	if st == nil || st.accessClaims == nil {
		return "", false
	}
	return st.access, true
}

// AccessClaims returns the claims of the session's access token (scopes,
// client_id), where ClaimsFromContext returns the ID token's.
func AccessClaims(ctx context.Context) (*cognitojwt.Claims, bool) {
	st := stateOf(ctx)
	if st == nil || st.accessClaims == nil {
		return nil, false
	}
	return st.accessClaims, true
}

// resolve reads, checks and if need be refreshes the request's session.
// A session that cannot continue is ended: its cookie cleared, its stored
// record deleted.
func (a *Auth) resolve(w http.ResponseWriter, r *http.Request) *state {
	ctx := r.Context()
	value, had := a.jar.read(r)
	if value == "" {
		if had > 0 {
			a.jar.clear(w, had)
		}
		return &state{err: ErrNoSession}
	}
	s, stale, err := a.load(ctx, value)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return &state{err: err}
		}
		a.jar.clear(w, had)
		a.log(r, "session ended", err)
		return &state{err: ErrNoSession}
	}
	now := a.now()
	switch {
	case now.Sub(s.created) >= a.absolute:
		return a.end(w, r, s, had, "absolute lifetime reached")
	case now.Sub(s.seen) >= a.idle:
		return a.end(w, r, s, had, "idle lifetime reached")
	}
	st := &state{idToken: s.idToken, access: s.access}
	st.accessClaims, st.idClaims, err = a.verifyPair(ctx, s.access, s.idToken)
	switch {
	case errors.Is(err, cognitojwt.ErrKeysUnavailable):
		return &state{err: because(ErrUnavailable, "signing keys unavailable")}
	case err != nil && !errors.Is(err, cognitojwt.ErrExpired):
		// Revoked, or signed by a key the pool withdrew: refreshing would
		// not make this session trustworthy again.
		return a.end(w, r, s, had, "tokens no longer verify: "+kindOf(err))
	}
	dirty := stale
	if err != nil || (s.refresh != "" && a.due(st, now)) {
		switch ns, rerr := a.refresh(ctx, s); {
		case rerr == nil:
			s, dirty = ns, true
			// Each request gets claims of its own, from the cache the
			// refresh filled.
			st = &state{idToken: s.idToken, access: s.access}
			if st.accessClaims, st.idClaims, err = a.verifyPair(ctx, s.access, s.idToken); err != nil {
				return a.end(w, r, s, had, "refreshed tokens no longer verify: "+kindOf(err))
			}
		case err == nil && errors.Is(rerr, ErrUnavailable):
			// The tokens still verify: serve with them and try again on
			// the next request.
			a.log(r, "refresh postponed", rerr)
		case errors.Is(rerr, ErrUnavailable):
			a.log(r, "refresh failed", rerr)
			return &state{err: rerr}
		default:
			return a.end(w, r, s, had, rerr.Error())
		}
	}
	if now.Sub(s.seen) >= a.touch {
		s.seen, dirty = now, true
	}
	if dirty {
		if err := a.save(ctx, w, s, had, false); err != nil {
			a.log(r, "session not saved", err)
		}
	}
	return st
}

// due reports whether either token expires within RefreshBefore.
func (a *Auth) due(st *state, now time.Time) bool {
	limit := now.Add(a.before)
	return st.accessClaims.ExpiresAt.Before(limit) || st.idClaims.ExpiresAt.Before(limit)
}

// verifyPair verifies both tokens of a session, from the verifiers'
// caches on every request but the first after a sign-in or refresh.
func (a *Auth) verifyPair(ctx context.Context, access, id string) (ac, ic *cognitojwt.Claims, err error) {
	if ac, err = a.accesses.Verify(ctx, access); err != nil {
		return nil, nil, err
	}
	if ic, err = a.ids.Verify(ctx, id); err != nil {
		return nil, nil, err
	}
	if ac.Subject != ic.Subject {
		return nil, nil, because(ErrNoSession, "access and ID tokens name different users")
	}
	return ac, ic, nil
}

// end deletes the session and answers as if there had been none.
func (a *Auth) end(w http.ResponseWriter, r *http.Request, s *session, had int, reason string) *state {
	if a.store != nil {
		if err := a.store.Delete(context.WithoutCancel(r.Context()), s.id); err != nil {
			a.log(r, "stored session not deleted", because(ErrUnavailable, "store delete failed"))
		}
	}
	a.jar.clear(w, had)
	a.log(r, "session ended", because(ErrNoSession, reason))
	return &state{err: ErrNoSession}
}

// load opens the cookie's value into a session. stale reports that it
// was sealed with a key other than the first, so that saving it again
// moves it to the current key.
func (a *Auth) load(ctx context.Context, value string) (s *session, stale bool, err error) {
	purpose := purposeSession
	if a.store != nil {
		purpose = purposeRef
	}
	pt, idx, err := a.seal.open(purpose, value)
	if err != nil {
		return nil, false, because(ErrNoSession, "cookie does not open")
	}
	if a.store == nil {
		s, err = decodeSession(pt)
		if err != nil {
			return nil, false, because(ErrNoSession, "cookie holds no session")
		}
		return s, idx > 0, nil
	}
	id := string(pt)
	rec, ok, err := a.store.Get(ctx, id)
	switch {
	case err != nil:
		return nil, false, because(ErrUnavailable, "store read failed")
	case !ok:
		return nil, false, because(ErrNoSession, "session not in the store")
	}
	pt, sidx, err := a.seal.open(purposeStore+id, string(rec))
	if err != nil {
		return nil, false, because(ErrNoSession, "stored session does not open")
	}
	if s, err = decodeSession(pt); err != nil || s.id != id {
		return nil, false, because(ErrNoSession, "store holds no session under its id")
	}
	return s, idx > 0 || sidx > 0, nil
}

// save writes s: into the cookie, or into the store (and, when the cookie
// is new or was sealed with an old key, the id into the cookie).
func (a *Auth) save(ctx context.Context, w http.ResponseWriter, s *session, had int, newCookie bool) error {
	left := a.absolute - a.now().Sub(s.created)
	if a.store == nil {
		a.jar.write(w, a.seal.seal(purposeSession, s.encode()), left, had)
		return nil
	}
	ttl := min(a.idle, left)
	if err := a.store.Set(ctx, s.id, []byte(a.seal.seal(purposeStore+s.id, s.encode())), ttl); err != nil {
		return because(ErrUnavailable, "store write failed")
	}
	if newCookie || had == 0 {
		a.jar.write(w, a.seal.seal(purposeRef, []byte(s.id)), left, had)
	}
	return nil
}

// refresh trades the session's refresh token for new tokens, once per
// session however many requests ask at the same moment: they all wait for
// the one call and share its answer. A definitive refusal (the token was
// revoked, the user disabled or deleted) is ErrNoSession; a token endpoint
// that cannot be reached is ErrUnavailable.
func (a *Auth) refresh(ctx context.Context, s *session) (*session, error) {
	if s.refresh == "" {
		return nil, because(ErrNoSession, "tokens expired and there is no refresh token")
	}
	res := a.flights.do(s.id, func() refreshed {
		// The call outlives the request that started it: the others that
		// wait for it must not fail because that one client went away.
		ctx := oauthContext(context.WithoutCancel(ctx), a.client)
		tok, err := a.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: s.refresh}).Token()
		if err != nil {
			return refreshed{err: tokenEndpointError(err, "refresh")}
		}
		ns := &session{id: s.id, created: s.created, seen: a.now(), refresh: tok.RefreshToken}
		ns.access = tok.AccessToken
		ns.idToken, _ = tok.Extra("id_token").(string)
		if _, _, err := a.verifyPair(ctx, ns.access, ns.idToken); err != nil {
			if errors.Is(err, cognitojwt.ErrKeysUnavailable) {
				return refreshed{err: because(ErrUnavailable, "signing keys unavailable")}
			}
			return refreshed{err: because(ErrNoSession, "refreshed tokens do not verify: "+kindOf(err))}
		}
		return refreshed{s: ns}
	})
	return res.s, res.err
}

// tokenEndpointError classifies a failed call to the token endpoint
// without keeping its text: oauth2's errors quote the response body.
func tokenEndpointError(err error, what string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
		code := re.ErrorCode
		if code == "" || len(code) > 40 {
			code = "refused"
		}
		return because(ErrNoSession, what+" refused by the token endpoint: "+code)
	}
	return because(ErrUnavailable, what+": token endpoint unreachable or failing")
}

// kindOf names the cognitojwt sentinel err wraps, for logs.
func kindOf(err error) string {
	if k := cognitojwt.ErrorKind(err); k != nil {
		return k.Error()
	}
	return "other"
}

func oauthContext(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

type refreshed struct {
	s   *session
	err error
}

// flights runs one refresh per session id at a time; callers that arrive
// while it runs wait for its result instead of starting their own.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
	// waiting counts callers blocked on another's call, for tests.
	waiting int
}

type flight struct {
	done chan struct{}
	res  refreshed
}

func (f *flights) do(key string, fn func() refreshed) refreshed {
	f.mu.Lock()
	if c, ok := f.m[key]; ok {
		f.waiting++
		f.mu.Unlock()
		<-c.done
		f.mu.Lock()
		f.waiting--
		f.mu.Unlock()
		return c.res
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	c := &flight{done: make(chan struct{})}
	f.m[key] = c
	f.mu.Unlock()

	c.res = fn()
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	close(c.done)
	return c.res
}
