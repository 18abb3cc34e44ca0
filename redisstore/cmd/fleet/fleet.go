package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

// fleet is n instances, each with its own client, and what their hooks
// reported.
type fleet struct {
	measure.Instances
	stalled   []atomic.Int32
	connected []atomic.Int32
	restored  atomic.Int32
}

// newFleet starts n instances on addr. defaults gives each client
// go-redis's default options; otherwise they fail fast while the server
// is down, as the crash rounds want.
func newFleet(ctx context.Context, addr string, n int, defaults bool, opts ...redisstore.Option) (*fleet, error) {
	f := &fleet{stalled: make([]atomic.Int32, n), connected: make([]atomic.Int32, n)}
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
		if err := f.Add(ctx, rdb, append([]redisstore.Option{redisstore.WithHooks(hooks)}, opts...)...); err != nil {
			f.Close()
			return nil, err
		}
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
	return srv, f, func() { f.Close(); _ = srv.Stop() }, nil
}

// drained waits up to limit for every instance's queue of revocations to
// empty.
func (f *fleet) drained(limit time.Duration) bool {
	return until(limit, func() bool {
		for _, l := range f.Lists {
			if l.Pending() > 0 {
				return false
			}
		}
		return true
	})
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
