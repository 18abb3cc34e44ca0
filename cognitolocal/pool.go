package cognitolocal

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cognitojwt/cognitojwt"
)

// Defaults for Config fields left zero.
const (
	DefaultPoolID  = "local_Dev"
	DefaultBaseURL = "http://127.0.0.1:9229"
	// DefaultClientID is the public app client New creates.
	DefaultClientID = "local-client"
)

// Config configures a Pool. The zero value is a working pool "local_Dev".
type Config struct {
	// PoolID is the user-pool ID (default "local_Dev"); it need not have
	// AWS's region_suffix shape.
	PoolID string
	// BaseURL is where the pool is served, such as "http://127.0.0.1:9229"
	// (the default); Start fills it in. The issuer is BaseURL + "/" + PoolID.
	BaseURL string
	// Key signs tokens; nil generates a fresh RSA-2048 key.
	Key *SigningKey
	// Now is the clock (default time.Now).
	Now func() time.Time
	// PreTokenGeneration runs for every token issue (sign-in, refresh, code
	// exchange; with TriggerVersion "V3_0" also client credentials).
	PreTokenGeneration Trigger
	// PreSignUp runs before SignUp (and Managed Login's sign-up page)
	// and AdminCreateUser create a user: it may refuse the user, or
	// confirm it and verify its email address or phone number at
	// sign-up (presignup.go). It takes precedence over the pool's
	// LambdaConfig.PreSignUp, as PreTokenGeneration does.
	PreSignUp PreSignUpTrigger
	// PostConfirmation runs once ConfirmSignUp (and Managed Login's
	// confirmation page), AdminConfirmSignUp or ConfirmForgotPassword
	// has confirmed a user (postconfirm.go). It takes precedence over
	// the pool's LambdaConfig.PostConfirmation.
	PostConfirmation PostConfirmationTrigger
	// PreAuthentication runs when a known user begins a sign-in (a
	// password, SRP, USER_AUTH, Managed Login's sign-in form): its error
	// refuses the sign-in (authtriggers.go). PostAuthentication runs once
	// the user is authenticated, before tokens (or Managed Login's code)
	// are handed out; its error fails the sign-in. Each takes precedence
	// over the pool's LambdaConfig member of its name.
	PreAuthentication  PreAuthenticationTrigger
	PostAuthentication PostAuthenticationTrigger
	// DefineAuthChallenge, CreateAuthChallenge and
	// VerifyAuthChallengeResponse drive the CUSTOM_AUTH flow of
	// InitiateAuth and AdminInitiateAuth (customauth.go). Each takes
	// precedence over the pool's LambdaConfig member of its name.
	DefineAuthChallenge         DefineAuthChallengeTrigger
	CreateAuthChallenge         CreateAuthChallengeTrigger
	VerifyAuthChallengeResponse VerifyAuthChallengeResponseTrigger
	// UserMigration creates the user a password sign-in
	// (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, Managed Login's
	// sign-in form) or ForgotPassword
	// names when no user has that name (usermigration.go). It takes
	// precedence over the pool's LambdaConfig.UserMigration.
	UserMigration UserMigrationTrigger
	// CustomMessage rewrites the messages the pool sends
	// (custommessage.go). It takes precedence over the pool's
	// LambdaConfig.CustomMessage.
	CustomMessage CustomMessageTrigger
	// TriggerVersion is "V2_0" (the default when a trigger is set),
	// "V3_0", or "V1_0", whose event has version "1" and whose response
	// changes the ID token only (IDTokenGeneration with string values,
	// GroupOverrideDetails), as Cognito's V1_0 trigger does.
	TriggerVersion string
	// Logger receives a record per JSON API operation (its name and, on
	// failure, the exception name); nil logs nothing.
	Logger *slog.Logger
	// UsernameAttributes lets users sign up and sign in with their
	// "email" or "phone_number" in place of a username, as
	// CreateUserPool's UsernameAttributes: the stored username is then
	// the sub. Nil: usernames.
	UsernameAttributes []string
	// AliasAttributes lets a user sign in with a verified "email" or
	// "phone_number", or the "preferred_username", besides the username,
	// as CreateUserPool's AliasAttributes. Not with UsernameAttributes.
	AliasAttributes []string
	// AutoVerifiedAttributes ("email", "phone_number") are verified by a
	// code the pool sends at sign-up and when they change, as
	// CreateUserPool's AutoVerifiedAttributes. Nil verifies none: SignUp
	// sends no code and an administrator confirms users.
	AutoVerifiedAttributes []string
	// MFA is the pool's MFA configuration, as SetUserPoolMfaConfig sets
	// it; the zero value is MFA off.
	MFA MFAConfig
	// AccountRecovery is AccountRecoverySetting: where ForgotPassword
	// sends its code (RecoveryVerifiedEmail, RecoveryVerifiedPhone), or
	// RecoveryAdminOnly alone. Nil: a verified phone number, else a
	// verified email address, as Cognito without a setting.
	AccountRecovery []RecoveryOption
	// OnChange, when set, runs after every HTTP request that changed what
	// SaveState writes (a successful JSON API operation other than a read,
	// a token or revocation answered 200), so that a server can save its
	// state as it goes. It runs on the request's goroutine, no lock held:
	// it may call SaveState.
	OnChange func()
}

