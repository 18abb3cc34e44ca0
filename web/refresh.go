package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// How refreshes of one session are kept to one. In a process, flights
// share one call and remember its outcome: a success while its tokens are
// not due (requests the browser sent before the new cookies reached it
// carry the old session), a failure for outageCooldown so that a failing
// endpoint is not called by every request. Across a fleet with a Store, the instance that refreshes first
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

// refresh trades s's refresh token for new tokens, at most once however
// many requests of the session ask at the same moment or soon after. A
// definitive refusal of the grant (the token was revoked, the user
// disabled or deleted) is ErrNoSession; anything else (the endpoint
// unreachable, failing or throttling) is ErrUnavailable. wait says that
// the caller's tokens no longer serve, so it waits for another instance's
// refresh rather than go on without one.
func (a *Auth) refresh(ctx context.Context, s *session, wait bool) (*session, error) {
	f := &a.flights
	if ns := f.take(s.id, a.now(), a.due); ns != nil {
		return ns, nil
	}
	var taken *session
	call, err := f.group.Do(s.id, func() error {
		// A refresh may have finished since the look above.
		if taken = f.take(s.id, a.now(), a.due); taken != nil {
			return errTaken
		}
		return nil
	}, func() (*session, error) {
		// The call runs on a goroutine of its own: the others that wait
		// for it must not fail because the client that started it went
		// away.
		return a.refreshShared(context.WithoutCancel(ctx), s, wait)
	}, func(ns *session, err error) {
		if err == nil {
			f.keep(s.id, ns, a.now().Add(keepResult))
		}
	})
	var held *fetch.Held
	switch {
	case errors.Is(err, errTaken):
		return taken, nil
	case errors.As(err, &held):
		// The last call failed within outageCooldown: its answer stands.
		return nil, outageIfPanicked(held.Err)
	case err != nil:
		return nil, because(ErrUnavailable, "refresh not started")
	}
	f.waiting.Add(1)
	defer f.waiting.Add(-1)
	select {
	case <-call.Done():
		return call.Val, outageIfPanicked(call.Err)
	case <-ctx.Done():
		return nil, because(ErrUnavailable, "request ended while its session was being refreshed")
	}
}

var errRefreshPanicked = because(ErrUnavailable, "refresh failed unexpectedly")

// outageIfPanicked makes a refresh that panicked (a bug, or the Store's or
// the HTTP client's) an outage: it says nothing about the grant, so the
// session is kept, not ended.
func outageIfPanicked(err error) error {
	if errors.Is(err, fetch.ErrPanicked) {
		return errRefreshPanicked
	}
	return err
}

var errTaken = errors.New("web: refreshed meanwhile")

// refreshShared is the one refresh: it takes the lease on the session
// where it is kept, calls the token endpoint and writes the result back.
func (a *Auth) refreshShared(ctx context.Context, s *session, wait bool) (*session, error) {
	cur, err := a.lease(ctx, s, wait)
	if err != nil || cur != s && cur.lease.IsZero() {
		// An error, or another request's refresh to share.
		return cur, err
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
		return nil, err
	}
	if err := a.settle(ctx, cur, ns); err != nil {
		return nil, err
	}
	return ns, nil
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
		return nil, because(ErrNoSession, "refreshed tokens do not verify: "+pairReason(err))
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

// pairReason says why verifyPair refused, for logs: its own reason when
// both tokens verified but name different users, the verifier's code
// otherwise.
func pairReason(err error) string {
	var r *reasonErr
	if errors.As(err, &r) {
		return r.reason
	}
	return kindOf(err)
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

// flights coordinate the refreshes of one process: one call per session
// at a time (a fetch.Group, which holds a failure for outageCooldown), and
// each success kept for keepResult while its tokens are not due.
type flights struct {
	group fetch.Group[string, *session]
	mu    sync.Mutex
	kept  map[string]keptSession
	// added counts results kept since the last sweep of outdated ones.
	added int
	// waiting counts callers blocked on a refresh call, the one that started
	// it included, for tests.
	waiting atomic.Int64
}

type keptSession struct {
	s     *session
	until time.Time
}

// maxHeld bounds the sessions whose failed refresh is held.
const maxHeld = 100_000

func (a *Auth) initFlights() {
	a.flights.group = fetch.Group[string, *session]{Cooldown: outageCooldown, MaxHeld: maxHeld, Now: a.now}
}

// take returns the session a recent refresh of id left, if it is still
// good (not due) at now.
func (f *flights) take(id string, now time.Time, due func(*session, time.Time) bool) *session {
	f.mu.Lock()
	k, ok := f.kept[id]
	f.mu.Unlock()
	if !ok || !now.Before(k.until) || due(k.s, now) {
		return nil
	}
	return k.s
}

func (f *flights) keep(id string, s *session, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.kept == nil {
		f.kept = map[string]keptSession{}
	}
	f.kept[id] = keptSession{s: s, until: until}
	if f.added++; f.added > len(f.kept)/2+16 {
		// Amortised: outdated results go once the map has grown by half.
		f.added = 0
		now := until.Add(-keepResult)
		for k, v := range f.kept {
			if !now.Before(v.until) {
				delete(f.kept, k)
			}
		}
	}
}

// forget drops what is kept for id: after sign-out, no copy of the
// session's cookies may take a refresh it made.
func (f *flights) forget(id string) {
	f.mu.Lock()
	delete(f.kept, id)
	f.mu.Unlock()
}
