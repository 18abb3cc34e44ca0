package cognitolocal

import (
	"context"
	"errors"
	"strings"

	"github.com/cognitojwt/cognitojwt"
)

// The JSON API operations of sign-in and sign-out: auth flows, challenges, token revocation.

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
	// NewDeviceMetadata is the device key of a sign-in that presented
	// none, in a pool that tracks devices (devices.go).
	NewDeviceMetadata *newDeviceMetadata `json:"NewDeviceMetadata,omitempty"`
}

type initiateAuthOutput struct {
	ChallengeName        string                `json:"ChallengeName,omitempty"`
	Session              string                `json:"Session,omitempty"`
	AuthenticationResult *authenticationResult `json:"AuthenticationResult,omitempty"`
	ChallengeParameters  map[string]string     `json:"ChallengeParameters"`
	// AvailableChallenges are the first factors SELECT_CHALLENGE offers.
	AvailableChallenges []string `json:"AvailableChallenges,omitempty"`
	// held is the sign-in code the challenge sends, held back for the
	// custom message trigger until the answer goes out (sendHeldCode).
	held *heldMessages
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
		if err := c.checkSignInParams(params, "PASSWORD"); err != nil {
			return nil, err
		}
		if !c.allowsFlow("ALLOW_USER_PASSWORD_AUTH") && !c.allowsFlow("USER_PASSWORD_AUTH") {
			return nil, apiErr(codeInvalidParameter, "USER_PASSWORD_AUTH flow not enabled for this client")
		}
		return p.passwordSignIn(ctx, c, params, in.ClientMetadata, false)
	case "USER_SRP_AUTH":
		if !c.allowsFlow("ALLOW_USER_SRP_AUTH") {
			return nil, apiErr(codeInvalidParameter, "USER_SRP_AUTH is not enabled for the client.")
		}
		if err := c.checkSignInParams(params, "SRP_A"); err != nil {
			return nil, err
		}
		dev, err := p.presentedDevice(c, params["USERNAME"], params["DEVICE_KEY"])
		if err != nil {
			return nil, err
		}
		if err := p.preAuthentication(ctx, c, params["USERNAME"], in.ClientMetadata); err != nil {
			return nil, err
		}
		out, err := p.startSRP(c, params["USERNAME"], params["SRP_A"], false)
		p.tagSRPDevice(out, dev)
		return out, err
	case "CUSTOM_AUTH":
		return p.initiateCustomAuth(ctx, c, params, in.ClientMetadata, false)
	case "USER_AUTH":
		res, err := p.initiateUserAuth(ctx, c, params, in.ClientMetadata)
		return p.apiStep(ctx, c, res, err, in.ClientMetadata)
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
		if t, err = p.refreshTokens(ctx, in.ClientID, params["REFRESH_TOKEN"], params["DEVICE_KEY"], in.ClientMetadata); err != nil {
			return nil, err
		}
	case "":
		return nil, apiErr(codeInvalidParameter, "Missing required parameter AuthFlow")
	default:
		return nil, apiErr(codeInvalidParameter, "This user pool supports USER_SRP_AUTH, USER_PASSWORD_AUTH, USER_AUTH, CUSTOM_AUTH and REFRESH_TOKEN_AUTH.")
	}
	return authResult(t), nil
}

// checkSignInParams checks what every sign-in flow that names its user
// needs: USERNAME, the flow's own secret (PASSWORD or SRP_A) and, for a
// client with a secret, the SECRET_HASH of that username.
func (c *AppClient) checkSignInParams(params map[string]string, secret string) error {
	if params["USERNAME"] == "" || params[secret] == "" {
		return apiErr(codeInvalidParameter, "Missing required parameter USERNAME or "+secret)
	}
	return c.checkSecretHash(params["USERNAME"], params["SECRET_HASH"])
}

// passwordSignIn signs in with USERNAME and PASSWORD, from the API or,
// admin, from AdminInitiateAuth, once the flow and its parameters have
// been checked: the device presented, then the password as first factor.
func (p *Pool) passwordSignIn(ctx context.Context, c AppClient, params, metadata map[string]string, admin bool) (*initiateAuthOutput, error) {
	// The guide's migrate user page: the request's ClientMetadata is the
	// trigger's validationData.
	if _, err := p.migrateUser(ctx, migration{c: c, source: sourceMigrateAuth, username: params["USERNAME"], password: params["PASSWORD"], validation: metadata}); err != nil {
		return nil, err
	}
	dev, err := p.presentedDevice(c, params["USERNAME"], params["DEVICE_KEY"])
	if err != nil {
		return nil, err
	}
	if err := p.preAuthentication(ctx, c, params["USERNAME"], metadata); err != nil {
		return nil, err
	}
	st := signInStep{typed: params["USERNAME"], source: sourceAuthentication, admin: admin, device: dev}
	res, err := p.passwordFactor(c, params["USERNAME"], params["PASSWORD"], st)
	return p.apiStep(ctx, c, res, err, metadata)
}

// refreshSecretHashOK checks a refresh's SECRET_HASH, which clients
// compute with the username or, after an alias sign-in, the sub.
func (p *Pool) refreshSecretHashOK(c AppClient, refreshToken, hash string) bool {
	p.mu.Lock()
	f := p.families[p.refresh[digest(refreshToken)]]
	var names []string
	if f != nil {
		names = append(names, f.Username)
		if u := p.userNamed(f.Username); u != nil {
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
	u := p.userNamed(claims.Username)
	if u == nil || u.sub() != claims.Subject {
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
	// API reference, RevokeToken: a client whose EnableTokenRevocation
	// is false cannot revoke.
	if c.TokenRevocationDisabled {
		return nil, apiErr(codeUnsupportedOp, "Token revocation is not enabled for this app client.")
	}
	return &empty{}, p.revokeRefreshToken(in.ClientID, in.Token)
}

type respondToAuthChallengeInput struct {
	ClientID           string            `json:"ClientId"`
	ChallengeName      string            `json:"ChallengeName"`
	Session            string            `json:"Session"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

// respondToAuthChallenge answers the challenges of InitiateAuth:
// PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, the MFA challenges,
// SELECT_CHALLENGE and CUSTOM_CHALLENGE. A session is answered once, within the client's
// AuthSessionValidity, by its client and user.
func (p *Pool) respondToAuthChallenge(ctx context.Context, in *respondToAuthChallengeInput) (*initiateAuthOutput, error) {
	return p.respond(ctx, in, false)
}

// respond answers a challenge of InitiateAuth or, admin, of
// AdminInitiateAuth: a session answers only the operation that began it.
func (p *Pool) respond(ctx context.Context, in *respondToAuthChallengeInput, admin bool) (*initiateAuthOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if in.ChallengeName == challengeCustom {
		return p.respondCustom(ctx, c, in, admin)
	}
	if in.ChallengeName == "PASSWORD_VERIFIER" && p.customExchange(in.ChallengeResponses["PASSWORD_CLAIM_SECRET_BLOCK"]) {
		return p.respondCustomSRP(ctx, c, in, admin)
	}
	flow := p.customFlowOf(in.Session)
	res, err := p.answerChallenge(ctx, c, challengeInput{name: in.ChallengeName, session: in.Session, responses: in.ChallengeResponses, admin: admin,
		sourceIP: sourceIP(ctx), metadata: in.ClientMetadata})
	res.answered, res.fromAnswer = in.Session, true
	if flow != nil && err == nil {
		return p.resumeCustom(ctx, *flow, in, res)
	}
	return p.apiStep(ctx, c, res, err, in.ClientMetadata)
}
