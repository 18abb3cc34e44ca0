package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/internal/safe"
)

var (
	// ErrInvalidTTL: a session must expire; Set needs a positive TTL.
	ErrInvalidTTL = errors.New("redisstore: session TTL must be positive")
	// ErrNoClient: the Sessions has no Redis client (NewSessions(nil), or
	// a zero Sessions).
	ErrNoClient = errors.New("redisstore: no redis client")
)

// SessionOption configures NewSessions.
type SessionOption func(*Sessions)

// WithSessionPrefix sets the prefix of the session keys. Default
// "cognitojwt:session:".
func WithSessionPrefix(p string) SessionOption { return func(s *Sessions) { s.prefix = p } }

// Sessions stores web sessions in Redis, so that every instance behind a
// load balancer sees the same sign-ins: a web.Store. Values are opaque
// bytes, sealed by the web package before they arrive; each key expires
// with its session.
//
// Every call returns once its context is done, whatever the client's
// options: go-redis waits out its own ReadTimeout (3 s by default, and
// again for each retry) on a Redis that stopped answering unless the
// client was made with ContextTimeoutEnabled, so the command is left to
// finish on its own and the call answers the context's error. The web
// package gives each call a deadline (web.Config.StoreTimeout, 1 s by
// default); a call without one is bounded by the client's timeouts alone.
//
// A session id is a bearer credential, so keys hold its SHA-256 rather than
// the id itself: whoever can list the keys (a shared Redis, a backup, a
// MONITOR session) learns no id they could replay. Errors never include the
// id or the value.
type Sessions struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewSessions returns a session store on rdb.
func NewSessions(rdb redis.UniversalClient, opts ...SessionOption) *Sessions {
	s := &Sessions{rdb: rdb, prefix: "cognitojwt:session:"}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// swapScript replaces a value only if it is still the one the caller read.
var swapScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
end
return false`)

// bounded runs call and returns its error, or ctx's once ctx is done first.
// The command then finishes in the background within the client's own
// timeouts.
func bounded(ctx context.Context, call func(context.Context) error) error {
	if ctx.Done() == nil {
		return call(ctx)
	}
	done := make(chan error, 1)
	// On this goroutine nothing would recover a panic of the client (a
	// caller's redis.Hook): the call fails with safe.ErrPanicked instead.
	go func() { done <- safe.Call(func() error { return call(ctx) }) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sessions) key(id string) string {
	sum := sha256.Sum256([]byte(id))
	return s.prefix + hex.EncodeToString(sum[:])
}

// Get returns the session's value; ok is false when there is none (never
// set, deleted or expired).
func (s *Sessions) Get(ctx context.Context, id string) (value []byte, ok bool, err error) {
	if s == nil || s.rdb == nil {
		return nil, false, ErrNoClient
	}
	var v []byte
	err = bounded(ctx, func(ctx context.Context) (err error) {
		v, err = s.rdb.Get(ctx, s.key(id)).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: session get: %w", err)
	}
	return v, true, nil
}

// Set stores value under id for ttl, replacing any previous value.
func (s *Sessions) Set(ctx context.Context, id string, value []byte, ttl time.Duration) error {
	if s == nil || s.rdb == nil {
		return ErrNoClient
	}
	if ttl <= 0 {
		return ErrInvalidTTL
	}
	err := bounded(ctx, func(ctx context.Context) error { return s.rdb.Set(ctx, s.key(id), value, ttl).Err() })
	if err != nil {
		return fmt.Errorf("redisstore: session set: %w", err)
	}
	return nil
}

// Swap stores value under id for ttl only if the value there is still
// old, atomically (a Lua script), and reports whether it did: the web
// package's write-backs never bring back a session signed out meanwhile.
func (s *Sessions) Swap(ctx context.Context, id string, old, value []byte, ttl time.Duration) (bool, error) {
	if s == nil || s.rdb == nil {
		return false, ErrNoClient
	}
	if ttl <= 0 {
		return false, ErrInvalidTTL
	}
	var swapped bool
	err := bounded(ctx, func(ctx context.Context) error {
		err := swapScript.Run(ctx, s.rdb, []string{s.key(id)}, old, value, ttl.Milliseconds()).Err()
		swapped = err == nil
		if errors.Is(err, redis.Nil) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("redisstore: session swap: %w", err)
	}
	return swapped, nil
}

// Delete removes the session; deleting a missing one is not an error.
func (s *Sessions) Delete(ctx context.Context, id string) error {
	if s == nil || s.rdb == nil {
		return ErrNoClient
	}
	if err := bounded(ctx, func(ctx context.Context) error { return s.rdb.Del(ctx, s.key(id)).Err() }); err != nil {
		return fmt.Errorf("redisstore: session delete: %w", err)
	}
	return nil
}
