package cognitojwt

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
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
	"time"
	"unsafe"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

// Defaults for ALBConfig fields left zero.
const (
	DefaultALBKeyCacheSize = 32
	// maxALBKeySize caps a PEM public-key response; a P-256 key is about
	// 180 bytes.
	maxALBKeySize = 8 << 10
	// albFetchBurst unknown kids may be fetched within one refetch cooldown.
	albFetchBurst = 4
	// maxALBFailures bounds the negative cache of kids whose fetch failed.
	maxALBFailures = 1024
)

// ALBConfig configures an ALBVerifier for the "x-amzn-oidc-data" header an
// Application Load Balancer sends after authenticating a user with Cognito.
type ALBConfig struct {
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

	// Leeway is the clock skew allowed on exp, nbf and iat.
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
	Hooks Hooks
}

// ALBVerifier verifies the user-claims token an Application Load Balancer
// forwards in "x-amzn-oidc-data" once it has authenticated a user: an
// ES256 JWT whose base64url segments keep their "=" padding (the signature
// covers them as sent), whose header carries kid, signer (the ALB's ARN),
// client, iss and exp, and whose public key is served as PEM per kid.
//
// Its checks are as strict as Verifier's and fail with the same kinds:
// size, shape and canonical padded base64url, header (alg exactly ES256,
// no jku/x5u/jwk/x5c/crit/…), claim types, signer and iss (ErrWrongIssuer)
// before any network, then the key (a kid that is not a UUID is never put
// into a URL: ErrUnknownKey), signature, lifetime and client
// (ErrWrongClient). The claims are the user-info claims of the payload,
// with Issuer, ClientID and the lifetime taken from the header.
//
// Use it with Middleware(v, WithTokenSource(ALBDataToken)). Only the load
// balancer should be able to reach the service: the token proves the
// user's identity, and anyone who can send requests around the load
// balancer can make the verifier fetch keys for kids of their choosing,
// at most a few per RefetchCooldown.
type ALBVerifier struct {
	arns      []string
	clients   []string
	anyClient bool
	issuers   []string
	leeway    time.Duration
	maxSize   int
	now       func() time.Time
	hooks     Hooks
	keys      *albKeySource
}

// albARNRegion returns the region of an Application Load Balancer ARN,
// arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}.
func albARNRegion(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") ||
		parts[2] != "elasticloadbalancing" || !regionPattern.MatchString(parts[3]) ||
		len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" ||
		!strings.HasPrefix(parts[5], "loadbalancer/app/") {
		return "", fmt.Errorf("%w: %q is not an Application Load Balancer ARN", ErrInvalidConfig, arn)
	}
	return parts[3], nil
}

// albKeyURLTemplate returns the public-key endpoint AWS documents for
// region.
func albKeyURLTemplate(region string) (string, error) {
	switch {
	case !regionPattern.MatchString(region):
		return "", fmt.Errorf("%w: %q is not an AWS region name", ErrInvalidConfig, region)
	case region == "us-gov-west-1" || region == "us-gov-east-1":
		return "https://s3-" + region + ".amazonaws.com/aws-elb-public-keys-prod-" + region + "/{kid}", nil
	case strings.Contains(region, "-gov-") || strings.HasPrefix(region, "cn-"):
		return "", fmt.Errorf("%w: no known ALB public-key endpoint for %s; set KeyURL", ErrInvalidConfig, region)
	}
	return "https://public-keys.auth.elb." + region + ".amazonaws.com/{kid}", nil
}

