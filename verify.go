package cognitojwt

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/rules"
	"github.com/cognitojwt/cognitojwt/internal/view"
)

// TokenVerifier is what Middleware needs: a Verifier, a MultiVerifier, or
// anything of the caller's.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (*Claims, error)
}

// Verifier verifies tokens of one user pool. It is safe for concurrent
// use and holds no goroutine between calls: there is nothing to close.
type Verifier struct {
	issuers   []string
	clients   []string
	anyClient bool
	use       TokenUse
	leeway    time.Duration
	maxSize   int
	now       func() time.Time
	// clock is the default clock behind now, nil when Config.Now is set.
	clock *clock
	hooks Hooks
	keys  *jwksSource
	cache *tokenCache
	// headers are the header segments of proven tokens, which a parse
	// need not decode again.
	headers knownHeaders
	// revocations asks Config.Revocations, for its reason when it can
	// give one.
	revocations revocations
}

// revocations asks Config.Revocations, with the keys the cache keeps when
// the list makes them.
type revocations = rules.Revocation[*Claims, RevocationReason, RevocationKey]

// Issuer returns the issuer tokens must carry.
func (v *Verifier) Issuer() string { return v.issuers[0] }

// Warm fetches the JWKS now and reports whether usable keys arrived: a
// start-up check, and a way to pay the first fetch before traffic does.
// Within RefetchCooldown after a fetch it reports that fetch's result
// without fetching again, so a readiness probe may call it as often as it
// likes. A ctx that ends first gives ErrCanceled.
func (v *Verifier) Warm(ctx context.Context) error { return v.keys.warm(ctx) }

// Verify checks token and returns its claims. Errors wrap exactly one of
// the package's sentinels.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	return v.verifyObserved(ctx, token, nil, nil, cacheMiss{})
}

// VerifyInto is Verify for a caller with a Claims of its own to fill: a
// field of a per-request struct it allocates anyway, or of one it pools
// (a framework's pooled request context, a stream's state). dst receives
// the copy Verify would return, sharing what that copy shares (strings,
// Names, the payload, which nobody writes), so a cache hit allocates
// nothing: hits on many cores then share nothing written and give the
// garbage collector no work. On error dst is zeroed, so that nothing of a
// refused token stays in it; a nil dst is ErrInvalidConfig. The revocation
// list (Config.Revocations) reads dst, so dst escapes: a Claims declared
// on the caller's stack is moved to the heap, one allocation per call.
func (v *Verifier) VerifyInto(ctx context.Context, token string, dst *Claims) error {
	if dst == nil {
		return errNilClaims
	}
	_, err := v.verifyObserved(ctx, token, nil, dst, cacheMiss{})
	if err != nil {
		*dst = Claims{}
	}
	return err
}

var errNilClaims = fail(ErrInvalidConfig, "VerifyInto was given a nil Claims")

// cacheMiss is what fromCache learned of a token it did not find: its
// hash, so that the verification that follows neither hashes nor probes
// again. The zero value says nothing is known.
type cacheMiss struct {
	hash  uint64
	known bool
}

// verifyObserved is Verify for a token that MultiVerifier may already have
// parsed (p, or nil), and that fromCache may just have missed (miss).
//
// dst, when not nil, receives the claims and is returned: the middleware
// passes the claims field of its context value, so that a cache hit
// allocates nothing of its own.
func (v *Verifier) verifyObserved(ctx context.Context, token string, p *parsedToken, dst *Claims, miss cacheMiss) (*Claims, error) {
	if v.hooks.OnVerify == nil {
		c, _, err := v.verify(ctx, token, p, dst, miss)
		return c, v.describe(err)
	}
	start := time.Now()
	c, hit, err := v.verify(ctx, token, p, dst, miss)
	err = v.describe(err)
	v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(start), CacheHit: hit, TokenUse: v.use})
	return c, err
}

// describe marks the errors of a verifier that takes ID tokens, alone or
// beside access tokens, so that ErrorStatus does not call an ID token an
// access token.
func (v *Verifier) describe(err error) error {
	if err == nil || v.use == AccessToken {
		return err
	}
	return &idTokenError{err}
}

