package web

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitojwt/cognitojwt"
)

// flowLifetime bounds a sign-in from Login to Callback. Cognito's codes
// live 5 minutes; the rest is time for the user to type a password.
const flowLifetime = 10 * time.Minute

// flowJar names the sign-in cookie after the first characters of its
// state, so that sign-ins started in two tabs (both sent to sign-in when
// a session ends) each find their own cookie. The name only picks the
// cookie; Callback compares the whole state with the one sealed inside.
func (a *Auth) flowJar(state string) cookieJar {
	const n = 8
	if len(state) < n {
		state = ""
	} else {
		state = state[:n]
	}
	// state is base64url from Login, or whatever a callback URL carries:
	// anything that is not a cookie-name character finds no cookie.
	if !validCookieName(state) {
		state = ""
	}
	return cookieJar{name: a.flowPrefix + state, secure: a.jars[jarSession].secure}
}

// flow is what Login leaves in the browser for Callback to check.
type flow struct {
	expires  time.Time
	state    string
	nonce    string
	verifier string
	next     string
}

func (f *flow) encode() []byte {
	b := []byte{sessionVersion}
	b = binary.AppendVarint(b, f.expires.Unix())
	return appendFields(b, f.state, f.nonce, f.verifier, f.next)
}

func decodeFlow(b []byte) (*flow, error) {
	if len(b) == 0 || b[0] != sessionVersion {
		return nil, errSessionFormat
	}
	exp, n := binary.Varint(b[1:])
	if n <= 0 {
		return nil, errSessionFormat
	}
	var f [4]string
	if err := readFields(b[1+n:], f[:]); err != nil || f[0] == "" || f[1] == "" || f[2] == "" {
		return nil, errSessionFormat
	}
	return &flow{expires: time.Unix(exp, 0), state: f[0], nonce: f[1], verifier: f[2], next: f[3]}, nil
}

// Login starts sign-in: it remembers a fresh state, nonce and PKCE
// verifier in a sealed cookie and redirects to Managed Login. The query
// parameter next is the local path to return to afterwards; anything
// that is not a local path is replaced by "/".
func (a *Auth) Login() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next, ok := localPath(r.URL.Query().Get("next"))
		if !ok {
			next = "/"
		}
		f := &flow{
			expires:  a.now().Add(flowLifetime),
			state:    random256(),
			nonce:    random256(),
			verifier: oauth2.GenerateVerifier(),
			next:     next,
		}
		a.dropFlows(w, r)
		jar := a.flowJar(f.state)
		_, had := jar.read(r)
		jar.write(w, a.seal.seal(purposeFlow, f.encode()), flowLifetime, had)
		opts := []oauth2.AuthCodeOption{
			oauth2.S256ChallengeOption(f.verifier),
			oauth2.SetAuthURLParam("nonce", f.nonce),
		}
		if a.idp != "" {
			opts = append(opts, oauth2.SetAuthURLParam("identity_provider", a.idp))
		}
		noStore(w)
		http.Redirect(w, r, a.oauth.AuthCodeURL(f.state, opts...), http.StatusFound)
	})
}

// maxFlows bounds the sign-in cookies a browser holds at once. Each
// Login leaves one for its tab; a page that sends the browser to Login
// over and over would otherwise grow every request's Cookie header until
// proxies in front of the site refuse it (nginx's default is 8 KB), for
// the ten minutes the cookies live.
const maxFlows = 4

// dropFlows deletes the request's sign-in cookies once it carries
// maxFlows of them. Which is oldest cannot be told, so all go: a tab whose
// sign-in was still under way answers "sign-in failed" and is tried again.
func (a *Auth) dropFlows(w http.ResponseWriter, r *http.Request) {
	var names []string
	for _, c := range r.Cookies() {
		if strings.HasPrefix(c.Name, a.flowPrefix) {
			names = append(names, c.Name)
		}
	}
	if len(names) < maxFlows {
		return
	}
	for _, name := range names {
		http.SetCookie(w, a.jars[jarSession].cookie(name, "", -1))
	}
}

