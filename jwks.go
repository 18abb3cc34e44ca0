package cognitojwt

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// Defaults for the JWKS fetcher.
const (
	DefaultRefetchCooldown = 10 * time.Second
	DefaultRefreshInterval = time.Hour
	DefaultFetchTimeout    = 5 * time.Second
	DefaultMaxJWKSSize     = 1 << 20
	minRSABits             = 2048
	maxRSABits             = 8192
)

// keySet is an immutable snapshot of a pool's usable signing keys.
type keySet struct {
	keys    map[string]*publicKey
	fetched time.Time
}

// publicKey is a usable key and the kid it is published under.
type publicKey struct {
	kid string
	pub *rsa.PublicKey
}

// fetchReason is why a fetch is wanted. Only an unknown kid met with a
// key set in hand opens the cooldown by itself: that is the request an
// attacker can repeat at will. The first fetch, a background refresh and
// Warm open it only when they fail.
type fetchReason int

const (
	fetchFirst fetchReason = iota
	fetchUnknownKid
	fetchRefresh
	fetchWarm
)

// jwksSource fetches a user pool's JWKS and caches its keys. Lookups of
// known kids never block, never take a lock and never touch the network;
// an unknown kid causes at most one fetch per cooldown, shared by every
// concurrent caller. When a fetch fails, the last good keys keep serving.
type jwksSource struct {
	url      string
	client   *http.Client
	timeout  time.Duration
	cooldown time.Duration
	refresh  time.Duration
	maxSize  int64
	now      func() time.Time
	logger   *slog.Logger
	hooks    Hooks
	// static: the key set came with the Config and is never fetched
	// (Config.DisableFetch).
	static bool

	set atomic.Pointer[keySet]

	// busy mirrors inflight != nil and holdUntil is the end of the
	// cooldown in Unix nanoseconds, so that the hot path decides without
	// a lock that no background refresh is due; the lock is taken only
	// to start one.
	busy      atomic.Bool
	holdUntil atomic.Int64

	mu       sync.Mutex
	inflight *fetch.Call[struct{}]
	lastErr  error // of the last fetch that completed; nil after a success
	fetches  atomic.Int64
}

// cached returns the key for kid if the current set has it, and starts a
// background refresh when the set is older than the refresh interval.
func (j *jwksSource) cached(kid string, now time.Time) *publicKey {
	s := j.set.Load()
	if s == nil {
		return nil
	}
	k := s.keys[kid]
	if k != nil && now.Sub(s.fetched) >= j.refresh && !j.static &&
		!j.busy.Load() && now.UnixNano() >= j.holdUntil.Load() {
		j.mu.Lock()
		j.start(fetchRefresh, now)
		j.mu.Unlock()
	}
	return k
}

// stillServes reports whether the current set still publishes pub under
// its kid, as cached would, for a cache hit: seen is the set the caller
// last found publishing pub, so that while the set is unchanged the answer
// costs a pointer comparison (and the refresh check) rather than a lookup.
func (j *jwksSource) stillServes(pub *publicKey, seen *atomic.Pointer[keySet], now time.Time) bool {
	s := j.set.Load()
	if s == nil || s != seen.Load() {
		if j.cached(pub.kid, now) != pub {
			return false
		}
		seen.Store(s)
		return true
	}
	if now.Sub(s.fetched) >= j.refresh {
		j.cached(pub.kid, now) // starts the background refresh
	}
	return true
}

// key returns the key for kid, fetching the JWKS when kid is unknown and
// the cooldown allows. The result carries the key set's own copy of kid,
// so that callers keep no reference to the token's bytes.
//
// A caller whose context has ended before a fetch is needed starts none
// and opens no cooldown; one whose context ends while it waits leaves the
// fetch to the others. Both get ErrCanceled, never ErrKeysUnavailable: a
// client that went away says nothing about the key endpoint.
func (j *jwksSource) key(ctx context.Context, kid string, now time.Time) (*publicKey, error) {
	if k := j.cached(kid, now); k != nil {
		return k, nil
	}
	if j.static {
		return nil, errKidNotConfigured
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.ContextEnded("before the JWKS was fetched", err)
	}
	reason := fetchUnknownKid
	if j.set.Load() == nil {
		reason = fetchFirst
	}
	j.mu.Lock()
	call := j.start(reason, j.now())
	if call == nil {
		j.mu.Unlock()
		// A fetch that ended between the lookup above and start has
		// stored its set already: look again before failing.
		if k := j.lookup(kid); k != nil {
			return k, nil
		}
		return nil, j.held()
	}
	j.mu.Unlock()
	if k, err := fetch.Wait(ctx, call, func() *publicKey { return j.lookup(kid) }, "the JWKS"); k != nil || err != nil {
		return k, err
	}
	if k := j.lookup(kid); k != nil {
		return k, nil
	}
	return nil, j.missing(call.Err)
}

