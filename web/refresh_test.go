package web_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/internal/testpanic"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
	"github.com/cognitojwt/cognitojwt/web"
)

func TestThrottledRefreshIsAnOutageNotASignOut(t *testing.T) {
	for _, answer := range [][2]string{
		{"429", "too_many_requests"}, {"400", "invalid_request"}, {"401", "invalid_client"}, {"503", "temporarily_unavailable"},
	} {
		a := newApp(t)
		a.pool.lifetime = 10 * time.Minute
		a.signIn("/")
		a.pool.refreshAnswer.Store(&answer)
		a.clock.Advance(9 * time.Minute)
		assert.Contains(t, body(t, a.get("/account")), "access=true", "%v: the tokens still verify: served with them", answer)
		assert.NotNil(t, a.cookie("session"), answer)
		a.clock.Advance(2 * time.Minute)
		resp := a.get("/account")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%v: expired and not refreshed: an outage", answer)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"), answer)
		assert.NotNil(t, a.cookie("session"), "%v: the session is kept", answer)
		assert.NotContains(t, a.logs.String(), "session ended", answer)

		a.pool.refreshAnswer.Store(nil)
		a.clock.Advance(5 * time.Second)
		assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "%v: served again once the endpoint answers", answer)
	}
}

func TestOnlyARefusedGrantEndsTheSession(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.pool.refreshAnswer.Store(&[2]string{"400", "invalid_grant"})
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
	assert.Nil(t, a.cookie("session"))
}

func TestExpiredAccessTokenThatCannotBeRefreshedAnswers503(t *testing.T) {
	// The ID token lives an hour, the access token five minutes: a page
	// served on the ID token alone would find AccessToken missing.
	a := newApp(t)
	a.pool.accessLifetime = 5 * time.Minute
	a.signIn("/")
	a.pool.fail.Store(true)
	a.clock.Advance(4 * time.Minute)
	assert.Contains(t, body(t, a.get("/account")), "access=true", "within the refresh window: served")
	a.clock.Advance(2 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.NotNil(t, a.cookie("session"), "the session is kept")
}

func TestARequestThatReadTheSessionBeforeARefreshDoesNotRefreshAgain(t *testing.T) {
	// The browser sent a second request before the first one's new
	// cookies reached it: it carries the session as it was.
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	u, _ := url.Parse(a.srv.URL)
	before := a.jar.Cookies(u)
	require.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	require.Equal(t, 2, int(a.pool.tokenCalls.Load()), "sign-in and one refresh")
	refreshed := a.cookie("session").Value

	a.jar.SetCookies(u, before)
	assert.Contains(t, body(t, a.get("/account")), "user=alice")
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "no second refresh")
	assert.NotEqual(t, refreshed, a.cookie("session").Value, "the late request gets the refreshed session's cookies")
}

// laggingStore is a MemoryStore that can answer an instance's next read
// with the value it held at freeze: the read of a request that arrived
// just before another instance's refresh finished.
type laggingStore struct {
	web.MemoryStore
	mu     sync.Mutex
	frozen map[string][]byte
	last   map[string][]byte
}

func (s *laggingStore) Set(ctx context.Context, id string, v []byte, ttl time.Duration) error {
	s.remember(id, v)
	return s.MemoryStore.Set(ctx, id, v, ttl)
}

func (s *laggingStore) Swap(ctx context.Context, id string, old, v []byte, ttl time.Duration) (bool, error) {
	ok, err := s.MemoryStore.Swap(ctx, id, old, v, ttl)
	if ok {
		s.remember(id, v)
	}
	return ok, err
}

func (s *laggingStore) remember(id string, v []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last = map[string][]byte{}
	}
	s.last[id] = append([]byte(nil), v...)
}

func (s *laggingStore) freeze() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frozen = maps.Clone(s.last)
}

// behind is an instance's view of a laggingStore whose next read of each
// session returns the frozen value.
type behind struct{ *laggingStore }

func (b behind) Get(ctx context.Context, id string) ([]byte, bool, error) {
	b.mu.Lock()
	v, ok := b.frozen[id]
	delete(b.frozen, id)
	b.mu.Unlock()
	if ok {
		return v, true, nil
	}
	return b.MemoryStore.Get(ctx, id)
}

// secondInstance mounts another Auth on a's site under /two, as another
// instance behind the same load balancer, with store as its Store.
func (a *app) secondInstance(store web.Store) *web.Auth {
	a.t.Helper()
	cfg := a.cfg
	cfg.Store = store
	auth, err := web.New(cfg)
	require.NoError(a.t, err)
	a.routes(auth, "/two")
	return auth
}

func TestInstancesSharingAStoreRefreshOnce(t *testing.T) {
	store := &laggingStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	store.Now = a.clock.Now
	a.secondInstance(behind{store})
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	store.freeze()
	require.Equal(t, http.StatusOK, a.get("/account").StatusCode, "the first instance refreshes")
	require.Equal(t, 2, int(a.pool.tokenCalls.Load()))

	// The second instance read the session as it was before that refresh.
	assert.Contains(t, body(t, a.get("/two/account")), "access=true")
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "it takes the refreshed session instead of refreshing again")
	assert.Equal(t, 1, store.Len())
}

