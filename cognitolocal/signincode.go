package cognitolocal

// Codes by email and SMS need the pool's outbox, which is not there yet:
// until it is, the pool offers neither SMS nor email MFA nor EMAIL_OTP
// sign-in (SetMFAConfig and SetFirstAuthFactors refuse them), so these
// are never reached.

var errNoDelivery = apiErr(codeInvalidParameter, "This user pool does not deliver codes by email or SMS.")

func (p *Pool) emailOTPFactor(AppClient, string, signInStep) (stepResult, error) {
	return stepResult{}, errNoDelivery
}

func (p *Pool) sendSignInCode(string, string, int) (code, medium, dest string, err error) {
	return "", "", "", errNoDelivery
}
