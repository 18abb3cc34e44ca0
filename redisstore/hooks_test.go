package redisstore_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/redisstore"
)

// TestPanickingHooksAreIgnored: the hooks run on the store's own
// goroutines, where a panic would end the process; one that panics is
// ignored and the replication goes on.
func TestPanickingHooksAreIgnored(t *testing.T) {
	srv := startRedis(t, false)
	rdb := newClient(t, srv.Addr(), "a")
	client := &panickingHook{}
	rdb.AddHook(client)
	var resynced, lagging, unreachable atomic.Int32
	r := newStore(t, rdb,
		redisstore.WithResyncInterval(20*time.Millisecond), redisstore.WithRetryInterval(20*time.Millisecond),
		redisstore.WithLogger(slog.New(slog.DiscardHandler)),
		redisstore.WithHooks(redisstore.Hooks{
			Connected:   func() { panic("hook bug") },
			Resynced:    func(int) { resynced.Add(1); panic("hook bug") },
			Lagging:     func(int, error) { lagging.Add(1); panic("hook bug") },
			Unreachable: func(error) { unreachable.Add(1); panic("hook bug") },
		}))
	eventually(t, "resynchronisations go on after a panicking Resynced", func() bool { return resynced.Load() >= 3 })

	client.panics.Store(true)
	if err := r.RevokeJTI(context.Background(), "jti-1"); !errors.Is(err, redisstore.ErrQueued) {
		t.Fatalf("RevokeJTI while the client panics: %v, want ErrQueued", err)
	}
	eventually(t, "the outage reported to a panicking Unreachable", func() bool { return unreachable.Load() >= 1 })
	client.panics.Store(false)
	eventually(t, "the queue written after panicking Lagging hooks", func() bool { return r.Pending() == 0 })
	if lagging.Load() == 0 {
		t.Fatal("Lagging was never called")
	}
	if !newStore(t, newClient(t, srv.Addr(), "b")).Revoked(claims("sub", "jti-1", "", time.Now())) {
		t.Fatal("another instance does not see the revocation")
	}
}