// NewALB validates cfg and returns an ALBVerifier. It does no network I/O.
func NewALB(cfg ALBConfig) (*ALBVerifier, error) {
	if len(cfg.ALBARNs) == 0 {
		return nil, fmt.Errorf("%w: ALBARNs is empty", ErrInvalidConfig)
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
				return nil, fmt.Errorf("%w: ALB ARNs span several regions; set Region or KeyURL", ErrInvalidConfig)
			}
			for r := range regions {
				region = r
			}
		} else if len(regions) != 1 || !regions[region] {
			return nil, fmt.Errorf("%w: ALB ARNs are not all in Region %s", ErrInvalidConfig, region)
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
		return nil, fmt.Errorf("%w: Issuer is empty", ErrInvalidConfig)
	}
	if slices.Contains(cfg.AdditionalIssuers, "") {
		return nil, fmt.Errorf("%w: empty entry in AdditionalIssuers", ErrInvalidConfig)
	}
	if len(cfg.ClientIDs) == 0 && !cfg.AllowAnyClient {
		return nil, fmt.Errorf("%w: ClientIDs is empty; set AllowAnyClient to accept every app client", ErrInvalidConfig)
	}
	if slices.Contains(cfg.ClientIDs, "") {
		return nil, fmt.Errorf("%w: empty entry in ClientIDs", ErrInvalidConfig)
	}
	if cfg.Leeway < 0 || cfg.MaxTokenSize < 0 || cfg.KeyCacheSize < 0 || cfg.FetchTimeout < 0 || cfg.RefetchCooldown < 0 {
		return nil, fmt.Errorf("%w: negative duration or size", ErrInvalidConfig)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	timeout := orDefault(cfg.FetchTimeout, DefaultFetchTimeout)
	v := &ALBVerifier{
		arns:      slices.Clone(cfg.ALBARNs),
		clients:   slices.Clone(cfg.ClientIDs),
		anyClient: cfg.AllowAnyClient,
		issuers:   append([]string{cfg.Issuer}, cfg.AdditionalIssuers...),
		leeway:    cfg.Leeway,
		maxSize:   orDefault(cfg.MaxTokenSize, DefaultMaxTokenSize),
		now:       now,
		hooks:     cfg.Hooks,
		keys: &albKeySource{
			template: tpl,
			prefix:   prefix,
			suffix:   suffix,
			client:   fetch.Client(cfg.HTTPClient, timeout),
			timeout:  timeout,
			cooldown: orDefault(cfg.RefetchCooldown, DefaultRefetchCooldown),
			capacity: orDefault(cfg.KeyCacheSize, DefaultALBKeyCacheSize),
			now:      now,
			logger:   cfg.Logger,
			hooks:    cfg.Hooks,
			keys:     map[string]*albKey{},
			failures: map[string]albFailure{},
			inflight: map[string]*albFetch{},
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
		return "", "", fmt.Errorf("%w: KeyURL must contain {kid} exactly once", ErrInvalidConfig)
	}
	prefix, suffix = tpl[:i], tpl[i+len(marker):]
	u, perr := url.Parse(prefix)
	if perr != nil || u.Host == "" || u.User != nil || strings.ContainsAny(prefix, "?#") ||
		!strings.HasSuffix(u.Path, "/") {
		return "", "", fmt.Errorf("%w: KeyURL must put {kid} in the path, after a /", ErrInvalidConfig)
	}
	for i := 0; i < len(suffix); i++ {
		if c := suffix[i]; !isB64URL(c) && c != '.' && c != '/' && c != '~' {
			return "", "", fmt.Errorf("%w: KeyURL may only have a plain path after {kid}", ErrInvalidConfig)
		}
	}
	if err := fetch.CheckURL(prefix + "00000000-0000-0000-0000-000000000000" + suffix); err != nil {
		return "", "", fmt.Errorf("%w: KeyURL: %v", ErrInvalidConfig, err)
	}
	return prefix, suffix, nil
}

// ALBDataToken reads the token an Application Load Balancer forwards in
// "x-amzn-oidc-data". Its segments keep their base64 padding, so the value
// is checked against the base64url alphabet plus "=" and ".", not RFC 6750's
// b64token. A missing or empty header is ErrNoToken; a repeated one or
// other characters ErrInvalidRequest.
func ALBDataToken(r *http.Request) (string, error) {
	values := r.Header["X-Amzn-Oidc-Data"]
	switch {
	case len(values) == 0 || (len(values) == 1 && values[0] == ""):
		return "", ErrNoToken
	case len(values) > 1:
		return "", fail(ErrInvalidRequest, "x-amzn-oidc-data header repeated")
	}
	v := strings.Trim(values[0], " \t")
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isB64URL(c) && c != '=' && c != '.' {
			return "", fail(ErrInvalidRequest, "x-amzn-oidc-data has characters outside padded base64url")
		}
	}
	if v == "" {
		return "", ErrNoToken
	}
	return v, nil
}

// ALBAccessToken reads the Cognito access token an Application Load
// Balancer forwards in "x-amzn-oidc-accesstoken": an ordinary access token
// for a Verifier, as HeaderToken("X-Amzn-Oidc-Accesstoken") reads it.
func ALBAccessToken(r *http.Request) (string, error) { return albAccessSource(r) }

var albAccessSource = HeaderToken("X-Amzn-Oidc-Accesstoken")

