// Package cognitojwt verifies Amazon Cognito user-pool tokens (access and
// ID tokens) locally, and protects net/http handlers with them.
//
// A Verifier checks the RS256 signature against the pool's cached JWKS,
// the issuer, the lifetime, token_use and the app client; Middleware puts
// the resulting Claims into the request context, and Authorize guards
// routes with group, scope and claim policies.
package cognitojwt

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxTokenSize = 16 << 10
	DefaultCacheSize    = 10000
	// DefaultLeeway lets a token stamped by a clock ahead of the server's
	// pass its iat and nbf checks, and one whose exp just passed on a
	// clock behind it. Servers and Cognito drift by seconds, and a real
	// Cognito token can arrive with iat a second or two in the future.
	// ASP.NET Core allows 5 minutes (TokenValidationParameters
	// .DefaultClockSkew) and go-oidc 5 minutes on nbf; 30 seconds covers
	// any synchronised clock while adding at most a tenth to the shortest
	// access token Cognito issues (5 minutes).
	DefaultLeeway = 30 * time.Second
)

// Config configures a Verifier. The zero value of every optional field is a
// sound default.
type Config struct {
	// UserPoolID such as "us-east-1_AbC123", "us-gov-west-1_AbC123" or
	// "cn-north-1_AbC123". The issuer and JWKS URL derive from it (see
	// IssuerURL); pools of the European Sovereign Cloud and the isolated
	// partitions need Issuer instead. Optional when Issuer is set.
	UserPoolID string
	// ClientIDs are the accepted app clients: client_id of access tokens,
	// aud of ID tokens. Empty is an error unless AllowAnyClient is set.
	ClientIDs []string
	// AllowAnyClient skips the app client check. Only for APIs that every
	// client of the pool may call.
	AllowAnyClient bool
	// TokenUse is the kind of token accepted; the zero value is AccessToken.
	TokenUse TokenUse
	// Leeway is the clock skew allowed on exp, nbf and iat (default
	// DefaultLeeway). Negative demands zero skew.
	Leeway time.Duration

	// Issuer overrides the issuer derived from UserPoolID (local issuers,
	// emulators). It must be https, or http to a loopback host.
	Issuer string
	// AdditionalIssuers are further iss values accepted for this pool's
	// keys, for example "https://issuer-cognito-idp.{region}.amazonaws.com/{pool}"
	// that multi-region replicated pools use. Nothing is accepted unless
	// listed here.
	AdditionalIssuers []string
	// JWKSURL overrides Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// HTTPClient fetches the JWKS; the default has a timeout. Redirects to
	// another host or from https to http are refused either way.
	HTTPClient *http.Client

	// FetchTimeout bounds one JWKS fetch (default 5s).
	FetchTimeout time.Duration
	// RefetchCooldown (default 10s) bounds the fetches unknown kids can
	// cause. It opens when an unknown kid causes a fetch and when any
	// fetch fails; a successful first fetch, refresh or Warm opens none.
	// Within it unknown kids cause no fetch and fail fast (ErrUnknownKey
	// after a successful fetch, ErrKeysUnavailable after a failed one),
	// while known kids keep working. See SECURITY.md.
	RefetchCooldown time.Duration
	// RefreshInterval is the age after which the key set is refreshed in
	// the background, without blocking requests (default 1h).
	RefreshInterval time.Duration
	// MaxJWKSSize caps the JWKS response body, and JWKS or JWKSFile, in
	// bytes (default 1 MiB).
	MaxJWKSSize int64

	// JWKS is a key set to start with, in the format the pool publishes at
	// its JWKS URL: bundled with a Lambda function so that a cold start
	// needs no fetch, or the keys of an air-gapped service. New checks it
	// with the rules every fetched set meets (a document that fails them,
	// or has no usable key, is ErrInvalidConfig) and serves its keys at
	// once. It counts as fetched when New runs: it is refreshed after
	// RefreshInterval, and an unknown kid fetches the pool's set, as with
	// any fetched set, unless DisableFetch is set.
	JWKS []byte
	// JWKSFile names a file New reads JWKS from. Set one of JWKS and
	// JWKSFile, not both.
	JWKSFile string
	// DisableFetch never fetches keys: only those of JWKS or JWKSFile,
	// which it requires, are used, unknown kids are ErrUnknownKey and Warm
	// has nothing to do. The pool's key rotations then need a new
	// document and a new Verifier.
	DisableFetch bool
	// MaxTokenSize caps the token length in bytes (default 16 KiB).
	MaxTokenSize int

	// CacheSize bounds the verified-token cache in entries (default
	// 10,000), exactly. Negative turns the cache off.
	CacheSize int

	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
	// Logger receives JWKS fetch records; nil logs nothing.
	Logger *slog.Logger
	// Hooks observe verifications and fetches.
	Hooks Hooks
	// Revocations, when set, is consulted after the signature and on every
	// cache hit: a listed token fails with ErrRevoked. A list that is a
	// RevocationReasoner (Revocations is) also says why, and a token
	// refused by subject gets a description telling the client that a
	// refresh or a new sign-in will fix it. nil: none.
	Revocations RevocationList
}

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
	hooks     Hooks
	keys      *jwksSource
	cache     *tokenCache
	// revocations asks Config.Revocations, for its reason when it can
	// give one.
	revocations rules.Revocation[*Claims, RevocationReason]
}

