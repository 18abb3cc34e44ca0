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
	purposeRefresh = "cognitojwt/web refresh token "
	purposeAccess  = "cognitojwt/web access token "
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

// state is one request's session: the ID token verified, the access token
// opened and verified on first use, since most pages never use it and it
// would otherwise cost a third of each request.
type state struct {
	idToken  string
	idClaims *cognitojwt.Claims
	err      error

	auth *Auth
	req  *http.Request
	sess *session

	once         sync.Once
	access       string
	accessClaims *cognitojwt.Claims
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

// accessToken opens and verifies the session's access token, once.
func (st *state) accessToken() (string, *cognitojwt.Claims) {
	if st == nil || st.err != nil {
		return "", nil
	}
	st.once.Do(func() {
		a, s := st.auth, st.sess
		a.loadAccess(st.req, s)
		if s.access == "" {
			a.log(st.req, "access token unavailable", because(ErrNoSession, "access-token cookie missing or not this session's"))
			return
		}
		ac, err := a.accesses.Verify(st.req.Context(), s.access)
		if err != nil || ac.Subject != st.idClaims.Subject {
			a.log(st.req, "access token unavailable", because(ErrNoSession, "access token does not verify: "+kindOf(err)))
			return
		}
		st.access, st.accessClaims = s.access, ac
	})
	return st.access, st.accessClaims
}

// AccessToken returns the session's access token, verified: for GetUser
// and other calls to Cognito on the user's behalf, or for online checks
// that take the token from the request. It is opened on the first call
// in a request; false means the request has no session or the token does
// not verify (revoked, say).
func AccessToken(ctx context.Context) (string, bool) {
	t, c := stateOf(ctx).accessToken()
	return t, c != nil
}

// AccessClaims returns the claims of the session's access token (scopes,
// client_id), where ClaimsFromContext returns the ID token's.
func AccessClaims(ctx context.Context) (*cognitojwt.Claims, bool) {
	_, c := stateOf(ctx).accessToken()
	return c, c != nil
}

// resolve reads, checks and if need be refreshes the request's session.
// A session that cannot continue is ended: its cookies cleared, its stored
// record deleted.
func (a *Auth) resolve(w http.ResponseWriter, r *http.Request) *state {
	ctx := r.Context()
	parts, had := a.jar.read(r)
	if parts == nil {
		if had > 0 {
			a.clearCookies(w, r, had)
		}
		return &state{err: ErrNoSession}
	}
	s, stale, err := a.load(ctx, parts)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return &state{err: err}
		}
		a.clearCookies(w, r, had)
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
	ic, err := a.ids.Verify(ctx, s.idToken)
	switch {
	case errors.Is(err, cognitojwt.ErrKeysUnavailable):
		return &state{err: because(ErrUnavailable, "signing keys unavailable")}
	case err != nil && !errors.Is(err, cognitojwt.ErrExpired):
		// Revoked, or signed by a key the pool withdrew: refreshing would
		// not make this session trustworthy again.
		return a.end(w, r, s, had, "ID token no longer verifies: "+kindOf(err))
	}
	st := &state{idToken: s.idToken, idClaims: ic, auth: a, req: r, sess: s}
	what := saveTouched
	if stale {
		// Moving the session to the current key moves its other cookies
		// too, which therefore have to be read first.
		a.loadAccess(r, s)
		a.loadRefresh(r, s)
		what = saveAll
	}
	if err != nil || a.due(s, ic, now) {
		a.loadRefresh(r, s)
		switch ns, rerr := a.refresh(ctx, s); {
		case rerr == nil:
			// Requests that shared the refresh share ns: each takes a copy
			// to stamp.
			cp := *ns
			s, what = &cp, max(what, saveRefreshed)
			st = &state{idToken: s.idToken, auth: a, req: r, sess: s}
			// Each request gets claims of its own, from the cache the
			// refresh filled.
			if st.idClaims, err = a.ids.Verify(ctx, s.idToken); err != nil {
				return a.end(w, r, s, had, "refreshed ID token no longer verifies: "+kindOf(err))
			}
		case err == nil && (s.refresh == "" || errors.Is(rerr, ErrUnavailable)):
			// The tokens still verify: serve with them until they expire,
			// trying again on the next request if there is a refresh
			// token to try with.
			if s.refresh != "" {
				a.log(r, "refresh postponed", rerr)
			}
		case errors.Is(rerr, ErrUnavailable):
			a.log(r, "refresh failed", rerr)
			return &state{err: rerr}
		default:
			return a.end(w, r, s, had, reasonOf(rerr))
		}
	}
	touched := now.Sub(s.seen) >= a.touch
	if touched {
		s.seen = now
	}
	if what > saveTouched || touched {
		if err := a.save(ctx, w, r, s, had, what); err != nil {
			a.log(r, "session not saved", err)
		}
	}
	return st
}

