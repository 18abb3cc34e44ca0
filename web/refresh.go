package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitojwt/cognitojwt"
)

// How refreshes of one session are kept to one. In a process, flights
// share one call and remember its outcome: a success while its tokens are
// not due (requests the browser sent before the new cookies reached it
// carry the old session), a refusal for as long, an outage for
// outageCooldown so that a failing endpoint is not called by every
// request. Across a fleet with a Store, the instance that refreshes first
// writes a lease into the record; the others wait for its result or, when
// their tokens still serve, go on without refreshing.
const (
	keepResult     = time.Minute
	outageCooldown = 5 * time.Second
	// leaseFor outlasts one call to the token endpoint (DefaultHTTPTimeout)
	// so that a lease is given up only when its holder is gone.
	leaseFor = DefaultHTTPTimeout + 5*time.Second
	// leasePoll and leaseWaits bound how long a request whose tokens have
	// expired waits for another instance's refresh: about two seconds.
	leasePoll  = 50 * time.Millisecond
	leaseWaits = 40
	// swapTries bounds the attempts to write a lease or a result into a
	// record other requests are touching at the same moment.
	swapTries = 4
)

var (
	errNoRefreshToken   = because(ErrNoSession, "tokens expired and there is no refresh token")
	errEndedMeanwhile   = because(ErrNoSession, "session ended while it was being refreshed")
	errRefreshElsewhere = because(ErrUnavailable, "another instance is refreshing the session")
	errBusyRecord       = because(ErrUnavailable, "stored session kept changing during refresh")
)

// refreshed is the outcome of one refresh.
type refreshed struct {
	s   *session
	err error
}

// refresh trades s's refresh token for new tokens, at most once however
// many requests of the session ask at the same moment or soon after. A
// definitive refusal of the grant (the token was revoked, the user
// disabled or deleted) is ErrNoSession; anything else (the endpoint
// unreachable, failing or throttling) is ErrUnavailable. wait says that
// the caller's tokens no longer serve, so it waits for another instance's
// refresh rather than go on without one.
func (a *Auth) refresh(ctx context.Context, s *session, wait bool) (*session, error) {
	res := a.flights.do(s.id, a.now, a.keep, func() refreshed {
		// The call outlives the request that started it: the others that
		// wait for it must not fail because that one client went away.
		return a.refreshShared(context.WithoutCancel(ctx), s, wait)
	}, func(r refreshed) bool { return r.s == nil || !a.due(r.s, a.now()) })
	return res.s, res.err
}

// keep is how long an outcome is reused.
func (a *Auth) keep(r refreshed) time.Duration {
	if errors.Is(r.err, ErrUnavailable) {
		return outageCooldown
	}
	return keepResult
}

// refreshShared is the one refresh: it takes the lease on the session
// where it is kept, calls the token endpoint and writes the result back.
func (a *Auth) refreshShared(ctx context.Context, s *session, wait bool) refreshed {
	cur, err := a.lease(ctx, s, wait)
	if err != nil || cur != s && cur.lease.IsZero() {
		// An error, or another request's refresh to share.
		return refreshed{s: cur, err: err}
	}
	a.codec.openRefresh(nil, cur)
	ns, err := a.redeem(ctx, cur)
	if err != nil {
		if cur != s {
			// Give the lease back so that the next request tries again
			// rather than wait for it to lapse.
			free := *cur
			free.lease = time.Time{}
			_, _ = a.codec.replace(ctx, cur, &free)
		}
		return refreshed{err: err}
	}
	return refreshed{s: ns, err: a.settle(ctx, cur, ns)}
}

// lease reads s again where it is kept and marks it as being refreshed.
// It returns the leased session, or a newer one another request refreshed
// (with no lease), or s itself in cookie mode, where there is nothing to
// coordinate with.
func (a *Auth) lease(ctx context.Context, s *session, wait bool) (*session, error) {
	for tries, waits := 0, 0; ; {
		cur, err := a.codec.current(ctx, s)
		switch {
		case err != nil:
			return nil, err
		case cur == nil:
			return nil, errEndedMeanwhile
		case cur == s:
			return s, nil
		}
		now := a.now()
		if !bytes.Equal(cur.rec, s.rec) && cur.lease.IsZero() && !a.due(cur, now) {
			// Refreshed by another request since this one read it.
			return cur, nil
		}
		if now.Before(cur.lease) {
			if !wait || waits == leaseWaits {
				return nil, errRefreshElsewhere
			}
			waits++
			if err := sleep(ctx, leasePoll); err != nil {
				return nil, because(ErrUnavailable, "gave up waiting for another instance's refresh")
			}
			continue
		}
		leased := *cur
		leased.lease = now.Add(leaseFor)
		ok, err := a.codec.replace(ctx, cur, &leased)
		if err != nil {
			return nil, err
		}
		if ok {
			return &leased, nil
		}
		if tries++; tries == swapTries {
			return nil, errBusyRecord
		}
	}
}

