package online_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
	"github.com/cognitojwt/cognitojwt/online"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A fresh token passes, and the handler reads the user's attributes as
// they are now, not as the token says.
func TestRequireFreshPassesWithCurrentAttributes(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.signIn(t, "alice", map[string]string{"email": "old@example.com"})
	require.NoError(t, e.pool.SetUserAttributes("alice", map[string]string{"email": "new@example.com"}))

	var s seen
	w := request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "alice", s.user.Username)
	require.Equal(t, "new@example.com", s.user.Attributes["email"])
	require.Equal(t, int64(1), e.count("GetUser"))
}

// A token Cognito reports revoked (here by a global sign-out) is refused
// with ErrRevoked's answer, and its family goes into the revocation list:
// the next request is refused by Verify alone, with no call.
func TestRequireFreshRefusesRevokedTokenAndRecordsFamily(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.signIn(t, "alice", nil)
	require.NoError(t, e.pool.GlobalSignOut("alice"))

	var s seen
	h := e.handler(&s)
	w := request(h, tok.AccessToken)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, "The access token has been revoked.", body(t, w)["error_description"])
	require.Zero(t, s.ran)
	require.Equal(t, 1, e.list.Len())

	_, err := e.v.Verify(t.Context(), tok.AccessToken)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
	request(h, tok.AccessToken)
	require.Equal(t, int64(1), e.count("GetUser"), "refused locally, no second call")
}

// A disabled user's token is refused, and every token of the user issued
// so far is recorded.
func TestRequireFreshRefusesDisabledUserAndRecordsSubject(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	require.NoError(t, e.pool.DisableUser("alice"))
	e.clk.Past(claims.IssuedAt) // the cut-off is the checker's now

	w := request(e.handler(&seen{}), tok.AccessToken)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.True(t, e.list.Revoked(claims))
}

// A token without aws.cognito.signin.user.admin cannot call GetUser: a
// configuration error, logged as such, answered 403 insufficient_scope
// naming the scope, and no call is made.
func TestRequireFreshWithoutAdminScopeIsForbiddenNamingTheScope(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.pool.CreateUser("alice", password, nil)
	require.NoError(t, err)
	minted, err := e.pool.MintTokens(cognitolocal.Mint{Username: "alice", Scopes: []string{"openid"}})
	require.NoError(t, err)

	w := request(e.handler(&seen{}), minted.AccessToken)
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Contains(t, w.Header().Get("WWW-Authenticate"), `error="insufficient_scope"`)
	require.Contains(t, w.Header().Get("WWW-Authenticate"), `scope="aws.cognito.signin.user.admin"`)
	require.Contains(t, e.logs.String(), "configuration error")
	require.Contains(t, e.logs.String(), online.AdminScope)
	require.Zero(t, e.count("GetUser"))
}

// Throttling answers 503 with Retry-After, is logged, and is not kept: the
// next request asks again.
func TestRequireFreshThrottledIsUnavailableWithRetryAfter(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.signIn(t, "alice", nil)
	e.answer(t, cognitoError("TooManyRequestsException", "Too many requests"))

	var s seen
	w := request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	require.Equal(t, "temporarily_unavailable", body(t, w)["error"])
	require.Contains(t, e.logs.String(), "throttled")
	require.Equal(t, int64(1), e.count("GetUser"), "no retry inside the request")

	e.override.Store(nil)
	w = request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusOK, w.Code)
}

func TestRequireFreshUnreachableFailsClosed(t *testing.T) {
	down := unreachable(t)
	e := newEnv(t, func(c *online.Config) {
		c.Endpoint = down
		c.RetryAfter = 3 * time.Second
	})
	tok := e.signIn(t, "alice", nil)
	var s seen
	w := request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "3", w.Header().Get("Retry-After"))
	require.Zero(t, s.ran)
	require.Contains(t, e.logs.String(), "failing closed")
}

func TestRequireFreshUnreachableFailsOpenWhenConfigured(t *testing.T) {
	down := unreachable(t)
	e := newEnv(t, func(c *online.Config) {
		c.Endpoint = down
		c.FailOpen = true
	})
	tok := e.signIn(t, "alice", nil)
	var s seen
	w := request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, s.ran)
	require.Nil(t, s.user, "no attributes when unchecked")
	require.Contains(t, e.logs.String(), "failing open")
}

// A call that takes longer than Timeout is abandoned: 503, not a hang,
// and not sent again (retry.go): the retry lives within the call's
// Timeout, never past it.
func TestRequireFreshTimeoutIsUnavailable(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, func(c *online.Config) { c.Timeout = 50 * time.Millisecond })
	tok := e.signIn(t, "alice", nil)
	e.answer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	w := request(e.handler(&seen{}), tok.AccessToken)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, int64(1), e.count("GetUser"))
}

