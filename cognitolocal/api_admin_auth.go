package cognitolocal

import "context"

// The server-side sign-in operations: AdminInitiateAuth and
// AdminRespondToAuthChallenge, authorised by IAM credentials (which the
// local pool does not check) rather than by the client alone.

// adminInitiateAuthInput is InitiateAuth's input with the pool named,
// as adminRespondToAuthChallengeInput is RespondToAuthChallenge's.
type adminInitiateAuthInput struct {
	UserPoolID string `json:"UserPoolId"`
	initiateAuthInput
}

// adminInitiateAuth signs a user in with a password
// (ADMIN_USER_PASSWORD_AUTH, or its older name ADMIN_NO_SRP_AUTH), with
// the custom challenge triggers (CUSTOM_AUTH, customauth.go), or
// refreshes tokens (REFRESH_TOKEN_AUTH). API reference,
// AdminInitiateAuth:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html
func (p *Pool) adminInitiateAuth(ctx context.Context, in *adminInitiateAuthInput) (*initiateAuthOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	params := in.AuthParameters
	switch in.AuthFlow {
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		// The client must allow the flow: ALLOW_ADMIN_USER_PASSWORD_AUTH,
		// or the legacy ADMIN_NO_SRP_AUTH (API reference,
		// CreateUserPoolClient, ExplicitAuthFlows).
		if !c.allowsFlow("ALLOW_ADMIN_USER_PASSWORD_AUTH") && !c.allowsFlow("ADMIN_NO_SRP_AUTH") {
			return nil, apiErr(codeInvalidParameter, "Auth flow not enabled for this client")
		}
		if err := c.checkSignInParams(params, "PASSWORD"); err != nil {
			return nil, err
		}
		return p.passwordSignIn(ctx, c, params, in.ClientMetadata, true)
	case "CUSTOM_AUTH":
		return p.initiateCustomAuth(ctx, c, params, in.ClientMetadata, true)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return p.initiateAuth(ctx, &in.initiateAuthInput)
	case "":
		return nil, apiErr(codeInvalidParameter, "Missing required parameter AuthFlow")
	}
	return nil, apiErr(codeInvalidParameter, "This user pool supports AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, CUSTOM_AUTH and REFRESH_TOKEN_AUTH.")
}

type adminRespondToAuthChallengeInput struct {
	UserPoolID string `json:"UserPoolId"`
	respondToAuthChallengeInput
}

// adminRespondToAuthChallenge answers a challenge of AdminInitiateAuth
// as RespondToAuthChallenge does. API reference,
// AdminRespondToAuthChallenge:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminRespondToAuthChallenge.html
func (p *Pool) adminRespondToAuthChallenge(ctx context.Context, in *adminRespondToAuthChallengeInput) (*initiateAuthOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return p.respond(ctx, &in.respondToAuthChallengeInput, true)
}
