package cognitolocal

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"slices"
	"time"
)

// AppClient is a user-pool app client.
type AppClient struct {
	ClientID, ClientSecret, ClientName string
	// GenerateSecret makes a confidential client; CreateAppClient fills in
	// ClientSecret.
	GenerateSecret bool
	// ExplicitAuthFlows such as "ALLOW_USER_PASSWORD_AUTH" and
	// "ALLOW_REFRESH_TOKEN_AUTH". Empty gets Cognito's default,
	// ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH,
	// which does not include USER_PASSWORD_AUTH.
	ExplicitAuthFlows []string
	// AllowedOAuthFlows: "code", "client_credentials".
	AllowedOAuthFlows []string
	// AllowedOAuthScopes: "openid", "email", "profile", "phone",
	// "aws.cognito.signin.user.admin", and scopes of the pool's resource
	// servers such as "orders/read" (CreateResourceServer first: an
	// undefined scope is ScopeDoesNotExistException).
	AllowedOAuthScopes       []string
	CallbackURLs, LogoutURLs []string
	// ReadAttributes limits the attributes ID tokens carry; nil: all.
	ReadAttributes []string
	// Token lifetimes; zero: 1h, 1h and 30 days.
	AccessTokenValidity, IDTokenValidity, RefreshTokenValidity time.Duration
	// AuthSessionValidity is how long a challenge's Session can be
	// answered, 3 to 15 minutes; zero: 3 minutes.
	AuthSessionValidity time.Duration
	// PreventUserExistenceErrors is "LEGACY" (the API's default, also
	// taken for empty): operations name an unknown user with
	// UserNotFoundException; or "ENABLED": they answer as for a wrong
	// password or code, so that usernames cannot be probed. The default
	// client of New has ENABLED, as clients created in the console do.
	PreventUserExistenceErrors string
	// TokenRevocationDisabled is EnableTokenRevocation false: RevokeToken
	// answers UnsupportedOperationException.
	TokenRevocationDisabled bool

	created, modified time.Time
}

// Default token lifetimes, Cognito's defaults.
const (
	defaultAccessValidity  = time.Hour
	defaultIDValidity      = time.Hour
	defaultRefreshValidity = 30 * 24 * time.Hour
)

var defaultAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}

// validAuthFlows are the ExplicitAuthFlows values botocore's model lists.
var validAuthFlows = []string{
	"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
	"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
	"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH",
}

// CreateAppClient registers c. ClientID (and, for GenerateSecret,
// ClientSecret) is generated when empty; zero validities get Cognito's
// defaults. It returns the client as stored.
func (p *Pool) CreateAppClient(c AppClient) (AppClient, error) {
	c = cloneClient(c)
	if c.ClientID == "" {
		c.ClientID = randomClientID()
	}
	if c.GenerateSecret && c.ClientSecret == "" {
		c.ClientSecret = randomToken(38)
	}
	if err := c.normalize(); err != nil {
		return AppClient{}, err
	}
	now := p.now()
	c.created, c.modified = now, now
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.checkScopesLocked(c.AllowedOAuthScopes); err != nil {
		return AppClient{}, err
	}
	if _, dup := p.clients[c.ClientID]; dup {
		return AppClient{}, apiErr(codeInvalidParameter, "An app client with this ClientId already exists.")
	}
	stored := c
	p.clients[c.ClientID] = &stored
	return cloneClient(c), nil
}

// UpdateAppClient replaces the settings of the client c.ClientID with
// those of c, as UpdateUserPoolClient does: settings left zero get their
// defaults. The client's secret and creation date stay; GenerateSecret
// and ClientSecret of c are ignored.
func (p *Pool) UpdateAppClient(c AppClient) (AppClient, error) {
	c = cloneClient(c)
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.clients[c.ClientID]
	if old == nil {
		return AppClient{}, errClientNotFound
	}
	c.ClientSecret, c.created, c.modified = old.ClientSecret, old.created, p.now()
	if err := c.normalize(); err != nil {
		return AppClient{}, err
	}
	if err := p.checkScopesLocked(c.AllowedOAuthScopes); err != nil {
		return AppClient{}, err
	}
	p.clients[c.ClientID] = &c
	return cloneClient(c), nil
}

// DeleteAppClient removes an app client: its refresh tokens stop
// working, and sign-ins through it fail.
func (p *Pool) DeleteAppClient(clientID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.clients[clientID] == nil {
		return errClientNotFound
	}
	delete(p.clients, clientID)
	p.dropUICustomization(clientID)
	return nil
}

