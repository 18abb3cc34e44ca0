package cognitojwt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

// authFunc is an Authenticator of the caller's own, as the web package
// writes one over its sessions.
type authFunc func(w http.ResponseWriter, r *http.Request) (cognitojwt.Authentication, error)

func (f authFunc) Authenticate(w http.ResponseWriter, r *http.Request) (cognitojwt.Authentication, error) {
	return f(w, r)
}

// sessionState stands for an authenticator's per-request value.
type sessionState struct{ id string }

func TestMiddlewareForPutsOneAuthenticationInTheContext(t *testing.T) {
	c := &cognitojwt.Claims{Subject: "s", Username: "alice"}
	st := &sessionState{id: "one"}
	calls := 0
	authn := authFunc(func(w http.ResponseWriter, r *http.Request) (cognitojwt.Authentication, error) {
		calls++
		// A refreshed session writes its cookies through w.
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "renewed"})
		return cognitojwt.Authentication{Claims: c, Token: "raw.token.bytes", State: st}, nil
	})
	var got struct {
		claims *cognitojwt.Claims
		token  string
		auth   cognitojwt.Authentication
		ok     [3]bool
	}
	h := cognitojwt.MiddlewareFor(authn)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.claims, got.ok[0] = cognitojwt.ClaimsFromContext(r.Context())
		got.auth, got.ok[2] = cognitojwt.AuthenticationFromContext(r.Context())
		got.token, got.ok[1] = got.auth.Token, got.auth.Token != ""
	}))
	w := serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, calls)
	require.Equal(t, [3]bool{true, true, true}, got.ok)
	require.Same(t, c, got.claims)
	require.Equal(t, "raw.token.bytes", got.token)
	require.Same(t, st, got.auth.State)
	require.Equal(t, "session=renewed", w.Header().Get("Set-Cookie"))
}

func TestMiddlewareForGuardsAnswerThroughItsOptions(t *testing.T) {
	c := &cognitojwt.Claims{Subject: "s", Groups: cognitojwt.NamesOf("staff")}
	authn := authFunc(func(http.ResponseWriter, *http.Request) (cognitojwt.Authentication, error) {
		return cognitojwt.Authentication{Claims: c}, nil
	})
	var handled []error
	mw := cognitojwt.MiddlewareFor(authn, cognitojwt.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		handled = append(handled, err)
		w.WriteHeader(http.StatusTeapot)
	}))

	var p probe
	w := serve(mw(authz.RequireAnyGroup("staff")(&p)), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.True(t, p.ran)

	p = probe{}
	w = serve(mw(authz.RequireAnyGroup("admin")(&p)), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusTeapot, w.Code, "the guard answers through MiddlewareFor's error handler")
	require.False(t, p.ran)
	require.Len(t, handled, 1)
	require.ErrorIs(t, handled[0], cognitojwt.ErrInsufficientScope)
}

func TestMiddlewareForRefusals(t *testing.T) {
	st := &sessionState{id: "anonymous"}
	noSession := fmt.Errorf("no session: %w", cognitojwt.ErrNoToken)
	tests := []struct {
		name     string
		auth     cognitojwt.Authentication
		err      error
		optional bool
		want     wantResponse
		wantRan  bool
		// wantState: the handler still sees the authenticator's state.
		wantState bool
	}{
		{"no credentials", cognitojwt.Authentication{}, noSession, false, wantNoCredentials, false, false},
		{"no credentials, optional", cognitojwt.Authentication{State: st}, noSession, true, wantOK, true, true},
		{"expired, optional still refuses", cognitojwt.Authentication{State: st}, fmt.Errorf("old: %w", cognitojwt.ErrExpired), true, invalidToken("The access token expired."), false, false},
		{"no claims and no error", cognitojwt.Authentication{Token: "t"}, nil, false, invalidToken("The access token is malformed."), false, false},
		{"an error of its own", cognitojwt.Authentication{}, errors.New("secret-session-text"), false, invalidToken("The access token is invalid."), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authn := authFunc(func(http.ResponseWriter, *http.Request) (cognitojwt.Authentication, error) {
				return tt.auth, tt.err
			})
			var opts []cognitojwt.Option
			if tt.optional {
				opts = append(opts, cognitojwt.WithCredentialsOptional())
			}
			var ran, hasClaims bool
			var state any
			h := cognitojwt.MiddlewareFor(authn, opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ran = true
				_, hasClaims = cognitojwt.ClaimsFromContext(r.Context())
				a, _ := cognitojwt.AuthenticationFromContext(r.Context())
				state = a.State
			}))
			w := serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
			requireResponse(t, tt.want, w)
			require.NotContains(t, w.Body.String(), "secret-session-text")
			require.Equal(t, tt.wantRan, ran)
			require.False(t, hasClaims)
			if tt.wantState {
				require.Same(t, st, state)
			}
		})
	}
}

// WithTokenSource belongs to the default authenticator: one given to
// MiddlewareFor reads the request itself, and is not bypassed.
func TestMiddlewareForIgnoresTokenSource(t *testing.T) {
	authn := authFunc(func(http.ResponseWriter, *http.Request) (cognitojwt.Authentication, error) {
		return cognitojwt.Authentication{}, fmt.Errorf("none: %w", cognitojwt.ErrNoToken)
	})
	var p probe
	h := cognitojwt.MiddlewareFor(authn, cognitojwt.WithTokenSource(cognitojwt.HeaderToken("X-Token")))(&p)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Token", "abc.def.ghi")
	requireResponse(t, wantNoCredentials, serve(h, r))
	require.False(t, p.ran)
}

// A preflight let through by WithCORSPreflight is not an authentication.
func TestAuthenticationFromContextOutsideAnAuthentication(t *testing.T) {
	_, ok := cognitojwt.AuthenticationFromContext(context.Background())
	require.False(t, ok)

	called := false
	authn := authFunc(func(http.ResponseWriter, *http.Request) (cognitojwt.Authentication, error) {
		called = true
		return cognitojwt.Authentication{}, errors.New("unreachable")
	})
	var ok2 bool
	h := cognitojwt.MiddlewareFor(authn, cognitojwt.WithCORSPreflight())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok2 = cognitojwt.AuthenticationFromContext(r.Context())
	}))
	r := httptest.NewRequest(http.MethodOptions, "/", nil)
	r.Header.Set("Origin", "https://app.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	require.Equal(t, http.StatusOK, serve(h, r).Code)
	require.False(t, called)
	require.False(t, ok2)
}

// A nil verifier or authenticator is a wiring mistake: 500 and a log
// record naming it, never a panic.
func TestMiddlewareWithNothingToAuthenticateWith(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	for name, mw := range map[string]func(http.Handler) http.Handler{
		"Middleware":    cognitojwt.Middleware(nil),
		"MiddlewareFor": cognitojwt.MiddlewareFor(nil),
	} {
		t.Run(name, func(t *testing.T) {
			logs.Reset()
			var p probe
			requireResponse(t, wantMisconfigured, serve(mw(&p), bearer("abc.def.ghi")))
			require.False(t, p.ran)
			require.Contains(t, logs.String(), "nil TokenVerifier")
			require.NotContains(t, logs.String(), "abc.def.ghi")
		})
	}
}
