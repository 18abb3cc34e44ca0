package web_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/web"
)

// sharingStore hands back its own buffers, as a locked map or most caches
// do, and lets a test look at what it holds.
type sharingStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *sharingStore) Get(_ context.Context, id string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[id]
	return v, ok, nil
}

func (s *sharingStore) Set(_ context.Context, id string, v []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[id] = v
	return nil
}

func (s *sharingStore) Swap(_ context.Context, id string, old, v []byte, _ time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.m[id]; !ok || !bytes.Equal(cur, old) {
		return false, nil
	}
	s.m[id] = v
	return true, nil
}

func (s *sharingStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
	return nil
}

func TestStoreNeverSeesATokenEvenWhenItSharesItsBuffers(t *testing.T) {
	store := &sharingStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	for range 3 {
		assert.Contains(t, body(t, a.get("/account")), "user=alice")
	}
	a.clock.Advance(9 * time.Minute) // a refresh opens the refresh token too
	assert.Contains(t, body(t, a.get("/account")), "access=true")
	assert.Contains(t, body(t, a.get("/account")), "user=alice", "the record still opens")
	store.mu.Lock()
	defer store.mu.Unlock()
	require.Len(t, store.m, 1)
	for _, v := range store.m {
		assert.NotContains(t, string(v), "eyJ", "no token in clear in the store")
		assert.NotContains(t, string(v), "rt-", "no refresh token in clear in the store")
	}
}

// gatedStore holds writes back while gate is set, until it is closed.
type gatedStore struct {
	web.MemoryStore
	mu      sync.Mutex
	gate    chan struct{}
	arrived chan struct{}
}

func (s *gatedStore) wait() {
	s.mu.Lock()
	gate, arrived := s.gate, s.arrived
	s.mu.Unlock()
	if gate != nil {
		close(arrived)
		<-gate
	}
}

func (s *gatedStore) Set(ctx context.Context, id string, v []byte, ttl time.Duration) error {
	s.wait()
	return s.MemoryStore.Set(ctx, id, v, ttl)
}

func (s *gatedStore) Swap(ctx context.Context, id string, old, v []byte, ttl time.Duration) (bool, error) {
	s.wait()
	return s.MemoryStore.Swap(ctx, id, old, v, ttl)
}

func TestSignOutWinsOverARequestUnderWay(t *testing.T) {
	store := &gatedStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	store.Now = a.clock.Now
	a.signIn("/")
	cookie := a.cookie("session").Value
	a.clock.Advance(10 * time.Minute) // the request writes the last-seen time back

	store.mu.Lock()
	store.gate, store.arrived = make(chan struct{}), make(chan struct{})
	store.mu.Unlock()
	done := make(chan int)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/account", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
		resp, err := http.DefaultTransport.RoundTrip(req)
		status := 0
		if err == nil {
			_ = resp.Body.Close()
			status = resp.StatusCode
		}
		done <- status
	}()
	<-store.arrived // read the session, about to write it back
	store.mu.Lock()
	gate := store.gate
	store.gate = nil
	store.mu.Unlock()
	a.signOut()
	require.Zero(t, store.Len())
	close(gate)
	assert.Equal(t, http.StatusOK, <-done, "the request under way is served")

	assert.Zero(t, store.Len(), "its write-back did not bring the session back")
	a.setCookie("session", cookie)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

// stalledStore never answers: each call waits for its context to end, as
// a client of a Redis that stopped answering does when it honours the
// context's deadline.
type stalledStore struct {
	web.MemoryStore
	stalled     chan struct{} // closed to stall
	hadDeadline chan bool
}

func (s *stalledStore) Get(ctx context.Context, id string) ([]byte, bool, error) {
	select {
	case <-s.stalled:
	default:
		return s.MemoryStore.Get(ctx, id)
	}
	_, ok := ctx.Deadline()
	s.hadDeadline <- ok
	<-ctx.Done()
	return nil, false, ctx.Err()
}

func TestStalledStoreFailsPagesFastWith503(t *testing.T) {
	store := &stalledStore{stalled: make(chan struct{}), hadDeadline: make(chan bool, 1)}
	a := newApp(t, func(c *web.Config) { c.Store = store; c.StoreTimeout = 20 * time.Millisecond })
	a.signIn("/")
	close(store.stalled)
	resp := a.get("/account")
	assert.True(t, <-store.hadDeadline, "every store call is bounded by StoreTimeout")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.NotNil(t, a.cookie("session"), "the session is kept for when the store answers again")
	assert.Contains(t, a.logs.String(), "store read did not finish within StoreTimeout")
}

