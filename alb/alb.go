// Package alb verifies the user-claims token an Application Load Balancer
// forwards in "x-amzn-oidc-data" once it has authenticated a user with
// Cognito: an ES256 JWT with padded segments, signed by the load
// balancer, whose public key is served as PEM per kid. Its Verifier is a
// cognitojwt.TokenVerifier: use it with cognitojwt.Middleware and
// DataToken. The user's Cognito access token, which the load balancer
// forwards in "x-amzn-oidc-accesstoken", is an ordinary access token for
// a cognitojwt.Verifier; AccessToken reads it.
package alb

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// Defaults for Config fields left zero.
const (
	DefaultKeyCacheSize = 32
	// maxKeySize caps a PEM public-key response; a P-256 key is about
	// 180 bytes.
	maxKeySize = 8 << 10
	// fetchBurst unknown kids may be fetched within one refetch cooldown.
	fetchBurst = 4
	// maxFailures bounds the negative cache of kids whose fetch failed.
	maxFailures = 1024
)

// Config configures a Verifier for the "x-amzn-oidc-data" header an
// Application Load Balancer sends after authenticating a user with Cognito.
type Config struct {
	// ALBARNs are the load balancers whose tokens are accepted, compared
	// with the token's signer header exactly. Required.
	ALBARNs []string
	// ClientIDs are the accepted app clients (the client header). Empty is
	// an error unless AllowAnyClient is set.
	ClientIDs      []string
	AllowAnyClient bool
	// Issuer is the iss the load balancer writes: the user pool's issuer,
	// for example from IssuerURL. Required.
	Issuer string
	// AdditionalIssuers are further accepted iss values (see
	// UpdatedIssuerURL). Nothing is accepted unless listed.
	AdditionalIssuers []string

	// Region selects the public-key endpoint,
	// https://public-keys.auth.elb.{region}.amazonaws.com/{kid}, or the S3
	// hosts AWS documents for us-gov-west-1 and us-gov-east-1. When empty
	// it is taken from the ALB ARNs, which must then share one region.
	Region string
	// KeyURL overrides the endpoint with a template holding "{kid}" once,
	// in its path, for other partitions and for local tests. It must be
	// https, or http to a loopback host.
	KeyURL string

	// Leeway is the clock skew allowed on exp, nbf and iat (default
	// cognitojwt.DefaultLeeway, as for the core verifier). Negative
	// demands zero skew.
	Leeway time.Duration
	// MaxTokenSize caps the token length in bytes (default 16 KiB).
	MaxTokenSize int
	// KeyCacheSize bounds the public keys kept, one per kid (default 32).
	KeyCacheSize int
	// FetchTimeout bounds one key fetch (default 5s).
	FetchTimeout time.Duration
	// RefetchCooldown is the window in which at most a few unknown kids
	// are fetched, and for which a kid whose fetch failed is not fetched
	// again (default 10s).
	RefetchCooldown time.Duration
	// HTTPClient fetches the keys; the default has a timeout. Redirects to
	// another host or from https to http are refused either way.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives key fetch records; nil logs nothing.
	Logger *slog.Logger
	// Hooks observe verifications and key fetches (JWKSFetch.URL is the
	// key URL template, never a kid).
	Hooks cognitojwt.Hooks
	// Revocations, when set, is consulted once every other check has
	// passed: a listed token fails with cognitojwt.ErrRevoked. The load
	// balancer's token carries no jti, so subject revocations
	// (RevokeSubject) are the ones that apply. nil: none.
	Revocations cognitojwt.RevocationList
}