// lookup returns the key for kid from the current set, with no side
// effects.
func (j *jwksSource) lookup(kid string) *publicKey {
	if s := j.set.Load(); s != nil {
		return s.keys[kid]
	}
	return nil
}

var (
	errKidNotInSet      = fail(ErrUnknownKey, "kid not in the key set")
	errKidNotConfigured = fail(ErrUnknownKey, "kid not in the configured key set, and fetching is disabled")
)

// missing is the error for a kid that the fetch which should have found
// it did not. Only a successful fetch can tell that a kid is unknown; when
// the fetch failed, the kid may be a key published during the outage, and
// a 401 would make the client throw away a good token.
func (j *jwksSource) missing(fetchErr error) error {
	if fetchErr == nil {
		return errKidNotInSet
	}
	if j.set.Load() == nil {
		return j.unavailable(fetchErr)
	}
	return j.unavailable(fmt.Errorf("kid not in the last good key set, and the fetch that would have found it failed: %w", fetchErr))
}

// held is the error for a kid the cooldown kept from being fetched: an
// unknown key after a successful fetch, keys unavailable after a failed
// one.
func (j *jwksSource) held() error {
	j.mu.Lock()
	lastErr := j.lastErr
	j.mu.Unlock()
	switch {
	case lastErr == nil && j.set.Load() != nil:
		return errKidNotInSet
	case lastErr == nil:
		lastErr = errors.New("no usable keys")
	case j.set.Load() != nil:
		lastErr = fmt.Errorf("kid not in the last good key set, and the cooldown after a failed fetch holds back another: %w", lastErr)
	}
	return j.unavailable(lastErr)
}

func (j *jwksSource) unavailable(cause error) error {
	return &errs.Unavailable{Err: cause, After: j.retryAfter()}
}

// retryAfter is how long until the cooldown lets another fetch run, at
// least a second.
func (j *jwksSource) retryAfter() time.Duration {
	d := time.Duration(j.holdUntil.Load() - j.now().UnixNano())
	return max(d, time.Second)
}

// start, with j.mu held, joins the fetch under way or starts one, unless
// the cooldown holds; it returns nil then. A background refresh or Warm
// held back by the cooldown is not reported as one: OnCooldown counts
// unknown kids only.
func (j *jwksSource) start(reason fetchReason, now time.Time) *fetch.Call[struct{}] {
	if j.inflight != nil {
		return j.inflight
	}
	if now.UnixNano() < j.holdUntil.Load() {
		if reason == fetchFirst || reason == fetchUnknownKid {
			j.hooks.cooldown()
			if j.logger != nil {
				j.logger.Debug("cognitojwt: JWKS refetch suppressed by cooldown", "url", j.url)
			}
		}
		return nil
	}
	if reason == fetchUnknownKid {
		j.holdUntil.Store(now.Add(j.cooldown).UnixNano())
	}
	call := fetch.NewCall[struct{}]()
	j.inflight = call
	j.busy.Store(true)
	go j.run(call)
	return call
}

// run performs the fetch on its own goroutine, detached from any one
// caller's context, so a caller that gives up does not fail the others.
// A failure opens the cooldown when it is known, so that an endpoint that
// is down or slow is not asked again before the cooldown has passed. The
// fetch is reported once the source's state reflects it, so that what a
// hook observes is what the next request sees.
func (j *jwksSource) run(call *fetch.Call[struct{}]) {
	ctx, cancel := context.WithTimeout(context.Background(), j.timeout)
	defer cancel()
	start := time.Now()
	status, nkeys, err := j.get(ctx)
	elapsed := time.Since(start)
	j.mu.Lock()
	if err != nil {
		j.holdUntil.Store(max(j.holdUntil.Load(), j.now().Add(j.cooldown).UnixNano()))
	}
	j.inflight = nil
	j.busy.Store(false)
	j.lastErr = err
	j.mu.Unlock()
	j.hooks.fetched(JWKSFetch{URL: j.url, Status: status, Keys: nkeys, Duration: elapsed, Err: err})
	fetch.Log(j.logger, "JWKS", j.url, status, elapsed, err, "keys", nkeys)
	call.Err = err
	call.Finish()
}

