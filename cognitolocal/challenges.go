package cognitolocal

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// The steps of a sign-in after its first factor, shared by the JSON API
// and Managed Login: a new password, then MFA (set-up, choice, code),
// then tokens.

// signInStep carries a sign-in from one step to the next.
type signInStep struct {
	// typed is the name the user signed in with.
	typed string
	// source is the trigger source of the tokens at the end.
	source string
	admin  bool
	hosted bool
	// device is the confirmed device key the sign-in presented
	// (devicesrp.go).
	device string
}

// stepResult is where a step leads: a challenge, or (out nil) the user
// signed in, whose tokens the caller issues (the API) or whose
// authorization code it sends (Managed Login).
type stepResult struct {
	out    *initiateAuthOutput
	user   snapshot
	source string
	// st is the finished sign-in's step; deviceProved that its device
	// passed DEVICE_PASSWORD_VERIFIER.
	st           signInStep
	deviceProved bool
	// answered is the session whose answer led here, if any; fromAnswer
	// that a challenge answer (with or without a session) did.
	answered   string
	fromAnswer bool
}

// afterFirstFactor goes on from a passed first factor (password, SRP):
// the user's status, then NEW_PASSWORD_REQUIRED for a temporary
// password, then MFA.
func (p *Pool) afterFirstFactor(c AppClient, username string, st signInStep) (stepResult, error) {
	p.mu.Lock()
	u, err := p.userLocked(username)
	if err != nil {
		p.mu.Unlock()
		return stepResult{}, errBadCredentials
	}
	enabled, status, snap := u.Enabled, u.Status, p.snapshotLocked(u)
	tempExpired := p.temporaryPasswordExpired(u.TemporarySince)
	p.mu.Unlock()
	switch {
	case !enabled:
		return stepResult{}, errUserDisabled
	case status == statusUnconfirmed:
		return stepResult{}, errNotConfirmed
	case status == statusResetRequired:
		return stepResult{}, errPasswordReset
	case status == statusForceChangePwd && tempExpired:
		return stepResult{}, errTemporaryExpired
	case status == statusForceChangePwd:
		out, err := p.newPasswordChallenge(c, snap, st)
		return stepResult{out: out}, err
	}
	return p.secondFactor(c, username, st)
}

// secondFactor starts the MFA step the pool's configuration and the
// user's factors call for, or ends the sign-in.
func (p *Pool) secondFactor(c AppClient, username string, st signInStep) (stepResult, error) {
	p.mu.Lock()
	u, err := p.userLocked(username)
	if err != nil {
		p.mu.Unlock()
		return stepResult{}, errBadCredentials
	}
	challenge, factors := p.mfaStepLocked(u)
	if p.deviceSkipsMFALocked(u, st.device, challenge) {
		challenge = ""
	}
	snap := p.snapshotLocked(u)
	p.mu.Unlock()
	if challenge == "" {
		return stepResult{user: snap, source: st.source, st: st}, nil
	}
	out, err := p.beginChallenge(c, username, challenge, factors, st)
	return stepResult{out: out}, err
}

// beginChallenge answers with challenge for username: a session and the
// challenge's parameters; SMS_MFA and EMAIL_OTP send a code first.
func (p *Pool) beginChallenge(c AppClient, username, challenge string, factors []string, st signInStep) (*initiateAuthOutput, error) {
	s := authSession{challenge: challenge, typed: st.typed, source: st.source, admin: st.admin, hosted: st.hosted, choices: factors, device: st.device}
	params := map[string]string{"USER_ID_FOR_SRP": username}
	var held *heldMessages
	switch challenge {
	case factorTOTP:
		p.mu.Lock()
		device := ""
		if u := p.userNamed(username); u != nil && u.MFA != nil {
			device = u.MFA.TOTPDevice
		}
		p.mu.Unlock()
		params["FRIENDLY_DEVICE_NAME"] = device
	case factorSMS, factorEmail:
		held = &heldMessages{clientID: c.ClientID}
		code, medium, dest, address, err := p.sendSignInCode(held, username, challenge, 6)
		if err != nil {
			return nil, err
		}
		s.code, s.sentTo = digest(code), address
		params["CODE_DELIVERY_DELIVERY_MEDIUM"], params["CODE_DELIVERY_DESTINATION"] = medium, dest
	case "SELECT_MFA_TYPE":
		params["MFAS_CAN_CHOOSE"] = jsonList(factors)
	case "MFA_SETUP":
		params["MFAS_CAN_SETUP"] = jsonList(factors)
	}
	return &initiateAuthOutput{ChallengeName: challenge, Session: p.newSession(c, username, s), ChallengeParameters: params, held: held}, nil
}