var (
	albB64        = base64.URLEncoding.Strict()
	errALBShape   = fail(ErrMalformedToken, "not a compact JWS of three padded base64url segments")
	errALBEncode  = fail(ErrMalformedToken, "segment is not canonical padded base64url")
	errNotES256   = fail(ErrUnsupportedAlgorithm, "alg is not ES256")
	errALBKid     = fail(ErrUnknownKey, "kid is not a UUID")
	errNoSigner   = fail(ErrWrongIssuer, "signer is missing")
	errSigner     = fail(ErrWrongIssuer, "signer is not an accepted load balancer")
	errALBIssMix  = fail(ErrWrongIssuer, "payload iss differs from header iss")
	errALBNoExp   = fail(ErrMalformedToken, "header exp is required")
	errALBBadSig  = fail(ErrInvalidSignature, "ES256 signature does not verify")
	errALBNoClnt  = fail(ErrWrongClient, "client is missing")
	errALBNoKeyID = fail(ErrUnknownKey, "header has no kid")
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
		if !isB64URL(c) && c != '=' {
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
	n, err := albB64.Decode(buf, readOnlyBytes(seg))
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
		return albHeader{}, failf(ErrMalformedToken, "header: %v", err)
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
			h.exp, err = numericDate(m.Value)
			hasExp = true
		case "typ":
			var typ string
			if typ, err = m.Value.AsString(); err == nil && !acceptableTyp(typ) {
				return albHeader{}, fail(ErrMalformedToken, "header typ is not JWT")
			}
		default:
			if what, bad := rejectHeader[m.Name]; bad {
				return albHeader{}, failf(ErrMalformedToken, "header parameter %s is not accepted", what)
			}
			continue
		}
		if err != nil {
			return albHeader{}, failf(ErrMalformedToken, "header %s: %v", m.Name, err)
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

// parseALBPayload fills c from the user-info claims. Claims with a meaning
// to this package must have their usual JSON types.
func parseALBPayload(payload string, c *Claims, scratch []jsonscan.Member) (payloadExp time.Time, err error) {
	members, err := jsonscan.ParseObject(payload, scratch)
	if err != nil {
		return time.Time{}, failf(ErrMalformedToken, "payload: %v", err)
	}
	c.payload = payload
	for _, m := range members {
		v := m.Value
		var err error
		switch m.Name {
		case "sub":
			c.Subject, err = v.AsString()
		case "username":
			c.Username, err = v.AsString()
		case "email":
			c.Email, err = v.AsString()
		case "email_verified":
			c.EmailVerified, err = boolish(v)
		case "phone_number_verified":
			_, err = boolish(v)
		case "iss":
			c.Issuer, err = v.AsString()
		case "cognito:groups":
			c.Groups, err = v.AppendStrings(make([]string, 0, v.CountElements()))
		case "exp":
			payloadExp, err = numericDate(v)
		case "iat":
			c.IssuedAt, err = numericDate(v)
		case "nbf":
			c.NotBefore, err = numericDate(v)
		case "auth_time":
			c.AuthTime, err = numericDate(v)
		default:
			continue
		}
		if err != nil {
			return time.Time{}, failf(ErrMalformedToken, "claim %q: %v", m.Name, err)
		}
	}
	return payloadExp, nil
}

// Verify checks an x-amzn-oidc-data token and returns its claims. Errors
// wrap exactly one of the package's sentinels.
func (v *ALBVerifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if v.hooks.OnVerify == nil {
		return v.verify(ctx, token)
	}
	start := time.Now()
	c, err := v.verify(ctx, token)
	v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(start)})
	return c, err
}

func (v *ALBVerifier) verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, ErrNoToken
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
	c := new(Claims)
	payloadExp, err := parseALBPayload(unsafe.String(unsafe.SliceData(pBuf), len(pBuf)), c, scratch[:0])
	if err != nil {
		return nil, err
	}
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
	if err := v.checkClaims(c); err != nil {
		return nil, err
	}
	return c, nil
}

func verifyES256(key *ecdsa.PublicKey, signed string, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	digest := sha256.Sum256(readOnlyBytes(signed))
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(key, digest[:], r, s)
}

func (v *ALBVerifier) checkClaims(c *Claims) error {
	now := v.now()
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
	if v.anyClient {
		return nil
	}
	if c.ClientID == "" {
		return errALBNoClnt
	}
	if !slices.Contains(v.clients, c.ClientID) {
		return errClient
	}
	return nil
}

// albKeySource fetches the load balancer's public keys, one PEM document
// per kid, and keeps them: a kid's key never changes, so a cached key is
// never refreshed, only evicted when the cache is full. Unknown kids are
// fetched once each, sharing one fetch between concurrent callers, and at
// most albFetchBurst of them per cooldown; a kid whose fetch failed is
// not fetched again for a cooldown.
type albKeySource struct {
	template       string
	prefix, suffix string
	client         *http.Client
	timeout        time.Duration
	cooldown       time.Duration
	capacity       int
	now            func() time.Time
	logger         *slog.Logger
	hooks          Hooks

	mu       sync.Mutex
	keys     map[string]*albKey
	failures map[string]albFailure
	inflight map[string]*albFetch
	recent   [albFetchBurst]time.Time // start times of the latest fetches
	next     int                      // oldest entry of recent
	everOK   bool
}