// New validates cfg and returns a Verifier. It does no network I/O; the
// JWKS is fetched on first use or by Warm.
func New(cfg Config) (*Verifier, error) {
	issuer := cfg.Issuer
	if issuer == "" {
		region, p, err := poolRegion(cfg.UserPoolID)
		if err != nil {
			return nil, fmt.Errorf("%w: UserPoolID %v", ErrInvalidConfig, err)
		}
		issuer = p.issuer("cognito-idp.", region, cfg.UserPoolID)
	} else if err := fetch.CheckURL(issuer); err != nil {
		return nil, fmt.Errorf("%w: Issuer: %v", ErrInvalidConfig, err)
	}
	issuer = strings.TrimSuffix(issuer, "/")
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = issuer + "/.well-known/jwks.json"
	}
	if err := fetch.CheckURL(jwksURL); err != nil {
		return nil, fmt.Errorf("%w: JWKSURL: %v", ErrInvalidConfig, err)
	}
	for _, iss := range cfg.AdditionalIssuers {
		if iss == "" {
			return nil, fmt.Errorf("%w: empty entry in AdditionalIssuers", ErrInvalidConfig)
		}
	}
	if len(cfg.ClientIDs) == 0 && !cfg.AllowAnyClient {
		return nil, fmt.Errorf("%w: ClientIDs is empty; set AllowAnyClient to accept every app client", ErrInvalidConfig)
	}
	if slices.Contains(cfg.ClientIDs, "") {
		return nil, fmt.Errorf("%w: empty entry in ClientIDs", ErrInvalidConfig)
	}
	use := cfg.TokenUse
	switch use {
	case "":
		use = AccessToken
	case AccessToken, IDToken, AnyToken:
	default:
		return nil, fmt.Errorf("%w: TokenUse %q", ErrInvalidConfig, cfg.TokenUse)
	}
	if cfg.FetchTimeout < 0 || cfg.RefetchCooldown < 0 || cfg.RefreshInterval < 0 ||
		cfg.MaxJWKSSize < 0 || cfg.MaxTokenSize < 0 {
		return nil, fmt.Errorf("%w: negative duration or size", ErrInvalidConfig)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	v := &Verifier{
		issuers:   append([]string{issuer}, cfg.AdditionalIssuers...),
		clients:   slices.Clone(cfg.ClientIDs),
		anyClient: cfg.AllowAnyClient,
		use:       use,
		leeway:    max(orDefault(cfg.Leeway, DefaultLeeway), 0),
		maxSize:   orDefault(cfg.MaxTokenSize, DefaultMaxTokenSize),
		now:       now,
		hooks:     cfg.Hooks,
	}
	timeout := orDefault(cfg.FetchTimeout, DefaultFetchTimeout)
	v.keys = &jwksSource{
		url:      jwksURL,
		client:   fetch.Client(cfg.HTTPClient, timeout),
		timeout:  timeout,
		cooldown: orDefault(cfg.RefetchCooldown, DefaultRefetchCooldown),
		refresh:  orDefault(cfg.RefreshInterval, DefaultRefreshInterval),
		maxSize:  orDefault(cfg.MaxJWKSSize, DefaultMaxJWKSSize),
		now:      now,
		logger:   cfg.Logger,
		hooks:    cfg.Hooks,
	}
	if err := v.keys.configure(cfg); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	if cfg.CacheSize >= 0 {
		v.cache = newTokenCache(orDefault(cfg.CacheSize, DefaultCacheSize))
	}
	v.revocations = rules.NewRevocation[*Claims, RevocationReason](cfg.Revocations)
	return v, nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

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
	return v.verifyObserved(ctx, token, nil)
}