// newPasswordChallenge answers a sign-in with a temporary password as
// Cognito does: NEW_PASSWORD_REQUIRED, a session for
// RespondToAuthChallenge, and the user's attributes.
func (p *Pool) newPasswordChallenge(c AppClient, snap snapshot, st signInStep) (*initiateAuthOutput, error) {
	attrs := maps.Clone(snap.attrs)
	delete(attrs, "sub")
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, apiErr("InternalErrorException", "The user's attributes could not be encoded.")
	}
	session := p.newSession(c, snap.username, authSession{challenge: "NEW_PASSWORD_REQUIRED", typed: st.typed, source: st.source, admin: st.admin, hosted: st.hosted})
	return &initiateAuthOutput{
		ChallengeName: "NEW_PASSWORD_REQUIRED",
		Session:       session,
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP": snap.username, "requiredAttributes": "[]", "userAttributes": string(b),
		},
	}, nil
}

// challengeInput is an answer to a challenge, from RespondToAuthChallenge
// or its Admin form.
type challengeInput struct {
	name      string
	session   string
	responses map[string]string
	admin     bool
	hosted    bool
	// sourceIP is where the answer came from (sourceIP), for the device
	// it proves.
	sourceIP string
	// metadata is the answer's ClientMetadata, for the user migration
	// trigger a SELECT_CHALLENGE answer of PASSWORD may run.
	metadata map[string]string
}

// answerChallenge runs one answer to a challenge and says where the
// sign-in goes next.
func (p *Pool) answerChallenge(ctx context.Context, c AppClient, in challengeInput) (stepResult, error) {
	r := in.responses
	if in.name == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter ChallengeName")
	}
	if r["USERNAME"] == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter USERNAME")
	}
	if in.name == "PASSWORD_VERIFIER" {
		dev, err := p.passwordVerifierDevice(c, r)
		if err != nil {
			return stepResult{}, err
		}
		ex, err := p.verifySRP(c, r)
		if err != nil {
			return stepResult{}, err
		}
		if ex.userAuth && in.session != "" {
			p.endSession(in.session)
		}
		return p.afterFirstFactor(c, ex.username, signInStep{typed: ex.typed, source: sourceAuthentication, admin: in.admin, device: dev})
	}
	if in.name == "DEVICE_SRP_AUTH" || in.name == "DEVICE_PASSWORD_VERIFIER" {
		return p.answerDevice(c, in)
	}
	if !slices.Contains(answerable, in.name) {
		return stepResult{}, apiErr(codeInvalidParameter, "This user pool answers PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SMS_OTP, SELECT_MFA_TYPE, MFA_SETUP, SELECT_CHALLENGE and CUSTOM_CHALLENGE only.")
	}
	s, err := p.openAnsweredSession(c, in)
	if err != nil {
		return stepResult{}, err
	}
	st := signInStep{typed: s.typed, source: s.source, admin: s.admin, hosted: s.hosted, device: s.device}
	st.source = cmp.Or(st.source, sourceAuthentication)
	switch in.name {
	case "NEW_PASSWORD_REQUIRED":
		return p.answerNewPassword(c, in.session, s, r, st)
	case factorTOTP, factorSMS, factorEmail, firstSMSOTP:
		return p.answerCode(c, in.session, s, r, st)
	case "SELECT_MFA_TYPE":
		if !slices.Contains(s.choices, r["ANSWER"]) {
			return stepResult{}, apiErr(codeInvalidParameter, "ANSWER must be one of MFAS_CAN_CHOOSE.")
		}
		if err := p.claimSession(in.session); err != nil {
			return stepResult{}, err
		}
		out, err := p.beginChallenge(c, s.username, r["ANSWER"], nil, st)
		return stepResult{out: out}, err
	case "MFA_SETUP":
		return p.answerMFASetup(c, in.session, s, r, st)
	case "SELECT_CHALLENGE":
		return p.answerSelectChallenge(ctx, c, in, s)
	}
	return stepResult{}, errSessionGone
}

// answerable are the challenges answered with a session.
var answerable = []string{"NEW_PASSWORD_REQUIRED", factorTOTP, factorSMS, factorEmail, firstSMSOTP, "SELECT_MFA_TYPE", "MFA_SETUP", "SELECT_CHALLENGE"}

// openAnsweredSession opens the session a challenge answer names, for
// the operation that began it (API or admin, API or Managed Login) and
// with the client's SECRET_HASH: the one rule every answer passes first.
func (p *Pool) openAnsweredSession(c AppClient, in challengeInput) (authSession, error) {
	s, err := p.openSession(in.session, c, in.name, in.responses["USERNAME"])
	if err != nil {
		return authSession{}, err
	}
	if s.admin != in.admin || s.hosted != in.hosted {
		return authSession{}, errSessionGone
	}
	// A Managed Login page answers for the browser, which holds no
	// client secret: a confidential client proves its secret when it
	// exchanges the authorization code at the token endpoint.
	if in.hosted {
		return s, nil
	}
	if err := p.checkChallengeSecretHash(c, s, in.responses); err != nil {
		return authSession{}, err
	}
	return s, nil
}

