package cognitolocal

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/cognitojwt/cognitojwt"
)

// The operations of a user signing in and managing their own account.

type initiateAuthInput struct {
	AuthFlow       string            `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
	ClientID       string            `json:"ClientId"`
}

type authenticationResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	IDToken      string `json:"IdToken,omitempty"`
}

type initiateAuthOutput struct {
	ChallengeName        string                `json:"ChallengeName,omitempty"`
	Session              string                `json:"Session,omitempty"`
	AuthenticationResult *authenticationResult `json:"AuthenticationResult,omitempty"`
	ChallengeParameters  map[string]string     `json:"ChallengeParameters"`
}

func authResult(t Tokens) *initiateAuthOutput {
	return &initiateAuthOutput{
		AuthenticationResult: &authenticationResult{
			AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn, TokenType: "Bearer",
			RefreshToken: t.RefreshToken, IDToken: t.IDToken,
		},
		ChallengeParameters: map[string]string{},
	}
}

func (p *Pool) initiateAuth(ctx context.Context, in *initiateAuthInput) (*initiateAuthOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	params := in.AuthParameters
	var t Tokens
	var err error
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH":
		if params["USERNAME"] == "" || params["PASSWORD"] == "" {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter USERNAME or PASSWORD")
		}
		if err := c.checkSecretHash(params["USERNAME"], params["SECRET_HASH"]); err != nil {
			return nil, err
		}
		c, snap, err := p.checkPasswordSignIn(in.ClientID, params["USERNAME"], params["PASSWORD"])
		if errors.Is(err, errPasswordChange) {
			return p.newPasswordChallenge(c, snap)
		}
		if err != nil {
			return nil, err
		}
		t, err = p.signIn(ctx, c, snap, []string{scopeAdmin}, sourceAuthentication, in.ClientMetadata)
		if err != nil {
			return nil, err
		}
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !c.allowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
			return nil, apiErr(codeInvalidParameter, "REFRESH_TOKEN_AUTH flow not enabled for this client")
		}
		if params["REFRESH_TOKEN"] == "" {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter REFRESH_TOKEN")
		}
		if c.ClientSecret != "" && !p.refreshSecretHashOK(c, params["REFRESH_TOKEN"], params["SECRET_HASH"]) {
			return nil, errSecretMismatch
		}
		if t, err = p.refreshTokens(ctx, in.ClientID, params["REFRESH_TOKEN"], in.ClientMetadata); err != nil {
			return nil, err
		}
	case "":
		return nil, apiErr(codeInvalidParameter, "Missing required parameter AuthFlow")
	default:
		return nil, apiErr(codeInvalidParameter, "This user pool supports only USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.")
	}
	return authResult(t), nil
}

// refreshSecretHashOK checks a refresh's SECRET_HASH, which clients
// compute with the username or, after an alias sign-in, the sub.
func (p *Pool) refreshSecretHashOK(c AppClient, refreshToken, hash string) bool {
	p.mu.Lock()
	f := p.families[p.refresh[digest(refreshToken)]]
	var names []string
	if f != nil {
		names = append(names, f.Username)
		if u := p.users[fold(f.Username)]; u != nil {
			names = append(names, u.sub())
		}
	}
	p.mu.Unlock()
	if f == nil {
		return true // refreshTokens answers for an unknown token
	}
	for _, n := range names {
		if c.checkSecretHash(n, hash) == nil {
			return true
		}
	}
	return false
}

// tokenUser checks an access token presented to a user operation and
// returns its user's name: a genuine, unexpired access token of this pool
// that is honoured, with scope aws.cognito.signin.user.admin.
func (p *Pool) tokenUser(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", apiErr(codeInvalidParameter, "Missing required parameter AccessToken")
	}
	claims, err := p.accessVerifier().Verify(ctx, token)
	if err != nil {
		if errors.Is(err, cognitojwt.ErrExpired) {
			return "", errTokenExpired
		}
		return "", errTokenInvalid
	}
	name, err := p.honoured(claims)
	if err != nil {
		return "", err
	}
	if !claims.HasScope(scopeAdmin) {
		return "", errTokenScope
	}
	return name, nil
}

// honoured checks a verified access token against the pool's state: a
// user's token (not client credentials), of a family not revoked, of an
// existing, enabled user. It returns the username.
func (p *Pool) honoured(claims *cognitojwt.Claims) (string, error) {
	if claims.Username == "" || claims.OriginJTI == "" {
		return "", errTokenInvalid
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[fold(claims.Username)]
	if !ok || u.sub() != claims.Subject {
		return "", errUserNotFound
	}
	if !u.Enabled {
		return "", errUserDisabled
	}
	if f := p.families[claims.OriginJTI]; f == nil || f.Revoked {
		// A family unknown to the pool was never issued here (or by a pool
		// whose state was not kept): either way the token is not honoured.
		return "", errTokenRevoked
	}
	return u.Username, nil
}

type accessTokenInput struct {
	AccessToken string `json:"AccessToken"`
}

type getUserOutput struct {
	Username       string      `json:"Username"`
	UserAttributes []attribute `json:"UserAttributes"`
}

func (p *Pool) getUser(ctx context.Context, in *accessTokenInput) (*getUserOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	var out *getUserOutput
	err = p.onUser(name, func(u *user) error {
		out = &getUserOutput{Username: u.Username, UserAttributes: attributeList(u.Attributes)}
		return nil
	})
	return out, err
}

// clientWritable reports whether a user may write attribute name with
// their own access token: the verified flags are for administrators.
func clientWritable(name string) bool {
	return name != "email_verified" && name != "phone_number_verified"
}

type updateUserAttributesInput struct {
	UserAttributes []attribute       `json:"UserAttributes"`
	AccessToken    string            `json:"AccessToken"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

func (p *Pool) updateUserAttributes(ctx context.Context, in *updateUserAttributesInput) (*empty, error) {
	attrs := attributeMap(in.UserAttributes)
	return &empty{}, p.selfService(ctx, in.AccessToken, slices.Collect(maps.Keys(attrs)), func(u *user) error {
		return p.setAttributesLocked(u, attrs)
	})
}

type deleteUserAttributesInput struct {
	UserAttributeNames []string `json:"UserAttributeNames"`
	AccessToken        string   `json:"AccessToken"`
}

func (p *Pool) deleteUserAttributes(ctx context.Context, in *deleteUserAttributesInput) (*empty, error) {
	return &empty{}, p.selfService(ctx, in.AccessToken, in.UserAttributeNames, func(u *user) error {
		return p.deleteAttributesLocked(u, in.UserAttributeNames)
	})
}

// selfService runs f under the lock on the user of an access token, once
// the token is honoured and the user may write every attribute named.
func (p *Pool) selfService(ctx context.Context, token string, names []string, f func(*user) error) error {
	name, err := p.tokenUser(ctx, token)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !clientWritable(n) {
			return errUnwritableAttr
		}
	}
	return p.onUser(name, f)
}

