package cognitojwt

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
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

// fetchCall is one JWKS fetch that any number of callers may wait on.
type fetchCall struct {
	done chan struct{}
	err  error
}

// jwksSource fetches a user pool's JWKS and caches its keys. Lookups of
// known kids never block and never touch the network; an unknown kid
// causes at most one fetch per cooldown, shared by every concurrent caller.
// When a fetch fails, the last good keys keep serving.
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

	set atomic.Pointer[keySet]

	mu          sync.Mutex
	inflight    *fetchCall
	lastAttempt time.Time
	lastErr     error
	fetches     atomic.Int64
}

// cached returns the key for kid if the current set has it, and starts a
// background refresh when the set is older than the refresh interval.
func (j *jwksSource) cached(kid string, now time.Time) *publicKey {
	s := j.set.Load()
	if s == nil {
		return nil
	}
	k := s.keys[kid]
	if k != nil && now.Sub(s.fetched) >= j.refresh {
		j.refreshInBackground()
	}
	return k
}

// key returns the key for kid, fetching the JWKS when kid is unknown and
// the cooldown allows. The result carries the key set's own copy of kid,
// so that callers keep no reference to the token's bytes.
func (j *jwksSource) key(ctx context.Context, kid string, now time.Time) (*publicKey, error) {
	if k := j.cached(kid, now); k != nil {
		return k, nil
	}
	call, ok := j.startFetch(false)
	if !ok {
		// A fetch that ended between the lookup above and startFetch has
		// stored its set already: look again before failing.
		if k := j.lookup(kid); k != nil {
			return k, nil
		}
		return nil, j.missing(nil)
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, failf(ErrKeysUnavailable, "gave up waiting for the JWKS: %v", ctx.Err())
	}
	if k := j.lookup(kid); k != nil {
		return k, nil
	}
	return nil, j.missing(call.err)
}

// lookup returns the key for kid from the current set, with no side
// effects.
func (j *jwksSource) lookup(kid string) *publicKey {
	if s := j.set.Load(); s != nil {
		return s.keys[kid]
	}
	return nil
}

func (j *jwksSource) missing(fetchErr error) error {
	if j.set.Load() == nil {
		if fetchErr == nil {
			j.mu.Lock()
			fetchErr = j.lastErr
			j.mu.Unlock()
		}
		if fetchErr == nil {
			fetchErr = errors.New("no usable keys")
		}
		return &keysUnavailableError{err: fetchErr, retryAfter: j.retryAfter()}
	}
	if fetchErr != nil {
		return failf(ErrUnknownKey, "kid not in the key set; refetch failed: %v", fetchErr)
	}
	return fail(ErrUnknownKey, "kid not in the key set")
}

// retryAfter is how long until the cooldown lets another fetch run.
func (j *jwksSource) retryAfter() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	d := j.cooldown - j.now().Sub(j.lastAttempt)
	if d < time.Second {
		d = time.Second
	}
	return d
}

// startFetch joins the fetch under way or starts one, unless the last one
// began less than a cooldown ago. A background refresh held back by the
// cooldown is not reported as one: OnCooldown counts unknown kids only.
func (j *jwksSource) startFetch(background bool) (*fetchCall, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.inflight != nil {
		return j.inflight, true
	}
	now := j.now()
	if !j.lastAttempt.IsZero() && now.Sub(j.lastAttempt) < j.cooldown {
		if background {
			return nil, false
		}
		j.hooks.cooldown()
		if j.logger != nil {
			j.logger.Debug("cognitojwt: JWKS refetch suppressed by cooldown", "url", j.url)
		}
		return nil, false
	}
	j.lastAttempt = now
	call := &fetchCall{done: make(chan struct{})}
	j.inflight = call
	go j.run(call)
	return call, true
}

func (j *jwksSource) refreshInBackground() {
	j.startFetch(true)
}

// run performs the fetch on its own goroutine, detached from any one
// caller's context, so a caller that gives up does not fail the others.
func (j *jwksSource) run(call *fetchCall) {
	ctx, cancel := context.WithTimeout(context.Background(), j.timeout)
	defer cancel()
	call.err = j.fetch(ctx)
	j.mu.Lock()
	j.inflight = nil
	j.lastErr = call.err
	j.mu.Unlock()
	close(call.done)
}