// normalize fills in the defaults of a client's settings and checks
// them, as CreateUserPoolClient does.
func (c *AppClient) normalize() error {
	c.ClientName = cmp.Or(c.ClientName, c.ClientID)
	c.GenerateSecret = c.ClientSecret != ""
	if len(c.ExplicitAuthFlows) == 0 {
		c.ExplicitAuthFlows = slices.Clone(defaultAuthFlows)
	}
	switch c.PreventUserExistenceErrors {
	case "":
		c.PreventUserExistenceErrors = existenceLegacy
	case existenceLegacy, existenceEnabled:
	default:
		return apiErr(codeInvalidParameter, "PreventUserExistenceErrors must be LEGACY or ENABLED.")
	}
	for _, f := range c.ExplicitAuthFlows {
		if !slices.Contains(validAuthFlows, f) {
			return apiErr(codeInvalidParameter, "Invalid value in ExplicitAuthFlows.")
		}
	}
	for _, f := range c.AllowedOAuthFlows {
		if f != "code" && f != "client_credentials" && f != "implicit" {
			return apiErr(codeInvalidParameter, "Invalid value in AllowedOAuthFlows.")
		}
	}
	if slices.Contains(c.AllowedOAuthFlows, "client_credentials") {
		if !c.GenerateSecret {
			return apiErr(codeInvalidParameter, "client_credentials flow can not be selected if client does not have a client secret.")
		}
		if slices.Contains(c.AllowedOAuthFlows, "code") || slices.Contains(c.AllowedOAuthFlows, "implicit") {
			return apiErr(codeInvalidParameter, "client_credentials flow can not be selected along with code flow or implicit flow.")
		}
	}
	if c.AccessTokenValidity < 0 || c.IDTokenValidity < 0 || c.RefreshTokenValidity < 0 {
		return apiErr(codeInvalidParameter, "Token validity must be positive.")
	}
	c.AccessTokenValidity = cmp.Or(c.AccessTokenValidity, defaultAccessValidity)
	c.IDTokenValidity = cmp.Or(c.IDTokenValidity, defaultIDValidity)
	c.RefreshTokenValidity = cmp.Or(c.RefreshTokenValidity, defaultRefreshValidity)
	return nil
}

// AppClient returns the app client clientID.
func (p *Pool) AppClient(clientID string) (AppClient, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[clientID]
	if !ok {
		return AppClient{}, false
	}
	return cloneClient(*c), true
}

func cloneClient(c AppClient) AppClient {
	c.ExplicitAuthFlows = slices.Clone(c.ExplicitAuthFlows)
	c.AllowedOAuthFlows = slices.Clone(c.AllowedOAuthFlows)
	c.AllowedOAuthScopes = slices.Clone(c.AllowedOAuthScopes)
	c.CallbackURLs = slices.Clone(c.CallbackURLs)
	c.LogoutURLs = slices.Clone(c.LogoutURLs)
	c.ReadAttributes = slices.Clone(c.ReadAttributes)
	return c
}

// randomClientID mimics Cognito's 26-character lowercase client IDs.
func randomClientID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	raw := []byte(randomToken(26))
	out := make([]byte, 26)
	for i := range out {
		out[i] = alphabet[int(raw[i])%len(alphabet)]
	}
	return string(out)
}

func (c *AppClient) allowsFlow(flow string) bool { return slices.Contains(c.ExplicitAuthFlows, flow) }

// Values of PreventUserExistenceErrors.
const (
	existenceLegacy  = "LEGACY"
	existenceEnabled = "ENABLED"
)

// hidesUsers reports whether the client prevents user existence errors.
func (c *AppClient) hidesUsers() bool { return c.PreventUserExistenceErrors == existenceEnabled }

// unknownUser is the answer for an unknown user: UserNotFoundException
// for a LEGACY client, hidden (the answer to a wrong password or code)
// for an ENABLED one.
// "Managing user existence error responses":
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html
func (c *AppClient) unknownUser(hidden error) error {
	if c.hidesUsers() {
		return hidden
	}
	return errUserNotFound
}

// canRead reports whether ID tokens of the client carry attribute name.
func (c *AppClient) canRead(name string) bool {
	return c.ReadAttributes == nil || slices.Contains(c.ReadAttributes, name)
}

// checkSecretHash checks the SECRET_HASH a confidential client sends with
// InitiateAuth and SignUp: base64(HMAC-SHA256(secret, username+clientID)).
func (c *AppClient) checkSecretHash(username, hash string) error {
	if c.ClientSecret == "" {
		return nil
	}
	if hash == "" {
		return errSecretMissing
	}
	mac := hmac.New(sha256.New, []byte(c.ClientSecret))
	mac.Write([]byte(username + c.ClientID))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(want), []byte(hash)) != 1 {
		return errSecretMismatch
	}
	return nil
}

// checkSecret compares a client secret sent as such (token endpoint,
// RevokeToken) in constant time.
func (c *AppClient) checkSecret(secret string) bool {
	return c.ClientSecret == "" || subtle.ConstantTimeCompare([]byte(c.ClientSecret), []byte(secret)) == 1
}

// isResourceScope reports whether scope belongs to a resource server
// ("identifier/name"), the only scopes client credentials can get: every
// scope that is not a standard one, since CreateAppClient allows no
// other.
func isResourceScope(scope string) bool { return !slices.Contains(standardScopes, scope) }
