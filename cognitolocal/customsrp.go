package cognitolocal

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// The custom flow that verifies the password first, with SRP ("Define
// auth challenge Lambda trigger"; amazon-cognito-identity-js's
// authenticateUser with authenticationFlowType CUSTOM_AUTH, Amplify's
// CUSTOM_WITH_SRP): InitiateAuth's AuthParameters carry CHALLENGE_NAME
// SRP_A, SRP_A and USERNAME; the define trigger runs with the session
// [{challengeName: SRP_A, challengeResult: true}] and answers
// PASSWORD_VERIFIER, which the pool answers as USER_SRP_AUTH does (with a
// Session besides); "If the password verification succeeds, Amazon
// Cognito invokes your Lambda function again with a new session
// containing challengeName: PASSWORD_VERIFIER and challengeResult: true",
// and the custom challenges follow. A wrong password is refused as in
// USER_SRP_AUTH, without another define round (the guide describes none).
// "If MFA is enabled for a user, after Amazon Cognito verifies the
// password, your user is then challenged to set up or sign in with MFA"
// ("User pool authentication flow"): the MFA challenge comes before the
// define trigger runs again, and the MFA answered joins the session
// (whose challengeName the guide lists SMS_MFA among).

// customPasswordVerifier answers the define trigger's PASSWORD_VERIFIER:
// the SRP exchange of the sign-in's SRP_A, marked as this custom
// sign-in's.
func (p *Pool) customPasswordVerifier(cs customSignIn) (*initiateAuthOutput, error) {
	out, err := p.startSRP(cs.c, cs.typed, cs.srpA, false)
	if err != nil {
		return nil, err
	}
	next := cs
	next.srpA, next.answered, next.metadata, next.fromAnswer = "", "", nil, false
	p.mu.Lock()
	if ex := p.auth.srp[digest(out.ChallengeParameters["SECRET_BLOCK"])]; ex != nil {
		ex.custom = &next
	}
	p.mu.Unlock()
	out.Session = p.newSession(cs.c, cs.username, authSession{challenge: "PASSWORD_VERIFIER", typed: cs.typed, admin: cs.admin})
	return out, nil
}

// customExchange reports whether the SRP exchange of a PASSWORD_VERIFIER
// answer belongs to a custom sign-in.
func (p *Pool) customExchange(secretBlock string) bool {
	if secretBlock == "" {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ex := p.auth.srp[digest(secretBlock)]
	return ex != nil && ex.custom != nil
}

// respondCustomSRP checks the PASSWORD_VERIFIER answer of a custom
// sign-in, by the operation that began it, and runs the define trigger
// again with the password's result in the session.
func (p *Pool) respondCustomSRP(ctx context.Context, c AppClient, in *respondToAuthChallengeInput, admin bool) (*initiateAuthOutput, error) {
	if in.ChallengeResponses["USERNAME"] == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter USERNAME")
	}
	// The answer's DEVICE_KEY, checked before the proof as in
	// USER_SRP_AUTH (passwordVerifierDevice).
	dev, err := p.passwordVerifierDevice(c, in.ChallengeResponses)
	if err != nil {
		return nil, err
	}
	ex, err := p.verifySRP(c, in.ChallengeResponses)
	if err != nil {
		return nil, err
	}
	if in.Session != "" {
		p.endSession(in.Session)
	}
	cs := *ex.custom
	if cs.admin != admin {
		return nil, errSessionGone
	}
	if cs.state.refusal != nil {
		// The right password of a user who may not sign in, through a
		// client that hides users: told now, as the password flows tell
		// it (customStart).
		return nil, cs.state.refusal
	}
	if dev != "" {
		cs.device = dev
	}
	cs.answered, cs.metadata, cs.fromAnswer = in.Session, in.ClientMetadata, true
	cs.state.history = append(cs.state.history[:len(cs.state.history):len(cs.state.history)], events.CognitoEventUserPoolsChallengeResult{
		ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true,
	})
	mfa, err := p.secondFactor(c, cs.username, signInStep{typed: cs.typed, source: sourceAuthentication, admin: admin, device: cs.device})
	if err != nil {
		return nil, err
	}
	if mfa.out != nil {
		p.carryCustom(mfa.out.Session, cs)
		return mfa.out, nil
	}
	return p.customRound(ctx, cs)
}

// carryCustom marks the session of an MFA challenge as one that goes on
// with the custom sign-in cs once answered.
func (p *Pool) carryCustom(token string, cs customSignIn) {
	if token == "" {
		return
	}
	p.updateSession(token, func(s *authSession) { s.customFlow = &cs })
}

// customFlowOf is the custom sign-in the session token's challenge
// interrupts, nil for none.
func (p *Pool) customFlowOf(token string) *customSignIn {
	if token == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessions[digest(token)]; s != nil {
		return s.customFlow
	}
	return nil
}

// resumeCustom goes on with a custom sign-in after an MFA answer: a next
// MFA step (SELECT_MFA_TYPE led to a code, say) carries the sign-in on;
// the MFA passed joins the session and the define trigger runs again.
func (p *Pool) resumeCustom(ctx context.Context, cs customSignIn, in *respondToAuthChallengeInput, res stepResult) (*initiateAuthOutput, error) {
	if res.out != nil {
		p.carryCustom(res.out.Session, cs)
		return res.out, nil
	}
	cs.answered, cs.metadata, cs.fromAnswer = in.Session, in.ClientMetadata, true
	cs.state.history = append(cs.state.history[:len(cs.state.history):len(cs.state.history)], events.CognitoEventUserPoolsChallengeResult{
		ChallengeName: in.ChallengeName, ChallengeResult: true,
	})
	return p.customRound(ctx, cs)
}
