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
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// The RSA modulus sizes a usable key may have.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// keySet is an immutable snapshot of a pool's usable signing keys.
type keySet struct {
	keys    map[string]*publicKey
	fetched time.Time
	// fetchedAt is fetched in Unix nanoseconds, which a cache hit
	// compares with its own reading.
	fetchedAt int64
}

// publicKey is a usable key and the kid it is published under.
type publicKey struct {
	kid string
	pub *rsa.PublicKey
}

// jwksSource fetches a user pool's JWKS and caches its keys. Lookups of
// known kids never block, never take a lock and never touch the network;
// an unknown kid causes at most one fetch per cooldown, shared by every
// concurrent caller (the fetch.Source, which it shares with the ALB
// verifier's keys). When a fetch fails, the last good keys keep serving.
type jwksSource struct {
	url     string
	client  *http.Client
	refresh time.Duration
	maxSize int64
	now     func() time.Time
	logger  *slog.Logger
	// static: the key set came with the Config and is never fetched
	// (Config.DisableFetch).
	static bool

	set atomic.Pointer[keySet]
	src fetch.Source[*keySet]
}

// newJWKSSource returns the source of the JWKS at url.
func newJWKSSource(url string, client *http.Client, timeout, cooldown, refresh time.Duration, maxSize int64, now func() time.Time, logger *slog.Logger, hooks Hooks) *jwksSource {
	j := &jwksSource{url: url, client: client, refresh: refresh, maxSize: maxSize, now: now, logger: logger}
	j.src = fetch.Source[*keySet]{
		Name: "JWKS", Doc: "the JWKS", URL: url,
		Timeout: timeout, Cooldown: cooldown, Burst: 1,
		Now: now, Logger: logger,
		Get: func(ctx context.Context, _ string) ([]byte, int, error) {
			return fetch.Get(ctx, j.client, j.url, "application/json", "JWKS", j.maxSize)
		},
		Install: func(_ string, doc []byte) (*keySet, int, error) { return j.install(doc) },
		OnFetch: func(o fetch.Outcome[*keySet]) {
			hooks.fetched(JWKSFetch{URL: url, Status: o.Status, Keys: o.Keys, Duration: o.Duration, Err: o.Err})
		},
		OnCooldown: hooks.cooldown,
	}
	j.src.Init()
	return j
}

// cached returns the key for kid if the current set has it, and starts a
// background refresh when the set is older than the refresh interval.
// Deciding that none is due takes no lock.
func (j *jwksSource) cached(kid string, now time.Time) *publicKey {
	s := j.set.Load()
	if s == nil {
		return nil
	}
	k := s.keys[kid]
	if k != nil && now.Sub(s.fetched) >= j.refresh && !j.static && j.src.Due(now) {
		_, _ = j.src.Start("", fetch.Refresh, nil)
	}
	return k
}

// stillServes reports whether the current set still publishes pub under
// its kid, as cached would, for a cache hit at t (Unix nanoseconds): seen
// is the set the caller last found publishing pub, so that while the set
// is unchanged the answer costs a pointer comparison (and the refresh
// check) rather than a lookup. The hit's reading is a bare number, which
// costs it less than a time.Time; the rare paths read the clock again.
func (j *jwksSource) stillServes(pub *publicKey, seen *atomic.Pointer[keySet], t int64) bool {
	s := j.set.Load()
	if s == nil || s != seen.Load() {
		if j.cached(pub.kid, j.now()) != pub {
			return false
		}
		seen.Store(s)
		return true
	}
	// A reading before the fetch (a wall clock stepped back) wraps round
	// to a large number, so cached, which compares monotonic readings,
	// decides then too.
	if uint64(t-s.fetchedAt) >= uint64(j.refresh) {
		j.cached(pub.kid, j.now()) // starts the background refresh
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
	reason := fetch.UnknownKid
	if j.set.Load() == nil {
		reason = fetch.First
	}
	// A fetch that ended since the lookup above has stored its set
	// already: look again, whatever the outcome, before failing.
	_, err := j.src.Fetch(ctx, "", reason, func() bool { return j.lookup(kid) != nil })
	if k := j.lookup(kid); k != nil {
		return k, nil
	}
	var r *fetch.Refused
	if errors.As(err, &r) {
		return nil, j.missing(r)
	}
	if err != nil {
		return nil, err
	}
	return nil, errKidNotInSet
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

// missing is the error for a kid that no fetch found, because the fetch
// failed or the cooldown held it back. Only a successful fetch can tell
// that a kid is unknown; when the last one failed, the kid may be a key
// published during the outage, and a 401 would make the client throw away
// a good token.
func (j *jwksSource) missing(r *fetch.Refused) error {
	cause := r.Err
	switch {
	case cause == nil && j.set.Load() != nil:
		return errKidNotInSet
	case cause == nil:
		cause = errors.New("no usable keys")
	case j.set.Load() == nil:
	case r.Held:
		cause = fmt.Errorf("kid not in the last good key set, and the cooldown after a failed fetch holds back another: %w", cause)
	default:
		cause = fmt.Errorf("kid not in the last good key set, and the fetch that would have found it failed: %w", cause)
	}
	return &errs.Unavailable{Err: cause, After: r.After}
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
	if !j.src.InFlight("") {
		if s := j.set.Load(); s != nil && j.src.LastErr() == nil && j.now().Sub(s.fetched) < j.src.Cooldown {
			return nil
		}
	}
	_, err := j.src.Fetch(ctx, "", fetch.Warm, nil)
	var r *fetch.Refused
	switch {
	case !errors.As(err, &r):
		return err
	case r.Err == nil:
		// Held by an unknown kid's refetch that succeeded.
		return nil
	}
	return &errs.Unavailable{Err: r.Err, After: r.After}
}

// install parses a JWKS document, fetched or supplied with the Config,
// and makes its usable keys the current set.
func (j *jwksSource) install(body []byte) (*keySet, int, error) {
	keys, skipped, err := parseJWKS(body)
	if err != nil {
		return nil, 0, err
	}
	if len(skipped) > 0 && j.logger != nil {
		j.logger.Warn("cognitojwt: JWKS keys skipped", "url", j.url, "reasons", skipped)
	}
	if len(keys) == 0 {
		return nil, 0, errors.New("JWKS has no usable RS256 signing keys")
	}
	// Keep the previous set's entries for unchanged keys: the token cache
	// honours an entry only while its key is the very same pointer, so new
	// pointers would void every cached token on each refresh or refetch.
	prev := j.set.Load()
	set := &keySet{keys: make(map[string]*publicKey, len(keys)), fetched: j.now()}
	set.fetchedAt = rules.UnixNanos(set.fetched)
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
	return set, len(keys), nil
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
	if _, _, err := j.install(doc); err != nil {
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