// Verifier verifies the user-claims token an Application Load Balancer
// forwards in "x-amzn-oidc-data" once it has authenticated a user: an
// ES256 JWT whose base64url segments keep their "=" padding (the signature
// covers them as sent), whose header carries kid, signer (the ALB's ARN),
// client, iss and exp, and whose public key is served as PEM per kid.
//
// Its checks are as strict as cognitojwt.Verifier's and fail with the
// same kinds: size, shape and canonical padded base64url, header (alg
// exactly ES256, no jku/x5u/jwk/x5c/crit/…), claim types, signer and iss
// (ErrWrongIssuer) before any network, then the key (a kid that is not a
// UUID is never put into a URL: ErrUnknownKey), signature, lifetime,
// client (ErrWrongClient) and revocation (ErrRevoked). The claims are the
// user-info claims of the payload, with Issuer, ClientID and the lifetime
// taken from the header.
//
// Use it with cognitojwt.Middleware(v, cognitojwt.WithTokenSource(DataToken)). Only the load
// balancer should be able to reach the service: the token proves the
// user's identity, and anyone who can send requests around the load
// balancer can make the verifier fetch keys for kids of their choosing,
// at most a few per RefetchCooldown.
type Verifier struct {
	arns      []string
	clients   []string
	anyClient bool
	issuers   []string
	leeway    time.Duration
	maxSize   int
	now       func() time.Time
	hooks     cognitojwt.Hooks
	revoked   rules.Revocation[*cognitojwt.Claims, cognitojwt.RevocationReason]
	keys      *keySource
}

// albARNRegion returns the region of an Application Load Balancer ARN,
// arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}.
func albARNRegion(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") ||
		parts[2] != "elasticloadbalancing" || !regionPattern.MatchString(parts[3]) ||
		len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" ||
		!strings.HasPrefix(parts[5], "loadbalancer/app/") {
		return "", fmt.Errorf("%w: %q is not an Application Load Balancer ARN", cognitojwt.ErrInvalidConfig, arn)
	}
	return parts[3], nil
}

// albKeyURLTemplate returns the public-key endpoint AWS documents for
// region.
func albKeyURLTemplate(region string) (string, error) {
	switch {
	case !regionPattern.MatchString(region):
		return "", fmt.Errorf("%w: %q is not an AWS region name", cognitojwt.ErrInvalidConfig, region)
	case region == "us-gov-west-1" || region == "us-gov-east-1":
		return "https://s3-" + region + ".amazonaws.com/aws-elb-public-keys-prod-" + region + "/{kid}", nil
	case strings.Contains(region, "-gov-") || strings.HasPrefix(region, "cn-"):
		return "", fmt.Errorf("%w: no known ALB public-key endpoint for %s; set KeyURL", cognitojwt.ErrInvalidConfig, region)
	}
	return "https://public-keys.auth.elb." + region + ".amazonaws.com/{kid}", nil
}

