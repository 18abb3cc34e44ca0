package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
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
// load balancer sees the same sign-ins. Values are opaque bytes; each key
// expires with its session.
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
	v, err := s.rdb.Get(ctx, s.key(id)).Bytes()
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
	if err := s.rdb.Set(ctx, s.key(id), value, ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: session set: %w", err)
	}
	return nil
}

// Delete removes the session; deleting a missing one is not an error.
func (s *Sessions) Delete(ctx context.Context, id string) error {
	if s == nil || s.rdb == nil {
		return ErrNoClient
	}
	if err := s.rdb.Del(ctx, s.key(id)).Err(); err != nil {
		return fmt.Errorf("redisstore: session delete: %w", err)
	}
	return nil
}
