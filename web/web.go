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
// through cognitojwt.MiddlewareFor, with Auth as its Authenticator, so
// cognitojwt.ClaimsFromContext and the guards of package authz
// (RequireAnyGroup, Authorize…) work on pages exactly as on APIs. AccessToken
// returns the session's access token for calls to Cognito or downstream
// services, from the session the request already opened.
package web

import (
	"cmp"
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
	// cognitojwt.Config setting (Leeway, Revocations, Hooks). The session's
	// tokens come from ClientID's token endpoint, so New checks them for
	// that client and each for its kind: leave ClientIDs, AllowAnyClient
	// and TokenUse unset (ClientIDs may name ClientID alone); New refuses
	// anything else rather than override it.
	Verify cognitojwt.Config

	// Keys seal cookies and stored sessions with AES-256-GCM; each is
	// KeySize bytes (see NewKey). The first seals; all open. To rotate,
	// put a new key first and drop the old one after AbsoluteTimeout.
	Keys [][]byte
	// Store keeps sessions on the server and only a random id in the
	// cookie; nil keeps the whole session in the cookie.
	Store Store
	// StoreTimeout bounds each call to Store (default DefaultStoreTimeout):
	// a store that does not answer within it fails the request with 503
	// and Retry-After instead of holding it.
	StoreTimeout time.Duration
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
	// show. nil renders a plain page of its own.
	ErrorPage func(w http.ResponseWriter, r *http.Request, status int, message string)
	// SignOutPage renders the page GET on Logout answers, in the app's
	// own templates: it says what signing out does and holds a form that
	// posts back to the same URL (<form method="post">, no action). nil
	// renders a plain page of its own.
	SignOutPage http.HandlerFunc

	// HTTPClient calls the token and revocation endpoints (default: a
	// client with a DefaultHTTPTimeout timeout).
	HTTPClient *http.Client
	// Logger records sign-ins, sign-outs, refresh failures and ended
	// sessions with their reason; never a cookie or token. nil logs nothing.
	Logger *slog.Logger
	// Now is the clock (default time.Now); Verify.Now defaults to it when
	// set (otherwise the verifiers keep cognitojwt's default clock).
	Now func() time.Time
}

// Auth serves sign-in, callback and sign-out, and guards routes with the
// session. It is safe for concurrent use.
type Auth struct {
	oauth     oauth2.Config
	domain    string
	logoutURL string
	idp       string
	ids       *cognitojwt.Verifier
	accesses  *cognitojwt.Verifier
	revoked   cognitojwt.RevocationList
	seal      *sealer
	codec     codec
	// jars are the session's cookies, indexed by jarSession and the
	// like; flowPrefix starts the names of sign-in cookies.
	jars       [jarCount]cookieJar
	flowPrefix string
	loginPath  string
	before     time.Duration
	idle       time.Duration
	absolute   time.Duration
	touch      time.Duration
	csrf       *http.CrossOriginProtection
	errorPage  func(w http.ResponseWriter, r *http.Request, status int, message string)
	signOut    http.HandlerFunc
	client     *http.Client
	logger     *slog.Logger
	now        func() time.Time
	flights    flights
}

