package cognitolocal

import "context"

type respondToAuthChallengeInput struct {
	ClientID           string            `json:"ClientId"`
	ChallengeName      string            `json:"ChallengeName"`
	Session            string            `json:"Session"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

// respondToAuthChallenge answers the challenges of InitiateAuth:
// PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, the MFA challenges and
// SELECT_CHALLENGE. A session is answered once, within the client's
// AuthSessionValidity, by its client and user.
func (p *Pool) respondToAuthChallenge(ctx context.Context, in *respondToAuthChallengeInput) (*initiateAuthOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	res, err := p.answerChallenge(c, challengeInput{name: in.ChallengeName, session: in.Session, responses: in.ChallengeResponses})
	return p.apiStep(ctx, c, res, err, in.ClientMetadata)
}
