package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/redisstore"
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
