package alb

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
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
	// for example from issuer.Original. Required.
	Issuer string
	// AdditionalIssuers are further accepted iss values (see
	// issuer.Updated). Nothing is accepted unless listed.
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
	if err := rules.CheckAdditionalIssuers(cfg.AdditionalIssuers); err != nil {
		return nil, fmt.Errorf("%w: %v", cognitojwt.ErrInvalidConfig, err)
	}
	if err := rules.CheckClients(cfg.ClientIDs, cfg.AllowAnyClient); err != nil {
		return nil, fmt.Errorf("%w: %v", cognitojwt.ErrInvalidConfig, err)
	}
	if cfg.MaxTokenSize < 0 || cfg.KeyCacheSize < 0 || cfg.FetchTimeout < 0 || cfg.RefetchCooldown < 0 {
		return nil, fmt.Errorf("%w: negative duration or size", cognitojwt.ErrInvalidConfig)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	timeout := cmp.Or(cfg.FetchTimeout, cognitojwt.DefaultFetchTimeout)
	cooldown := cmp.Or(cfg.RefetchCooldown, cognitojwt.DefaultRefetchCooldown)
	v := &Verifier{
		arns:      slices.Clone(cfg.ALBARNs),
		clients:   slices.Clone(cfg.ClientIDs),
		anyClient: cfg.AllowAnyClient,
		issuers:   append([]string{cfg.Issuer}, cfg.AdditionalIssuers...),
		leeway:    rules.Leeway(cfg.Leeway, cognitojwt.DefaultLeeway),
		maxSize:   cmp.Or(cfg.MaxTokenSize, cognitojwt.DefaultMaxTokenSize),
		now:       now,
		hooks:     cfg.Hooks,
		revoked:   rules.NewRevocation[*cognitojwt.Claims, cognitojwt.RevocationReason, cognitojwt.RevocationKey](cfg.Revocations),
		keys: newKeySource(tpl, prefix, suffix, fetch.Client(cfg.HTTPClient, timeout), timeout, cooldown,
			cmp.Or(cfg.KeyCacheSize, DefaultKeyCacheSize), now, cfg.Logger, cfg.Hooks),
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

// regionPattern is an AWS region name, GovCloud included.
var regionPattern = regexp.MustCompile(`^[a-z]{2}-(?:gov-)?[a-z]+-\d$`)
