package cognitolocal

import (
	"cmp"
	"net/mail"
	"slices"
)

// MFA_SETUP: a sign-in that MFA ON stops because the user has no factor
// sets one up inside the challenge. The API reference
// (RespondToAuthChallenge, ChallengeName) names the ways: TOTP with
// AssociateSoftwareToken and VerifySoftwareToken on the challenge's
// session, then an answer with that session; SMS and email by giving the
// user a phone_number or email attribute and signing in again, when
// their factor counts without a preference (mfa.go). Amplify JS also
// answers with an email address (ChallengeResponses EMAIL, its
// CONTINUE_SIGN_IN_WITH_EMAIL_SETUP step): Cognito sends a code there and
// answers EMAIL_OTP, whose right code makes the address the user's email,
// verified, and email MFA the user's factor.

// Refusals of MFA_SETUP answers. The documentation names no error for
// them; these are InvalidParameterException, as for other malformed
// answers.
var (
	errSetupNothing = apiErr(codeInvalidParameter, "Set up an MFA factor first: AssociateSoftwareToken and VerifySoftwareToken with this Session, or EMAIL with an email address.")
	errSetupNoEmail = apiErr(codeInvalidParameter, "Email MFA is not enabled for the user pool.")
	errSetupSMS     = apiErr(codeInvalidParameter, "SMS MFA cannot be set up in this challenge: give the user a phone_number attribute and sign in again.")
	errBadEmail     = apiErr(codeInvalidParameter, "Invalid email address format.")
)

// answerMFASetup ends MFA_SETUP: with EMAIL, by sending a code to that
// address (EMAIL_OTP follows); otherwise once VerifySoftwareToken took a
// code of the secret AssociateSoftwareToken gave this session, making
// TOTP the user's factor, preferred unless another one is.
func (p *Pool) answerMFASetup(c AppClient, token string, s authSession, r map[string]string, st signInStep) (stepResult, error) {
	if addr, ok := r["EMAIL"]; ok {
		return p.setUpEmailMFA(c, token, s, addr, st)
	}
	if _, ok := r["PHONE_NUMBER"]; ok {
		return stepResult{}, errSetupSMS
	}
	if !s.setupVerified {
		return stepResult{}, errSetupNothing
	}
	p.mu.Lock()
	u, err := p.userLocked(s.username)
	if err == nil {
		// Ended under the lock that sets the factor: of answers sent
		// at once, one signs in.
		err = p.claimSessionLocked(token)
	}
	if err == nil {
		m := mfaOf(u)
		m.TOTPSecret, m.PendingSecret, m.TOTP = s.setupSecret, "", true
		m.TOTPDevice, m.TOTPLastStep = s.setupDevice, s.setupStep
		m.Preferred = cmp.Or(m.Preferred, factorTOTP)
		u.LastModified = p.now()
	}
	p.mu.Unlock()
	if err != nil {
		return stepResult{}, err
	}
	return p.signedIn(s.username, st)
}

// setUpEmailMFA sends a six-digit code to addr and answers EMAIL_OTP
// with a new session that remembers the address. The MFA_SETUP session
// ends only when the code is sent, so a refused address can be typed
// again.
func (p *Pool) setUpEmailMFA(c AppClient, token string, s authSession, addr string, st signInStep) (stepResult, error) {
	if !slices.Contains(s.choices, factorEmail) || !p.MFAConfig().Email {
		return stepResult{}, errSetupNoEmail
	}
	if !validEmail(addr) {
		return stepResult{}, errBadEmail
	}
	p.mu.Lock()
	u, err := p.userLocked(s.username)
	var code string
	var details *codeDeliveryDetails
	if err == nil {
		err = p.claimSessionLocked(token)
	}
	held := &heldMessages{clientID: c.ClientID}
	if err == nil {
		release := p.holdMessagesLocked(held)
		code, details = p.sendMFACodeLocked(u, destination{medium: MediumEmail, attribute: "email", address: addr}, factorEmail, 6)
		release()
	}
	p.mu.Unlock()
	if err != nil {
		return stepResult{}, err
	}
	next := authSession{challenge: factorEmail, typed: st.typed, source: st.source, admin: st.admin, hosted: st.hosted,
		code: digest(code), setupEmail: addr, device: st.device}
	out := &initiateAuthOutput{ChallengeName: factorEmail, Session: p.newSession(c, s.username, next), ChallengeParameters: map[string]string{
		"USER_ID_FOR_SRP":               s.username,
		"CODE_DELIVERY_DELIVERY_MEDIUM": details.DeliveryMedium,
		"CODE_DELIVERY_DESTINATION":     details.Destination,
	}, held: held}
	return stepResult{out: out}, nil
}

// codeReceivedLocked records what a right SMS or email code proves:
// "When a user completes their first MFA, Amazon Cognito marks their
// email address or phone number as verified" (developer guide, "SMS and
// email message MFA"), and so does a passwordless first factor ("your
// user pool marks the user's unverified email address or phone number
// attribute as verified", developer guide, "Passwordless sign-in with
// one-time passwords"), when it is still the one the code went to. A code
// of email MFA set-up also makes its address the user's email and email
// MFA the user's factor, preferred unless another one is.
func (p *Pool) codeReceivedLocked(u *user, s authSession) {
	switch {
	case s.setupEmail != "":
		if u.Attributes["email"] != s.setupEmail {
			delete(u.Codes, purposeAttribute+"email") // a code sent to the old address verifies nothing
		}
		u.Attributes["email"], u.Attributes["email_verified"] = s.setupEmail, "true"
		m := mfaOf(u)
		m.Email = true
		m.Preferred = cmp.Or(m.Preferred, factorEmail)
	case s.sentTo != "" && (s.challenge == factorSMS || s.challenge == firstSMSOTP) && u.Attributes["phone_number"] == s.sentTo && u.Attributes["phone_number_verified"] != "true":
		if !p.verifyAliasLocked(u, "phone_number") {
			return
		}
	case s.sentTo != "" && s.challenge == factorEmail && u.Attributes["email"] == s.sentTo && u.Attributes["email_verified"] != "true":
		if !p.verifyAliasLocked(u, "email") {
			return
		}
	default:
		return
	}
	u.LastModified = p.now()
}

// validEmail reports whether addr is one plain address (no display name,
// no list), as an email attribute holds.
func validEmail(addr string) bool {
	a, err := mail.ParseAddress(addr)
	return err == nil && a.Address == addr && a.Name == ""
}