// verifyObserved is Verify for a token that MultiVerifier may already have
// parsed (p, or nil).
func (v *Verifier) verifyObserved(ctx context.Context, token string, p *parsedToken) (*Claims, error) {
	if v.hooks.OnVerify == nil {
		c, _, err := v.verify(ctx, token, p)
		return c, err
	}
	start := time.Now()
	c, hit, err := v.verify(ctx, token, p)
	v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(start), CacheHit: hit, TokenUse: v.use})
	return c, err
}

// fromCache answers from the verified-token cache alone, revocation list
// included, or returns nil and no error; it reports a hit to OnVerify as
// Verify would.
func (v *Verifier) fromCache(token string) (*Claims, error) {
	if v.cache == nil || token == "" || len(token) > v.maxSize {
		return nil, nil
	}
	var start time.Time
	if v.hooks.OnVerify != nil {
		start = time.Now()
	}
	_, c := v.probeCache(token, v.now())
	if c == nil {
		return nil, nil
	}
	err := v.checkRevoked(c)
	if err != nil {
		c = nil
	}
	if v.hooks.OnVerify != nil {
		v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(start), CacheHit: true, TokenUse: v.use})
	}
	return c, err
}

// probeCache hashes token and looks it up; the key serves a later put.
func (v *Verifier) probeCache(token string, now time.Time) (cacheKey, *Claims) {
	key := v.cache.key(token)
	return key, v.cache.get(&key, now, v.keys)
}

func (v *Verifier) verify(ctx context.Context, token string, p *parsedToken) (*Claims, bool, error) {
	if token == "" {
		return nil, false, errEmptyToken
	}
	if len(token) > v.maxSize {
		return nil, false, errTooLarge
	}
	now := v.now()
	var key cacheKey
	if v.cache != nil {
		var c *Claims
		if key, c = v.probeCache(token, now); c != nil {
			if err := v.checkRevoked(c); err != nil {
				return nil, true, err
			}
			return c, true, nil
		}
	}
	c, pub, err := v.verifyUncached(ctx, token, p, now)
	if err != nil {
		return nil, false, err
	}
	if v.cache != nil {
		// A revoked token is cached too: the list is consulted on every
		// hit, and a replayed revoked token then costs a hash, not an RSA
		// verification.
		from, until := v.validity(c)
		v.cache.put(&key, c, from, until, pub, now)
		c = c.clone()
	}
	if err := v.checkRevoked(c); err != nil {
		return nil, false, err
	}
	return c, false, nil
}

// checkRevoked asks Config.Revocations about claims that passed every
// other check. It gets the caller's copy, so that a list of the caller's
// own can read it without reaching the cache's.
func (v *Verifier) checkRevoked(c *Claims) error { return v.revocations.Check(c) }

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

// header holds what Verify reads from the JOSE header.
type header struct {
	kid    string
	hasKid bool
}

