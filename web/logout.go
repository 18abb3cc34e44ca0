package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Logout signs out on POST: it ends the session, revokes its refresh token
// (and with it every token issued from it) at /oauth2/revoke, and sends
// the browser through Cognito's /logout, which ends the Managed Login
// session too and returns to LogoutURL. GET answers Config.SignOutPage,
// which says what signing out does and asks to confirm it, so that a link
// or a prefetch cannot sign anyone out. POSTs from other origins are
// refused. With Config.Verify.Revocations set to a list that takes
// entries, the session's family is listed too, even when its ID token has
// expired: in cookie mode a copy of the cookie taken before sign-out is
// otherwise honoured until its ID token expires. With Config.Store, a
// store that cannot be read or cannot delete the record fails the POST
// with 503 and keeps the cookies: the record would outlive the sign-out.
func (a *Auth) Logout() http.Handler {
	return a.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			noStore(w)
			a.signOut(w, r)
			return
		case http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var c cookieSet
		a.cookies(r, &c)
		if c.session() != nil {
			var s session
			_, err := a.codec.load(r.Context(), &c, &s)
			if err == nil {
				a.codec.openRefresh(&c, &s)
				err = a.retire(r, &s, "signed out")
			}
			if errors.Is(err, ErrUnavailable) {
				// The stored record, which every copy of the cookie opens,
				// may outlive this sign-out: say so, and keep the cookies
				// for another try, rather than send the browser on as
				// signed out.
				a.answer(w, r, http.StatusServiceUnavailable, because(ErrUnavailable, "sign-out not completed: "+reasonOf(err)))
				return
			}
		}
		a.clearCookies(w, &c)
		q := url.Values{"client_id": {a.oauth.ClientID}, "logout_uri": {a.logoutURL}}
		noStore(w)
		http.Redirect(w, r, a.domain+"/logout?"+q.Encode(), http.StatusSeeOther)
	}))
}

// retire ends s everywhere: its stored record, its refresh-token family
// in Config.Verify.Revocations, its refresh token at the pool, and any
// refresh outcome kept for it. The browser's cookies are the caller's.
// Every step is tried whatever the others do; failures are logged, and a
// stored record that could not be deleted is returned, since the session
// then lives on for whoever holds a copy of its cookie.
func (a *Auth) retire(r *http.Request, s *session, why string) error {
	ctx := context.WithoutCancel(r.Context())
	a.flights.forget(s.id)
	removed := a.codec.remove(ctx, s)
	if removed != nil {
		a.log(r, "stored session not deleted", removed)
	}
	a.listFamily(ctx, r, s)
	if s.refresh != "" {
		if err := a.revoke(ctx, s.refresh); err != nil {
			a.log(r, "refresh token not revoked", err)
			return removed
		}
	}
	if removed == nil {
		a.log(r, why, nil)
	}
	return removed
}

// listFamily lists the session's refresh-token family in
// Config.Verify.Revocations when that list takes entries (the in-memory
// revocation.List, or a shared one such as redisstore's), so that a
// copy of the session cookie taken before sign-out is refused from now on
// rather than until its ID token expires. The family was kept in the
// session when its tokens were verified: by now the ID token may have
// expired.
func (a *Auth) listFamily(ctx context.Context, r *http.Request, s *session) {
	if a.revoked == nil || s.family == "" {
		return
	}
	switch l := a.revoked.(type) {
	case interface{ RevokeFamily(string) }:
		l.RevokeFamily(s.family)
	case interface {
		RevokeFamily(context.Context, string) error
	}:
		if err := l.RevokeFamily(ctx, s.family); err != nil {
			a.log(r, "sign-out not recorded in the revocation list", because(ErrUnavailable, "revocation list write failed"))
		}
	}
}

// revoke calls /oauth2/revoke (RFC 7009), authenticating as the client.
func (a *Auth) revoke(ctx context.Context, token string) error {
	form := url.Values{"token": {token}}
	if a.oauth.ClientSecret == "" {
		form.Set("client_id", a.oauth.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.domain+"/oauth2/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return because(ErrUnavailable, "revocation request not built")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.oauth.ClientSecret != "" {
		// RFC 6749 §2.3.1: form-encode, then Basic.
		req.SetBasicAuth(url.QueryEscape(a.oauth.ClientID), url.QueryEscape(a.oauth.ClientSecret))
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return because(ErrUnavailable, "revocation endpoint unreachable")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return because(ErrUnavailable, "revocation endpoint answered "+resp.Status)
	}
	return nil
}
