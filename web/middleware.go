package web

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/cognitojwt/cognitojwt"
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
	opts := []cognitojwt.Option{cognitojwt.WithErrorHandler(a.reject)}
	if optional {
		opts = append(opts, cognitojwt.WithCredentialsOptional())
	}
	return a.csrf.Handler(cognitojwt.MiddlewareFor(a, opts...)(next))
}

// Authenticate is Auth's side of cognitojwt's Authenticator seam, which
// Require and Optional plug it into: it opens the request's session
// (reading the Cookie header once), refreshes it when due and returns the
// ID token's claims, the ID token, and the session for AccessToken and
// AccessClaims to read back. A request without a usable session is
// ErrNoSession (which wraps cognitojwt.ErrNoToken); a store, signing keys
// or token endpoint that cannot be reached is ErrUnavailable. Use it with
// cognitojwt.MiddlewareFor directly only to put a session behind options
// of your own: Require and Optional add the cross-origin check and this
// package's answers.
func (a *Auth) Authenticate(w http.ResponseWriter, r *http.Request) (cognitojwt.Authentication, error) {
	st, err := a.authenticate(w, r)
	if err != nil {
		return cognitojwt.Authentication{}, err
	}
	return cognitojwt.Authentication{Claims: st.claims, Token: st.sess.idToken, State: st}, nil
}

// stateOf returns the request's session, as Authenticate left it.
func stateOf(ctx context.Context) *state {
	id, _ := cognitojwt.AuthenticationFromContext(ctx)
	st, _ := id.State.(*state)
	return st
}

// state is one request's session: opened once, with the ID token's claims
// verified, and the access token checked on first use, since most pages
// never use it.
type state struct {
	cookies cookieSet
	sess    session
	claims  *cognitojwt.Claims
	auth    *Auth
	req     *http.Request
	// idClaims is the request's copy of the ID token's claims when the
	// opened session held them (claims then points here): one allocation
	// for the state and the claims.
	idClaims cognitojwt.Claims

	once sync.Once
	// accessClaims are the access token's claims once checked; when
	// accessShared, they are the opened session's and AccessClaims hands
	// out accessCopy instead.
	accessClaims *cognitojwt.Claims
	accessShared bool
	copyOnce     sync.Once
	accessCopy   *cognitojwt.Claims
}

// access checks the session's access token, once per request. The token
// was verified when the session was sealed and, on this instance, when
// the session's cookie was first opened: later requests recheck it (a
// cache hit that makes no claims) and use the claims kept then.
func (st *state) access() *cognitojwt.Claims {
	if st == nil {
		return nil
	}
	st.once.Do(func() {
		ac, shared, err := recheck(st.req.Context(), st.auth.accesses, st.sess.accessSlot(), st.sess.access)
		if err != nil || ac.Subject != st.claims.Subject {
			st.auth.log(st.req, "access token unavailable", because(ErrNoSession, "access token does not verify: "+kindOf(err)))
			return
		}
		st.accessClaims, st.accessShared = ac, shared
	})
	return st.accessClaims
}

// AccessToken returns the session's access token, verified: for GetUser
// and other calls to Cognito on the user's behalf, or for online checks
// that take the token from the request. false means the request has no
// session or the token does not verify (revoked, say).
func AccessToken(ctx context.Context) (string, bool) {
	st := stateOf(ctx)
	if st.access() == nil {
		return "", false
	}
	return st.sess.access, true
}

// AccessClaims returns the claims of the session's access token (scopes,
// client_id), where ClaimsFromContext returns the ID token's. They are
// the request's own: changing them changes nothing for other requests.
func AccessClaims(ctx context.Context) (*cognitojwt.Claims, bool) {
	st := stateOf(ctx)
	c := st.access()
	if c == nil {
		return nil, false
	}
	if !st.accessShared {
		return c, true
	}
	st.copyOnce.Do(func() {
		own := *c
		st.accessCopy = &own
	})
	return st.accessCopy, true
}

