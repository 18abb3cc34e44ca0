// Package web signs users of server-rendered Go apps (and backends for
// single-page apps) in and out with Cognito's Managed Login, and keeps
// them signed in with a session.
//
// Sign-in is the authorization-code flow with PKCE S256 on
// golang.org/x/oauth2: the state is bound to the browser by a sealed
// cookie, the nonce is checked in the ID token, and both tokens are
// verified with cognitojwt Verifiers. The session lives by default in an
// encrypted, authenticated cookie (AES-256-GCM, rotating keys, chunked
// when long), so any number of instances serve a user without shared
// state; with Config.Store only a random id travels in the cookie.
//
// Require and Optional put the ID token's claims into the request context
// through cognitojwt.Middleware, so cognitojwt.ClaimsFromContext and the
// guards (RequireGroup, RequireClaim, Authorize) work on pages exactly as
// on APIs. AccessToken returns the session's access token for calls to
// Cognito or downstream services.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// Defaults for Config fields left zero.
const (
	DefaultRefreshBefore   = 2 * time.Minute
	DefaultIdleTimeout     = time.Hour
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultLoginPath       = "/login"
	DefaultCookieName      = "session"
	// DefaultHTTPTimeout bounds one call to the token or revocation
	// endpoint when Config.HTTPClient is nil.
	DefaultHTTPTimeout = 10 * time.Second
)

// DefaultScopes are requested when Config.Scopes is empty.
var DefaultScopes = []string{"openid", "email", "profile"}

// Config configures an Auth. Domain, ClientID, RedirectURL, LogoutURL,
// Verify's pool (UserPoolID or Issuer) and Keys are required.
type Config struct {
	// Domain is the base URL of the user pool's Managed Login:
	// "https://auth.example.com", "https://PREFIX.auth.REGION.amazoncognito.com",
	// or a local pool's Endpoint(). It must be https, or http to a loopback
	// host.
	Domain string
	// ClientID of the app client; ClientSecret when it is a confidential
	// client (sent with client_secret_basic), empty for a public one.
	ClientID     string
	ClientSecret string
	// RedirectURL is the callback URL registered with the app client, served
	// by Callback. Its scheme decides the cookies' attributes: https gives
	// Secure cookies with the __Host- prefix; http is accepted for loopback
	// hosts only (local development), without either.
	RedirectURL string
	// LogoutURL is a sign-out URL registered with the app client: after
	// Logout, Cognito's /logout sends the browser there.
	LogoutURL string
	// Scopes requested at sign-in (default DefaultScopes); "openid" is
	// required. Include "aws.cognito.signin.user.admin" to call GetUser and
	// the like with the session's access token.
	Scopes []string
	// IdentityProvider, when set, sends sign-in straight to that federated
	// provider ("Google", a SAML provider's name) instead of the sign-in page.
	IdentityProvider string

	// Verify names the user pool: UserPoolID or Issuer, and any other
	// cognitojwt.Config setting (Leeway, Revocations, Hooks). New sets
	// ClientIDs to ClientID and TokenUse, once per token kind.
	Verify cognitojwt.Config

	// Keys seal cookies and stored sessions with AES-256-GCM; each is
	// KeySize bytes (see NewKey). The first seals; all open. To rotate,
	// put a new key first and drop the old one after AbsoluteTimeout.
	Keys [][]byte
	// Store keeps sessions on the server and only a random id in the
	// cookie; nil keeps the whole session in the cookie.
	Store Store
	// CookieName is the session cookie's name (default "session"); over
	// https the __Host- prefix is added. The access and refresh tokens
	// travel in CookieName + "-at" and "-rt", a sign-in under way in
	// CookieName + "-signin-" and eight characters of its state, and the
	// chunks of a long value in CookieName + "-1" and up.
	CookieName string
	// LoginPath is where Login is served (default "/login"): unauthenticated
	// page requests are redirected there.
	LoginPath string

	// RefreshBefore is how long before the access or ID token expires that
	// a request refreshes them (default 2 minutes).
	RefreshBefore time.Duration
	// IdleTimeout ends a session no request used for that long (default
	// 1 hour); AbsoluteTimeout ends every session that long after sign-in
	// (default 12 hours), refreshes or not.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration

	// TrustedOrigins are further origins ("https://admin.example.com")
	// whose pages may send unsafe requests to session-authenticated routes.
	TrustedOrigins []string
	// ErrorPage renders the HTML answer to a page request that fails:
	// status is 400 (sign-in failed), 403 (a guard refused, or a
	// cross-origin request), or 503; message is a fixed sentence fit to
	// show. nil renders a minimal page.
	ErrorPage func(w http.ResponseWriter, r *http.Request, status int, message string)

	// HTTPClient calls the token and revocation endpoints (default: a
	// client with a DefaultHTTPTimeout timeout).
	HTTPClient *http.Client
	// Logger records sign-ins, sign-outs, refresh failures and ended
	// sessions with their reason; never a cookie or token. nil logs nothing.
	Logger *slog.Logger
	// Now is the clock (default time.Now); Verify.Now defaults to it.
	Now func() time.Time
}

// Auth serves sign-in, callback and sign-out, and guards routes with the
// session. It is safe for concurrent use.
type Auth struct {
	oauth      oauth2.Config
	domain     string
	logoutURL  string
	idp        string
	ids        *cognitojwt.Verifier
	accesses   *cognitojwt.Verifier
	revoked    cognitojwt.RevocationList
	seal       *sealer
	store      Store
	jar        cookieJar
	accessJar  cookieJar
	refreshJar cookieJar
	flowPrefix string
	loginPath  string
	before     time.Duration
	idle       time.Duration
	absolute   time.Duration
	touch      time.Duration
	csrf       *http.CrossOriginProtection
	errorPage  func(w http.ResponseWriter, r *http.Request, status int, message string)
	client     *http.Client
	logger     *slog.Logger
	now        func() time.Time
	flights    flights
}