// New validates cfg and returns a Verifier. It does no network I/O.
func New(cfg Config) (*Verifier, error) {
	if len(cfg.ALBARNs) == 0 {
		return nil, fmt.Errorf("%w: ALBARNs is empty", cognitojwt.ErrInvalidConfig)
	}
	regions := map[string]bool{}
	for _, arn := range cfg.ALBARNs {
		region, err := albARNRegion(arn)
		if err != nil {
			return nil, err
		}
		regions[region] = true
	}
	tpl := cfg.KeyURL
	if tpl == "" {
		region := cfg.Region
		if region == "" {
			if len(regions) != 1 {
				return nil, fmt.Errorf("%w: ALB ARNs span several regions; set Region or KeyURL", cognitojwt.ErrInvalidConfig)
			}
			for r := range regions {
				region = r
			}
		} else if len(regions) != 1 || !regions[region] {
			return nil, fmt.Errorf("%w: ALB ARNs are not all in Region %s", cognitojwt.ErrInvalidConfig, region)
		}
		var err error
		if tpl, err = albKeyURLTemplate(region); err != nil {
			return nil, err
		}
	}
	prefix, suffix, err := splitKeyURL(tpl)
	if err != nil {
		return nil, err
	}
	if cfg.Issuer == "" {
		return nil, fmt.Errorf("%w: Issuer is empty", cognitojwt.ErrInvalidConfig)
	}
	if slices.Contains(cfg.AdditionalIssuers, "") {
		return nil, fmt.Errorf("%w: empty entry in AdditionalIssuers", cognitojwt.ErrInvalidConfig)
	}
	if len(cfg.ClientIDs) == 0 && !cfg.AllowAnyClient {
		return nil, fmt.Errorf("%w: ClientIDs is empty; set AllowAnyClient to accept every app client", cognitojwt.ErrInvalidConfig)
	}
	if slices.Contains(cfg.ClientIDs, "") {
		return nil, fmt.Errorf("%w: empty entry in ClientIDs", cognitojwt.ErrInvalidConfig)
	}
	if cfg.MaxTokenSize < 0 || cfg.KeyCacheSize < 0 || cfg.FetchTimeout < 0 || cfg.RefetchCooldown < 0 {
		return nil, fmt.Errorf("%w: negative duration or size", cognitojwt.ErrInvalidConfig)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	timeout := cmp.Or(cfg.FetchTimeout, cognitojwt.DefaultFetchTimeout)
	v := &Verifier{
		arns:      slices.Clone(cfg.ALBARNs),
		clients:   slices.Clone(cfg.ClientIDs),
		anyClient: cfg.AllowAnyClient,
		issuers:   append([]string{cfg.Issuer}, cfg.AdditionalIssuers...),
		leeway:    leeway(cfg.Leeway),
		maxSize:   cmp.Or(cfg.MaxTokenSize, cognitojwt.DefaultMaxTokenSize),
		now:       now,
		hooks:     cfg.Hooks,
		revoked:   rules.NewRevocation[*cognitojwt.Claims, cognitojwt.RevocationReason](cfg.Revocations),
		keys: &keySource{
			template: tpl,
			prefix:   prefix,
			suffix:   suffix,
			client:   fetch.Client(cfg.HTTPClient, timeout),
			timeout:  timeout,
			cooldown: cmp.Or(cfg.RefetchCooldown, cognitojwt.DefaultRefetchCooldown),
			capacity: cmp.Or(cfg.KeyCacheSize, DefaultKeyCacheSize),
			now:      now,
			logger:   cfg.Logger,
			hooks:    cfg.Hooks,
			failures: map[string]failure{},
			inflight: map[string]*fetch.Call[*ecdsa.PublicKey]{},
		},
	}
	return v, nil
}

// splitKeyURL checks a key URL template and splits it around "{kid}",
// which must sit in the path, after the host, so that no kid can change
// where the request goes.
func splitKeyURL(tpl string) (prefix, suffix string, err error) {
	const marker = "{kid}"
	i := strings.Index(tpl, marker)
	if i < 0 || strings.Count(tpl, marker) != 1 {
		return "", "", fmt.Errorf("%w: KeyURL must contain {kid} exactly once", cognitojwt.ErrInvalidConfig)
	}
	prefix, suffix = tpl[:i], tpl[i+len(marker):]
	u, perr := url.Parse(prefix)
	if perr != nil || u.Host == "" || u.User != nil || strings.ContainsAny(prefix, "?#") ||
		!strings.HasSuffix(u.Path, "/") {
		return "", "", fmt.Errorf("%w: KeyURL must put {kid} in the path, after a /", cognitojwt.ErrInvalidConfig)
	}
	for i := 0; i < len(suffix); i++ {
		if c := suffix[i]; !rules.IsB64URL(c) && c != '.' && c != '/' && c != '~' {
			return "", "", fmt.Errorf("%w: KeyURL may only have a plain path after {kid}", cognitojwt.ErrInvalidConfig)
		}
	}
	if err := fetch.CheckURL(prefix + "00000000-0000-0000-0000-000000000000" + suffix); err != nil {
		return "", "", fmt.Errorf("%w: KeyURL: %v", cognitojwt.ErrInvalidConfig, err)
	}
	return prefix, suffix, nil
}

// DataToken reads the token an Application Load Balancer forwards in
// "x-amzn-oidc-data". Its segments keep their base64 padding, so the value
// is checked against the base64url alphabet plus "=" and ".", not RFC 6750's
// b64token. A missing or empty header is cognitojwt.ErrNoToken; a repeated one or
// other characters cognitojwt.ErrInvalidRequest.
func DataToken(r *http.Request) (string, error) {
	values := r.Header["X-Amzn-Oidc-Data"]
	switch {
	case len(values) == 0 || (len(values) == 1 && values[0] == ""):
		return "", cognitojwt.ErrNoToken
	case len(values) > 1:
		return "", errs.New(cognitojwt.ErrInvalidRequest, "x-amzn-oidc-data header repeated")
	}
	v := strings.Trim(values[0], " \t")
	for i := 0; i < len(v); i++ {
		if c := v[i]; !rules.IsB64URL(c) && c != '=' && c != '.' {
			return "", errs.New(cognitojwt.ErrInvalidRequest, "x-amzn-oidc-data has characters outside padded base64url")
		}
	}
	if v == "" {
		return "", cognitojwt.ErrNoToken
	}
	return v, nil
}

// AccessToken reads the Cognito access token an Application Load
// Balancer forwards in "x-amzn-oidc-accesstoken": an ordinary access token
// for a Verifier, as cognitojwt.HeaderToken("X-Amzn-Oidc-Accesstoken") reads it.
func AccessToken(r *http.Request) (string, error) { return albAccessSource(r) }

var albAccessSource = cognitojwt.HeaderToken("X-Amzn-Oidc-Accesstoken")

// regionPattern is an AWS region name, GovCloud included.
var regionPattern = regexp.MustCompile(`^[a-z]{2}-(?:gov-)?[a-z]+-\d$`)

var (
	errEmpty      = errs.New(cognitojwt.ErrNoToken, "empty token")
	errTooLarge   = errs.New(cognitojwt.ErrMalformedToken, "token exceeds the size limit")
	errNoIssuer   = errs.New(cognitojwt.ErrWrongIssuer, "iss is missing")
	errIssuer     = errs.New(cognitojwt.ErrWrongIssuer, "iss is not an accepted issuer")
	albB64        = base64.URLEncoding.Strict()
	errALBShape   = errs.New(cognitojwt.ErrMalformedToken, "not a compact JWS of three padded base64url segments")
	errALBEncode  = errs.New(cognitojwt.ErrMalformedToken, "segment is not canonical padded base64url")
	errNotES256   = errs.New(cognitojwt.ErrUnsupportedAlgorithm, "alg is not ES256")
	errALBKid     = errs.New(cognitojwt.ErrUnknownKey, "kid is not a UUID")
	errNoSigner   = errs.New(cognitojwt.ErrWrongIssuer, "signer is missing")
	errSigner     = errs.New(cognitojwt.ErrWrongIssuer, "signer is not an accepted load balancer")
	errALBIssMix  = errs.New(cognitojwt.ErrWrongIssuer, "payload iss differs from header iss")
	errALBNoExp   = errs.New(cognitojwt.ErrMalformedToken, "header exp is required")
	errALBBadSig  = errs.New(cognitojwt.ErrInvalidSignature, "ES256 signature does not verify")
	errALBNoKeyID = errs.New(cognitojwt.ErrUnknownKey, "header has no kid")
)

// splitPadded is split for padded segments: it finds the two dots and
// checks every byte against the base64url alphabet and "=". Padding
// placement and canonical form are left to the strict decoder, which
// would otherwise skip the CR and LF this loop refuses.
func splitPadded(token string) (h, p, s string, err error) {
	first, second := -1, -1
	for i := 0; i < len(token); i++ {
		c := token[i]
		if c == '.' {
			if first < 0 {
				first = i
			} else if second < 0 {
				second = i
			} else {
				return "", "", "", errALBShape
			}
			continue
		}
		if !rules.IsB64URL(c) && c != '=' {
			return "", "", "", errALBEncode
		}
	}
	if second < 0 || first == 0 || second == first+1 || second == len(token)-1 {
		return "", "", "", errALBShape
	}
	return token[:first], token[first+1 : second], token[second+1:], nil
}

func decodePadded(seg string) ([]byte, error) {
	if len(seg)%4 != 0 {
		return nil, errALBEncode
	}
	buf := make([]byte, albB64.DecodedLen(len(seg)))
	n, err := albB64.Decode(buf, unsafe.Slice(unsafe.StringData(seg), len(seg)))
	if err != nil {
		return nil, errALBEncode
	}
	return buf[:n], nil
}

// albHeader is what the verifier reads from an ALB token's header.
type albHeader struct {
	kid, signer, client, iss string
	exp                      time.Time
}

func parseALBHeader(src string, scratch []jsonscan.Member) (albHeader, error) {
	members, err := jsonscan.ParseObject(src, scratch)
	if err != nil {
		return albHeader{}, errs.Newf(cognitojwt.ErrMalformedToken, "header: %v", err)
	}
	var h albHeader
	var alg string
	var hasAlg, hasKid, hasExp bool
	for _, m := range members {
		var err error
		switch m.Name {
		case "alg":
			alg, err = m.Value.AsString()
			hasAlg = true
		case "kid":
			h.kid, err = m.Value.AsString()
			hasKid = true
		case "signer":
			h.signer, err = m.Value.AsString()
		case "client":
			h.client, err = m.Value.AsString()
		case "iss":
			h.iss, err = m.Value.AsString()
		case "exp":
			h.exp, err = rules.NumericDate(m.Value)
			hasExp = true
		case "typ":
			var typ string
			if typ, err = m.Value.AsString(); err == nil && !rules.AcceptableTyp(typ) {
				return albHeader{}, errs.New(cognitojwt.ErrMalformedToken, "header typ is not JWT")
			}
		default:
			if what, bad := rules.RejectedHeader[m.Name]; bad {
				return albHeader{}, errs.Newf(cognitojwt.ErrMalformedToken, "header parameter %s is not accepted", what)
			}
			continue
		}
		if err != nil {
			return albHeader{}, errs.Newf(cognitojwt.ErrMalformedToken, "header %s: %v", m.Name, err)
		}
	}
	if !hasAlg || alg != "ES256" {
		return albHeader{}, errNotES256
	}
	if !hasKid || h.kid == "" {
		return albHeader{}, errALBNoKeyID
	}
	if !isUUID(h.kid) {
		return albHeader{}, errALBKid
	}
	if !hasExp {
		return albHeader{}, errALBNoExp
	}
	return h, nil
}

// isUUID reports whether s has the 8-4-4-4-12 hex shape of the load
// balancer's kids. Nothing else is ever put into a key URL.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Verify checks an x-amzn-oidc-data token and returns its claims. Errors
// wrap exactly one of cognitojwt's sentinels.
func (v *Verifier) Verify(ctx context.Context, token string) (*cognitojwt.Claims, error) {
	if v.hooks.OnVerify == nil {
		return v.verify(ctx, token)
	}
	start := time.Now()
	c, err := v.verify(ctx, token)
	v.hooks.OnVerify(cognitojwt.VerifyOutcome{Err: err, Duration: time.Since(start)})
	return c, err
}

func (v *Verifier) verify(ctx context.Context, token string) (*cognitojwt.Claims, error) {
	if token == "" {
		return nil, errEmpty
	}
	if len(token) > v.maxSize {
		return nil, errTooLarge
	}
	hSeg, pSeg, sSeg, err := splitPadded(token)
	if err != nil {
		return nil, err
	}
	hBuf, err := decodePadded(hSeg)
	if err != nil {
		return nil, err
	}
	pBuf, err := decodePadded(pSeg)
	if err != nil {
		return nil, err
	}
	sig, err := decodePadded(sSeg)
	if err != nil {
		return nil, err
	}
	var scratch [40]jsonscan.Member
	h, err := parseALBHeader(unsafe.String(unsafe.SliceData(hBuf), len(hBuf)), scratch[:0])
	if err != nil {
		return nil, err
	}
	// The user-info claims are read as the root verifier reads the claims
	// a Cognito token carries too, so the two formats fill Claims alike.
	c, err := cognitojwt.ClaimsFromUserInfo(unsafe.String(unsafe.SliceData(pBuf), len(pBuf)))
	if err != nil {
		return nil, err
	}
	payloadExp := c.ExpiresAt
	switch {
	case h.signer == "":
		return nil, errNoSigner
	case !slices.Contains(v.arns, h.signer):
		return nil, errSigner
	case h.iss == "":
		return nil, errNoIssuer
	case !slices.Contains(v.issuers, h.iss):
		return nil, errIssuer
	case c.Issuer != "" && c.Issuer != h.iss:
		return nil, errALBIssMix
	}
	key, err := v.keys.key(ctx, h.kid)
	if err != nil {
		return nil, err
	}
	if !verifyES256(key, token[:len(hSeg)+1+len(pSeg)], sig) {
		return nil, errALBBadSig
	}
	c.Issuer, c.ClientID, c.KeyID = h.iss, h.client, h.kid
	c.ExpiresAt = h.exp
	if !payloadExp.IsZero() && payloadExp.Before(c.ExpiresAt) {
		c.ExpiresAt = payloadExp
	}
	if err := rules.Lifetime(c.ExpiresAt, c.NotBefore, c.IssuedAt, v.now(), v.leeway); err != nil {
		return nil, err
	}
	if err := rules.Client(c.ClientID, v.clients, v.anyClient); err != nil {
		return nil, err
	}
	if err := v.revoked.Check(c); err != nil {
		return nil, err
	}
	return c, nil
}

func verifyES256(key *ecdsa.PublicKey, signed string, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	// The hash only reads the bytes: view the string without a copy.
	digest := sha256.Sum256(unsafe.Slice(unsafe.StringData(signed), len(signed)))
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(key, digest[:], r, s)
}

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

	mu       sync.Mutex
	failures map[string]failure
	inflight map[string]*fetch.Call[*ecdsa.PublicKey]
	recent   [fetchBurst]time.Time // start times of the latest fetches
	next     int                   // oldest entry of recent
	lastErr  error                 // of the last fetch, nil after a success or a "no such key"
}

