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
	prefix, suffix string
	client         *http.Client
	capacity       int
	now            func() time.Time

	// keys is replaced, never changed, on every insertion: a map of at
	// most capacity entries is cheap to copy, and readers need no lock.
	keys atomic.Pointer[map[string]*cachedKey]

	// src shares one fetch per kid, lets fetchBurst unknown kids be
	// fetched per cooldown, and holds a kid whose fetch failed for the
	// cooldown: the shape of the core verifier's JWKS source.
	src fetch.Source[*ecdsa.PublicKey]
}

// newKeySource returns the source of the keys at prefix+kid+suffix.
func newKeySource(template, prefix, suffix string, client *http.Client, timeout, cooldown time.Duration, capacity int, now func() time.Time, logger *slog.Logger, hooks cognitojwt.Hooks) *keySource {
	s := &keySource{prefix: prefix, suffix: suffix, client: client, capacity: capacity, now: now}
	s.src = fetch.Source[*ecdsa.PublicKey]{
		Name: "ALB public key", Doc: "the public key", URL: template,
		Timeout: timeout, Cooldown: cooldown, Burst: fetchBurst, MaxHeld: maxFailures,
		NotFound: errNoSuchKey,
		Now:      now, Logger: logger,
		Get:     s.get,
		Install: s.install,
		OnFetch: func(o fetch.Outcome[*ecdsa.PublicKey]) {
			if hooks.OnJWKSFetch != nil {
				hooks.OnJWKSFetch(cognitojwt.JWKSFetch{URL: template, Status: o.Status, Keys: o.Keys, Duration: o.Duration, Err: o.Err})
			}
		},
		OnCooldown: hooks.OnCooldown,
	}
	s.src.Init()
	return s
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
	// stored: a fetch that ended since the lookup above stored the key.
	var stored *ecdsa.PublicKey
	k, err := s.src.Fetch(ctx, kid, fetch.UnknownKid, func() bool {
		stored = s.lookup(kid)
		return stored != nil
	})
	if k == nil {
		k = stored
	}
	var r *fetch.Refused
	switch {
	case k != nil:
		return k, nil
	case !errors.As(err, &r):
		return nil, err
	case r.Limited && r.Err == nil:
		return nil, s.missing(errRateLimited, r.After)
	case r.Limited:
		return nil, s.missing(fmt.Errorf("key fetches rate-limited after a failed one: %w", r.Err), r.After)
	}
	return nil, s.missing(r.Err, r.After)
}

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

// install parses a fetched key and stores it, with the source's lock held.
func (s *keySource) install(kid string, body []byte) (*ecdsa.PublicKey, int, error) {
	key, err := parseALBKey(body)
	if err != nil {
		return nil, 0, err
	}
	s.store(kid, &cachedKey{pub: key, added: s.now()})
	return key, 1, nil
}

// store adds a key, the source's lock held, evicting the oldest when the cache is full.
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

func (s *keySource) get(ctx context.Context, kid string) ([]byte, int, error) {
	body, status, err := fetch.Get(ctx, s.client, s.prefix+kid+s.suffix, "", "ALB public key", maxKeySize)
	if status == http.StatusNotFound || status == http.StatusForbidden {
		return nil, status, fmt.Errorf("%w (HTTP %d)", errNoSuchKey, status)
	}
	return body, status, err
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
