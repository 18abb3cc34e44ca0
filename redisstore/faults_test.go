package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/internal/safe"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

// Faults of the Redis server (stalled, restarted empty) as a fleet sees
// them, with go-redis's default client options.

// defaultClient is a client with go-redis's defaults, as most apps make.
func defaultClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// pause stalls srv (SIGSTOP) until the test resumes it or ends.
func pause(t *testing.T, srv *redisserver.Server) {
	t.Helper()
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Resume() })
}

// A write returns by its caller's deadline, or by the store's timeout
// when the context has none, however long the client would wait for a
// stalled server: the revocation is then in force locally and queued.
func TestWriteIsBoundedByTheCallersContextWhileRedisIsStalled(t *testing.T) {
	srv := startRedis(t, false)
	r := newStore(t, defaultClient(t, srv.Addr()), redisstore.WithTimeout(200*time.Millisecond), redisstore.WithRetryInterval(50*time.Millisecond))
	pause(t, srv)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := r.RevokeJTI(ctx, "with-deadline")
	if !errors.Is(err, redisstore.ErrQueued) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with a deadline: %v, want ErrQueued wrapping the deadline", err)
	}
	err = r.RevokeJTI(context.Background(), "without-deadline")
	if !errors.Is(err, redisstore.ErrQueued) || !errors.Is(err, redisstore.ErrStalled) {
		t.Errorf("without a deadline: %v, want ErrQueued wrapping ErrStalled (the store's timeout)", err)
	}
	canceled, stop := context.WithCancel(context.Background())
	stop()
	if err := r.RevokeJTI(canceled, "canceled"); !errors.Is(err, context.Canceled) {
		t.Errorf("with a canceled context: %v", err)
	}
	for _, id := range []string{"with-deadline", "without-deadline", "canceled"} {
		if !r.Revoked(claims("s", id, "f", time.Now())) {
			t.Errorf("%s is not in force locally", id)
		}
	}
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the queue drained", func() bool { return r.Pending() == 0 })
	if fresh := newStore(t, newClient(t, srv.Addr(), "late")); !fresh.Revoked(claims("s", "without-deadline", "f", time.Now())) {
		t.Error("the queued revocation never reached Redis")
	}
}

// A stalled Redis (it accepts nothing and answers nothing, connections
// open) is reported through Hooks.Unreachable on every instance, with
// ErrStalled; the recovery is reported too.
func TestStalledRedisIsReportedOnEveryInstance(t *testing.T) {
	srv := startRedis(t, false)
	const n = 4
	var stalled, resynced [n]atomic.Int32
	for i := range n {
		newStore(t, defaultClient(t, srv.Addr()), redisstore.WithResyncInterval(50*time.Millisecond),
			redisstore.WithTimeout(200*time.Millisecond),
			redisstore.WithHooks(redisstore.Hooks{
				Unreachable: func(err error) {
					if errors.Is(err, redisstore.ErrStalled) {
						stalled[i].Add(1)
					}
				},
				Resynced: func(int) { resynced[i].Add(1) },
			}))
	}
	pause(t, srv)
	for i := range n {
		eventually(t, fmt.Sprint("instance ", i, " reported the stall"), func() bool { return stalled[i].Load() > 0 })
	}
	for i := range n {
		if got := stalled[i].Load(); got != 1 {
			t.Errorf("instance %d reported the stall %d times, want once per outage", i, got)
		}
	}
	var before [n]int32
	for i := range n {
		before[i] = resynced[i].Load()
	}
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		eventually(t, fmt.Sprint("instance ", i, " resynchronised after the stall"), func() bool { return resynced[i].Load() > before[i] })
	}
}

// commandCalls returns INFO commandstats' calls per command.
func commandCalls(t *testing.T, admin *redis.Client) map[string]int64 {
	t.Helper()
	info, err := admin.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		out[strings.TrimPrefix(name, "cmdstat_")], _ = strconv.ParseInt(calls, 10, 64)
	}
	return out
}

