package redisstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startRedis runs a real redis-server for one test, stopped by Cleanup.
func startRedis(t testing.TB, appendOnly bool) *redisserver.Server {
	t.Helper()
	cfg := redisserver.Config{AppendOnly: appendOnly}
	if appendOnly {
		cfg.Dir = t.TempDir()
	}
	srv, err := redisserver.Start(cfg)
	if errors.Is(err, redisserver.ErrNotInstalled) {
		t.Skip("SKIPPING: these tests need a real redis-server and none is installed (apt-get install redis-server)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// newClient returns a client of its own, as one instance of a fleet has.
func newClient(t testing.TB, addr, name string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr:       addr,
		ClientName: name,
		// Fail fast while the server is down, so the tests see the queue
		// and the retries rather than long dial waits.
		DialTimeout:        500 * time.Millisecond,
		DialerRetries:      1,
		DialerRetryTimeout: 10 * time.Millisecond,
		MaxRetries:         -1,
		DisableIdentity:    true,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func newStore(t testing.TB, rdb redis.UniversalClient, opts ...redisstore.Option) *redisstore.Revocations {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit(t))
	defer cancel()
	r, err := redisstore.NewRevocations(ctx, rdb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// eventually polls cond until shortly before the test's deadline
// (testwait.Limit): the tests assert that convergence happens, not how
// fast (the load program measures that).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testwait.Limit(t))
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never converged: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func claims(sub, jti, origin string, iat time.Time) *cognitojwt.Claims {
	return &cognitojwt.Claims{Subject: sub, JWTID: jti, OriginJTI: origin, IssuedAt: iat}
}

// never is a resync interval long enough that only pub/sub or a
// (re)connection can have delivered an entry within a test.
const never = time.Hour

func startRedisB(b *testing.B) *redisserver.Server { return startRedis(b, false) }

// panickingHook makes the client panic on every command while panics is
// set, as a caller's buggy redis.Hook would.
type panickingHook struct{ panics atomic.Bool }

func (h *panickingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *panickingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.panics.Load() {
			panic("hook bug")
		}
		return next(ctx, cmd)
	}
}

func (h *panickingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.panics.Load() {
			panic("hook bug")
		}
		return next(ctx, cmds)
	}
}
