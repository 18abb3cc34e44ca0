// Package online checks, for the routes that ask for it, that a locally
// verified Cognito token has not been revoked since it was issued, by
// asking Cognito itself, and signs users out on both sides at once.
//
// A token verified locally stays valid until it expires, up to a day,
// whatever happens to the user meanwhile. RequireFresh calls Cognito's
// GetUser with the request's access token: Cognito answers with the
// user's current attributes, or says the token was revoked (sign-out,
// RevokeToken, a disabled or deleted account). Use it for payments, admin
// actions and account changes; docs/freshness.md compares it with the
// revocation list and says which to use when.
//
// It runs behind cognitojwt.Middleware, which verifies the token and puts
// it in the request context.
package online

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// AdminScope is the scope GetUser, GlobalSignOut and the other operations
// authorised by an access token require.
const AdminScope = "aws.cognito.signin.user.admin"

// Defaults for Config fields left zero.
const (
	DefaultVerdictTTL  = 5 * time.Second
	DefaultTimeout     = 3 * time.Second
	DefaultRetryAfter  = time.Second
	DefaultMaxVerdicts = 10_000
	// DefaultGetUserRate is Cognito's default GetUser quota (category
	// UserRead): 120 requests per second per account and region.
	DefaultGetUserRate  rate.Limit = 120
	defaultRealm                   = "api"
	throttledRetryAfter            = time.Second
)

// Errors besides cognitojwt's sentinels. RequireFresh answers both 503 with
// Retry-After.
var (
	// ErrThrottled: Cognito refused the call for its rate limits (GetUser:
	// 120 per second per account and region, 10 per second per user), or
	// Config.GetUserLimiter had no room for it and Cognito was not called.
	ErrThrottled = errors.New("online: Cognito throttled the check")
	// ErrUnavailable: Cognito could not be reached in time, or failed.
	ErrUnavailable = errors.New("online: Cognito unreachable")
	// ErrMissingScope: the token lacks the scope the call needs; a
	// configuration error of the app client or of the sign-in's scopes.
	// RequireFresh answers 403 insufficient_scope naming the scope.
	ErrMissingScope = errors.New("online: token lacks the required scope")
)