// deleteAttributesLocked removes attributes; sub and immutable custom
// attributes stay, as Cognito refuses to delete them.
func (p *Pool) deleteAttributesLocked(u *user, names []string) error {
	for _, n := range names {
		if _, err := p.writableLocked(n, u); err != nil {
			return err
		}
	}
	for _, n := range names {
		delete(u.Attributes, n)
	}
	u.LastModified = p.now()
	return nil
}

func (p *Pool) globalSignOut(ctx context.Context, in *accessTokenInput) (*empty, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.GlobalSignOut(name)
}

type revokeTokenInput struct {
	Token        string `json:"Token"`
	ClientID     string `json:"ClientId"`
	ClientSecret string `json:"ClientSecret"`
}

func (p *Pool) revokeToken(_ context.Context, in *revokeTokenInput) (*empty, error) {
	if in.Token == "" || in.ClientID == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter Token or ClientId")
	}
	if strings.Count(in.Token, ".") == 2 {
		// A JWT: an access or ID token, which RevokeToken does not take.
		return nil, apiErr("UnsupportedTokenTypeException", "Unsupported token type.")
	}
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if !c.checkSecret(in.ClientSecret) {
		return nil, apiErr("UnauthorizedException", "Client secret is missing or wrong.")
	}
	return &empty{}, p.revokeRefreshToken(in.ClientID, in.Token)
}

type signUpInput struct {
	ClientID       string      `json:"ClientId"`
	SecretHash     string      `json:"SecretHash"`
	Username       string      `json:"Username"`
	Password       string      `json:"Password"`
	UserAttributes []attribute `json:"UserAttributes"`
}

type signUpOutput struct {
	UserConfirmed bool   `json:"UserConfirmed"`
	UserSub       string `json:"UserSub"`
}

// signUp creates an unconfirmed user; no code is sent (AdminConfirmSignUp
// confirms it).
func (p *Pool) signUp(_ context.Context, in *signUpInput) (*signUpOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if err := c.checkSecretHash(in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	attrs := attributeMap(in.UserAttributes)
	for n := range attrs {
		if !clientWritable(n) {
			return nil, errUnwritableAttr
		}
	}
	h := hashPassword(in.Password)
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.createUserLocked(in.Username, attrs)
	if err != nil {
		return nil, err
	}
	u.Password = h
	u.Status = statusUnconfirmed
	return &signUpOutput{UserConfirmed: false, UserSub: u.sub()}, nil
}