// After Redis restarts empty, one instance restores the list and the
// others read it back: the entries are written and published about once,
// not once per instance, no subscriber is cut off, and every instance and
// a new one hold the whole list.
func TestEmptyRestartIsRestoredOnceForTheFleet(t *testing.T) {
	srv := startRedis(t, false)
	const instances, entries = 6, 600
	var restorers, restored atomic.Int32
	connected := make([]atomic.Int32, instances)
	var fleet []*redisstore.Revocations
	for i := range instances {
		fleet = append(fleet, newStore(t, newClient(t, srv.Addr(), fmt.Sprint("i", i)), redisstore.WithResyncInterval(never),
			redisstore.WithHooks(redisstore.Hooks{
				Restored: func(n int) {
					restorers.Add(1)
					restored.Add(int32(n))
				},
				Connected: func() { connected[i].Add(1) },
			})))
	}
	ctx := context.Background()
	for i := range entries {
		if err := fleet[i%instances].RevokeJTI(ctx, fmt.Sprint("jti-", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range fleet {
		eventually(t, fmt.Sprint("instance ", i, " holds the list"), func() bool { return r.Len() == entries })
	}
	restorers.Store(0)                    // the first instance created the list
	if err := srv.Restart(); err != nil { // no persistence: empty
		t.Fatal(err)
	}
	admin := newClient(t, srv.Addr(), "admin")
	eventually(t, "Redis holds the list again", func() bool {
		n, err := admin.ZCard(ctx, "{cognitojwt:revocations}:j").Result()
		return err == nil && n == entries
	})
	for i := range instances {
		eventually(t, fmt.Sprint("instance ", i, " resubscribed"), func() bool { return connected[i].Load() >= 2 })
	}
	eventually(t, "an instance finished the restore", func() bool { return restorers.Load() > 0 })
	late := newStore(t, newClient(t, srv.Addr(), "late"))
	if late.Len() != entries {
		t.Errorf("a new instance loaded %d entries, want %d", late.Len(), entries)
	}
	if restorers.Load() != 1 || restored.Load() != entries {
		t.Errorf("%d instances restored %d entries; want one instance restoring %d", restorers.Load(), restored.Load(), entries)
	}
	calls := commandCalls(t, admin)
	if calls["publish"] > 2*entries || calls["zadd"] > 2*2*entries {
		t.Errorf("the restore made %d PUBLISH and %d ZADD calls for %d entries", calls["publish"], calls["zadd"], entries)
	}
	for i := range instances {
		if got := connected[i].Load(); got != 2 {
			t.Errorf("instance %d subscribed %d times, want twice (start, restart): a subscriber was cut off", i, got)
		}
	}
}

// TestPanickingClientFailsClosed: writes and resynchronisations run on
// the store's own goroutines, where nothing recovers a panic of the
// client (a caller's redis.Hook). A revocation must then be queued, the
// outage reported, and the queue written once the client works, with the
// process still running.
func TestPanickingClientFailsClosed(t *testing.T) {
	srv := startRedis(t, false)
	rdb := newClient(t, srv.Addr(), "a")
	hook := &panickingHook{}
	rdb.AddHook(hook)
	var unreachable atomic.Value
	r := newStore(t, rdb, redisstore.WithRetryInterval(20*time.Millisecond),
		redisstore.WithHooks(redisstore.Hooks{Unreachable: func(err error) { unreachable.Store(err) }}))
	hook.panics.Store(true)
	err := r.RevokeJTI(context.Background(), "jti-1")
	if !errors.Is(err, redisstore.ErrQueued) || !errors.Is(err, safe.ErrPanicked) || strings.Contains(err.Error(), "hook bug") {
		t.Fatalf("RevokeJTI with a panicking client: %v, want ErrQueued wrapping safe.ErrPanicked alone", err)
	}
	if !r.Revoked(claims("sub", "jti-1", "", time.Now())) {
		t.Fatal("the revocation is not in force locally")
	}
	eventually(t, "a panicking retry reported as an outage", func() bool {
		err, _ := unreachable.Load().(error)
		return errors.Is(err, safe.ErrPanicked)
	})
	hook.panics.Store(false)
	eventually(t, "the queue written once the client works", func() bool { return r.Pending() == 0 })
	if !newStore(t, newClient(t, srv.Addr(), "b")).Revoked(claims("sub", "jti-1", "", time.Now())) {
		t.Fatal("another instance does not see the queued revocation")
	}
}
