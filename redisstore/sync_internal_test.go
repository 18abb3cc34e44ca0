package redisstore

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

// startServer runs a real redis-server for an internal test.
func startServer(t *testing.T) *redisserver.Server {
	t.Helper()
	srv, err := redisserver.Start(redisserver.Config{})
	if err != nil {
		t.Skipf("SKIPPING: these tests need a real redis-server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func newInternal(t *testing.T, addr string, opts ...Option) *Revocations {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
	t.Cleanup(func() { _ = rdb.Close() })
	r, err := NewRevocations(t.Context(), rdb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A message lost in flight (here: a write that publishes nothing) reaches
// every replica at its next resynchronisation, which reads the change from
// the log.
func TestPeriodicResyncRecoversALostMessage(t *testing.T) {
	srv := startServer(t)
	var resyncs atomic.Int32
	a := newInternal(t, srv.Addr(), WithResyncInterval(time.Hour))
	b := newInternal(t, srv.Addr(), WithResyncInterval(50*time.Millisecond),
		WithHooks(Hooks{Resynced: func(int) { resyncs.Add(1) }}))
	e := entry{kind: kindFamily, id: "family-lost", moment: time.Now().UnixMilli() * 1e6}
	if err := a.write(context.Background(), []entry{e}, false); err != nil {
		t.Fatal(err)
	}
	c := &cognitojwt.Claims{Subject: "s", OriginJTI: "family-lost", IssuedAt: time.Now()}
	waitFor(t, "the periodic resync found the entry", func() bool { return b.Revoked(c) })
	if a.Revoked(c) {
		t.Error("a, which only wrote it to Redis and resyncs hourly, holds it")
	}
	if resyncs.Load() < 1 {
		t.Error("no Resynced hook call")
	}
}