// Trigger has the shape lambda.Start accepts, so one handler runs in
// Lambda and locally.
type Trigger func(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error)

// Pool is a local Cognito user pool: users, groups, app clients, signing
// keys and refresh-token families, served over HTTP by ServeHTTP. It is
// safe for concurrent use.
type Pool struct {
	svc     *Service
	poolID  string
	baseURL string
	now     func() time.Time
	// triggers are Config's Go triggers by LambdaConfig member name.
	triggers map[string]Lambda
	triggerV string
	logger   *slog.Logger
	onChange func()

	mu        sync.Mutex
	settings  atomic.Pointer[poolSettings]
	verifier  *cognitojwt.Verifier // checks access tokens presented to the API
	jwksBytes []byte
	keys      []*SigningKey    // published
	key       *SigningKey      // signs
	users     map[string]*user // by folded username
	groups    map[string]*group
	clients   map[string]*AppClient
	schema    map[string]*customAttribute // custom attributes by full name
	families  map[string]*family          // by origin_jti
	refresh   map[string]string           // refresh-token digest → origin_jti
	codes     map[string]*authCode        // authorization-code digest → code
	sessions  map[string]*authSession     // challenge-session digest → session
	auth      *authState                  // SRP exchanges, MFA configuration
	outbox    []Message                   // what the pool would have sent, oldest first
	held      *heldMessages               // where messages go instead, while an operation holds them (custommessage.go)
	// resourceServers by identifier.
	resourceServers map[string]*ResourceServer
	// importJobs are the user import jobs by JobId (importjobs.go).
	importJobs map[string]*importJob
}

