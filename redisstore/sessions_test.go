package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/internal/safe"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/web"
)

func TestSessionsRoundTrip(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	a := redisstore.NewSessions(newClient(t, srv.Addr(), "a"))
	b := redisstore.NewSessions(newClient(t, srv.Addr(), "b"))
	value := []byte{0, 1, 2, 0xff, 'x'}
	if err := a.Set(ctx, "session-1", value, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, ok, err := b.Get(ctx, "session-1")
	if err != nil || !ok || !bytes.Equal(got, value) {
		t.Fatalf("Get on another instance: %q %v %v", got, ok, err)
	}
	if _, ok, err := b.Get(ctx, "session-2"); ok || err != nil {
		t.Errorf("missing session: ok %v err %v", ok, err)
	}
	if err := b.Delete(ctx, "session-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.Get(ctx, "session-1"); ok {
		t.Error("a deleted session is still there")
	}
	if err := a.Delete(ctx, "session-1"); err != nil {
		t.Errorf("deleting a missing session: %v", err)
	}
}

func TestSessionsExpireWithTheirTTL(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	rdb := newClient(t, srv.Addr(), "a")
	s := redisstore.NewSessions(rdb, redisstore.WithSessionPrefix("app:s:"))
	if err := s.Set(ctx, "id", []byte("v"), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	keys := rdb.Keys(ctx, "app:s:*").Val()
	if len(keys) != 1 {
		t.Fatalf("keys under the prefix: %v", keys)
	}
	if ttl := rdb.PTTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > 90*time.Second {
		t.Errorf("key TTL %v, want (0, 90s]", ttl)
	}
	if err := s.Set(ctx, "id", []byte("v"), 0); !errors.Is(err, redisstore.ErrInvalidTTL) {
		t.Errorf("zero TTL: got %v, want ErrInvalidTTL", err)
	}
}

func TestSessionKeysDoNotRevealTheID(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	rdb := newClient(t, srv.Addr(), "a")
	s := redisstore.NewSessions(rdb)
	const id = "very-secret-session-id"
	if err := s.Set(ctx, id, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, k := range rdb.Keys(ctx, "*").Val() {
		if strings.Contains(k, id) {
			t.Errorf("key %q holds the session id", k)
		}
	}
}

func TestSessionErrorsDoNotEchoIDOrValue(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	s := redisstore.NewSessions(newClient(t, srv.Addr(), "a"))
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	const id, value = "secret-id-42", "secret-value-42"
	errs := []error{s.Set(ctx, id, []byte(value), time.Minute), s.Delete(ctx, id)}
	_, _, err := s.Get(ctx, id)
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("no error with Redis down")
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error echoes the session: %v", err)
		}
	}
}

func TestSessionsWithoutAClientFail(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*redisstore.Sessions{"nil client": redisstore.NewSessions(nil), "zero": {}} {
		if _, _, err := s.Get(ctx, "id"); !errors.Is(err, redisstore.ErrNoClient) {
			t.Errorf("%s: Get: %v", name, err)
		}
		if err := s.Set(ctx, "id", []byte("v"), time.Minute); !errors.Is(err, redisstore.ErrNoClient) {
			t.Errorf("%s: Set: %v", name, err)
		}
		if err := s.Delete(ctx, "id"); !errors.Is(err, redisstore.ErrNoClient) {
			t.Errorf("%s: Delete: %v", name, err)
		}
	}
}

// The web package's Store, implemented.
var _ web.Store = (*redisstore.Sessions)(nil)

func TestSessionsSwapOnlyWhatTheCallerRead(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	s := redisstore.NewSessions(newClient(t, srv.Addr(), "a"))
	if err := s.Set(ctx, "id", []byte("v1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Swap(ctx, "id", []byte("v1"), []byte("v2"), time.Minute); !ok || err != nil {
		t.Fatalf("swap of the value read: %v %v", ok, err)
	}
	if ok, err := s.Swap(ctx, "id", []byte("v1"), []byte("v3"), time.Minute); ok || err != nil {
		t.Fatalf("swap of a value changed meanwhile: %v %v", ok, err)
	}
	if got, _, _ := s.Get(ctx, "id"); string(got) != "v2" {
		t.Fatalf("after a refused swap: %q", got)
	}
	if err := s.Delete(ctx, "id"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Swap(ctx, "id", []byte("v2"), []byte("v4"), time.Minute); ok || err != nil {
		t.Fatalf("swap of a deleted session: %v %v", ok, err)
	}
	if _, ok, _ := s.Get(ctx, "id"); ok {
		t.Fatal("a write-back brought a deleted session back")
	}
	if _, err := s.Swap(ctx, "id", nil, []byte("v"), 0); !errors.Is(err, redisstore.ErrInvalidTTL) {
		t.Errorf("zero TTL: %v", err)
	}
}

func TestSessionCallsEndWithTheirContextWhenRedisStalls(t *testing.T) {
	srv := startRedis(t, false)
	// go-redis's default options: a 3 s read timeout and three retries,
	// which alone would hold each call for about 12 s.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	t.Cleanup(func() { _ = rdb.Close() })
	s := redisstore.NewSessions(rdb)
	ctx := context.Background()
	if err := s.Set(ctx, "id", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Resume() })
	calls := map[string]func(context.Context) error{
		"get": func(ctx context.Context) error { _, _, err := s.Get(ctx, "id"); return err },
		"set": func(ctx context.Context) error { return s.Set(ctx, "id", []byte("v"), time.Minute) },
		"swap": func(ctx context.Context) error {
			_, err := s.Swap(ctx, "id", []byte("v"), []byte("w"), time.Minute)
			return err
		},
		"delete": func(ctx context.Context) error { return s.Delete(ctx, "id") },
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := call(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s during a stall: %v, want the context's deadline", name, err)
		}
	}
}

func TestSessionCallsFailClosedWhenTheClientPanics(t *testing.T) {
	// A call bounded by its context runs on a goroutine of its own, where
	// nothing recovers a panic of the client: the call must fail, not the
	// process, and the next call work.
	srv := startRedis(t, false)
	rdb := newClient(t, srv.Addr(), "a")
	hook := &panickingHook{}
	rdb.AddHook(hook)
	s := redisstore.NewSessions(rdb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hook.panics.Store(true)
	if err := s.Set(ctx, "id", []byte("v"), time.Minute); !errors.Is(err, safe.ErrPanicked) {
		t.Fatalf("Set with a panicking client: %v, want safe.ErrPanicked", err)
	}
	if _, _, err := s.Get(ctx, "id"); !errors.Is(err, safe.ErrPanicked) || strings.Contains(err.Error(), "hook bug") {
		t.Fatalf("Get with a panicking client: %v, want safe.ErrPanicked alone", err)
	}
	hook.panics.Store(false)
	if err := s.Set(ctx, "id", []byte("v"), time.Minute); err != nil {
		t.Fatalf("Set once the client works: %v", err)
	}
}