type albKey struct {
	pub   *ecdsa.PublicKey
	added time.Time
}

type albFailure struct {
	until time.Time
	err   error
}

type albFetch struct {
	done chan struct{}
	key  *ecdsa.PublicKey
	err  error
}

func (s *albKeySource) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	s.mu.Lock()
	if k := s.keys[kid]; k != nil {
		s.mu.Unlock()
		return k.pub, nil
	}
	now := s.now()
	if f, ok := s.failures[kid]; ok {
		if now.Before(f.until) {
			err := s.missing(f.err, f.until.Sub(now))
			s.mu.Unlock()
			return nil, err
		}
		delete(s.failures, kid)
	}
	call := s.inflight[kid]
	if call == nil {
		oldest := s.recent[s.next]
		if !oldest.IsZero() && now.Sub(oldest) < s.cooldown {
			err := s.missing(errors.New("key fetches rate-limited"), s.cooldown-now.Sub(oldest))
			s.mu.Unlock()
			s.hooks.cooldown()
			if s.logger != nil {
				s.logger.Debug("cognitojwt: ALB key fetch suppressed by cooldown", "url", s.template)
			}
			return nil, err
		}
		s.recent[s.next] = now
		s.next = (s.next + 1) % albFetchBurst
		call = &albFetch{done: make(chan struct{})}
		s.inflight[kid] = call
		go s.run(kid, call)
	}
	s.mu.Unlock()
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, failf(ErrKeysUnavailable, "gave up waiting for the ALB public key: %v", ctx.Err())
	}
	if call.err != nil {
		s.mu.Lock()
		err := s.missing(call.err, s.cooldown)
		s.mu.Unlock()
		return nil, err
	}
	return call.key, nil
}

// missing is the error for a kid without a key, s.mu held: keys
// unavailable while no key was ever obtained (an outage or a wrong
// endpoint, answered 503), an unknown key after that.
func (s *albKeySource) missing(cause error, retry time.Duration) error {
	if !s.everOK {
		if retry < time.Second {
			retry = time.Second
		}
		return &keysUnavailableError{err: cause, retryAfter: retry}
	}
	return failf(ErrUnknownKey, "no ALB public key for kid: %v", cause)
}

// run fetches on its own goroutine, detached from any one caller's
// context, so a caller that gives up does not fail the others.
func (s *albKeySource) run(kid string, call *albFetch) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	call.key, call.err = s.fetch(ctx, kid)
	s.mu.Lock()
	delete(s.inflight, kid)
	now := s.now()
	if call.err == nil {
		s.everOK = true
		if len(s.keys) >= s.capacity {
			s.evictOldest()
		}
		s.keys[kid] = &albKey{pub: call.key, added: now}
	} else {
		if len(s.failures) >= maxALBFailures {
			for k, f := range s.failures {
				if !now.Before(f.until) || len(s.failures) >= maxALBFailures {
					delete(s.failures, k)
				}
			}
		}
		s.failures[kid] = albFailure{until: now.Add(s.cooldown), err: call.err}
	}
	s.mu.Unlock()
	close(call.done)
}

func (s *albKeySource) evictOldest() {
	var oldest string
	var at time.Time
	for kid, k := range s.keys {
		if oldest == "" || k.added.Before(at) {
			oldest, at = kid, k.added
		}
	}
	delete(s.keys, oldest)
}

func (s *albKeySource) fetch(ctx context.Context, kid string) (key *ecdsa.PublicKey, err error) {
	start := time.Now()
	var status int
	defer func() {
		elapsed := time.Since(start)
		n := 0
		if err == nil {
			n = 1
		}
		s.hooks.fetched(JWKSFetch{URL: s.template, Status: status, Keys: n, Duration: elapsed, Err: err})
		if s.logger == nil {
			return
		}
		if err != nil {
			s.logger.Warn("cognitojwt: ALB public key fetch failed", "url", s.template, "status", status, "duration", elapsed, "error", err)
		} else {
			s.logger.Info("cognitojwt: ALB public key fetched", "url", s.template, "status", status, "duration", elapsed)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.prefix+kid+s.suffix, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, errors.New("ALB public key request failed")
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("ALB public key endpoint answered HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxALBKeySize+1))
	if err != nil {
		return nil, errors.New("reading ALB public key failed")
	}
	if len(body) > maxALBKeySize {
		return nil, fmt.Errorf("ALB public key larger than %d bytes", maxALBKeySize)
	}
	return parseALBKey(body)
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
