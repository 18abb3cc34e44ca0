package online_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/online"
	"github.com/cognitojwt/cognitojwt/revocation"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	password = "Passw0rd!local"
	client   = cognitolocal.DefaultClientID
)

// clock is a manual clock for the verdict cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Past moves the clock to a second after iat, so that a cut-off the
// checker records at its now refuses a token issued at iat, however long
// the test took to get the token (the rule is at the second).
func (c *clock) Past(iat time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := iat.Add(time.Second); c.t.Before(t) {
		c.t = t
	}
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer collects log records across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// env is a local user pool served on loopback behind a switch that can
// answer an operation in its place (throttling, slowness), a verifier
// with a revocation list, and a Checker.
type env struct {
	pool     *cognitolocal.Pool
	url      string
	list     *revocation.List
	v        *cognitojwt.Verifier
	clk      *clock
	logs     *logBuffer
	checker  *online.Checker
	calls    sync.Map // operation → *atomic.Int64
	override atomic.Pointer[http.HandlerFunc]
}

func newEnv(t *testing.T, edit func(*online.Config)) *env {
	t.Helper()
	e := &env{clk: &clock{t: time.Now()}, logs: &logBuffer{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
		if op == "" {
			op = r.URL.Path
		}
		n, _ := e.calls.LoadOrStore(op, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		// Overrides stand in for the JSON API only; the keys stay served.
		if h := e.override.Load(); h != nil && r.Header.Get("X-Amz-Target") != "" {
			(*h)(w, r)
			return
		}
		e.pool.ServeHTTP(w, r)
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	e.url = srv.URL
	var err error
	e.pool, err = cognitolocal.New(cognitolocal.Config{BaseURL: srv.URL})
	require.NoError(t, err)
	e.list = new(revocation.List)
	e.v, err = cognitojwt.New(cognitojwt.Config{Issuer: e.pool.Issuer(), ClientIDs: []string{client}, Revocations: e.list})
	require.NoError(t, err)
	cfg := online.Config{
		Region:      "us-east-1",
		Endpoint:    e.pool.Endpoint(),
		UserPoolID:  e.pool.PoolID(),
		Domain:      srv.URL,
		Revocations: online.Local(e.list),
		Logger:      slog.New(slog.NewTextHandler(e.logs, nil)),
		Now:         e.clk.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	e.checker, err = online.New(cfg)
	require.NoError(t, err)
	return e
}

func (e *env) count(op string) int64 {
	n, ok := e.calls.Load(op)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

// answer makes the server answer every request with h, until cleanup.
func (e *env) answer(t *testing.T, h http.HandlerFunc) {
	e.override.Store(&h)
	t.Cleanup(func() { e.override.Store(nil) })
}

// signIn creates a user and signs them in.
func (e *env) signIn(t *testing.T, username string, attrs map[string]string) cognitolocal.Tokens {
	t.Helper()
	_, err := e.pool.CreateUser(username, password, attrs)
	require.NoError(t, err)
	tok, err := e.pool.SignIn(t.Context(), client, username, password)
	require.NoError(t, err)
	return tok
}

// signInVerified signs a new user in and returns the tokens with the
// access token's verified claims.
func (e *env) signInVerified(t *testing.T, username string) (cognitolocal.Tokens, *cognitojwt.Claims) {
	t.Helper()
	tok := e.signIn(t, username, nil)
	claims, err := e.v.Verify(t.Context(), tok.AccessToken)
	require.NoError(t, err)
	return tok, claims
}

// seen is what the guarded handler saw.
type seen struct {
	mu   sync.Mutex
	user *online.User
	ran  int
}

// handler is Middleware + RequireFresh around a handler that records.
func (e *env) handler(s *seen) http.Handler {
	return cognitojwt.Middleware(e.v, cognitojwt.WithRealm("api"))(e.checker.RequireFresh(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.user, _ = online.UserFromContext(r.Context())
			s.ran++
			w.WriteHeader(http.StatusOK)
		})))
}

func request(h http.Handler, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/payments", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func body(t *testing.T, w *httptest.ResponseRecorder) map[string]string {
	t.Helper()
	var b map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &b))
	return b
}

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

func cognitoError(kind, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-ErrorType", kind)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": message})
	}
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

// unreachable returns an endpoint on which nothing listens.
func unreachable(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
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

// A call that takes longer than Timeout is abandoned: 503, not a hang.
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
	require.Eventually(t, func() bool { return e.count("GetUser") >= 1 }, 5*time.Second, time.Millisecond)
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

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []online.Config{
		{},
		{Region: "us-east-1", VerdictTTL: -1},
		{Region: "us-east-1", Domain: "http://auth.example.com"},
	} {
		_, err := online.New(cfg)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
	}
}

