package alb

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// keySource fetches the load balancer's public keys, one PEM document per
// kid, and keeps them: a kid's key never changes, so a cached key is never
// refreshed, only evicted when the cache is full. Known kids are looked up
// without a lock. Unknown kids are fetched once each, sharing one fetch
// between concurrent callers, and at most fetchBurst of them per
// cooldown; a kid whose fetch failed is not fetched again for a cooldown.
//
// Only the endpoint can say that a kid has no key, by answering 403 or
// 404 (S3, which serves the GovCloud keys, answers 403 for a missing
// object): once a key was obtained, that is ErrUnknownKey. Any other
// failure, and a kid held back by the cooldown after one, is
// ErrKeysUnavailable with a Retry-After hint: the key may exist, and the
// client should retry rather than drop its session.
type keySource struct {
	template       string
	prefix, suffix string
	client         *http.Client
	timeout        time.Duration
	cooldown       time.Duration
	capacity       int
	now            func() time.Time
	logger         *slog.Logger
	hooks          cognitojwt.Hooks

	// keys is replaced, never changed, on every insertion: a map of at
	// most capacity entries is cheap to copy, and readers need no lock.
	keys atomic.Pointer[map[string]*cachedKey]

	// flights shares one fetch per kid and holds a kid whose fetch
	// failed for the cooldown.
	flights fetch.Group[string, keyFetch]

	mu      sync.Mutex
	recent  [fetchBurst]time.Time // start times of the latest fetches
	next    int                   // oldest entry of recent
	lastErr error                 // of the last fetch, nil after a success or a "no such key"
}

type cachedKey struct {
	pub   *ecdsa.PublicKey
	added time.Time
}

// errNoSuchKey marks a fetch the endpoint answered with "no such key".
var errNoSuchKey = errors.New("the key endpoint has no key for this kid")

func (s *keySource) lookup(kid string) *ecdsa.PublicKey {
	if m := s.keys.Load(); m != nil {
		if k := (*m)[kid]; k != nil {
			return k.pub
		}
	}
	return nil
}

func (s *keySource) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	if k := s.lookup(kid); k != nil {
		return k, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.ContextEnded("before the public key was fetched", err)
	}
	var stored *ecdsa.PublicKey
	var limited *rateLimited
	call, err := s.flights.Do(kid, func() error {
		if stored = s.lookup(kid); stored != nil {
			// Stored by a fetch that ended since the lookup above.
			return errStored
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		now := s.now()
		if oldest := s.recent[s.next]; !oldest.IsZero() && now.Sub(oldest) < s.cooldown {
			limited = &rateLimited{cause: s.lastErr, retry: s.cooldown - now.Sub(oldest)}
			return limited
		}
		s.recent[s.next] = now
		s.next = (s.next + 1) % fetchBurst
		return nil
	}, func() (keyFetch, error) { return s.fetchKey(kid) }, s.report)
	var held *fetch.Held
	switch {
	case stored != nil:
		return stored, nil
	case limited != nil:
		if s.hooks.OnCooldown != nil {
			s.hooks.OnCooldown()
		}
		if s.logger != nil {
			s.logger.Debug("cognitojwt: ALB key fetch suppressed by cooldown", "url", s.template)
		}
		if limited.cause == nil {
			return nil, s.missing(errRateLimited, limited.retry)
		}
		return nil, s.missing(fmt.Errorf("key fetches rate-limited after a failed one: %w", limited.cause), limited.retry)
	case errors.As(err, &held):
		return nil, s.missing(held.Err, held.Until.Sub(s.now()))
	case err != nil:
		return nil, err
	}
	if k, err := fetch.Wait(ctx, call, func() *ecdsa.PublicKey { return s.lookup(kid) }, "the public key"); k != nil || err != nil {
		return k, err
	}
	if call.Err != nil {
		return nil, s.missing(call.Err, s.cooldown)
	}
	return call.Val.key, nil
}

// rateLimited is a fetch the burst limit held back: cause is the last
// fetch's failure, if it failed.
type rateLimited struct {
	cause error
	retry time.Duration
}