// API is the part of the Cognito user-pool client this package calls;
// *cognitoidentityprovider.Client implements it.
type API interface {
	GetUser(ctx context.Context, in *cip.GetUserInput, opts ...func(*cip.Options)) (*cip.GetUserOutput, error)
	RevokeToken(ctx context.Context, in *cip.RevokeTokenInput, opts ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
	GlobalSignOut(ctx context.Context, in *cip.GlobalSignOutInput, opts ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error)
	AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput, opts ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
}

// Recorder records what the online checks and the sign-out helpers learn
// in a revocation list, so that later requests are refused locally. Local
// adapts a *revocation.List; the redisstore module's Revocations
// implements it as is.
type Recorder interface {
	RevokeFamily(ctx context.Context, originJTI string) error
	RevokeSubject(ctx context.Context, sub string, before time.Time) error
}

// Local returns a Recorder writing to an in-memory list.
func Local(list *revocation.List) Recorder { return localRecorder{list} }

type localRecorder struct{ list *revocation.List }

func (l localRecorder) RevokeFamily(_ context.Context, originJTI string) error {
	l.list.RevokeFamily(originJTI)
	return nil
}

func (l localRecorder) RevokeSubject(_ context.Context, sub string, before time.Time) error {
	l.list.RevokeSubject(sub, before)
	return nil
}

// Config configures a Checker. The zero value of every optional field is a
// sound default.
type Config struct {
	// Client calls Cognito. nil: a client for Region with anonymous
	// credentials (GetUser, GlobalSignOut and RevokeToken need none) that
	// retries a call only when its connection was closed before any
	// answer, once, within Timeout (retry.go); a throttled check answers
	// 503 with Retry-After instead of waiting. AdminUserGlobalSignOut
	// needs IAM credentials: pass a client of your own to use it.
	Client API
	// Region of the user pool, for the default client.
	Region string
	// Endpoint overrides the default client's endpoint (a local user
	// pool). Optional.
	Endpoint string
	// UserPoolID is needed by AdminSignOut only.
	UserPoolID string
	// Domain is the Managed Login domain, such as
	// "https://auth.example.com", for UserInfo. Optional. It receives
	// access tokens, so it must be an https origin, or plain http to a
	// loopback host (a local user pool).
	Domain string
	// HTTPClient fetches UserInfo (default: one with Timeout).
	HTTPClient *http.Client

	// GetUserLimiter keeps the GetUser calls of Check and RequireFresh
	// under Cognito's quota, which is per account and region, not per
	// process: a check that finds no room fails at once with ErrThrottled
	// (RequireFresh: 503 with Retry-After: 1), without calling Cognito,
	// exactly as when Cognito throttles it. nil: a limiter of this
	// Checker's own at DefaultGetUserRate with a burst of one second's
	// worth. Give every Checker of the process the same limiter, and a
	// fleet of N instances rate.Limit(quota/N) each, so that together
	// they stay under the account's quota (raise it if AWS raised yours).
	// rate.Inf turns the limit off.
	GetUserLimiter *rate.Limiter

	// Revocations, when set, records what the checks find (a revoked
	// token's family, a disabled or deleted user) and what the sign-out
	// helpers do, so that later requests are refused locally.
	Revocations Recorder

	// VerdictTTL is how long a verdict on one token is reused (default
	// 5s): a token presented again within it is not checked again.
	VerdictTTL time.Duration
	// MaxVerdicts bounds the verdicts kept (default 10,000).
	MaxVerdicts int
	// Timeout bounds one call to Cognito (default 3s).
	Timeout time.Duration
	// FailOpen lets requests through, unchecked, when Cognito cannot be
	// reached; the default fails closed with 503. Throttling always fails
	// closed.
	FailOpen bool
	// RetryAfter is the Retry-After of a 503 for an unreachable Cognito
	// (default 1s).
	RetryAfter time.Duration

	// Token finds a request's access token (default:
	// the Token of cognitojwt.AuthenticationFromContext, filled by
	// cognitojwt.Middleware). A web
	// session sets its own, so that the same checks apply to it.
	Token func(r *http.Request) (string, bool)
	// Realm of the WWW-Authenticate challenges (default "api").
	Realm string
	// Logger receives a record for every refusal that is not the client's
	// fault: throttling, an unreachable Cognito, a missing scope. nil logs
	// nothing.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Checker runs online checks. It is safe for concurrent use and holds no
// goroutine between calls.
type Checker struct {
	api        API
	poolID     string
	domain     string
	http       *http.Client
	recorder   Recorder
	ttl        time.Duration
	timeout    time.Duration
	failOpen   bool
	retryAfter time.Duration
	token      func(*http.Request) (string, bool)
	realm      string
	logger     *slog.Logger
	now        func() time.Time
	limiter    *rate.Limiter

	users *verdicts[*User]
	info  *verdicts[map[string]any]
}

// New validates cfg and returns a Checker. It does no network I/O.
func New(cfg Config) (*Checker, error) {
	if cfg.VerdictTTL < 0 || cfg.MaxVerdicts < 0 || cfg.Timeout < 0 || cfg.RetryAfter < 0 {
		return nil, fmt.Errorf("%w: negative duration or size", cognitojwt.ErrInvalidConfig)
	}
	api := cfg.Client
	if api == nil {
		if cfg.Region == "" {
			return nil, fmt.Errorf("%w: set Region or Client", cognitojwt.ErrInvalidConfig)
		}
		opts := cip.Options{
			Region:      cfg.Region,
			Credentials: aws.AnonymousCredentials{},
			Retryer:     closedConnectionRetryer(),
		}
		if cfg.Endpoint != "" {
			opts.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		api = cip.New(opts)
	}
	if err := checkDomain(cfg.Domain); err != nil {
		return nil, err
	}
	c := &Checker{
		api:        api,
		poolID:     cfg.UserPoolID,
		domain:     strings.TrimSuffix(cfg.Domain, "/"),
		http:       cfg.HTTPClient,
		recorder:   cfg.Revocations,
		ttl:        cmp.Or(cfg.VerdictTTL, DefaultVerdictTTL),
		timeout:    cmp.Or(cfg.Timeout, DefaultTimeout),
		failOpen:   cfg.FailOpen,
		retryAfter: cmp.Or(cfg.RetryAfter, DefaultRetryAfter),
		token:      cfg.Token,
		realm:      cfg.Realm,
		logger:     cfg.Logger,
		now:        cfg.Now,
		limiter:    cfg.GetUserLimiter,
	}
	if c.limiter == nil {
		c.limiter = rate.NewLimiter(DefaultGetUserRate, int(DefaultGetUserRate))
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: c.timeout}
	}
	if c.token == nil {
		c.token = func(r *http.Request) (string, bool) {
			a, _ := cognitojwt.AuthenticationFromContext(r.Context())
			return a.Token, a.Token != ""
		}
	}
	if c.realm == "" {
		c.realm = defaultRealm
	}
	if c.now == nil {
		c.now = time.Now
	}
	size := cmp.Or(cfg.MaxVerdicts, DefaultMaxVerdicts)
	c.users = newVerdicts[*User](size)
	c.info = newVerdicts[map[string]any](size)
	return c, nil
}

// checkDomain allows an https origin, or plain http to a loopback host
// (a local user pool), judged on the parsed URL: the host a string prefix
// sees is not the host a request goes to (http://127.0.0.1.evil.example,
// http://127.0.0.1@evil.example). UserInfo sends access tokens there, so a
// user part, a path, a query or a fragment is refused too.
func checkDomain(domain string) error {
	if domain == "" {
		return nil
	}
	if err := fetch.CheckURL(domain); err != nil {
		return fmt.Errorf("%w: Domain must be https, or http to a loopback host", cognitojwt.ErrInvalidConfig)
	}
	u, _ := url.Parse(domain) // CheckURL parsed it
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("%w: Domain must be an origin (scheme and host, no user, path, query or fragment)", cognitojwt.ErrInvalidConfig)
	}
	return nil
}

// User is what GetUser says of the token's user now.
type User struct {
	Username string
	// Attributes are the user's current attributes by name ("email",
	// "custom:plan", "sub", …), whatever the token says.
	Attributes map[string]string
}

type userKey struct{}

// UserFromContext returns the user RequireFresh fetched for the request.
func UserFromContext(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey{}).(*User)
	return u, ok
}