// A verdict is reused for VerdictTTL, and concurrent requests with one
// token share one call.
func TestRequireFreshOneCallPerTokenWithinTTL(t *testing.T) {
	e := newEnv(t, func(c *online.Config) { c.VerdictTTL = 10 * time.Second })
	tok := e.signIn(t, "alice", nil)
	other := e.signIn(t, "bob", nil)

	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	defer open()
	e.answer(t, func(w http.ResponseWriter, r *http.Request) {
		<-gate
		e.pool.ServeHTTP(w, r)
	})
	h := e.handler(&seen{})
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Go(func() { codes[i] = request(h, tok.AccessToken).Code })
	}
	// Let every request reach the checker before Cognito answers.
	require.Eventually(t, func() bool { return e.count("GetUser") >= 1 }, testwait.Limit(t), time.Millisecond)
	open()
	wg.Wait()
	for _, c := range codes {
		require.Equal(t, http.StatusOK, c)
	}
	e.override.Store(nil)
	calls := e.count("GetUser")
	require.LessOrEqual(t, calls, int64(2), "concurrent requests share a call")

	request(h, tok.AccessToken)
	require.Equal(t, calls, e.count("GetUser"), "within the TTL: no call")
	request(h, other.AccessToken)
	require.Equal(t, calls+1, e.count("GetUser"), "another token: its own call")

	e.clk.Advance(10 * time.Second)
	request(h, tok.AccessToken)
	require.Equal(t, calls+2, e.count("GetUser"), "after the TTL: checked again")
}

// Config.Token lets a web session, or any other source, supply the token.
func TestRequireFreshWithTokenFromElsewhere(t *testing.T) {
	var token string
	e := newEnv(t, func(c *online.Config) {
		c.Token = func(*http.Request) (string, bool) { return token, token != "" }
	})
	token = e.signIn(t, "alice", nil).AccessToken
	var s seen
	h := e.checker.RequireFresh(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.user, _ = online.UserFromContext(r.Context())
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "alice", s.user.Username)

	token = ""
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusUnauthorized, w.Code)
}

// A caller whose context ends gets its context's error, not an outage;
// the call it started still serves the others.
func TestCheckCallerGoneIsNotAnOutage(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.signIn(t, "alice", nil)
	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	defer open()
	e.answer(t, func(w http.ResponseWriter, r *http.Request) {
		<-gate
		e.pool.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := e.checker.Check(ctx, tok.AccessToken, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, online.ErrUnavailable)
	require.Zero(t, e.count("GetUser"), "a caller already gone starts no call")

	// A caller that leaves while the call runs gets its context's error.
	ctx, cancel = context.WithCancel(t.Context())
	left := make(chan error, 1)
	go func() {
		_, err := e.checker.Check(ctx, tok.AccessToken, nil)
		left <- err
	}()
	require.Eventually(t, func() bool { return e.count("GetUser") == 1 }, testwait.Limit(t), time.Millisecond)
	cancel()
	require.ErrorIs(t, <-left, context.Canceled)

	done := make(chan error, 1)
	go func() {
		_, err := e.checker.Check(t.Context(), tok.AccessToken, nil)
		done <- err
	}()
	open()
	require.NoError(t, <-done)
	require.Equal(t, int64(1), e.count("GetUser"), "the call outlived its first caller and served the next")
}

// Each refusal Cognito gives maps to its kind, and what it says about the
// user is recorded.
func TestCheckMapsCognitoRefusals(t *testing.T) {
	tests := []struct {
		kind, message string
		want          error
		recorded      bool
	}{
		{"NotAuthorizedException", "Access Token has been revoked", cognitojwt.ErrRevoked, true},
		{"NotAuthorizedException", "User is disabled.", cognitojwt.ErrRevoked, true},
		{"UserNotFoundException", "User does not exist.", cognitojwt.ErrRevoked, true},
		{"NotAuthorizedException", "Access Token has expired", cognitojwt.ErrExpired, false},
		{"NotAuthorizedException", "Access Token does not have required scopes", online.ErrMissingScope, false},
		{"NotAuthorizedException", "Something else", cognitojwt.ErrRevoked, false},
		{"LimitExceededException", "Limit exceeded", online.ErrThrottled, false},
		{"InternalErrorException", "Internal error", online.ErrUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.message, func(t *testing.T) {
			e := newEnv(t, nil)
			tok := e.signIn(t, "alice", nil)
			claims, err := e.v.Verify(t.Context(), tok.AccessToken)
			require.NoError(t, err)
			e.clk.Past(claims.IssuedAt)
			e.answer(t, cognitoError(tt.kind, tt.message))
			_, err = e.checker.Check(t.Context(), tok.AccessToken, claims)
			require.ErrorIs(t, err, tt.want)
			require.NotContains(t, err.Error(), tt.message, "Cognito's text stays out of the error")
			require.Equal(t, tt.recorded, e.list.Revoked(claims))
		})
	}
}
