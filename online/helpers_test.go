package online_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/online"
	"github.com/cognitojwt/cognitojwt/revocation"
)

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

func cognitoError(kind, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-ErrorType", kind)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": message})
	}
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