func TestServerSideStoreKeepsOnlyAnIDInTheCookie(t *testing.T) {
	store := &web.MemoryStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	c := a.cookie("session")
	require.NotNil(t, c)
	assert.Less(t, len(c.Value), 120, "the cookie holds a sealed id")
	assert.Equal(t, 1, store.Len())
	assert.Contains(t, body(t, a.get("/account")), "user=alice")
	a.signIn("/")
	assert.Equal(t, 1, store.Len(), "signing in again replaces the record")
	assert.NotEqual(t, c.Value, a.cookie("session").Value, "with a new id")
	c = a.cookie("session")

	// Deleting the record ends the session wherever the cookie is.
	a.do(a.step, http.MethodPost, "/logout", "Origin", a.srv.URL)
	assert.Equal(t, 0, store.Len())
	a.setCookie("session", c.Value)
	assert.Equal(t, http.StatusFound, a.get("/account").StatusCode)
}

func TestServerSideStoreRefreshes(t *testing.T) {
	store := &web.MemoryStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	store.Now = a.clock.Now
	a.pool.lifetime = 10 * time.Minute
	a.signIn("/")
	cookie := a.cookie("session").Value
	a.clock.Advance(9 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
	assert.Equal(t, 2, int(a.pool.tokenCalls.Load()))
	assert.Equal(t, cookie, a.cookie("session").Value, "the cookie does not change, the record does")
	a.clock.Advance(5 * time.Minute)
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode)
}

// corruptStore damages every value it hands back.
type corruptStore struct{ web.MemoryStore }

func (s *corruptStore) Get(ctx context.Context, id string) ([]byte, bool, error) {
	v, ok, err := s.MemoryStore.Get(ctx, id)
	if len(v) > 10 {
		v[10] ^= 1 // inside the first part, which every request opens
	}
	return v, ok, err
}

func TestDamagedStoredSessionEndsSession(t *testing.T) {
	store := &corruptStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	resp := a.get("/account")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
}

// failingStore fails every call.
type failingStore struct{ web.MemoryStore }

func (*failingStore) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("store down")
}

func TestStoreOutageAnswers503AndKeepsCookie(t *testing.T) {
	store := &failingStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store })
	a.signIn("/")
	require.NotNil(t, a.cookie("session"))
	resp := a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotNil(t, a.cookie("session"), "the session is kept for when the store is back")
	resp = a.get("/account", "Accept", "application/json")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, body(t, resp), "temporarily_unavailable")
}

func TestStalledStoreWritesFailClosedWithinStoreTimeout(t *testing.T) {
	// Every store call, not only the read, is bounded by StoreTimeout,
	// and a write that does not finish never serves a request with
	// tokens that no longer verify, nor starts a session the store does
	// not hold.
	store := &stallingStore{}
	a := newApp(t, func(c *web.Config) { c.Store = store; c.StoreTimeout = 20 * time.Millisecond })
	store.Now = a.clock.Now
	a.pool.lifetime = 10 * time.Minute

	store.setStalls.Store(true)
	resp := a.get(a.callbackURL())
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "sign-in whose record is not written")
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.Nil(t, a.cookie("session"))
	assert.Zero(t, store.Len())
	store.setStalls.Store(false)

	a.signIn("/")
	store.swapStalls.Store(true)
	a.clock.Advance(7 * time.Minute) // the last-seen time is due to be written back
	assert.Equal(t, http.StatusOK, a.get("/account").StatusCode, "served; the write-back is lost")
	assert.Contains(t, a.logs.String(), "session not saved")
	a.clock.Advance(4 * time.Minute) // the tokens have expired: the refresh cannot take its lease
	calls := a.pool.tokenCalls.Load()
	resp = a.get("/account")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, calls, a.pool.tokenCalls.Load(), "no refresh without the lease")
	assert.NotNil(t, a.cookie("session"), "the session is kept for when the store answers")

	store.swapStalls.Store(false)
	a.clock.Advance(6 * time.Second) // past the outage cooldown
	assert.Contains(t, body(t, a.get("/account")), "user=alice")
}