// New validates cfg and returns an Auth. It does no network I/O.
func New(cfg Config) (*Auth, error) {
	domain := strings.TrimSuffix(cfg.Domain, "/")
	if err := checkURL("Domain", domain); err != nil {
		return nil, err
	}
	if err := checkURL("RedirectURL", cfg.RedirectURL); err != nil {
		return nil, err
	}
	if err := checkURL("LogoutURL", cfg.LogoutURL); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		return nil, errors.New("web: Config.ClientID is required")
	}
	if cfg.RefreshBefore < 0 || cfg.IdleTimeout < 0 || cfg.AbsoluteTimeout < 0 {
		return nil, errors.New("web: negative duration in Config")
	}
	seal, err := newSealer(cfg.Keys)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	vcfg := cfg.Verify
	if vcfg.Now == nil {
		vcfg.Now = now
	}
	vcfg.ClientIDs, vcfg.AllowAnyClient = []string{cfg.ClientID}, false
	vcfg.TokenUse = cognitojwt.IDToken
	ids, err := cognitojwt.New(vcfg)
	if err != nil {
		return nil, fmt.Errorf("web: Config.Verify: %w", err)
	}
	vcfg.TokenUse = cognitojwt.AccessToken
	accesses, err := cognitojwt.New(vcfg)
	if err != nil {
		return nil, fmt.Errorf("web: Config.Verify: %w", err)
	}

	redirect, _ := url.Parse(cfg.RedirectURL)
	secure := redirect.Scheme == "https"
	name := cfg.CookieName
	if name == "" {
		name = DefaultCookieName
	}
	if secure && !strings.HasPrefix(name, "__Host-") {
		// __Host- makes the browser refuse the cookie unless it is Secure,
		// has Path=/ and no Domain: no sibling subdomain can plant one.
		name = "__Host-" + name
	}
	if !validCookieName(name) {
		return nil, errors.New("web: Config.CookieName is not a valid cookie name")
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	if !slices.Contains(scopes, "openid") {
		// Without openid the pool issues no ID token, and sessions are
		// built on it.
		return nil, errors.New("web: Config.Scopes must include openid")
	}
	style := oauth2.AuthStyleInParams // public client: client_id in the form
	if cfg.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	a := &Auth{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint: oauth2.Endpoint{
				AuthURL:   domain + "/oauth2/authorize",
				TokenURL:  domain + "/oauth2/token",
				AuthStyle: style,
			},
			RedirectURL: cfg.RedirectURL,
			Scopes:      slices.Clone(scopes),
		},
		domain:     domain,
		logoutURL:  cfg.LogoutURL,
		idp:        cfg.IdentityProvider,
		ids:        ids,
		accesses:   accesses,
		revoked:    cfg.Verify.Revocations,
		seal:       seal,
		store:      cfg.Store,
		jar:        cookieJar{name: name, secure: secure},
		flowPrefix: name + "-signin-",
		// The access and refresh tokens have cookies of their own: see save.
		accessJar:  cookieJar{name: name + "-at", secure: secure},
		refreshJar: cookieJar{name: name + "-rt", secure: secure},
		loginPath:  cmpOr(cfg.LoginPath, DefaultLoginPath),
		before:     cmpOr(cfg.RefreshBefore, DefaultRefreshBefore),
		idle:       cmpOr(cfg.IdleTimeout, DefaultIdleTimeout),
		absolute:   cmpOr(cfg.AbsoluteTimeout, DefaultAbsoluteTimeout),
		errorPage:  cfg.ErrorPage,
		client:     cfg.HTTPClient,
		logger:     cfg.Logger,
		now:        now,
	}
	if _, ok := localPath(a.loginPath); !ok {
		return nil, errors.New("web: Config.LoginPath must be a local path")
	}
	// The last-seen time is written back at most every tenth of the idle
	// lifetime: a session then ends between 90% and 100% of IdleTimeout
	// after its last request, and most requests write no cookie at all.
	a.touch = a.idle / 10
	if a.client == nil {
		a.client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if a.errorPage == nil {
		a.errorPage = defaultErrorPage
	}
	a.csrf = http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := a.csrf.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: Config.TrustedOrigins: %w", err)
		}
	}
	a.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.answer(w, r, http.StatusForbidden, errCrossOrigin)
	}))
	return a, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// checkURL accepts https URLs, and http ones to loopback hosts: tokens and
// cookies must not cross a network in the clear. The scheme rule is the
// one the verifiers apply to their key URLs; the errors name the field,
// not the URL.
func checkURL(field, raw string) error {
	if raw == "" {
		return fmt.Errorf("web: Config.%s is required", field)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("web: Config.%s is not an absolute URL", field)
	}
	if fetch.CheckURL(raw) != nil {
		return fmt.Errorf("web: Config.%s must be https, or http to a loopback host", field)
	}
	return nil
}

func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// IDTokenVerifier returns the verifier of the session's ID tokens, for
// Warm at start-up.
func (a *Auth) IDTokenVerifier() *cognitojwt.Verifier { return a.ids }

// AccessTokenVerifier returns the verifier of the session's access tokens.
func (a *Auth) AccessTokenVerifier() *cognitojwt.Verifier { return a.accesses }