type cachedKey struct {
	pub   *ecdsa.PublicKey
	added time.Time
}

type failure struct {
	until time.Time
	err   error
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
	s.mu.Lock()
	now := s.now()
	if f, ok := s.failures[kid]; ok {
		if now.Before(f.until) {
			s.mu.Unlock()
			return nil, s.missing(f.err, f.until.Sub(now))
		}
		delete(s.failures, kid)
	}
	call := s.inflight[kid]
	if call == nil {
		if k := s.lookup(kid); k != nil {
			// Stored by a fetch that ended since the lookup above.
			s.mu.Unlock()
			return k, nil
		}
		oldest := s.recent[s.next]
		if !oldest.IsZero() && now.Sub(oldest) < s.cooldown {
			cause := s.lastErr
			s.mu.Unlock()
			if s.hooks.OnCooldown != nil {
				s.hooks.OnCooldown()
			}
			if s.logger != nil {
				s.logger.Debug("cognitojwt: ALB key fetch suppressed by cooldown", "url", s.template)
			}
			retry := s.cooldown - now.Sub(oldest)
			if cause == nil {
				return nil, s.missing(errRateLimited, retry)
			}
			return nil, s.missing(fmt.Errorf("key fetches rate-limited after a failed one: %w", cause), retry)
		}
		s.recent[s.next] = now
		s.next = (s.next + 1) % fetchBurst
		call = fetch.NewCall[*ecdsa.PublicKey]()
		s.inflight[kid] = call
		go s.run(kid, call)
	}
	s.mu.Unlock()
	if k, err := fetch.Wait(ctx, call, func() *ecdsa.PublicKey { return s.lookup(kid) }, "the public key"); k != nil || err != nil {
		return k, err
	}
	if call.Err != nil {
		return nil, s.missing(call.Err, s.cooldown)
	}
	return call.Val, nil
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

// run fetches on its own goroutine, detached from any one caller's
// context, so a caller that gives up does not fail the others. The fetch
// is reported once the source's state reflects it.
func (s *keySource) run(kid string, call *fetch.Call[*ecdsa.PublicKey]) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	start := time.Now()
	key, status, err := s.get(ctx, kid)
	elapsed := time.Since(start)
	s.mu.Lock()
	delete(s.inflight, kid)
	now := s.now()
	if err == nil {
		s.store(kid, &cachedKey{pub: key, added: now})
	} else {
		if len(s.failures) >= maxFailures {
			for k, f := range s.failures {
				if !now.Before(f.until) || len(s.failures) >= maxFailures {
					delete(s.failures, k)
				}
			}
		}
		s.failures[kid] = failure{until: now.Add(s.cooldown), err: err}
	}
	if errors.Is(err, errNoSuchKey) {
		s.lastErr = nil
	} else {
		s.lastErr = err
	}
	s.mu.Unlock()
	n := 0
	if err == nil {
		n = 1
	}
	if s.hooks.OnJWKSFetch != nil {
		s.hooks.OnJWKSFetch(cognitojwt.JWKSFetch{URL: s.template, Status: status, Keys: n, Duration: elapsed, Err: err})
	}
	fetch.Log(s.logger, "ALB public key", s.template, status, elapsed, err)
	call.Val, call.Err = key, err
	call.Finish()
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

// leeway applies Config.Leeway's default: the core verifier's, so that a
// token stamped seconds ahead by the load balancer's clock passes here as
// it does there.
func leeway(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return cognitojwt.DefaultLeeway
	case d < 0:
		return 0
	}
	return d
}
