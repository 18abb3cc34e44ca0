package cognitolocal

import (
	"context"
	"crypto/subtle"
	"slices"
)

// Choice-based sign-in, USER_AUTH: the client names a first factor
// (PREFERRED_CHALLENGE) or the pool offers the ones the user can use
// (SELECT_CHALLENGE): PASSWORD, PASSWORD_SRP, or a one-time code by
// email (EMAIL_OTP) or SMS (SMS_OTP). A user who must pass MFA signs in
// with a password only (passwordless.go).

// First factors of choice-based sign-in, as SignInPolicy and the
// challenges name them.
const (
	firstPassword = "PASSWORD"
	firstSRP      = "PASSWORD_SRP"
	firstEmailOTP = "EMAIL_OTP"
	firstSMSOTP   = "SMS_OTP"
)

// SetFirstAuthFactors sets the factors choice-based sign-in (USER_AUTH)
// offers, as SignInPolicy.AllowedFirstAuthFactors: "PASSWORD" (which
// brings PASSWORD_SRP along, and which Cognito requires), "EMAIL_OTP"
// and "SMS_OTP". The default is PASSWORD alone.
func (p *Pool) SetFirstAuthFactors(factors []string) error {
	if err := checkFirstAuthFactors(factors); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	s.FirstAuthFactors, s.Modified = slices.Clone(factors), p.now()
	p.settings.Store(&s)
	return nil
}

// checkFirstAuthFactors checks AllowedFirstAuthFactors: PASSWORD, and
// the factors the pool can run.
func checkFirstAuthFactors(factors []string) error {
	if !slices.Contains(factors, firstPassword) {
		return apiErr(codeInvalidParameter, "AllowedFirstAuthFactors must include PASSWORD.")
	}
	for _, f := range factors {
		if f != firstPassword && f != firstEmailOTP && f != firstSMSOTP {
			return apiErr(codeInvalidParameter, "AllowedFirstAuthFactors may hold PASSWORD, EMAIL_OTP and SMS_OTP.")
		}
	}
	return nil
}

// FirstAuthFactors returns the factors choice-based sign-in offers.
func (p *Pool) FirstAuthFactors() []string {
	if f := p.conf().FirstAuthFactors; len(f) > 0 {
		return slices.Clone(f)
	}
	return []string{firstPassword}
}

// availableFirstFactorsLocked are the first factors username can use: a
// password (as such or by SRP) when the pool allows passwords, a code by
// email or SMS when the pool allows it, the user has an email address or
// a phone number (verified or not: the right code verifies it) and no
// MFA to pass.
//
// A client that hides users (PreventUserExistenceErrors ENABLED) offers
// every name, known or not, the same list: all the factors the pool
// allows, the passwordless ones unless the pool requires MFA. Which
// factors a user can use would otherwise tell a user without an email
// address from a name the pool does not know. A factor the user cannot
// use answers as it would for an unknown name (otpFactor).
func (p *Pool) availableFirstFactorsLocked(c AppClient, username string) []string {
	allowed := p.FirstAuthFactors()
	var out []string
	if slices.Contains(allowed, firstPassword) {
		out = append(out, firstPassword, firstSRP)
	}
	var u *user // nil: every name, for a client that hides users
	if !c.hidesUsers() {
		if u = p.userNamed(username); u == nil {
			return out
		}
	}
	if p.passwordlessBlockedLocked(u) {
		return out
	}
	if slices.Contains(allowed, firstEmailOTP) && (u == nil || u.Attributes["email"] != "") {
		out = append(out, firstEmailOTP)
	}
	if slices.Contains(allowed, firstSMSOTP) && (u == nil || u.Attributes["phone_number"] != "") {
		out = append(out, firstSMSOTP)
	}
	return out
}

// hiddenNameLocked is the USERNAME (and USER_ID_FOR_SRP) an unknown name
// is answered with by a client that hides users: what a user's own would
// look like. Pools that sign in with an email address or phone number
// answer their users' with the UUID that is their username, so an
// unknown name gets a stable UUID (decoyUserID); other pools with the
// username as stored, which a pool that ignores case answers whatever
// case was typed, so an unknown name comes back in lower case, as
// usernames are most often stored.
func (p *Pool) hiddenNameLocked(typed string) string {
	switch s := p.conf(); {
	case len(s.UsernameAttributes) > 0:
		return decoyUserID(p.auth.decoyKey, typed)
	case !s.CaseSensitive:
		return fold(typed)
	}
	return typed
}