// Check asks Cognito whether accessToken is still good and returns the
// user's current attributes. claims are the token's verified claims, or
// the ID token's of the same sign-in (a web session's); an access token's
// are checked for the scope first, and either serve to record a
// revocation; nil skips both.
// Errors wrap cognitojwt.ErrRevoked (revoked, signed out, account disabled
// or deleted), cognitojwt.ErrExpired, ErrMissingScope, ErrThrottled or
// ErrUnavailable, or are ctx.Err() when ctx ends first (the call goes on
// for the other callers of the token).
//
// A verdict is reused for VerdictTTL, and concurrent checks of one token
// share one call.
func (c *Checker) Check(ctx context.Context, accessToken string, claims *cognitojwt.Claims) (*User, error) {
	// Only an access token's claims say what the token may do: a web
	// session supplies its ID token's, which carry no scopes but name the
	// same user and sign-in, so they still serve to record a revocation.
	// Without them, Cognito's own refusal of a token lacking the scope is
	// ErrMissingScope all the same.
	if claims != nil && claims.TokenUse == cognitojwt.AccessToken && !claims.HasScope(AdminScope) {
		return nil, errMissingAdminScope
	}
	return c.users.get(ctx, verdictKey(accessToken), c.now(), c.ttl, c.admitGetUser, func(ctx context.Context) (*User, error) {
		return c.getUser(ctx, accessToken, claims)
	})
}

var errMissingAdminScope = fmt.Errorf("%w %s", ErrMissingScope, AdminScope)

// admitGetUser lets a GetUser call start only when the account's quota
// has room for it.
func (c *Checker) admitGetUser() error {
	if !c.limiter.Allow() {
		return errOverQuota
	}
	return nil
}

func (c *Checker) getUser(ctx context.Context, token string, claims *cognitojwt.Claims) (*User, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := c.api.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(token)})
	if err != nil {
		return nil, c.classify(ctx, err, claims)
	}
	u := &User{Username: aws.ToString(out.Username), Attributes: make(map[string]string, len(out.UserAttributes))}
	for _, a := range out.UserAttributes {
		u.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return u, nil
}

// Fixed errors: their text never repeats Cognito's message, which could
// name the user.
var (
	errTokenRevoked = fmt.Errorf("%w: Cognito says the access token was revoked", cognitojwt.ErrRevoked)
	errUserGone     = fmt.Errorf("%w: Cognito says the user is disabled or deleted", cognitojwt.ErrRevoked)
	errNotAuthz     = fmt.Errorf("%w: Cognito refused the access token", cognitojwt.ErrRevoked)
	errUserBlocked  = fmt.Errorf("%w: Cognito says the user must reset the password or confirm the account", cognitojwt.ErrRevoked)
	errTokenExpired = fmt.Errorf("%w: Cognito says the access token expired", cognitojwt.ErrExpired)
	errThrottled    = fmt.Errorf("%w", ErrThrottled)
	errOverQuota    = fmt.Errorf("%w: GetUser calls are over the configured rate", ErrThrottled)
)