// Callback completes sign-in at the registered redirect URL: it checks
// the state against the browser's sign-in cookie, exchanges the code with
// the PKCE verifier, verifies the ID token (its nonce too) and the access
// token, starts the session and redirects to the next path Login kept.
// A failure starts no session and answers 400, or 503 when the token
// endpoint, the signing keys or the store cannot be reached.
func (a *Auth) Callback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, next, err := a.complete(w, r)
		if err != nil {
			a.answer(w, r, statusOf(err), err)
			return
		}
		var c cookieSet
		a.cookies(r, &c)
		if c.session() != nil {
			// Signing in again replaces the session, which ends as at
			// sign-out: otherwise copies of its cookies, which refresh
			// themselves, would outlive the user's sign-out.
			var old session
			if _, err := a.codec.load(r.Context(), &c, &old); err == nil {
				a.codec.openRefresh(&c, &old)
				a.retire(r, &old, "replaced by a new sign-in")
			}
		}
		if err := a.codec.write(r.Context(), w, &c, s, saveAll); err != nil {
			a.answer(w, r, statusOf(err), err)
			return
		}
		a.log(r, "signed in", nil)
		noStore(w)
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

func (a *Auth) complete(w http.ResponseWriter, r *http.Request) (*session, string, error) {
	q := r.URL.Query()
	jar := a.flowJar(q.Get("state"))
	parts, had := jar.read(r)
	if had > 0 {
		// One flow, one callback: a replayed callback finds no cookie.
		jar.clear(w, had)
	}
	if parts == nil {
		return nil, "", because(ErrSignIn, "no sign-in in progress in this browser")
	}
	pt, _, err := a.seal.open(purposeFlow, parts...)
	if err != nil {
		return nil, "", because(ErrSignIn, "sign-in cookie does not open")
	}
	f, err := decodeFlow(pt)
	if err != nil {
		return nil, "", because(ErrSignIn, "sign-in cookie holds no sign-in")
	}
	now := a.now()
	if !now.Before(f.expires) {
		return nil, "", because(ErrSignIn, "sign-in took too long")
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		return nil, "", because(ErrSignIn, "state does not match this browser's sign-in")
	}
	if q.Get("error") != "" {
		return nil, "", because(ErrSignIn, "the user pool answered with an error")
	}
	code := q.Get("code")
	if code == "" {
		return nil, "", because(ErrSignIn, "no code")
	}
	ctx := oauthContext(r.Context(), a.client)
	tok, err := a.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		err = tokenEndpointError(err, "code exchange", codeRefused)
		if errors.Is(err, ErrUnavailable) {
			return nil, "", err
		}
		return nil, "", because(ErrSignIn, reasonOf(err))
	}
	idToken, _ := tok.Extra("id_token").(string)
	if idToken == "" {
		return nil, "", because(ErrSignIn, "token endpoint returned no ID token; is openid among the scopes?")
	}
	ac, ic, err := a.verifyPair(ctx, tok.AccessToken, idToken)
	if err != nil {
		if errors.Is(err, cognitojwt.ErrKeysUnavailable) {
			return nil, "", because(ErrUnavailable, "signing keys unavailable")
		}
		return nil, "", because(ErrSignIn, "tokens do not verify: "+pairReason(err))
	}
	nonce, _ := ic.Get("nonce")
	if got, _ := nonce.(string); subtle.ConstantTimeCompare([]byte(got), []byte(f.nonce)) != 1 {
		return nil, "", because(ErrSignIn, "ID token nonce does not match this browser's sign-in")
	}
	return &session{
		id:        random256(),
		created:   now,
		seen:      now,
		accessExp: ac.ExpiresAt,
		idExp:     ic.ExpiresAt,
		family:    ic.OriginJTI,
		access:    tok.AccessToken,
		idToken:   idToken,
		refresh:   tok.RefreshToken,
	}, f.next, nil
}

// localPath accepts a return-to target only if it is a path on this site:
// it starts with one slash, and nothing in it could make a browser read it
// as another host ("//evil", "/\evil", tabs or newlines that browsers strip
// from "/\t/evil"). It returns the path as given.
func localPath(p string) (string, bool) {
	if p == "" || len(p) > 2048 || p[0] != '/' {
		return "", false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "", false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "", false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	return p, true
}