// authenticate reads, checks and if need be refreshes the request's
// session. A session that cannot continue is ended: its cookies cleared,
// its stored record deleted.
func (a *Auth) authenticate(w http.ResponseWriter, r *http.Request) (*state, error) {
	// One allocation holds the request's cookies, its session and what
	// handlers read back.
	st := &state{auth: a, req: r}
	c, s := &st.cookies, &st.sess
	a.cookies(r, c)
	if c.session() == nil {
		if c.jars[jarSession].count > 0 {
			a.clearCookies(w, c)
		}
		return nil, ErrNoSession
	}
	ctx := r.Context()
	stale, err := a.codec.load(ctx, c, s)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		a.clearCookies(w, c)
		a.log(r, "session ended", err)
		return nil, ErrNoSession
	}
	now := a.now()
	switch {
	case now.Sub(s.created) >= a.absolute:
		return nil, a.end(w, r, c, s, "absolute lifetime reached")
	case now.Sub(s.seen) >= a.idle:
		return nil, a.end(w, r, c, s, "idle lifetime reached")
	}
	ic, shared, err := recheck(ctx, a.ids, s.idSlot(), s.idToken)
	if shared {
		st.idClaims = *ic
		ic = &st.idClaims
	}
	switch {
	case errors.Is(err, cognitojwt.ErrKeysUnavailable):
		return nil, because(ErrUnavailable, "signing keys unavailable")
	case err != nil && !errors.Is(err, cognitojwt.ErrExpired):
		// Revoked, or signed by a key the pool withdrew: refreshing would
		// not make this session trustworthy again.
		return nil, a.end(w, r, c, s, "ID token no longer verifies: "+kindOf(err))
	case err != nil:
		ic = nil // expired: it serves no request, and a refresh must mend it
	}
	what := saveTouched
	if stale {
		// Moving the session to the current key moves the refresh token
		// too, which therefore has to be read first.
		a.codec.openRefresh(c, s)
		what = saveAll
	}
	if err != nil || a.due(s, now) {
		if ic, err = a.renew(w, r, c, s, ic, now); err != nil {
			return nil, err
		}
		if s.rec == nil {
			what = max(what, saveRefreshed)
		}
	}
	st.claims = ic
	if now.Sub(s.seen) >= a.touch {
		s.seen = now
	} else if what == saveTouched {
		return st, nil
	}
	if err := a.codec.write(ctx, w, c, s, what); err != nil {
		a.log(r, "session not saved", err)
	}
	return st, nil
}

// renew refreshes s in place and returns its new ID token's claims, or,
// when the refresh cannot be had now and the tokens still serve (the ID
// token verified as ic, the access token not expired), ic. Tokens that no
// longer serve and cannot be refreshed are ErrUnavailable (503, the
// session kept) or the end of the session.
func (a *Auth) renew(w http.ResponseWriter, r *http.Request, c *cookieSet, s *session, ic *cognitojwt.Claims, now time.Time) (*cognitojwt.Claims, error) {
	ctx := r.Context()
	usable := ic != nil && now.Before(s.accessExp)
	a.codec.openRefresh(c, s)
	ns, err := a.refresh(ctx, s, !usable)
	switch {
	case err == nil:
		// Requests that shared the refresh share ns: each takes a copy.
		*s = *ns
		ic, err := a.ids.Verify(ctx, s.idToken)
		if err != nil {
			return nil, a.end(w, r, c, s, "refreshed ID token no longer verifies: "+kindOf(err))
		}
		return ic, nil
	case usable && (errors.Is(err, ErrUnavailable) || errors.Is(err, errNoRefreshToken)):
		// The tokens still verify: serve with them until they expire,
		// trying again after the cooldown.
		if !errors.Is(err, errNoRefreshToken) {
			a.log(r, "refresh postponed", err)
		}
		return ic, nil
	case errors.Is(err, ErrUnavailable):
		a.log(r, "refresh failed", err)
		return nil, err
	}
	return nil, a.end(w, r, c, s, reasonOf(err))
}

// due reports whether either token expires within RefreshBefore.
func (a *Auth) due(s *session, now time.Time) bool {
	limit := now.Add(a.before)
	return s.accessExp.Before(limit) || s.idExp.Before(limit)
}

// end deletes the session and answers as if there had been none.
func (a *Auth) end(w http.ResponseWriter, r *http.Request, c *cookieSet, s *session, reason string) error {
	if err := a.codec.remove(r.Context(), s); err != nil {
		a.log(r, "stored session not deleted", err)
	}
	a.clearCookies(w, c)
	a.log(r, "session ended", because(ErrNoSession, reason))
	return ErrNoSession
}
