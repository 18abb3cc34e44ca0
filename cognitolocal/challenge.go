package cognitolocal

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"time"
)

// sessionLifetime is how long a challenge session can be answered:
// Cognito's default of three minutes.
const sessionLifetime = 3 * time.Minute

// authSession is a sign-in waiting for its challenge's answer.
type authSession struct {
	username, clientID string
	expires            time.Time
}

// newPasswordChallenge answers a sign-in with a temporary password as
// Cognito does: NEW_PASSWORD_REQUIRED, a session for
// RespondToAuthChallenge, and the user's attributes.
func (p *Pool) newPasswordChallenge(c AppClient, snap snapshot) (*initiateAuthOutput, error) {
	session := randomToken(96)
	p.mu.Lock()
	p.sessions[digest(session)] = &authSession{username: snap.username, clientID: c.ClientID, expires: p.now().Add(sessionLifetime)}
	p.mu.Unlock()
	attrs := maps.Clone(snap.attrs)
	delete(attrs, "sub")
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, apiErr("InternalErrorException", "The user's attributes could not be encoded.")
	}
	return &initiateAuthOutput{
		ChallengeName: "NEW_PASSWORD_REQUIRED",
		Session:       session,
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP": snap.username, "requiredAttributes": "[]", "userAttributes": string(b),
		},
	}, nil
}

type respondToAuthChallengeInput struct {
	ClientID           string            `json:"ClientId"`
	ChallengeName      string            `json:"ChallengeName"`
	Session            string            `json:"Session"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

// respondToAuthChallenge answers NEW_PASSWORD_REQUIRED: the session once,
// within three minutes, by its client and user; the new password follows
// the policy; "userAttributes.NAME" responses set attributes. The user is
// then confirmed and signed in.
func (p *Pool) respondToAuthChallenge(ctx context.Context, in *respondToAuthChallengeInput) (*initiateAuthOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if in.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		return nil, apiErr(codeInvalidParameter, "This user pool answers only NEW_PASSWORD_REQUIRED challenges.")
	}
	r := in.ChallengeResponses
	if r["USERNAME"] == "" || r["NEW_PASSWORD"] == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter USERNAME or NEW_PASSWORD")
	}
	if err := c.checkSecretHash(r["USERNAME"], r["SECRET_HASH"]); err != nil {
		return nil, err
	}
	p.mu.Lock()
	key := digest(in.Session)
	s := p.sessions[key]
	delete(p.sessions, key) // single use, even when the answer fails
	p.mu.Unlock()
	if s == nil || s.clientID != c.ClientID || fold(s.username) != fold(r["USERNAME"]) || !p.now().Before(s.expires) {
		return nil, errSessionInvalid
	}
	if err := checkPassword(r["NEW_PASSWORD"]); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range r {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			if !clientWritable(name) {
				return nil, errUnwritableAttr
			}
			attrs[name] = v
		}
	}
	h := hashPassword(r["NEW_PASSWORD"])
	p.mu.Lock()
	u, err := p.userLocked(s.username)
	if err == nil && (!u.Enabled || u.Status != statusForceChangePwd) {
		err = errSessionInvalid
	}
	if err == nil {
		err = p.setAttributesLocked(u, attrs)
	}
	var snap snapshot
	if err == nil {
		u.Password, u.Status = h, statusConfirmed
		snap = p.snapshotLocked(u)
	}
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	t, err := p.signIn(ctx, c, snap, []string{scopeAdmin}, sourceNewPassword, in.ClientMetadata)
	if err != nil {
		return nil, err
	}
	return authResult(t), nil
}
