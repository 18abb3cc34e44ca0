package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v3"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/bench/peers"
	"github.com/cognitojwt/cognitojwt/revocation"
)

const floorRow = "floor: SHA-256 + rsa.VerifyPKCS1v15"

// sink is a ResponseWriter that keeps nothing but whether the request was
// refused, so that a row measures the middleware, not a recorder.
type sink struct {
	h       http.Header
	refused atomic.Bool
}

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) Write(p []byte) (int, error) { return len(p), nil }
func (s *sink) WriteHeader(code int) {
	if code != http.StatusOK {
		s.refused.Store(true)
	}
}

var errRefused = errors.New("the middleware refused the request")

// serveRow returns a verify function that serves one request carrying
// token through h, to a handler that does nothing, and fails if h
// refuses it.
func serveRow(h func(http.Handler) http.Handler, token string) func(context.Context, int) error {
	handler := h(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/reports", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := &sink{h: http.Header{}}
	return func(context.Context, int) error {
		handler.ServeHTTP(w, r)
		if w.refused.Load() {
			return errRefused
		}
		return nil
	}
}

// middlewareRows are whole requests through an HTTP middleware with a
// token the client sent before: cognitojwt's (a cache hit) and
// go-jwt-middleware's (which has no cache: every request verifies).
func middlewareRows(set *peers.Set, token, tokenWithAud string) []*row {
	auth0, err := jwtmiddleware.New(jwtmiddleware.WithValidator(set.Auth0))
	rows := []*row{{
		name: "cognitojwt Middleware, cache hit", checks: "as cold, plus the Authorization header (RFC 6750 b64token)",
		note: "one token, seen before; whole request to a handler that does nothing", floorOf: floorRow,
		verify: serveRow(cognitojwt.Middleware(set.Cognito), token), scale: true,
	}}
	if err == nil {
		rows = append(rows, &row{
			name: "auth0/go-jwt-middleware v3 CheckJWT", checks: "as its validator above",
			note: "one token, seen before; no cache, so every request verifies", floorOf: "floor, token with aud",
			verify: serveRow(auth0.CheckJWT, tokenWithAud),
		})
	}
	return rows
}

// revocationEntries is the list size the revocation rows use.
const revocationEntries = 1_000_000

// revocationRows are lookups in a revocation.List of a million entries,
// a third of each kind: claims that match nothing, and claims whose
// subject has an earlier cut-off (found, and let through).
func revocationRows() ([]*row, error) {
	l, err := revocation.New(revocation.Config{})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	subjects := make([]string, 0, revocationEntries/3)
	for i := range revocationEntries {
		switch id := newID(); i % 3 {
		case 0:
			l.RevokeJTI(id)
		case 1:
			l.RevokeFamily(id)
		default:
			l.RevokeSubject(id, now)
			subjects = append(subjects, id)
		}
	}
	issued := now.Add(time.Minute)
	miss := make([]*cognitojwt.Claims, tokenPool)
	hit := make([]*cognitojwt.Claims, tokenPool)
	for i := range miss {
		miss[i] = &cognitojwt.Claims{JWTID: newID(), OriginJTI: newID(), Subject: newID(), IssuedAt: issued}
		hit[i] = &cognitojwt.Claims{JWTID: newID(), OriginJTI: newID(), Subject: subjects[i*997%len(subjects)], IssuedAt: issued}
	}
	lookup := func(cs []*cognitojwt.Claims) func(context.Context, int) error {
		return func(_ context.Context, i int) error {
			if l.Revoked(cs[i%len(cs)]) {
				return errors.New("refused")
			}
			return nil
		}
	}
	return []*row{
		{name: fmt.Sprintf("revocation.List, %d entries, token not listed", revocationEntries), checks: "jti, origin_jti, sub",
			note: "the lookup Verify adds to every verification", floorOf: floorRow, verify: lookup(miss)},
		{name: fmt.Sprintf("revocation.List, %d entries, subject listed", revocationEntries), checks: "jti, origin_jti, sub (found, iat after the cut-off)",
			note: "a user refreshed after an account change", floorOf: floorRow, verify: lookup(hit)},
	}, nil
}

// newID returns a random id of Cognito's form (36 characters).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// pageRows are a signed-in user's page request behind each session
// library, with the reference they are all built on: one cache hit of
// the ID token's Verify.
func pageRows(p *peers.Pages) []*row {
	rows := []*row{{
		name: "ID token Verify, cache hit", checks: "the ID token of the pages below", floorOf: floorRow,
		note:   "what every page row below includes",
		verify: func(context.Context, int) error { return p.Verify() },
	}}
	for _, page := range p.List {
		note := fmt.Sprintf("Cookie header %d bytes", page.CookieBytes)
		if page.Note != "" {
			note += "; " + page.Note
		}
		serve := page.Serve
		rows = append(rows, &row{
			name: "page: " + page.Name, checks: "session opened, ID token verified (cache hit), claims in the context",
			note: note, floorOf: floorRow,
			verify: func(context.Context, int) error { return serve() },
		})
	}
	return rows
}