// New returns a pool with the default app client "local-client", served
// by a new Service of its own (see Pool.Service). It does no I/O.
func New(cfg Config) (*Pool, error) {
	svc := &Service{
		baseURL:  cmp.Or(strings.TrimSuffix(cfg.BaseURL, "/"), DefaultBaseURL),
		now:      cfg.Now,
		logger:   cfg.Logger,
		onChange: cfg.OnChange,
	}
	if svc.now == nil {
		svc.now = time.Now
	}
	cfg.PoolID = cmp.Or(cfg.PoolID, DefaultPoolID)
	p, err := makePool(svc, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := p.CreateAppClient(defaultClient()); err != nil {
		return nil, err
	}
	if err := svc.add(p); err != nil {
		return nil, err
	}
	return p, nil
}

// makePool returns a pool of svc with no app client, not yet registered.
func makePool(svc *Service, cfg Config) (*Pool, error) {
	p := &Pool{
		svc:             svc,
		poolID:          cfg.PoolID,
		baseURL:         svc.baseURL,
		now:             svc.now,
		triggers:        goTriggers(cfg),
		triggerV:        cfg.TriggerVersion,
		logger:          svc.logger,
		onChange:        svc.onChange,
		users:           map[string]*user{},
		groups:          map[string]*group{},
		clients:         map[string]*AppClient{},
		schema:          map[string]*customAttribute{},
		families:        map[string]*family{},
		refresh:         map[string]string{},
		codes:           map[string]*authCode{},
		sessions:        map[string]*authSession{},
		auth:            newAuthState(),
		resourceServers: map[string]*ResourceServer{},
		importJobs:      map[string]*importJob{},
	}
	settings := defaultSettings()
	settings.Name = p.poolID
	now := p.now()
	settings.Created, settings.Modified = now, now
	if err := settings.applyConfig(cfg); err != nil {
		return nil, err
	}
	p.settings.Store(&settings)
	if !poolIDPattern.MatchString(p.poolID) {
		return nil, fmt.Errorf("cognitolocal: PoolID: use 1 to 55 letters, digits, _ or -")
	}
	if cfg.MFA != (MFAConfig{}) {
		if err := p.SetMFAConfig(cfg.MFA); err != nil {
			return nil, err
		}
	}
	switch p.triggerV {
	case "":
		p.triggerV = triggerV2
	case triggerV1, triggerV2, triggerV3:
	default:
		return nil, fmt.Errorf("cognitolocal: TriggerVersion must be %q, %q or %q", triggerV1, triggerV2, triggerV3)
	}
	key := cfg.Key
	if key == nil {
		var err error
		if key, err = newPoolKey(); err != nil {
			return nil, err
		}
	} else if key.Private == nil || key.KeyID == "" {
		return nil, fmt.Errorf("cognitolocal: Key needs a kid and a private key")
	}
	if _, err := cognitojwt.New(p.verifierConfig()); err != nil {
		return nil, fmt.Errorf("cognitolocal: BaseURL: %w", err)
	}
	if err := p.publishLocked([]*SigningKey{key}, key); err != nil {
		return nil, err
	}
	return p, nil
}

var poolIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,55}$`)

func defaultClient() AppClient {
	return AppClient{
		ClientID:           DefaultClientID,
		ClientName:         DefaultClientID,
		ExplicitAuthFlows:  []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		AllowedOAuthFlows:  []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", "profile", scopeAdmin},
		CallbackURLs:       []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"},
		LogoutURLs:         []string{"http://localhost:8080/", "http://127.0.0.1:8080/"},
		// As a client made in the console: sign-in reveals no usernames.
		PreventUserExistenceErrors: existenceEnabled,
	}
}

// scopeAdmin is the scope that lets an access token call the user
// operations (GetUser, UpdateUserAttributes, …).
const scopeAdmin = "aws.cognito.signin.user.admin"

// PoolID returns the user-pool ID.
func (p *Pool) PoolID() string { return p.poolID }

// Issuer returns the iss of every token: BaseURL + "/" + PoolID.
func (p *Pool) Issuer() string { return p.baseURL + "/" + p.poolID }

// JWKSURL returns the address of the pool's key set.
func (p *Pool) JWKSURL() string { return p.Issuer() + "/.well-known/jwks.json" }

// Endpoint returns BaseURL: the JSON API's endpoint (aws-sdk-go-v2's
// BaseEndpoint) and the Managed Login domain.
func (p *Pool) Endpoint() string { return p.baseURL }

// verifierConfig configures the pool's own check of the access tokens
// presented to it: any client, on the pool's clock, reading the key set in
// process so that the API works before (and without) a listener.
func (p *Pool) verifierConfig() cognitojwt.Config {
	return cognitojwt.Config{
		Issuer:         p.Issuer(),
		AllowAnyClient: true,
		TokenUse:       cognitojwt.AccessToken,
		Now:            p.now,
		HTTPClient:     &http.Client{Transport: localTransport{p}},
	}
}

// accessVerifier returns the pool's own verifier.
func (p *Pool) accessVerifier() *cognitojwt.Verifier {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.verifier
}

// Verifier returns a Verifier trusting this pool for tokens of clientID
// and use, on the pool's clock. It reads the pool's JWKS in process, so it
// works whether or not the pool is served; to exercise the fetch over the
// network, configure a cognitojwt.Verifier with Issuer() yourself.
func (p *Pool) Verifier(clientID string, use cognitojwt.TokenUse) (*cognitojwt.Verifier, error) {
	return cognitojwt.New(cognitojwt.Config{
		Issuer:     p.Issuer(),
		ClientIDs:  []string{clientID},
		TokenUse:   use,
		Now:        p.now,
		HTTPClient: &http.Client{Transport: localTransport{p}},
	})
}

// SigningKeys returns the published keys in the order they were
// published; CurrentSigningKey tells which one signs new tokens.
func (p *Pool) SigningKeys() []*SigningKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.keys)
}

// JWKS returns the key set document the pool publishes.
func (p *Pool) JWKS() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.jwksBytes)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// randomToken returns n random bytes, base64url: codes, refresh tokens,
// client IDs and secrets.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
