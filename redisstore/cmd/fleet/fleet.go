package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

// fleet is n instances, each with its own client, and what their hooks
// reported.
type fleet struct {
	clients   []*redis.Client
	lists     []*redisstore.Revocations
	stalled   []atomic.Int32
	connected []atomic.Int32
	restored  atomic.Int32
}

// newFleet starts n instances on addr. defaults gives each client
// go-redis's default options; otherwise they fail fast while the server
// is down, as the crash rounds want.
func newFleet(ctx context.Context, addr string, n int, defaults bool, opts ...redisstore.Option) (*fleet, error) {
	f := &fleet{stalled: make([]atomic.Int32, n), connected: make([]atomic.Int32, n)}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := range n {
		o := &redis.Options{Addr: addr, ClientName: fmt.Sprint("instance-", i), DisableIdentity: true}
		if !defaults {
			o.DialTimeout, o.DialerRetries, o.DialerRetryTimeout, o.MaxRetries = 500*time.Millisecond, 1, 10*time.Millisecond, -1
		}
		rdb := redis.NewClient(o)
		hooks := redisstore.Hooks{
			Unreachable: func(err error) {
				if errors.Is(err, redisstore.ErrStalled) {
					f.stalled[i].Add(1)
				}
			},
			Connected: func() { f.connected[i].Add(1) },
			Restored:  func(int) { f.restored.Add(1) },
		}
		all := append([]redisstore.Option{redisstore.WithLogger(quiet), redisstore.WithHooks(hooks)}, opts...)
		l, err := redisstore.NewRevocations(ctx, rdb, all...)
		if err != nil {
			_ = rdb.Close()
			f.close()
			return nil, err
		}
		f.clients = append(f.clients, rdb)
		f.lists = append(f.lists, l)
	}
	return f, nil
}

// openFleet starts a server without persistence and n instances on it;
// stop ends both.
func openFleet(ctx context.Context, n int, defaults bool) (srv *redisserver.Server, f *fleet, stop func(), err error) {
	if srv, err = startServer(false); err != nil {
		return nil, nil, nil, err
	}
	if f, err = newFleet(ctx, srv.Addr(), n, defaults); err != nil {
		_ = srv.Stop()
		return nil, nil, nil, err
	}
	return srv, f, func() { f.close(); _ = srv.Stop() }, nil
}

// drained waits up to limit for every instance's queue of revocations to
// empty.
func (f *fleet) drained(limit time.Duration) bool {
	return until(limit, func() bool {
		for _, l := range f.lists {
			if l.Pending() > 0 {
				return false
			}
		}
		return true
	})
}

func (f *fleet) close() {
	for _, l := range f.lists {
		_ = l.Close()
	}
	for _, c := range f.clients {
		_ = c.Close()
	}
}

// waitAll waits until every instance refuses c, up to limit, and returns
// how long that took from start.
func (f *fleet) waitAll(c *cognitojwt.Claims, start time.Time, limit time.Duration) (time.Duration, bool) {
	for {
		all := true
		for _, l := range f.lists {
			if !l.Revoked(c) {
				all = false
				break
			}
		}
		if all {
			return time.Since(start), true
		}
		if time.Since(start) > limit {
			return time.Since(start), false
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// until polls cond every few milliseconds up to limit.
func until(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

func startServer(appendOnly bool) (*redisserver.Server, error) {
	return redisserver.Start(redisserver.Config{AppendOnly: appendOnly})
}

func admin(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true, MaxRetries: -1, DialTimeout: 500 * time.Millisecond})
}