// checkChallengeSecretHash checks an answer's SECRET_HASH, which clients
// compute with the name they answer as (USERNAME), the canonical
// username or the name they signed in with.
func (p *Pool) checkChallengeSecretHash(c AppClient, s authSession, r map[string]string) error {
	err := c.checkSecretHash(r["USERNAME"], r["SECRET_HASH"])
	if err == nil || r["SECRET_HASH"] == "" {
		return err
	}
	for _, name := range []string{s.username, s.typed} {
		if name != "" && c.checkSecretHash(name, r["SECRET_HASH"]) == nil {
			return nil
		}
	}
	return err
}

// answerNewPassword sets the new password (and "userAttributes.NAME"
// answers) of a user signing in with a temporary one; MFA follows. The
// session ends even when the answer fails, as it did before MFA; of
// answers sent at once, the one that ends it goes on.
func (p *Pool) answerNewPassword(c AppClient, token string, s authSession, r map[string]string, st signInStep) (stepResult, error) {
	if err := p.claimSession(token); err != nil {
		return stepResult{}, err
	}
	if r["NEW_PASSWORD"] == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter NEW_PASSWORD")
	}
	if err := p.checkPassword(r["NEW_PASSWORD"]); err != nil {
		return stepResult{}, err
	}
	attrs := map[string]string{}
	for k, v := range r {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			if !clientWritable(name) {
				return stepResult{}, errUnwritableAttr
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
	if err == nil {
		p.setPasswordLocked(u, h, r["NEW_PASSWORD"])
		u.Status = statusConfirmed
	}
	p.mu.Unlock()
	if err != nil {
		return stepResult{}, err
	}
	st.source = sourceNewPassword
	return p.secondFactor(c, s.username, st)
}

// answerCode checks an MFA code (TOTP, or the code sent by SMS or email)
// or the one-time code of a first factor (EMAIL_OTP, SMS_OTP); a wrong
// one leaves the session to a few more tries.
func (p *Pool) answerCode(c AppClient, token string, s authSession, r map[string]string, st signInStep) (stepResult, error) {
	field := map[string]string{factorTOTP: "SOFTWARE_TOKEN_MFA_CODE", factorSMS: "SMS_MFA_CODE", factorEmail: "EMAIL_OTP_CODE", firstSMSOTP: "SMS_OTP_CODE"}[s.challenge]
	code := r[field]
	if code == "" && s.challenge == factorEmail {
		code = r["EMAIL_MFA_CODE"]
	}
	if code == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter "+field)
	}
	p.mu.Lock()
	// A client that hides users checks the code before refusing a user
	// who must pass MFA: the refusal would tell the name from an unknown
	// one, whose code is wrong whatever it is, and only the code's owner
	// learns of it so.
	refusal := p.refuseFirstFactorCodeLocked(s)
	if refusal != nil && !c.hidesUsers() {
		p.mu.Unlock()
		return stepResult{}, refusal
	}
	u, err := p.userLocked(s.username)
	if err == errUserNotFound && s.firstFactor {
		// The decoy session of a name the pool does not know
		// (otpFactor): a wrong code, as any code is, so that the
		// answer tells no user apart.
		err = errMFACode
	}
	if err == nil {
		switch {
		case s.challenge == factorTOTP:
			err = p.checkTOTPLocked(u, code)
		case !codeMatches(s.code, code):
			err = errMFACode
		case refusal != nil:
			err = refusal
		}
	}
	if err == nil {
		// Ended under the lock that checked the code: of right answers
		// sent at once, one signs in.
		err = p.claimSessionLocked(token)
	}
	if err == nil && s.challenge != factorTOTP {
		p.codeReceivedLocked(u, s)
		// "The user status also changed from UNCONFIRMED to CONFIRMED"
		// (developer guide, "Passwordless sign-in with one-time
		// passwords"); only a first-factor code reaches here for an
		// unconfirmed user.
		if u.Status == statusUnconfirmed {
			u.Status = statusConfirmed
			u.LastModified = p.now()
		}
	}
	p.mu.Unlock()
	if err != nil {
		if err == errMFACode || err == errTOTPReused {
			p.failSession(token)
		}
		return stepResult{}, err
	}
	return p.signedIn(s.username, st)
}

// signedIn ends a sign-in: the user, read afresh and still enabled.
func (p *Pool) signedIn(username string, st signInStep) (stepResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(username)
	if err != nil {
		return stepResult{}, errBadCredentials
	}
	if !u.Enabled {
		return stepResult{}, errUserDisabled
	}
	return stepResult{user: p.snapshotLocked(u), source: st.source, st: st}, nil
}

// apiStep turns a step into the API's answer: the challenge, or the
// tokens of the finished sign-in.
func (p *Pool) apiStep(ctx context.Context, c AppClient, res stepResult, err error, metadata map[string]string) (*initiateAuthOutput, error) {
	if err != nil {
		return nil, err
	}
	if res.out != nil {
		return res.out, nil
	}
	return p.finishAPISignIn(ctx, c, res, metadata)
}