// due reports whether either token expires within RefreshBefore.
func (a *Auth) due(s *session, ic *cognitojwt.Claims, now time.Time) bool {
	limit := now.Add(a.before)
	return s.accessExp.Before(limit) || ic.ExpiresAt.Before(limit)
}

// verifyPair verifies both tokens of a new session (sign-in, refresh).
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
	a.deleteStored(r, s)
	a.clearCookies(w, r, had)
	a.log(r, "session ended", because(ErrNoSession, reason))
	return &state{err: ErrNoSession}
}

func (a *Auth) deleteStored(r *http.Request, s *session) {
	if a.store == nil {
		return
	}
	if err := a.store.Delete(context.WithoutCancel(r.Context()), s.id); err != nil {
		a.log(r, "stored session not deleted", because(ErrUnavailable, "store delete failed"))
	}
}

// clearCookies deletes the session cookie (had: the names the request
// carried) and the access- and refresh-token cookies.
func (a *Auth) clearCookies(w http.ResponseWriter, r *http.Request, had int) {
	a.jar.clear(w, had)
	for _, j := range [...]cookieJar{a.accessJar, a.refreshJar} {
		if _, n := j.read(r); n > 0 {
			j.clear(w, n)
		}
	}
}

// load opens the cookie's value into a session. In cookie mode the
// refresh token stays sealed in its own cookie until loadRefresh needs it.
// stale reports that something was sealed with a key other than the
// first, so that saving it again moves it to the current key.
func (a *Auth) load(ctx context.Context, parts []string) (s *session, stale bool, err error) {
	purpose := purposeSession
	if a.store != nil {
		purpose = purposeRef
	}
	pt, idx, err := a.seal.open(purpose, parts...)
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
	// The record holds three sealed parts, like the three cookies: only
	// the first is opened here.
	var sealed [3][]byte
	if splitRecord(rec, sealed[:]) != nil {
		return nil, false, because(ErrNoSession, "stored session is malformed")
	}
	pt, sidx, err := a.seal.openRaw(purposeStore+id, sealed[0])
	if err != nil {
		return nil, false, because(ErrNoSession, "stored session does not open")
	}
	if s, err = decodeSession(pt); err != nil || s.id != id {
		return nil, false, because(ErrNoSession, "store holds no session under its id")
	}
	s.sealedAccess, s.sealedRefresh = sealed[1], sealed[2]
	return s, idx > 0 || sidx > 0, nil
}

// loadAccess and loadRefresh fill in s.access and s.refresh from their
// cookies or from their parts of the stored record, or leave them empty
// when a cookie is missing or does not belong to s.
// A stored part is decrypted in place, so it is dropped once tried.
func (a *Auth) loadAccess(r *http.Request, s *session) {
	if s.access == "" {
		s.access = a.openPart(r, a.accessJar, s.sealedAccess, purposeAccess+s.id)
		s.sealedAccess = nil
	}
}

