package cognitolocal

import "slices"

// Passwordless first factors and MFA. Cognito lets no user who must pass
// MFA sign in without a password: "Amazon Cognito does not support
// enabling both MFA and passwordless sign-in (including passkeys, SMS
// OTP, and email OTP) for the same user. If a user has MFA configured,
// passwordless sign-in options will not be available", as Amplify's
// passwordless guide puts it, pointing to the MFA prerequisites of the
// Cognito developer guide ("Adding MFA to a user pool"). Such a user is
// offered PASSWORD and PASSWORD_SRP only, and then MFA.

// passwordlessFactors are the first factors of USER_AUTH that take no
// password, whether or not the pool runs them.
var passwordlessFactors = []string{firstEmailOTP, firstSMSOTP, "WEB_AUTHN"}

// errPasswordlessWithMFA refuses a passwordless first factor to a user
// who must pass MFA. Cognito documents the rule but not the error; this
// one names neither the user nor their factors.
var errPasswordlessWithMFA = apiErr(codeInvalidParameter,
	"Passwordless sign-in is not available to users with multi-factor authentication; sign in with a password.")

// passwordlessBlockedLocked reports whether u must pass MFA, so may not
// sign in without a password: whether a sign-in of u's would go on to an
// MFA step (mfaStepLocked), as it does when the pool requires MFA of
// everyone, or makes it optional and u has a factor on. An unknown user
// (nil) is treated as one without factors, so no answer tells them apart.
func (p *Pool) passwordlessBlockedLocked(u *user) bool {
	if u == nil {
		return p.MFAConfig().Mode == MFAOn
	}
	step, _ := p.mfaStepLocked(u)
	return step != ""
}

// refusePasswordless refuses factor, a PREFERRED_CHALLENGE or a
// SELECT_CHALLENGE answer, when it is passwordless and username must
// pass MFA. A client that hides users (PreventUserExistenceErrors
// ENABLED) refuses it here only when the pool requires MFA of everyone,
// which tells no name apart; a user with a factor of their own is
// refused after the right code instead (answerCode), since a refusal
// here would mark the name as a user's.
func (p *Pool) refusePasswordless(c AppClient, username, factor string) error {
	if !slices.Contains(passwordlessFactors, factor) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.passwordlessBlockedForLocked(c, username) {
		return errPasswordlessWithMFA
	}
	return nil
}

// passwordlessBlockedForLocked is passwordlessBlockedLocked for username
// as client c answers it: a client that hides users answers every name
// as it would an unknown one, which is blocked only when the pool
// requires MFA of everyone.
func (p *Pool) passwordlessBlockedForLocked(c AppClient, username string) bool {
	if c.hidesUsers() {
		return p.passwordlessBlockedLocked(nil)
	}
	return p.passwordlessBlockedLocked(p.userNamed(username))
}

// refuseFirstFactorCodeLocked refuses the code of a first-factor session
// (EMAIL_OTP or SMS_OTP of USER_AUTH) once its user must pass MFA: the
// user may have turned MFA on, or the pool made it required, after the
// code was sent, and the code alone would skip it. For a client that
// names users the code is not checked, so the refusal says nothing of
// it, and the session stays open: it counts no attempt; one that hides
// users checks the code first (answerCode). MFA challenges of the same
// names (firstFactor unset) are not touched.
func (p *Pool) refuseFirstFactorCodeLocked(s authSession) error {
	if s.firstFactor && p.passwordlessBlockedLocked(p.userNamed(s.username)) {
		return errPasswordlessWithMFA
	}
	return nil
}