func TestConcurrentRequestsOnTwoInstancesRefreshOnce(t *testing.T) {
	store := &web.MemoryStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	store.Now = a.clock.Now
	a.secondInstance(store)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	a.pool.hold = make(chan struct{})
	var first *http.Response
	var wg sync.WaitGroup
	wg.Go(func() {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/account", nil)
		resp, err := a.step.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			first = resp
		}
	})
	require.Eventually(t, func() bool { return a.pool.tokenCalls.Load() == 2 }, testwait.Limit(t), time.Millisecond)
	// The first instance holds the refresh; the second, whose tokens
	// still serve, serves with them rather than refresh too.
	assert.Contains(t, body(t, a.get("/two/account")), "access=true")
	close(a.pool.hold)
	wg.Wait()
	require.NotNil(t, first)
	assert.Equal(t, http.StatusOK, first.StatusCode)
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "sign-in and one refresh")
	a.clock.Advance(2 * time.Minute)
	assert.Contains(t, body(t, a.get("/two/account")), "access=true", "the refreshed session outlives the first tokens on either instance")
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()))
}

func TestRefreshBeforeExpiry(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	before := a.cookie("session").Value
	a.clock.Advance(7 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	assert.Equal(t, 1, int(a.pool.tokenCalls.Load()), "outside the refresh window")
	a.clock.Advance(2 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "refreshed within the window")
	assert.NotEqual(t, before, a.cookie("session").Value)
	a.clock.Advance(5 * time.Minute)
	assert.Contains(t, body(t, a.get("/account")), "user=alice", "the refreshed tokens outlive the first ones")
}

func TestConcurrentRequestsRefreshOnce(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.clock.Advance(9 * time.Minute)
	a.pool.hold = make(chan struct{})
	// Released once, here or at cleanup, so that a failed wait below ends
	// the test instead of leaving requests parked in the pool.
	release := sync.OnceFunc(func() { close(a.pool.hold) })
	t.Cleanup(release)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/account", nil)
			resp, err := a.step.Do(req)
			if err == nil {
				codes[i] = resp.StatusCode
				_ = resp.Body.Close()
			}
		})
	}
	// Every request reaches the refresh before the pool answers: the one
	// call runs on a goroutine of its own, and all eight requests,
	// including the one that started it, wait for it.
	require.Eventually(t, func() bool {
		return a.pool.tokenCalls.Load() == 2 && web.RefreshWaiters(a.auth) == len(codes)
	}, testwait.Limit(t), time.Millisecond)
	release()
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, http.StatusOK, c)
	}
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()), "sign-in and one refresh")
}

func TestRevokedRefreshTokenEndsSession(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.pool.revokeAll()
	a.clock.Advance(9 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
	assert.Contains(t, a.logs.String(), "refresh refused by the token endpoint: invalid_grant")
}

func TestUnreachableTokenEndpointKeepsSession(t *testing.T) {
	a := newApp(t)
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	a.pool.fail.Store(true)
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "tokens still valid: served")
	a.clock.Advance(2 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "expired and no refresh: 503")
	assert.NotNil(t, a.cookie("session"), "the session is kept")
	a.pool.fail.Store(false)
	// The outage is remembered for as long as Retry-After says, so that a
	// failing endpoint is not called by every request.
	a.clock.Advance(5 * time.Second)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
}

func TestSessionWithoutAUsableRefreshCookieIsServedThenEnds(t *testing.T) {
	// The refresh-token cookie deleted, or replaced by a value that does
	// not open: the refresh, which runs on a goroutine of its own, must
	// find no refresh token rather than crash the process. While the
	// tokens serve, requests are served; once they expire, the session
	// ends.
	for name, rt := range map[string]string{"deleted": "", "tampered": "AAAAAAAAAAAA"} {
		t.Run(name, func(t *testing.T) {
			a := newApp(t)
			a.pool.lifetime = 10 * time.Minute
			a.signIn("/")
			a.setCookie("session-rt", rt)
			calls := a.pool.tokenCalls.Load()
			a.clock.Advance(9 * time.Minute) // due, still valid
			assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
			a.clock.Advance(2 * time.Minute) // expired
			assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
			assert.Nil(t, a.cookie("session"))
			assert.Equal(t, calls, a.pool.tokenCalls.Load(), "nothing to redeem")
			assert.Contains(t, a.logs.String(), "tokens expired and there is no refresh token")
		})
	}
}

func TestPanickingRefreshIsAnOutageNotACrash(t *testing.T) {
	// The refresh runs on a goroutine of its own, where net/http recovers
	// nothing: a panic there must fail the requests waiting for it, keep
	// the session, and leave the process running.
	rt := &testpanic.Transport{}
	a := newApp(t, func(c *web.Config) { c.HTTPClient = &http.Client{Transport: rt} })
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	rt.Panics.Store(true)
	a.clock.Advance(11 * time.Minute)
	resp := a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "expired and the refresh panicked: an outage")
	assert.NotNil(t, a.cookie("session"), "the session is kept")
	assert.NotContains(t, a.logs.String(), "transport bug", "the panic value is not logged")
	rt.Panics.Store(false)
	a.clock.Advance(5 * time.Second)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "served again once the refresh works")
}