// fromCache answers from the verified-token cache alone, revocation list
// included, and reports a hit to OnVerify as Verify would; hit is false
// when the cache does not know token, and miss then carries what
// verifyObserved may reuse. With claims, the caller gets a copy in dst (or
// a fresh struct when dst is nil); without, a copy is made only for the
// revocation list, which must never read the cache's own, and a hit
// allocates nothing when no list is set.
func (v *Verifier) fromCache(token string, dst *Claims, claims bool) (c *Claims, hit bool, miss cacheMiss, err error) {
	found, miss := v.cached(token)
	if found.shared == nil {
		return nil, false, miss, nil
	}
	if claims || !v.revocations.Empty() {
		c, err = found.into(dst)
		return c, true, cacheMiss{}, err
	}
	found.observe(nil)
	return nil, true, cacheMiss{}, nil
}

// cacheHit is a token the cache knew: its claims, the cache's own, which
// are copied before anyone else sees them, the revocation list's key for
// them, also the cache's, and the pool whose cache it was, for check. The
// zero value is a miss.
type cacheHit struct {
	shared *Claims
	key    *RevocationKey
	v      *Verifier
	// start is when the lookup began, for OnVerify.
	start time.Time
}

// cached looks token up in the cache alone. On a miss, it returns what
// verifyObserved may reuse.
func (v *Verifier) cached(token string) (cacheHit, cacheMiss) {
	if v.cache == nil || token == "" || len(token) > v.maxSize {
		return cacheHit{}, cacheMiss{}
	}
	var start time.Time
	if v.hooks.OnVerify != nil {
		start = time.Now()
	}
	h, e := v.probeCache(token, v.unixNow())
	if e == nil {
		return cacheHit{}, cacheMiss{hash: h, known: true}
	}
	return cacheHit{shared: &e.claims, key: &e.revKey, v: v, start: start}, cacheMiss{}
}

// into copies the hit's claims into dst (a new struct when dst is nil)
// and checks the copy; on error it returns nil.
func (found cacheHit) into(dst *Claims) (*Claims, error) {
	c := copyInto(dst, found.shared)
	if err := found.check(c); err != nil {
		return nil, err
	}
	return c, nil
}

// check ends a hit whose claims the caller copied into c: it asks the
// revocation list about the copy, with the key cached beside the claims,
// and reports the hit to OnVerify.
func (found cacheHit) check(c *Claims) error {
	err := found.v.describe(found.v.checkRevoked(c, found.key))
	found.observe(err)
	return err
}

// observe reports the hit to OnVerify.
func (found cacheHit) observe(err error) {
	if v := found.v; v.hooks.OnVerify != nil {
		v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(found.start), CacheHit: true, TokenUse: v.use})
	}
}

// unixNow is now in Unix nanoseconds, for a cache hit, which compares
// the time with its entry's bounds only and so need not build a
// time.Time from the default clock's reading.
func (v *Verifier) unixNow() int64 {
	if v.clock != nil {
		return v.clock.unixNano()
	}
	return rules.UnixNanos(v.now())
}

// probeCache hashes token and looks it up; the hash serves a later put.
// The entry's claims are the cache's: copy them before handing them out.
func (v *Verifier) probeCache(token string, t int64) (uint64, *cacheEntry) {
	h := v.cache.hash(token)
	return h, v.cache.get(h, token, t, v.keys)
}

func (v *Verifier) verify(ctx context.Context, token string, p *parsedToken, dst *Claims, miss cacheMiss) (*Claims, bool, error) {
	if token == "" {
		return nil, false, errEmptyToken
	}
	if len(token) > v.maxSize {
		return nil, false, errTooLarge
	}
	hash := miss.hash
	if v.cache != nil && !miss.known {
		var e *cacheEntry
		if hash, e = v.probeCache(token, v.unixNow()); e != nil {
			c := copyInto(dst, &e.claims)
			if err := v.checkRevoked(c, &e.revKey); err != nil {
				return nil, true, err
			}
			return c, true, nil
		}
	}
	// A miss reads the clock again, as a time.Time: a hit needs only its
	// Unix nanoseconds, which cost less.
	now := v.now()
	if p == nil {
		var own parsedToken
		if err := parseKnown(token, &own, &v.headers); err != nil {
			return nil, false, err
		}
		p = &own
	}
	pub, err := v.verifyParsed(ctx, p, now)
	if err != nil {
		return nil, false, err
	}
	v.headers.remember(p.header, p.kid)
	// The list's key, when it makes one, serves the check below and every
	// hit of the cached copy: the token's ids are hashed once.
	var key *RevocationKey
	if v.cache != nil {
		// A revoked token is cached too: the list is consulted on every
		// hit, and a replayed revoked token then costs a hash, not an RSA
		// verification. Only now, with the token proven, does the cache
		// get its copy of it (the caller's string may share memory with
		// a buffer of its own) and of the claims; the caller gets another
		// copy of these, which nobody else holds.
		from, until := v.validity(&p.claims)
		if e := v.cache.put(hash, token, &p.claims, v.revocations, from, until, pub, now); e != nil {
			key = &e.revKey
		}
	}
	c := copyInto(dst, &p.claims)
	if err := v.checkRevoked(c, key); err != nil {
		return nil, false, err
	}
	return c, false, nil
}