func (*rateLimited) Error() string { return "key fetches rate-limited" }

var errStored = errors.New("key stored meanwhile")

var errRateLimited = errors.New("key fetches rate-limited")

// missing is the error for a kid without a key. It is unknown only when
// the endpoint said it has no such key, or fetches are rate-limited and
// the last one did not fail, and only once a key was ever obtained: until
// then a missing key more likely means a wrong endpoint than a forged
// kid. Otherwise it is unavailable, with retry as the hint.
func (s *keySource) missing(cause error, retry time.Duration) error {
	if (errors.Is(cause, errNoSuchKey) || cause == errRateLimited) && s.keys.Load() != nil {
		return errs.Newf(cognitojwt.ErrUnknownKey, "no ALB public key for kid: %v", cause)
	}
	return &errs.Unavailable{Err: cause, After: max(retry, time.Second)}
}

// fetchKey runs as the kid's shared fetch, detached from any one
// caller's context (see fetch.Group), and stores what it got before the
// fetch is reported, so that what a hook observes is what the next
// request sees.
func (s *keySource) fetchKey(kid string) (keyFetch, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	start := time.Now()
	key, status, err := s.get(ctx, kid)
	elapsed := time.Since(start)
	s.mu.Lock()
	if err == nil {
		s.store(kid, &cachedKey{pub: key, added: s.now()})
	}
	if errors.Is(err, errNoSuchKey) {
		s.lastErr = nil
	} else {
		s.lastErr = err
	}
	s.mu.Unlock()
	return keyFetch{key: key, status: status, elapsed: elapsed}, err
}

// keyFetch is one fetch's outcome, for the waiters and for report.
type keyFetch struct {
	key     *ecdsa.PublicKey
	status  int
	elapsed time.Duration
}

// report tells the hooks and the log about a finished fetch.
func (s *keySource) report(f keyFetch, err error) {
	n := 0
	if err == nil {
		n = 1
	}
	if s.hooks.OnJWKSFetch != nil {
		s.hooks.OnJWKSFetch(cognitojwt.JWKSFetch{URL: s.template, Status: f.status, Keys: n, Duration: f.elapsed, Err: err})
	}
	fetch.Log(s.logger, "ALB public key", s.template, f.status, f.elapsed, err)
}

// store adds a key, s.mu held, evicting the oldest when the cache is full.
func (s *keySource) store(kid string, k *cachedKey) {
	next := map[string]*cachedKey{kid: k}
	var oldest string
	if m := s.keys.Load(); m != nil {
		for id, old := range *m {
			next[id] = old
			if oldest == "" || old.added.Before((*m)[oldest].added) {
				oldest = id
			}
		}
	}
	if len(next) > s.capacity {
		delete(next, oldest)
	}
	s.keys.Store(&next)
}

func (s *keySource) get(ctx context.Context, kid string) (*ecdsa.PublicKey, int, error) {
	body, status, err := fetch.Get(ctx, s.client, s.prefix+kid+s.suffix, "", "ALB public key", maxKeySize)
	if status == http.StatusNotFound || status == http.StatusForbidden {
		return nil, status, fmt.Errorf("%w (HTTP %d)", errNoSuchKey, status)
	}
	if err != nil {
		return nil, status, err
	}
	key, err := parseALBKey(body)
	return key, status, err
}

// parseALBKey accepts exactly one PEM "PUBLIC KEY" block holding a P-256
// key, with nothing but whitespace around it.
func parseALBKey(body []byte) (*ecdsa.PublicKey, error) {
	block, rest := pem.Decode(body)
	if block == nil || block.Type != "PUBLIC KEY" || len(block.Headers) > 0 {
		return nil, errors.New("ALB public key is not a PEM PUBLIC KEY")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("ALB public key has trailing data")
	}
	if pre := bytes.TrimSpace(body[:bytes.Index(body, []byte("-----BEGIN"))]); len(pre) > 0 {
		return nil, errors.New("ALB public key has leading data")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, errors.New("ALB public key is not a valid PKIX key")
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("ALB public key is not a P-256 key")
	}
	return ec, nil
}
