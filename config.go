package cognitojwt

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
	"github.com/cognitojwt/cognitojwt/internal/poolid"
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

	// The JWKS fetcher's.
	DefaultRefetchCooldown = 10 * time.Second
	DefaultRefreshInterval = time.Hour
	DefaultFetchTimeout    = 5 * time.Second
	DefaultMaxJWKSSize     = 1 << 20
)

// Config configures a Verifier. The zero value of every optional field is a
// sound default.
type Config struct {
	// UserPoolID such as "us-east-1_AbC123", "us-gov-west-1_AbC123" or
	// "cn-north-1_AbC123". The issuer and JWKS URL derive from it (see
	// the issuer package); pools of the European Sovereign Cloud and the isolated
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
	// that multi-region replicated pools use (the issuer package builds
	// each form). Nothing is accepted unless listed here.
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

	// Now is the clock, for tests; it is called whenever the time is
	// needed. nil is the wall clock, with time.Now read at most every
	// 100 ms and the time derived in between from the monotonic clock,
	// which halves what reading the time costs a cache hit. A step of the
	// wall clock (NTP) or a resume from suspend is seen within 100 ms;
	// until then the time is the clock's before the step, advanced by the
	// time elapsed since.
	Now func() time.Time
	// Logger receives JWKS fetch records; nil logs nothing.
	Logger *slog.Logger
	// Hooks observe verifications and fetches.
	Hooks Hooks
	// Revocations, when set, is consulted after the signature and on every
	// cache hit: a listed token fails with ErrRevoked, and one refused by
	// subject gets a description telling the client that a refresh or a
	// new sign-in will fix it. nil: none. A list that also implements
	// KeyedRevocationList (revocation.List, redisstore.Revocations) is
	// asked for a key when a token is cached, and its cache hits hash
	// none of the token's ids again.
	Revocations RevocationList
}

// New validates cfg and returns a Verifier. It does no network I/O; the
// JWKS is fetched on first use or by Warm.
func New(cfg Config) (*Verifier, error) {
	issuer := cfg.Issuer
	if issuer == "" {
		region, p, err := poolid.Split(cfg.UserPoolID)
		if err != nil {
			return nil, fmt.Errorf("%w: UserPoolID %v", ErrInvalidConfig, err)
		}
		issuer = p.Issuer("cognito-idp.", region, cfg.UserPoolID)
	} else if err := fetch.CheckURL(issuer); err != nil {
		return nil, fmt.Errorf("%w: Issuer: %v", ErrInvalidConfig, err)
	}
	issuer = strings.TrimSuffix(issuer, "/")
	jwksURL := cmp.Or(cfg.JWKSURL, issuer+"/.well-known/jwks.json")
	if err := fetch.CheckURL(jwksURL); err != nil {
		return nil, fmt.Errorf("%w: JWKSURL: %v", ErrInvalidConfig, err)
	}
	if err := rules.CheckAdditionalIssuers(cfg.AdditionalIssuers); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	if err := rules.CheckClients(cfg.ClientIDs, cfg.AllowAnyClient); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
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
	now, clk := cfg.Now, (*clock)(nil)
	if now == nil {
		clk = newClock()
		now = clk.now
	}
	v := &Verifier{
		issuers:   append([]string{issuer}, cfg.AdditionalIssuers...),
		clients:   slices.Clone(cfg.ClientIDs),
		anyClient: cfg.AllowAnyClient,
		use:       use,
		leeway:    rules.Leeway(cfg.Leeway, DefaultLeeway),
		maxSize:   cmp.Or(cfg.MaxTokenSize, DefaultMaxTokenSize),
		now:       now,
		clock:     clk,
		hooks:     cfg.Hooks,
	}
	timeout := cmp.Or(cfg.FetchTimeout, DefaultFetchTimeout)
	v.keys = newJWKSSource(jwksURL, fetch.Client(cfg.HTTPClient, timeout), timeout,
		cmp.Or(cfg.RefetchCooldown, DefaultRefetchCooldown), cmp.Or(cfg.RefreshInterval, DefaultRefreshInterval),
		cmp.Or(cfg.MaxJWKSSize, DefaultMaxJWKSSize), now, cfg.Logger, cfg.Hooks)
	if err := v.keys.configure(cfg); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	if cfg.CacheSize >= 0 {
		v.cache = newTokenCache(cmp.Or(cfg.CacheSize, DefaultCacheSize))
	}
	v.revocations = rules.NewRevocation[*Claims, RevocationReason, RevocationKey](cfg.Revocations)
	return v, nil
}
