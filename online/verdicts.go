package online

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// verdictKey keys a verdict by a digest of the token, so that no token is
// kept.
func verdictKey(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// verdicts caches per-token results for a while and shares one call among
// the concurrent callers of one token (the module's keyed single-flight,
// fetch.Group). Errors that say nothing about the token (throttling, an
// unreachable Cognito) are not kept.
type verdicts[T any] struct {
	max   int
	mu    sync.Mutex
	done  map[[32]byte]verdict[T]
	calls fetch.Group[[32]byte, T]
}

type verdict[T any] struct {
	value   T
	err     error
	expires time.Time
}

func newVerdicts[T any](max int) *verdicts[T] {
	return &verdicts[T]{max: max, done: map[[32]byte]verdict[T]{}}
}

// errKept tells get that a verdict arrived between its look in the cache
// and the start of a call: it reads the cache again instead.
var errKept = errors.New("online: verdict kept meanwhile")

// get returns the kept verdict for key, or the result of the call under
// way for it, or starts one. admit, when not nil, may refuse to start a
// call (a rate limit); its error is returned as is.
func (v *verdicts[T]) get(ctx context.Context, key [32]byte, now time.Time, ttl time.Duration, admit func() error, fetchFn func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err // a caller already gone starts no call
	}
	if d, ok := v.lookup(key, now); ok {
		return d.value, d.err
	}
	// The call outlives any one caller: the others keep waiting for it
	// when the first goes away. Its own timeout bounds it.
	detached := context.WithoutCancel(ctx)
	call, err := v.calls.Do(key, func() error {
		if _, ok := v.lookup(key, now); ok {
			return errKept
		}
		if admit != nil {
			return admit()
		}
		return nil
	}, func() (T, error) { return fetchFn(detached) }, func(val T, err error) { v.keep(key, now, ttl, val, err) })
	if errors.Is(err, errKept) {
		d, _ := v.lookup(key, now)
		return d.value, d.err
	}
	if err != nil {
		return zero, err
	}
	select {
	case <-call.Done():
		if errors.Is(call.Err, fetch.ErrPanicked) {
			// The check panicked (a bug, or the API client's): an outage,
			// which says nothing about the token.
			return zero, fmt.Errorf("%w: %w", ErrUnavailable, call.Err)
		}
		return call.Val, call.Err
	case <-ctx.Done():
		// The caller went away (or its own deadline passed): that says
		// nothing about Cognito, so it is not ErrUnavailable.
		return zero, ctx.Err()
	}
}

func (v *verdicts[T]) lookup(key [32]byte, now time.Time) (verdict[T], bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	d, ok := v.done[key]
	return d, ok && now.Before(d.expires)
}

// keep records a call's verdict before its callers see it, unless it says
// nothing about the token.
func (v *verdicts[T]) keep(key [32]byte, now time.Time, ttl time.Duration, val T, err error) {
	if errors.Is(err, ErrThrottled) || errors.Is(err, ErrUnavailable) || errors.Is(err, fetch.ErrPanicked) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.done) >= v.max {
		v.evict(now)
	}
	v.done[key] = verdict[T]{value: val, err: err, expires: now.Add(ttl)}
}

// evict drops expired verdicts, and when none has expired, an arbitrary
// half: verdicts live seconds, so losing some costs a few calls.
func (v *verdicts[T]) evict(now time.Time) {
	n := 0
	for k, d := range v.done {
		if !now.Before(d.expires) {
			delete(v.done, k)
			n++
		}
	}
	for k := range v.done {
		if n >= v.max/2+1 {
			break
		}
		delete(v.done, k)
		n++
	}
}
