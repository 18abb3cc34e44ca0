package online_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/online"
)

// UserInfo sends access tokens to Config.Domain, so only an https origin,
// or plain http to a host that is loopback once the URL is parsed, is
// accepted: a prefix that looks like loopback is not enough.
func TestDomainMustBeHTTPSOrHTTPToALoopbackHost(t *testing.T) {
	for _, ok := range []string{
		"https://auth.example.com",
		"https://auth.example.com/",
		"http://127.0.0.1:9229",
		"http://localhost:9229",
		"http://[::1]:9229",
		"http://127.0.0.2",
	} {
		_, err := online.New(online.Config{Region: "us-east-1", Domain: ok})
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{
		"http://auth.example.com",
		"http://127.0.0.1.evil.example",
		"http://127.0.0.1@evil.example",
		"http://localhost.evil.example",
		"http://localhost@evil.example:80",
		"http://127.0.0.1:80@evil.example",
		"http://evil.example#@127.0.0.1",
		"http://evil.example?@127.0.0.1",
		"https://user:pass@auth.example.com",
		"https://auth.example.com/prefix",
		"https://auth.example.com?x=1",
		"https://auth.example.com#x",
		"ftp://127.0.0.1",
		"127.0.0.1:9229",
		"//127.0.0.1",
		"https://",
		"http://[::1",
	} {
		_, err := online.New(online.Config{Region: "us-east-1", Domain: bad})
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig, bad)
	}
}

// Cognito's GetUser quota is per account: past the limiter's room a check
// fails at once with ErrThrottled without calling Cognito, RequireFresh
// answers 503 with Retry-After, and the verdict is not kept, so the same
// token is checked once there is room again.
func TestGetUserCallsStayUnderTheAccountQuota(t *testing.T) {
	lim := rate.NewLimiter(0, 2) // two calls, then none until SetLimit
	e := newEnv(t, func(c *online.Config) {
		c.GetUserLimiter = lim
		c.Token = func(r *http.Request) (string, bool) { return r.Header.Get("X-Test-Token"), true }
	})
	a := e.signIn(t, "alice", nil)
	b := e.signIn(t, "bob", nil)
	c := e.signIn(t, "carol", nil)

	_, err := e.checker.Check(t.Context(), a.AccessToken, nil)
	require.NoError(t, err)
	_, err = e.checker.Check(t.Context(), b.AccessToken, nil)
	require.NoError(t, err)
	_, err = e.checker.Check(t.Context(), a.AccessToken, nil)
	require.NoError(t, err, "a kept verdict takes no room")
	_, err = e.checker.Check(t.Context(), c.AccessToken, nil)
	require.ErrorIs(t, err, online.ErrThrottled)
	require.EqualValues(t, 2, e.count("GetUser"), "the third token never reached Cognito")

	h := e.checker.RequireFresh(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("a throttled check let the request through")
	}))
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/pay", nil)
	r.Header.Set("X-Test-Token", c.AccessToken)
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	require.EqualValues(t, 2, e.count("GetUser"))

	lim.SetLimit(rate.Inf)
	_, err = e.checker.Check(t.Context(), c.AccessToken, nil)
	require.NoError(t, err, "the refusal was not kept as a verdict")
	require.EqualValues(t, 3, e.count("GetUser"))
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