// GlobalSignOut ends the user's sessions at Cognito and records the
// subject: the token already issued is refused locally at once.
func TestGlobalSignOutSignsOutAndRecordsSubject(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")

	e.clk.Past(claims.IssuedAt)
	require.NoError(t, e.checker.GlobalSignOut(t.Context(), tok.AccessToken, claims))
	_, err := e.v.Verify(t.Context(), tok.AccessToken)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
	_, err = e.checker.Check(t.Context(), tok.AccessToken, nil)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked, "Cognito refuses it too")
}

// RevokeToken ends one refresh token at Cognito and records its family.
func TestRevokeTokenRevokesFamily(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	require.NoError(t, e.checker.RevokeToken(t.Context(), tok.RefreshToken, client, "", claims))
	require.True(t, e.list.Revoked(claims))
	_, err := e.checker.Check(t.Context(), tok.AccessToken, nil)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
}

func TestAdminSignOutRecordsSubject(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	e.clk.Past(claims.IssuedAt)
	require.NoError(t, e.checker.AdminSignOut(t.Context(), "alice", claims.Subject))
	require.True(t, e.list.Revoked(claims))
	_, err := e.checker.Check(t.Context(), tok.AccessToken, nil)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
}

func TestUserInfoNeedsOpenIDScope(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	_, err := e.checker.UserInfo(context.Background(), tok.AccessToken, claims)
	require.ErrorIs(t, err, online.ErrMissingScope)
	require.Contains(t, err.Error(), online.OpenIDScope)
	require.Zero(t, e.count("/oauth2/userInfo"))
}

// codeFlow signs username in through Managed Login (authorization code,
// no browser) with scopes, and returns the tokens.
func (e *env) codeFlow(t *testing.T, username string, scopes ...string) (access string) {
	t.Helper()
	_, err := e.pool.CreateUser(username, password, map[string]string{"email": username + "@example.com"})
	require.NoError(t, err)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{
		"response_type": {"code"}, "client_id": {client}, "redirect_uri": {"http://localhost:8080/callback"},
		"scope": {strings.Join(scopes, " ")}, "state": {"s"},
	}
	resp, err := noRedirect.PostForm(e.url+"/login?"+q.Encode(), url.Values{"username": {username}, "password": {password}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)
	resp, err = http.PostForm(e.url+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "client_id": {client},
		"redirect_uri": {"http://localhost:8080/callback"},
	})
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	return tok.AccessToken
}

// UserInfo returns the claims the token's scopes grant, reuses its verdict
// within the TTL, and reports a token Cognito no longer honours as revoked.
func TestUserInfoFetchesCachesAndRefusesRevoked(t *testing.T) {
	e := newEnv(t, nil)
	access := e.codeFlow(t, "carol", "openid", "email")
	claims, err := e.v.Verify(t.Context(), access)
	require.NoError(t, err)

	info, err := e.checker.UserInfo(t.Context(), access, claims)
	require.NoError(t, err)
	require.Equal(t, "carol@example.com", info["email"])
	require.Equal(t, claims.Subject, info["sub"])
	_, err = e.checker.UserInfo(t.Context(), access, claims)
	require.NoError(t, err)
	require.Equal(t, int64(1), e.count("/oauth2/userInfo"), "reused within the TTL")

	require.NoError(t, e.pool.GlobalSignOut("carol"))
	e.clk.Advance(online.DefaultVerdictTTL)
	_, err = e.checker.UserInfo(t.Context(), access, claims)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
	require.True(t, e.list.Revoked(claims), "the family is recorded")
}

func TestUserInfoThrottledAndUnreachable(t *testing.T) {
	e := newEnv(t, nil)
	access := e.codeFlow(t, "carol", "openid")
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) })
	srv := httptest.NewServer(h)
	defer srv.Close()
	throttled, err := online.New(online.Config{Region: "us-east-1", Domain: srv.URL})
	require.NoError(t, err)
	_, err = throttled.UserInfo(t.Context(), access, nil)
	require.ErrorIs(t, err, online.ErrThrottled)

	down, err := online.New(online.Config{Region: "us-east-1", Domain: unreachable(t)})
	require.NoError(t, err)
	_, err = down.UserInfo(t.Context(), access, nil)
	require.ErrorIs(t, err, online.ErrUnavailable)
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
	require.Eventually(t, func() bool { return e.count("GetUser") == 1 }, 5*time.Second, time.Millisecond)
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