// classify turns a Cognito error into this package's, recording what it
// learns: a revoked token's family, a disabled or deleted user. It goes by
// the error code, since the SDK models only the codes an operation
// documents, and never keeps Cognito's message, which may name the user.
func (c *Checker) classify(ctx context.Context, err error, claims *cognitojwt.Claims) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err) // the network, a timeout
	}
	switch api.ErrorCode() {
	case "TooManyRequestsException", "LimitExceededException", "ThrottlingException":
		return errThrottled
	case "PasswordResetRequiredException", "UserNotConfirmedException":
		// Answers about the user, not outages: FailOpen must not pass
		// them. Nothing is recorded, as Cognito has revoked nothing; the
		// next sign-in asks for the reset or the confirmation.
		return errUserBlocked
	case "UserNotFoundException":
		c.recordSubject(ctx, claims)
		return errUserGone
	case "NotAuthorizedException":
		msg := strings.ToLower(api.ErrorMessage())
		switch {
		case strings.Contains(msg, "revoked"):
			c.recordFamily(ctx, claims)
			return errTokenRevoked
		case strings.Contains(msg, "expired"):
			return errTokenExpired
		case strings.Contains(msg, "scope"):
			return errMissingAdminScope
		case strings.Contains(msg, "disabled"):
			c.recordSubject(ctx, claims)
			return errUserGone
		}
		return errNotAuthz
	}
	return fmt.Errorf("%w: Cognito answered %s", ErrUnavailable, api.ErrorCode())
}

// recordFamily revokes every token of the claims' refresh token.
func (c *Checker) recordFamily(ctx context.Context, claims *cognitojwt.Claims) {
	if claims != nil && claims.OriginJTI != "" && c.recorder != nil {
		c.record(ctx, c.recorder.RevokeFamily(context.WithoutCancel(ctx), claims.OriginJTI))
	}
}

// recordSubject revokes every token of the claims' user issued until now.
func (c *Checker) recordSubject(ctx context.Context, claims *cognitojwt.Claims) {
	if claims != nil && claims.Subject != "" && c.recorder != nil {
		c.record(ctx, c.recorder.RevokeSubject(context.WithoutCancel(ctx), claims.Subject, c.now()))
	}
}

func (c *Checker) record(ctx context.Context, err error) {
	if err != nil && c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelError, "online: could not record a revocation", slog.String("error", err.Error()))
	}
}

// RequireFresh guards next with an online check of the request's access
// token. It must run inside cognitojwt.Middleware (or with Config.Token
// set). The handler finds the user's current attributes with
// UserFromContext.
//
//	revoked, signed out, user disabled/deleted   401 invalid_token (ErrRevoked)
//	token lacks aws.cognito.signin.user.admin    403 insufficient_scope, scope named; logged
//	Cognito throttles                            503, Retry-After; logged
//	Cognito unreachable                          503, Retry-After (or through, FailOpen); logged
func (c *Checker) RequireFresh(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := c.token(r)
		if !ok || token == "" {
			cognitojwt.WriteError(w, cognitojwt.ErrNoToken, c.realm)
			return
		}
		claims, _ := cognitojwt.ClaimsFromContext(r.Context())
		u, err := c.Check(r.Context(), token, claims)
		if err != nil && r.Context().Err() != nil {
			// The client is gone; nobody reads an answer, and a departed
			// client is no outage to log or to fail open for.
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err != nil {
			if c.failOpen && errors.Is(err, ErrUnavailable) {
				c.log(r, slog.LevelWarn, "online: Cognito unreachable; failing open, request let through unchecked", err)
				next.ServeHTTP(w, r)
				return
			}
			c.reject(w, r, err, AdminScope)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// reject answers err, logging what is not the client's doing.
func (c *Checker) reject(w http.ResponseWriter, r *http.Request, err error, scope string) {
	switch {
	case errors.Is(err, ErrMissingScope):
		c.log(r, slog.LevelError, "online: configuration error: the access token lacks scope "+scope+
			"; allow it for the app client and request it at sign-in", nil)
		cognitojwt.WriteError(w, fmt.Errorf("%w: %w", cognitojwt.ErrInsufficientScope, err), c.realm, scope)
	case errors.Is(err, ErrThrottled):
		c.log(r, slog.LevelWarn, "online: Cognito throttled the check; answering 503", nil)
		writeUnavailable(w, throttledRetryAfter, "The identity provider is busy; retry shortly.")
	case errors.Is(err, ErrUnavailable):
		c.log(r, slog.LevelError, "online: Cognito unreachable; failing closed with 503", err)
		writeUnavailable(w, c.retryAfter, "The identity provider is unreachable; retry shortly.")
	default:
		cognitojwt.WriteError(w, err, c.realm)
	}
}

func (c *Checker) log(r *http.Request, level slog.Level, msg string, err error) {
	if c.logger == nil {
		return
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(r.Context(), level, msg, attrs...)
}

func writeUnavailable(w http.ResponseWriter, retry time.Duration, desc string) {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = fmt.Fprintf(w, "{\"error\":\"temporarily_unavailable\",\"error_description\":%q}\n", desc)
}