// warm fetches now, joining a fetch under way, and waits for the result.
func (j *jwksSource) warm(ctx context.Context) error {
	j.mu.Lock()
	call := j.inflight
	if call == nil {
		j.lastAttempt = j.now()
		call = &fetchCall{done: make(chan struct{})}
		j.inflight = call
		go j.run(call)
	}
	j.mu.Unlock()
	select {
	case <-call.done:
	case <-ctx.Done():
		return failf(ErrKeysUnavailable, "gave up waiting for the JWKS: %v", ctx.Err())
	}
	if call.err != nil {
		return &keysUnavailableError{err: call.err, retryAfter: j.retryAfter()}
	}
	return nil
}

func (j *jwksSource) fetch(ctx context.Context) (err error) {
	start := time.Now()
	j.fetches.Add(1)
	var status, nkeys int
	defer func() {
		elapsed := time.Since(start)
		j.hooks.fetched(JWKSFetch{URL: j.url, Status: status, Keys: nkeys, Duration: elapsed, Err: err})
		if j.logger == nil {
			return
		}
		if err != nil {
			j.logger.Warn("cognitojwt: JWKS fetch failed", "url", j.url, "status", status, "duration", elapsed, "error", err)
		} else {
			j.logger.Info("cognitojwt: JWKS fetched", "url", j.url, "status", status, "duration", elapsed, "keys", nkeys)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return fmt.Errorf("JWKS request: %w", err)
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("JWKS endpoint answered HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, j.maxSize+1))
	if err != nil {
		return fmt.Errorf("reading JWKS: %w", err)
	}
	if int64(len(body)) > j.maxSize {
		return fmt.Errorf("JWKS larger than %d bytes", j.maxSize)
	}
	keys, skipped, err := parseJWKS(body)
	if err != nil {
		return err
	}
	if len(skipped) > 0 && j.logger != nil {
		j.logger.Warn("cognitojwt: JWKS keys skipped", "url", j.url, "reasons", skipped)
	}
	if len(keys) == 0 {
		return errors.New("JWKS has no usable RS256 signing keys")
	}
	nkeys = len(keys)
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
	return nil
}

// jwkFields are the members of a JWK that decide whether it is usable.
type jwkFields struct {
	Kty, Use, Alg, Kid string
	KeyOps             []string // nil when absent
}

// privateMembers are JWK members that only private keys carry. They are
// matched ignoring case, since some JSON decoders do.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth"}

func isPrivateMember(m jsonscan.Member) bool {
	return slices.ContainsFunc(privateMembers, func(p string) bool { return strings.EqualFold(p, m.Name) })
}

// jwkDecidingMembers decide whether a key is used.
var jwkDecidingMembers = []string{"kty", "use", "alg", "kid", "key_ops"}

// readJWKFields reads the deciding members by their exact names. A member
// whose name matches one only ignoring case ("USE") makes the key
// unusable: decoders disagree on such names, and the key must mean the
// same to all of them.
func readJWKFields(members []jsonscan.Member) (jwkFields, error) {
	var f jwkFields
	for _, m := range members {
		if !slices.Contains(jwkDecidingMembers, m.Name) &&
			slices.ContainsFunc(jwkDecidingMembers, func(d string) bool { return strings.EqualFold(d, m.Name) }) {
			return f, fmt.Errorf("member %q differs from a JWK member only in case", m.Name)
		}
		var err error
		switch m.Name {
		case "kty":
			f.Kty, err = m.Value.AsString()
		case "use":
			f.Use, err = m.Value.AsString()
		case "alg":
			f.Alg, err = m.Value.AsString()
		case "kid":
			f.Kid, err = m.Value.AsString()
		case "key_ops":
			f.KeyOps, err = m.Value.AppendStrings([]string{})
		}
		if err != nil {
			return f, fmt.Errorf("member %s: %w", m.Name, err)
		}
	}
	return f, nil
}

// parseJWKS returns the usable RS256 verification keys of a JWKS by kid.
// Keys of other types or uses, weak keys and keys whose kid is listed
// twice are skipped (their reasons returned for logging); any private key
// material makes the whole document an error, since a server that
// publishes it is not to be trusted for the public halves either.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, []string, error) {
	doc, err := jsonscan.ParseObject(string(body), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("JWKS is not a valid JSON object: %w", err)
	}
	var rawKeys []json.RawMessage
	for _, m := range doc {
		if m.Name == "keys" {
			if m.Value.Kind != jsonscan.Array {
				return nil, nil, errors.New("JWKS \"keys\" is not an array")
			}
			if err := json.Unmarshal([]byte(m.Value.Raw), &rawKeys); err != nil {
				return nil, nil, fmt.Errorf("JWKS keys: %w", err)
			}
		}
	}
	if rawKeys == nil {
		return nil, nil, errors.New("JWKS has no \"keys\" array")
	}
	keys := make(map[string]*rsa.PublicKey, len(rawKeys))
	ambiguous := map[string]bool{}
	var skipped []string
	for i, raw := range rawKeys {
		members, err := jsonscan.ParseObject(string(raw), nil)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: not an object", i))
			continue
		}
		if slices.ContainsFunc(members, isPrivateMember) {
			return nil, nil, fmt.Errorf("JWKS key %d carries private key material", i)
		}
		f, err := readJWKFields(members)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		pub, why := usableKey(f, raw)
		if why != "" {
			skipped = append(skipped, fmt.Sprintf("key %d: %s", i, why))
			continue
		}
		if prev, dup := keys[f.Kid]; dup || ambiguous[f.Kid] {
			if dup && prev.Equal(pub) {
				continue
			}
			// Two different keys under one kid: which one signed a token
			// cannot be told, so neither is used.
			delete(keys, f.Kid)
			ambiguous[f.Kid] = true
			skipped = append(skipped, fmt.Sprintf("key %d: kid listed twice with different keys", i))
			continue
		}
		keys[f.Kid] = pub
	}
	return keys, skipped, nil
}

func usableKey(f jwkFields, raw []byte) (*rsa.PublicKey, string) {
	switch {
	case f.Kid == "":
		return nil, "no kid"
	case f.Kty != "RSA":
		return nil, "not an RSA key"
	case f.Use != "" && f.Use != "sig":
		return nil, "use is not sig"
	case f.KeyOps != nil && !slices.Contains(f.KeyOps, "verify"):
		return nil, "key_ops lacks verify"
	case f.Alg != "" && f.Alg != "RS256":
		return nil, "alg is not RS256"
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, "unparsable RSA key"
	}
	var pub rsa.PublicKey
	if err := jwk.Export(key, &pub); err != nil {
		return nil, "unparsable RSA key"
	}
	if pub.N == nil || pub.N.Sign() <= 0 {
		return nil, "bad modulus"
	}
	if bits := pub.N.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Sprintf("RSA modulus of %d bits", bits)
	}
	if pub.E < 3 || pub.E%2 == 0 || big.NewInt(int64(pub.E)).Cmp(pub.N) >= 0 {
		return nil, "bad RSA public exponent"
	}
	return &pub, ""
}

// keysUnavailableError is ErrKeysUnavailable with a hint for Retry-After.
type keysUnavailableError struct {
	err        error
	retryAfter time.Duration
}

func (e *keysUnavailableError) Error() string {
	return ErrKeysUnavailable.Error() + ": " + e.err.Error()
}
func (e *keysUnavailableError) Unwrap() error { return ErrKeysUnavailable }

// RetryAfter is how long the caller should wait before the fetcher will try
// again.
func (e *keysUnavailableError) RetryAfter() time.Duration { return e.retryAfter }

// httpClientFor returns the client fetches use: the caller's, or one with
// timeouts, in both cases refusing redirects that leave the JWKS host or
// drop TLS.
func httpClientFor(c *http.Client, timeout time.Duration) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		out.Timeout = timeout
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many JWKS redirects")
		}
		orig := via[0].URL
		if req.URL.Host != orig.Host || (orig.Scheme == "https" && req.URL.Scheme != "https") {
			return errors.New("JWKS redirect to another host or scheme refused")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &out
}

// checkFetchURL allows https anywhere and plain http only to loopback, where
// local test issuers run.
func checkFetchURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed only to loopback", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}
