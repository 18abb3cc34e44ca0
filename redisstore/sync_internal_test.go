package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
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
	deadline := time.Now().Add(testwait.Limit(t))
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

// When every instance finds at the same moment that Redis lost the list,
// the lease lets one of them write it back; the others wait and read it.
func TestRestoreLeaseLetsOneInstanceWriteTheList(t *testing.T) {
	srv := startServer(t)
	const n, entries = 5, 500
	var restored atomic.Int32
	var fleet []*Revocations
	for range n {
		fleet = append(fleet, newInternal(t, srv.Addr(), WithResyncInterval(time.Hour),
			WithHooks(Hooks{Restored: func(int) { restored.Add(1) }})))
	}
	ctx := context.Background()
	var all []entry
	for i := range entries {
		all = append(all, entry{kind: kindJTI, id: "jti-" + strconv.Itoa(i), moment: time.Now().UnixMilli() * 1e6})
	}
	if err := fleet[0].write(ctx, all, false); err != nil {
		t.Fatal(err)
	}
	for _, r := range fleet {
		// Stop the background loops: only the calls below resync.
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			r.replica.add(e)
		}
	}
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	defer admin.Close()
	// Empty the server, as a restart without persistence does.
	if err := admin.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	restored.Store(0)
	start := make(chan struct{})
	errs := make(chan error, n)
	for _, r := range fleet {
		go func() {
			<-start
			errs <- r.sync(ctx)
		}()
	}
	close(start)
	waiting := 0
	for range n {
		switch err := <-errs; {
		case errors.Is(err, errRestoring):
			waiting++
		case err != nil:
			t.Fatal(err)
		}
	}
	if got := restored.Load(); got != 1 {
		t.Fatalf("%d instances restored the list, want 1 (%d waited)", got, waiting)
	}
	if got := admin.ZCard(ctx, fleet[0].keys[keyJTI]).Val(); got != entries {
		t.Fatalf("Redis holds %d entries, want %d", got, entries)
	}
	info := admin.Info(ctx, "commandstats").Val()
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_zadd:calls="); ok {
			calls, _ := strconv.Atoi(strings.SplitN(rest, ",", 2)[0])
			if calls > 2*entries {
				t.Errorf("%d ZADD calls to restore %d entries: written more than once", calls, entries)
			}
		}
	}
	// The instances that waited read the restored list back.
	for _, r := range fleet {
		if err := r.sync(ctx); err != nil {
			t.Fatal(err)
		}
		if r.pos.epoch == "" || r.Len() != entries {
			t.Errorf("an instance did not adopt the restored list: epoch %q, %d entries", r.pos.epoch, r.Len())
		}
	}
}