// warm fetches now, joining a fetch under way, and waits for the result.
// Within the cooldown after a successful fetch, or after a failed one, it
// reports that fetch's result without fetching again: a readiness probe
// that calls it must not become a stream of requests to Cognito.
func (j *jwksSource) warm(ctx context.Context) error {
	if j.static {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return errs.ContextEnded("before the JWKS was fetched", err)
	}
	now := j.now()
	j.mu.Lock()
	call := j.inflight
	if call == nil {
		if s := j.set.Load(); s != nil && j.lastErr == nil && now.Sub(s.fetched) < j.cooldown {
			j.mu.Unlock()
			return nil
		}
		if call = j.start(fetchWarm, now); call == nil {
			err := j.lastErr
			j.mu.Unlock()
			if err == nil {
				// Held by an unknown kid's refetch that succeeded.
				return nil
			}
			return j.unavailable(err)
		}
	}
	j.mu.Unlock()
	select {
	case <-call.Done():
	case <-ctx.Done():
		return errs.ContextEnded("while waiting for the JWKS", ctx.Err())
	}
	if call.Err != nil {
		return j.unavailable(call.Err)
	}
	return nil
}

// get fetches the JWKS and makes its usable keys the current set.
func (j *jwksSource) get(ctx context.Context) (status, nkeys int, err error) {
	j.fetches.Add(1)
	body, status, err := fetch.Get(ctx, j.client, j.url, "application/json", "JWKS", j.maxSize)
	if err != nil {
		return status, 0, err
	}
	nkeys, err = j.install(body)
	return status, nkeys, err
}

// install parses a JWKS document, fetched or supplied with the Config,
// and makes its usable keys the current set.
func (j *jwksSource) install(body []byte) (int, error) {
	keys, skipped, err := parseJWKS(body)
	if err != nil {
		return 0, err
	}
	if len(skipped) > 0 && j.logger != nil {
		j.logger.Warn("cognitojwt: JWKS keys skipped", "url", j.url, "reasons", skipped)
	}
	if len(keys) == 0 {
		return 0, errors.New("JWKS has no usable RS256 signing keys")
	}
	// Keep the previous set's entries for unchanged keys: the token cache
	// honours an entry only while its key is the very same pointer, so new
	// pointers would void every cached token on each refresh or refetch.
	prev := j.set.Load()
	set := &keySet{keys: make(map[string]*publicKey, len(keys)), fetched: j.now()}
	for kid, pub := range keys {
		if prev != nil {
			if old := prev.keys[kid]; old != nil && old.pub.Equal(pub) {
				set.keys[kid] = old
				continue
			}
		}
		set.keys[kid] = &publicKey{kid: kid, pub: pub}
	}
	j.set.Store(set)
	return len(keys), nil
}

// configure installs the key set supplied with cfg, if any, and turns
// fetching off when cfg asks.
func (j *jwksSource) configure(cfg Config) error {
	doc := cfg.JWKS
	switch {
	case doc != nil && cfg.JWKSFile != "":
		return errors.New("set JWKS or JWKSFile, not both")
	case cfg.JWKSFile != "":
		var err error
		if doc, err = readLimited(cfg.JWKSFile, j.maxSize); err != nil {
			return fmt.Errorf("JWKSFile: %w", err)
		}
	case doc == nil:
		if cfg.DisableFetch {
			return errors.New("DisableFetch needs the keys in JWKS or JWKSFile")
		}
		return nil
	}
	if int64(len(doc)) > j.maxSize {
		return fmt.Errorf("JWKS larger than MaxJWKSSize (%d bytes)", j.maxSize)
	}
	if _, err := j.install(doc); err != nil {
		return fmt.Errorf("JWKS: %w", err)
	}
	j.static = cfg.DisableFetch
	return nil
}

// readLimited reads a file of at most limit bytes; a bigger one is an
// error, found without reading it whole.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(doc)) > limit {
		return nil, fmt.Errorf("larger than MaxJWKSSize (%d bytes)", limit)
	}
	return doc, nil
}
