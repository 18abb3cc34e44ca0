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
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
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
	// UserPoolID such as "us-east-1_AbC123" or "us-gov-west-1_AbC123". The
	// issuer and JWKS URL derive from it. Optional when Issuer is set.
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
	// RefetchCooldown is the least time between two fetches caused by
	// unknown kids or failures (default 10s). Within it, unknown kids fail
	// fast while known kids keep working.
	RefetchCooldown time.Duration
	// RefreshInterval is the age after which the key set is refreshed in
	// the background, without blocking requests (default 1h).
	RefreshInterval time.Duration
	// MaxJWKSSize caps the JWKS response body in bytes (default 1 MiB).
	MaxJWKSSize int64
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
	// Revocations, when set, is consulted after the signature (and on
	// cache hits): a listed token fails with ErrRevoked. nil: none.
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
}

// poolIDPattern is the user-pool ID shape, GovCloud regions included.
var poolIDPattern = regexp.MustCompile(`^([a-z]{2}-(?:gov-)?[a-z]+-\d)_[a-zA-Z0-9]+$`)

// New validates cfg and returns a Verifier. It does no network I/O; the
// JWKS is fetched on first use or by Warm.
func New(cfg Config) (*Verifier, error) {
	issuer := cfg.Issuer
	if issuer == "" {
		m := poolIDPattern.FindStringSubmatch(cfg.UserPoolID)
		if m == nil {
			return nil, fmt.Errorf("%w: UserPoolID %q is not of the form region_id", ErrInvalidConfig, cfg.UserPoolID)
		}
		issuer = "https://cognito-idp." + m[1] + ".amazonaws.com/" + cfg.UserPoolID
	} else if err := checkFetchURL(issuer); err != nil {
		return nil, fmt.Errorf("%w: Issuer: %v", ErrInvalidConfig, err)
	}
	issuer = strings.TrimSuffix(issuer, "/")
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = issuer + "/.well-known/jwks.json"
	}
	if err := checkFetchURL(jwksURL); err != nil {
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
		client:   httpClientFor(cfg.HTTPClient, timeout),
		timeout:  timeout,
		cooldown: orDefault(cfg.RefetchCooldown, DefaultRefetchCooldown),
		refresh:  orDefault(cfg.RefreshInterval, DefaultRefreshInterval),
		maxSize:  orDefault(cfg.MaxJWKSSize, DefaultMaxJWKSSize),
		now:      now,
		logger:   cfg.Logger,
		hooks:    cfg.Hooks,
	}
	if cfg.CacheSize >= 0 {
		v.cache = newTokenCache(orDefault(cfg.CacheSize, DefaultCacheSize))
	}
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
func (v *Verifier) Warm(ctx context.Context) error { return v.keys.warm(ctx) }

// Verify checks token and returns its claims. Errors wrap exactly one of
// the package's sentinels.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if v.hooks.OnVerify == nil {
		c, _, err := v.verify(ctx, token)
		return c, err
	}
	start := time.Now()
	c, hit, err := v.verify(ctx, token)
	v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(start), CacheHit: hit, TokenUse: v.use})
	return c, err
}

// fromCache answers from the verified-token cache alone, or returns nil,
// reporting a hit to OnVerify as Verify would.
func (v *Verifier) fromCache(token string) *Claims {
	if v.cache == nil || token == "" || len(token) > v.maxSize {
		return nil
	}
	var start time.Time
	if v.hooks.OnVerify != nil {
		start = time.Now()
	}
	_, c := v.probeCache(token, v.now())
	if c != nil && v.hooks.OnVerify != nil {
		v.hooks.OnVerify(VerifyOutcome{Duration: time.Since(start), CacheHit: true, TokenUse: v.use})
	}
	return c
}

// probeCache hashes token and looks it up; the key serves a later put.
func (v *Verifier) probeCache(token string, now time.Time) (cacheKey, *Claims) {
	key := v.cache.key(token)
	return key, v.cache.get(&key, now, v.keys)
}

func (v *Verifier) verify(ctx context.Context, token string) (*Claims, bool, error) {
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
			return c, true, nil
		}
	}
	c, pub, err := v.verifyUncached(ctx, token, now)
	if err != nil {
		return nil, false, err
	}
	if v.cache != nil {
		v.cache.put(&key, c, c.ExpiresAt.Add(v.leeway), pub, now)
		return c.clone(), false, nil
	}
	return c, false, nil
}