// New validates cfg and returns an Auth. It does no network I/O.
func New(cfg Config) (*Auth, error) {
	domain := strings.TrimSuffix(cfg.Domain, "/")
	for _, u := range [...][2]string{{"Domain", domain}, {"RedirectURL", cfg.RedirectURL}, {"LogoutURL", cfg.LogoutURL}} {
		if err := checkURL(u[0], u[1]); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("web: Config.ClientID is required")
	case cfg.RefreshBefore < 0 || cfg.IdleTimeout < 0 || cfg.AbsoluteTimeout < 0 || cfg.StoreTimeout < 0:
		return nil, errors.New("web: negative duration in Config")
	}
	seal, err := newSealer(cfg.Keys)
	if err != nil {
		return nil, err
	}
	a := &Auth{
		domain:    domain,
		logoutURL: cfg.LogoutURL,
		idp:       cfg.IdentityProvider,
		revoked:   cfg.Verify.Revocations,
		seal:      seal,
		loginPath: cmp.Or(cfg.LoginPath, DefaultLoginPath),
		before:    cmp.Or(cfg.RefreshBefore, DefaultRefreshBefore),
		idle:      cmp.Or(cfg.IdleTimeout, DefaultIdleTimeout),
		absolute:  cmp.Or(cfg.AbsoluteTimeout, DefaultAbsoluteTimeout),
		errorPage: cfg.ErrorPage,
		signOut:   cfg.SignOutPage,
		client:    cmp.Or(cfg.HTTPClient, &http.Client{Timeout: DefaultHTTPTimeout}),
		logger:    cfg.Logger,
		now:       cfg.Now,
	}
	if a.errorPage == nil {
		a.errorPage = defaultErrorPage
	}
	if a.signOut == nil {
		a.signOut = defaultSignOutPage
	}
	if a.now == nil {
		a.now = time.Now
	}
	// The last-seen time is written back at most every tenth of the idle
	// lifetime: a session then ends between 90% and 100% of IdleTimeout
	// after its last request, and most requests write nothing.
	a.touch = a.idle / 10
	if _, ok := localPath(a.loginPath); !ok {
		return nil, errors.New("web: Config.LoginPath must be a local path")
	}
	steps := []func(*Auth, Config) error{(*Auth).setVerifiers, (*Auth).setOAuth, (*Auth).setCookies, (*Auth).setCSRF}
	for _, step := range steps {
		if err := step(a, cfg); err != nil {
			return nil, err
		}
	}
	a.initFlights()
	a.codec = cookieCodec{a: a, opened: newOpenCache()}
	if cfg.Store != nil {
		a.codec = storeCodec{a: a, store: cfg.Store, timeout: cmp.Or(cfg.StoreTimeout, DefaultStoreTimeout)}
	}
	return a, nil
}

// setVerifiers makes the verifiers of the session's ID and access
// tokens, both for ClientID alone.
func (a *Auth) setVerifiers(cfg Config) error {
	v := cfg.Verify
	if v.AllowAnyClient || v.TokenUse != "" || len(v.ClientIDs) > 1 || len(v.ClientIDs) == 1 && v.ClientIDs[0] != cfg.ClientID {
		return errors.New("web: Config.Verify.ClientIDs, AllowAnyClient and TokenUse are set by New from ClientID; leave them unset")
	}
	if v.Now == nil {
		// Without a clock of the caller's the verifiers keep their own
		// default, which a cache hit reads at half time.Now's cost.
		v.Now = cfg.Now
	}
	v.ClientIDs = []string{cfg.ClientID}
	var err error
	for use, dst := range map[cognitojwt.TokenUse]**cognitojwt.Verifier{cognitojwt.IDToken: &a.ids, cognitojwt.AccessToken: &a.accesses} {
		v.TokenUse = use
		if *dst, err = cognitojwt.New(v); err != nil {
			return fmt.Errorf("web: Config.Verify: %w", err)
		}
	}
	return nil
}

func (a *Auth) setOAuth(cfg Config) error {
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	if !slices.Contains(scopes, "openid") {
		// Without openid the pool issues no ID token, and sessions are
		// built on it.
		return errors.New("web: Config.Scopes must include openid")
	}
	style := oauth2.AuthStyleInParams // public client: client_id in the form
	if cfg.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	a.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   a.domain + "/oauth2/authorize",
			TokenURL:  a.domain + "/oauth2/token",
			AuthStyle: style,
		},
		RedirectURL: cfg.RedirectURL,
		Scopes:      slices.Clone(scopes),
	}
	return nil
}

func (a *Auth) setCookies(cfg Config) error {
	redirect, _ := url.Parse(cfg.RedirectURL)
	secure := redirect.Scheme == "https"
	name := cmp.Or(cfg.CookieName, DefaultCookieName)
	if secure && !strings.HasPrefix(name, "__Host-") {
		// __Host- makes the browser refuse the cookie unless it is Secure,
		// has Path=/ and no Domain: no sibling subdomain can plant one.
		name = "__Host-" + name
	}
	if !validCookieName(name) {
		return errors.New("web: Config.CookieName is not a valid cookie name")
	}
	a.jars = [jarCount]cookieJar{
		jarSession:   {name: name, secure: secure},
		jarRefresh:   {name: name + "-rt", secure: secure},
		jarOldAccess: {name: name + "-at", secure: secure},
	}
	a.flowPrefix = name + "-signin-"
	return nil
}

func (a *Auth) setCSRF(cfg Config) error {
	a.csrf = http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := a.csrf.AddTrustedOrigin(o); err != nil {
			return fmt.Errorf("web: Config.TrustedOrigins: %w", err)
		}
	}
	a.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.answer(w, r, http.StatusForbidden, errCrossOrigin)
	}))
	return nil
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