// initiateUserAuth starts USER_AUTH: the preferred factor when the user
// can use it, else SELECT_CHALLENGE with the factors available.
func (p *Pool) initiateUserAuth(ctx context.Context, c AppClient, params, metadata map[string]string) (stepResult, error) {
	if !c.allowsFlow("ALLOW_USER_AUTH") {
		return stepResult{}, apiErr(codeInvalidParameter, "USER_AUTH flow not enabled for this client")
	}
	username := params["USERNAME"]
	if username == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter USERNAME")
	}
	if err := c.checkSecretHash(username, params["SECRET_HASH"]); err != nil {
		return stepResult{}, err
	}
	// A sign-in that names PASSWORD and sends it is a sign-in with a
	// password, which may migrate its user as USER_PASSWORD_AUTH does
	// (usermigration.go); only passwordless sign-in never does.
	if params["PREFERRED_CHALLENGE"] == firstPassword && params["PASSWORD"] != "" {
		if _, err := p.migrateUser(ctx, migration{c: c, source: sourceMigrateAuth, username: username, password: params["PASSWORD"], validation: metadata}); err != nil {
			return stepResult{}, err
		}
	}
	if err := p.preAuthentication(ctx, c, username, metadata); err != nil {
		return stepResult{}, err
	}
	p.mu.Lock()
	available := p.availableFirstFactorsLocked(c, username)
	u := p.userNamed(username)
	canonical := p.hiddenNameLocked(username)
	if u != nil {
		canonical = u.Username
	}
	p.mu.Unlock()
	if u == nil && !c.hidesUsers() {
		return stepResult{}, errUserNotFound
	}
	pref := params["PREFERRED_CHALLENGE"]
	if err := p.refusePasswordless(c, username, pref); err != nil {
		return stepResult{}, err
	}
	if pref != "" && slices.Contains(available, pref) {
		return p.firstFactor(c, username, pref, params)
	}
	session := p.newSession(c, canonical, authSession{challenge: "SELECT_CHALLENGE", typed: username, choices: available})
	return stepResult{out: &initiateAuthOutput{
		ChallengeName: "SELECT_CHALLENGE", Session: session,
		ChallengeParameters: map[string]string{"USERNAME": canonical},
		AvailableChallenges: available,
	}}, nil
}

// answerSelectChallenge runs the factor a SELECT_CHALLENGE answer chose,
// with the password or SRP_A it brings. PASSWORD with the password is a
// sign-in with a password, which runs the user migration trigger for a
// name no user has as PREFERRED_CHALLENGE PASSWORD does ("Migrate user
// Lambda trigger": the pool invokes it "when a user doesn't exist in the
// user pool at the time of sign-in with a password"); a name the trigger
// cannot migrate goes on as an unknown name's. The answer's
// ClientMetadata is the event's clientMetadata, as AdminRespondToAuthChallenge's
// reference lists the user migration trigger among those it reaches.
func (p *Pool) answerSelectChallenge(ctx context.Context, c AppClient, in challengeInput, s authSession) (stepResult, error) {
	token, r := in.session, in.responses
	// Checked again: the user may have turned MFA on since the choices
	// were offered. The session stays open for a password.
	if err := p.refusePasswordless(c, s.typed, r["ANSWER"]); err != nil {
		return stepResult{}, err
	}
	if !slices.Contains(s.choices, r["ANSWER"]) {
		return stepResult{}, apiErr(codeInvalidParameter, "ANSWER must be one of the AvailableChallenges.")
	}
	if err := p.claimSession(token); err != nil {
		return stepResult{}, err
	}
	if r["ANSWER"] == firstPassword {
		if _, err := p.migrateUser(ctx, migration{c: c, source: sourceMigrateAuth, username: s.typed, password: r["PASSWORD"], metadata: in.metadata}); err != nil {
			return stepResult{}, err
		}
	}
	return p.firstFactor(c, s.typed, r["ANSWER"], r)
}

// firstFactor runs a first factor of choice-based sign-in.
func (p *Pool) firstFactor(c AppClient, username, factor string, params map[string]string) (stepResult, error) {
	dev, err := p.presentedDevice(c, username, params["DEVICE_KEY"])
	if err != nil {
		return stepResult{}, err
	}
	st := signInStep{typed: username, source: sourceAuthentication, device: dev}
	switch factor {
	case firstPassword:
		if params["PASSWORD"] == "" {
			return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter PASSWORD")
		}
		return p.passwordFactor(c, username, params["PASSWORD"], st)
	case firstSRP:
		if params["SRP_A"] == "" {
			return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter SRP_A")
		}
		out, err := p.startSRP(c, username, params["SRP_A"], true)
		p.tagSRPDevice(out, dev)
		return stepResult{out: out}, err
	case firstEmailOTP, firstSMSOTP:
		return p.otpFactor(c, username, factor, st)
	}
	return stepResult{}, apiErr(codeInvalidParameter, "Unknown first factor.")
}

// passwordFactor checks a password and goes on: a new password, MFA,
// tokens.
func (p *Pool) passwordFactor(c AppClient, username, password string, st signInStep) (stepResult, error) {
	snap, err := p.checkCredentialsFor(c, username, password)
	if err == errPasswordChange {
		out, err := p.newPasswordChallenge(c, snap, st)
		return stepResult{out: out}, err
	}
	if err != nil {
		return stepResult{}, err
	}
	return p.secondFactor(c, snap.username, st)
}

// codeMatches compares a code with the digest of the one sent.
func codeMatches(sentDigest, code string) bool {
	return sentDigest != "" && subtle.ConstantTimeCompare([]byte(sentDigest), []byte(digest(code))) == 1
}