func parseHeader(src string) (header, error) {
	var h header
	var alg string
	var hasAlg bool
	var memberErr error
	err := jsonscan.ScanObject(src, func(m jsonscan.Member) error {
		var err error
		switch m.Name {
		case "alg":
			if alg, err = m.Value.AsString(); err != nil {
				memberErr = fail(ErrMalformedToken, "header alg is not a string")
			}
			hasAlg = true
		case "kid":
			if h.kid, err = m.Value.AsString(); err != nil {
				memberErr = fail(ErrMalformedToken, "header kid is not a string")
			}
			h.hasKid = true
		case "typ":
			typ, err := m.Value.AsString()
			if err != nil || !rules.AcceptableTyp(typ) {
				memberErr = fail(ErrMalformedToken, "header typ is not JWT")
			}
		default:
			if what, bad := rules.RejectedHeader[m.Name]; bad {
				memberErr = failf(ErrMalformedToken, "header parameter %s is not accepted", what)
			}
		}
		return memberErr
	})
	if memberErr != nil {
		return header{}, memberErr
	}
	if err != nil {
		return header{}, failf(ErrMalformedToken, "header: %v", err)
	}
	if !hasAlg || alg != "RS256" {
		return header{}, errNotRS256
	}
	if !h.hasKid || h.kid == "" {
		return header{}, errNoKid
	}
	return h, nil
}

// parsedToken is a token read and checked up to the point where the pool
// matters: shape, encoding, header and claim types. Verifier and
// MultiVerifier parse a token once, through parseToken, so that both
// report the same error kind for it, in the same order.
type parsedToken struct {
	signed string // header.payload, the signing input
	kid    string
	claims *Claims
	sigLen int
	// sigArr holds the decoded signature, so that it costs no allocation;
	// sigLong one too long for any key the verifier accepts.
	sigArr  [maxRSABits / 8]byte
	sigLong []byte
}

func (p *parsedToken) sig() []byte {
	if p.sigLong != nil {
		return p.sigLong
	}
	return p.sigArr[:p.sigLen]
}

// parseToken reads token into p: shape, canonical base64url, header,
// payload and the types of its claims, in that order. Nothing here needs a
// key or the configuration.
func parseToken(token string, p *parsedToken) error {
	hSeg, pSeg, sSeg, err := split(token)
	if err != nil {
		return err
	}
	// The payload gets its own allocation, which the claims keep: their
	// strings point into it. The header gets another, garbage once the kid
	// is looked up, and the signature is decoded into p, so a cached token
	// holds only its payload.
	payload, err := decodeSegmentString(pSeg)
	if err != nil {
		return err
	}
	header, err := decodeSegmentString(hSeg)
	if err != nil {
		return err
	}
	if b64.DecodedLen(len(sSeg)) > len(p.sigArr) {
		// Longer than any key the verifier accepts: it fails later, at
		// the signature check, as it would in any order of checks.
		if p.sigLong, err = decodeSegment(nil, sSeg); err != nil {
			return err
		}
	} else {
		sig, err := decodeSegment(p.sigArr[:], sSeg)
		if err != nil {
			return err
		}
		p.sigLen = len(sig)
	}
	h, err := parseHeader(header)
	if err != nil {
		return err
	}
	c := new(Claims)
	if err := parsePayload(payload, c); err != nil {
		return err
	}
	p.signed, p.kid, p.claims = token[:len(hSeg)+1+len(pSeg)], h.kid, c
	return nil
}

// verifyUncached does the whole check, in the order that keeps untrusted
// input away from the network: shape, header, payload types and issuer
// before the key lookup; signature before any claim is believed. p is the
// token already parsed, or nil.
func (v *Verifier) verifyUncached(ctx context.Context, token string, p *parsedToken, now time.Time) (*Claims, *publicKey, error) {
	if p == nil {
		var own parsedToken
		if err := parseToken(token, &own); err != nil {
			return nil, nil, err
		}
		p = &own
	}
	c := p.claims
	if err := v.checkIssuer(c.Issuer); err != nil {
		return nil, nil, err
	}
	key, err := v.keys.key(ctx, p.kid, now)
	if err != nil {
		return nil, nil, err
	}
	digest := sha256.Sum256(readOnlyBytes(p.signed))
	if rsa.VerifyPKCS1v15(key.pub, crypto.SHA256, digest[:], p.sig()) != nil {
		return nil, nil, errBadSig
	}
	c.KeyID = key.kid
	if err := v.checkClaims(c, now); err != nil {
		return nil, nil, err
	}
	return c, key, nil
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