// settle writes ns in place of the leased session. Requests that touched
// the record meanwhile kept the lease in it, so a record that changed but
// still carries this lease is replaced too; one that is gone was signed
// out, and stays so.
func (a *Auth) settle(ctx context.Context, leased, ns *session) error {
	cur := leased
	for range swapTries {
		ok, err := a.codec.replace(ctx, cur, ns)
		if err != nil || ok {
			return err
		}
		if cur, err = a.codec.current(ctx, leased); err != nil {
			return err
		}
		if cur == nil || !cur.lease.Equal(leased.lease) {
			return errEndedMeanwhile
		}
	}
	return errBusyRecord
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redeem calls the token endpoint with s's refresh token and verifies
// what it answers.
func (a *Auth) redeem(ctx context.Context, s *session) (*session, error) {
	if s.refresh == "" {
		return nil, errNoRefreshToken
	}
	ctx = oauthContext(ctx, a.client)
	tok, err := a.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: s.refresh}).Token()
	if err != nil {
		return nil, tokenEndpointError(err, "refresh", grantRefused)
	}
	ns := &session{id: s.id, created: s.created, seen: a.now(), refresh: tok.RefreshToken, access: tok.AccessToken}
	ns.idToken, _ = tok.Extra("id_token").(string)
	ac, ic, err := a.verifyPair(ctx, ns.access, ns.idToken)
	if err != nil {
		if errors.Is(err, cognitojwt.ErrKeysUnavailable) {
			return nil, because(ErrUnavailable, "signing keys unavailable")
		}
		return nil, because(ErrNoSession, "refreshed tokens do not verify: "+kindOf(err))
	}
	ns.accessExp, ns.idExp, ns.family = ac.ExpiresAt, ic.ExpiresAt, ic.OriginJTI
	return ns, nil
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

// tokenEndpointError classifies a failed call to the token endpoint
// without keeping its text: oauth2's errors quote the response body.
// refused says which answers refuse the grant itself (ErrNoSession);
// every other answer, and no answer, is an outage (ErrUnavailable).
func tokenEndpointError(err error, what string, refused func(status int, code string) bool) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return because(ErrUnavailable, what+": token endpoint unreachable")
	}
	status, code := re.Response.StatusCode, re.ErrorCode
	switch {
	case refused(status, code):
		if code == "" || len(code) > 40 {
			code = "refused"
		}
		return because(ErrNoSession, what+" refused by the token endpoint: "+code)
	case status == http.StatusTooManyRequests:
		return because(ErrUnavailable, what+": token endpoint throttled the call")
	}
	return because(ErrUnavailable, what+": token endpoint answered "+strconv.Itoa(status))
}

// grantRefused is the refresh's rule: only invalid_grant (RFC 6749 §5.2:
// the refresh token was revoked or expired, the user signed out
// everywhere, was disabled or deleted) ends a session. Any other answer
// (429, 5xx, invalid_client while a secret is being rotated) is an outage
// the session outlives while its tokens serve.
func grantRefused(status int, code string) bool {
	return code == "invalid_grant" && status < 500
}

// codeRefused is the code exchange's rule: a sign-in has no tokens to
// serve with meanwhile, so every client error but throttling fails it.
func codeRefused(status int, _ string) bool {
	return status >= 400 && status < 500 && status != http.StatusTooManyRequests
}

// kindOf names the cognitojwt sentinel err wraps, for logs: its stable
// code, as the core middleware logs it.
func kindOf(err error) string { return cognitojwt.ErrorCode(err) }

func oauthContext(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

// flights runs one refresh per session at a time and keeps its outcome
// for a while (see the constants above): callers that arrive while it
// runs wait for it, callers that arrive soon after take its outcome.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
	// added counts flights since the last sweep of outdated outcomes.
	added int
	// waiting counts callers blocked on another's call, for tests.
	waiting int
}

type flight struct {
	done  chan struct{}
	res   refreshed
	until time.Time // zero while the call runs
}

// do returns the outcome of fn for key: a running call's, a kept one's
// that still holds (fresh reports whether it does), or a new call's,
// kept for keep(outcome).
func (f *flights) do(key string, now func() time.Time, keep func(refreshed) time.Duration, fn func() refreshed, fresh func(refreshed) bool) refreshed {
	f.mu.Lock()
	if c, ok := f.m[key]; ok {
		if c.until.IsZero() {
			f.waiting++
			f.mu.Unlock()
			<-c.done
			f.mu.Lock()
			f.waiting--
			f.mu.Unlock()
			return c.res
		}
		if now().Before(c.until) && fresh(c.res) {
			f.mu.Unlock()
			return c.res
		}
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	c := &flight{done: make(chan struct{})}
	f.m[key] = c
	if f.added++; f.added > len(f.m)/2+16 {
		// Amortised: outdated outcomes go once the map has grown by half.
		f.added = 0
		t := now()
		for k, o := range f.m {
			if !o.until.IsZero() && !t.Before(o.until) {
				delete(f.m, k)
			}
		}
	}
	f.mu.Unlock()

	c.res = fn()
	f.mu.Lock()
	c.until = now().Add(keep(c.res))
	f.mu.Unlock()
	close(c.done)
	return c.res
}

// forget drops what is kept for key: after sign-out, no copy of the
// session's cookies may take a refresh it made.
func (f *flights) forget(key string) {
	f.mu.Lock()
	if c, ok := f.m[key]; ok && !c.until.IsZero() {
		delete(f.m, key)
	}
	f.mu.Unlock()
}