var (
	errEmptyToken = fail(ErrNoToken, "empty token")
	errTooLarge   = fail(ErrMalformedToken, "token exceeds the size limit")
	errBadSig     = fail(ErrInvalidSignature, "RS256 signature does not verify")
	errNoKid      = fail(ErrUnknownKey, "header has no kid")
	errNotRS256   = fail(ErrUnsupportedAlgorithm, "alg is not RS256")
	errExpired    = fail(ErrExpired, "exp has passed")
	errNbf        = fail(ErrNotYetValid, "nbf is in the future")
	errIat        = fail(ErrNotYetValid, "iat is in the future")
	errIssuer     = fail(ErrWrongIssuer, "iss is not the configured user pool")
	errTokenUse   = fail(ErrWrongTokenUse, "token_use is not the accepted one")
	errClient     = fail(ErrWrongClient, "app client is not accepted")
	errNoIssuer   = fail(ErrWrongIssuer, "iss is missing")
	errNoClient   = fail(ErrWrongClient, "client_id/aud is missing")
	errNoUse      = fail(ErrWrongTokenUse, "token_use is missing")
	rejectHeader  = map[string]string{
		// Keys or key locations chosen by the token's author.
		"jku": "jku", "x5u": "x5u", "jwk": "jwk", "x5c": "x5c",
		// Extensions, compression, nesting and encryption Cognito never
		// uses; honouring any of them changes what the signature covers.
		"crit": "crit", "b64": "b64", "zip": "zip", "cty": "cty", "enc": "enc",
	}
)

// header holds what Verify reads from the JOSE header.
type header struct {
	kid    string
	hasKid bool
}

func parseHeader(src string, scratch []jsonscan.Member) (header, error) {
	members, err := jsonscan.ParseObject(src, scratch)
	if err != nil {
		return header{}, failf(ErrMalformedToken, "header: %v", err)
	}
	var h header
	var alg string
	var hasAlg bool
	for _, m := range members {
		switch m.Name {
		case "alg":
			if alg, err = m.Value.AsString(); err != nil {
				return header{}, fail(ErrMalformedToken, "header alg is not a string")
			}
			hasAlg = true
		case "kid":
			if h.kid, err = m.Value.AsString(); err != nil {
				return header{}, fail(ErrMalformedToken, "header kid is not a string")
			}
			h.hasKid = true
		case "typ":
			typ, err := m.Value.AsString()
			if err != nil || !acceptableTyp(typ) {
				return header{}, fail(ErrMalformedToken, "header typ is not JWT")
			}
		default:
			if what, bad := rejectHeader[m.Name]; bad {
				return header{}, failf(ErrMalformedToken, "header parameter %s is not accepted", what)
			}
		}
	}
	if !hasAlg || alg != "RS256" {
		return header{}, errNotRS256
	}
	if !h.hasKid || h.kid == "" {
		return header{}, errNoKid
	}
	return h, nil
}

func acceptableTyp(typ string) bool {
	t := strings.TrimPrefix(strings.ToLower(typ), "application/")
	return t == "jwt" || t == "at+jwt"
}

// verifyUncached does the whole check, in the order that keeps untrusted
// input away from the network: shape, header, payload types and issuer
// before the key lookup; signature before any claim is believed.
func (v *Verifier) verifyUncached(ctx context.Context, token string, now time.Time) (*Claims, *publicKey, error) {
	hSeg, pSeg, sSeg, err := split(token)
	if err != nil {
		return nil, nil, err
	}
	// The payload gets its own allocation, which the claims keep: their
	// strings point into it. The header gets another, garbage once the kid
	// is looked up, and the signature is decoded onto the stack, so a
	// cached token holds only its payload.
	payload, err := decodeSegmentString(pSeg)
	if err != nil {
		return nil, nil, err
	}
	header, err := decodeSegmentString(hSeg)
	if err != nil {
		return nil, nil, err
	}
	var sArr [maxRSABits / 8]byte
	sig, err := decodeSegment(sArr[:], sSeg)
	if err != nil {
		return nil, nil, err
	}
	var scratch [40]jsonscan.Member
	h, err := parseHeader(header, scratch[:0])
	if err != nil {
		return nil, nil, err
	}
	c := new(Claims)
	if err := parsePayload(payload, c, scratch[:0]); err != nil {
		return nil, nil, err
	}
	if err := v.checkIssuer(c.Issuer); err != nil {
		return nil, nil, err
	}
	key, err := v.keys.key(ctx, h.kid, now)
	if err != nil {
		return nil, nil, err
	}
	signed := token[:len(hSeg)+1+len(pSeg)]
	digest := sha256.Sum256(readOnlyBytes(signed))
	if rsa.VerifyPKCS1v15(key.pub, crypto.SHA256, digest[:], sig) != nil {
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

func (v *Verifier) checkClaims(c *Claims, now time.Time) error {
	if !c.ExpiresAt.After(now.Add(-v.leeway)) {
		return errExpired
	}
	late := now.Add(v.leeway)
	if !c.NotBefore.IsZero() && c.NotBefore.After(late) {
		return errNbf
	}
	if !c.IssuedAt.IsZero() && c.IssuedAt.After(late) {
		return errIat
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
	if v.anyClient {
		return nil
	}
	if c.ClientID == "" {
		return errNoClient
	}
	if !slices.Contains(v.clients, c.ClientID) {
		return errClient
	}
	return nil
}