// copyInto copies c into dst, or into a new Claims when dst is nil, and
// returns the copy: a shallow copy, since nothing Claims points to is
// ever written.
func copyInto(dst, c *Claims) *Claims {
	if dst == nil {
		return c.copy()
	}
	*dst = *c
	return dst
}

// checkRevoked asks Config.Revocations about claims that passed every
// other check. It gets the caller's copy, so that a list of the caller's
// own can read it without reaching the cache's.
// k is the key the cache keeps for the claims (see KeyedRevocationList),
// or nil: a list that makes keys then hashes the claims' ids.
func (v *Verifier) checkRevoked(c *Claims, k *RevocationKey) error {
	return v.revocations.CheckKeyed(c, k)
}

var (
	errEmptyToken = fail(ErrNoToken, "empty token")
	errTooLarge   = fail(ErrMalformedToken, "token exceeds the size limit")
	errBadSig     = fail(ErrInvalidSignature, "RS256 signature does not verify")
	errNoKid      = fail(ErrUnknownKey, "header has no kid")
	errNotRS256   = fail(ErrUnsupportedAlgorithm, "alg is not RS256")
	errIssuer     = fail(ErrWrongIssuer, "iss is not the configured user pool")
	errTokenUse   = fail(ErrWrongTokenUse, "token_use is not the accepted one")
	errNoIssuer   = fail(ErrWrongIssuer, "iss is missing")
	errNoUse      = fail(ErrWrongTokenUse, "token_use is missing")
)

// verifyParsed does the whole check of a parsed token, in the order that
// keeps untrusted input away from the network: shape, header, payload
// types (parseToken) and issuer before the key lookup; signature before
// any claim is believed. It returns the key that verified the token, and
// sets p's claims' KeyID to its kid.
func (v *Verifier) verifyParsed(ctx context.Context, p *parsedToken, now time.Time) (*publicKey, error) {
	c := &p.claims
	if err := v.checkIssuer(c.Issuer); err != nil {
		return nil, err
	}
	key, err := v.keys.key(ctx, p.kid, now)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(view.Bytes(p.signed))
	if rsa.VerifyPKCS1v15(key.pub, crypto.SHA256, digest[:], p.sig()) != nil {
		return nil, errBadSig
	}
	c.KeyID = key.kid
	if err := v.checkClaims(c, now); err != nil {
		return nil, err
	}
	return key, nil
}

func (v *Verifier) checkIssuer(iss string) error {
	if iss == "" {
		return errNoIssuer
	}
	for _, want := range v.issuers {
		if iss == want {
			return nil
		}
	}
	return errIssuer
}

// checkLifetime applies exp, nbf and iat to claims already verified; a
// cache hit must pass it as a fresh verification does.
func (v *Verifier) checkLifetime(c *Claims, now time.Time) error {
	return rules.Lifetime(c.ExpiresAt, c.NotBefore, c.IssuedAt, now, v.leeway)
}

// validity returns the span of instants at which checkClaims accepts c's
// lifetime: [from, until). The cache stores it so that a hit applies the
// same time rules as a full verification.
func (v *Verifier) validity(c *Claims) (from, until time.Time) {
	from = c.NotBefore
	if c.IssuedAt.After(from) {
		from = c.IssuedAt
	}
	if !from.IsZero() {
		from = from.Add(-v.leeway)
	}
	return from, c.ExpiresAt.Add(v.leeway)
}

func (v *Verifier) checkClaims(c *Claims, now time.Time) error {
	if err := v.checkLifetime(c, now); err != nil {
		return err
	}
	switch {
	case c.TokenUse == "":
		return errNoUse
	case v.use == AnyToken:
		if c.TokenUse != AccessToken && c.TokenUse != IDToken {
			return errTokenUse
		}
	case c.TokenUse != v.use:
		return errTokenUse
	}
	return rules.Client(c.ClientID, v.clients, v.anyClient)
}