func (a *Auth) loadRefresh(r *http.Request, s *session) {
	if s.refresh == "" {
		s.refresh = a.openPart(r, a.refreshJar, s.sealedRefresh, purposeRefresh+s.id)
		s.sealedRefresh = nil
	}
}

func (a *Auth) openPart(r *http.Request, j cookieJar, stored []byte, purpose string) string {
	if a.store != nil {
		if len(stored) == 0 {
			return ""
		}
		pt, _, err := a.seal.openRaw(purpose, stored)
		if err != nil {
			return ""
		}
		return string(pt)
	}
	return a.openCookie(r, j, purpose)
}

func (a *Auth) openCookie(r *http.Request, j cookieJar, purpose string) string {
	parts, _ := j.read(r)
	if parts == nil {
		return ""
	}
	pt, _, err := a.seal.open(purpose, parts...)
	if err != nil {
		return ""
	}
	return string(pt)
}

// saveWhat says what changed since the session was read.
type saveWhat int

const (
	saveTouched   saveWhat = iota // the last-seen time
	saveRefreshed                 // the tokens
	saveAll                       // everything: sign-in, or a key rotation
)

// save writes s. In cookie mode the session cookie (times and ID token)
// is written every time, the access- and refresh-token cookies only after
// a refresh or for saveAll: each request opens the first, only the pages
// that use it the second, only refreshes the third, which keeps what a
// request decrypts to about a third of the session. In store mode the
// record is written every time and the id cookie only for saveAll.
func (a *Auth) save(ctx context.Context, w http.ResponseWriter, r *http.Request, s *session, had int, what saveWhat) error {
	left := a.absolute - a.now().Sub(s.created)
	if a.store == nil {
		main := *s
		main.access, main.refresh = "", ""
		a.jar.write(w, a.seal.seal(purposeSession, main.encode()), left, had)
		if what >= saveRefreshed {
			a.writeCookie(w, r, a.accessJar, purposeAccess+s.id, s.access, left)
			a.writeCookie(w, r, a.refreshJar, purposeRefresh+s.id, s.refresh, left)
		}
		return nil
	}
	ttl := min(a.idle, left)
	main := *s
	main.access, main.refresh = "", ""
	rec := appendRecord(nil,
		a.seal.sealRaw(purposeStore+s.id, main.encode()),
		a.sealPart(s, purposeAccess, s.access, s.sealedAccess),
		a.sealPart(s, purposeRefresh, s.refresh, s.sealedRefresh))
	if err := a.store.Set(ctx, s.id, rec, ttl); err != nil {
		return because(ErrUnavailable, "store write failed")
	}
	if what == saveAll {
		a.jar.write(w, a.seal.seal(purposeRef, []byte(s.id)), left, had)
	}
	return nil
}

// sealPart seals a token for the stored record, or keeps the sealed part
// read with the record when the token was never opened: a touch then
// costs no encryption of tokens that did not change.
func (a *Auth) sealPart(s *session, purpose, token string, sealed []byte) []byte {
	if token == "" {
		return sealed
	}
	return a.seal.sealRaw(purpose+s.id, []byte(token))
}

func (a *Auth) writeCookie(w http.ResponseWriter, r *http.Request, j cookieJar, purpose, value string, maxAge time.Duration) {
	_, n := j.read(r)
	if value == "" {
		j.clear(w, n)
		return
	}
	j.write(w, a.seal.seal(purpose, []byte(value)), maxAge, n)
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
		ac, _, err := a.verifyPair(ctx, ns.access, ns.idToken)
		if err != nil {
			if errors.Is(err, cognitojwt.ErrKeysUnavailable) {
				return refreshed{err: because(ErrUnavailable, "signing keys unavailable")}
			}
			return refreshed{err: because(ErrNoSession, "refreshed tokens do not verify: "+kindOf(err))}
		}
		ns.accessExp = ac.ExpiresAt
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

// kindOf names the cognitojwt sentinel err wraps, for logs: its stable
// code, as the core middleware logs it.
func kindOf(err error) string { return cognitojwt.ErrorCode(err) }

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
