package cognitolocal

import (
	"net/http"
	"net/url"
	"slices"
)

// Passwordless sign-in in Managed Login: choice-based sign-in (USER_AUTH)
// in the browser. The developer guide ("Configure authentication methods
// for managed login") has Managed Login prompt users "to select a
// sign-in method from the available options" when the app client allows
// ALLOW_USER_AUTH; the sign-in page offers, beside the password, a code
// by email (EMAIL_OTP) or SMS (SMS_OTP) when the pool's sign-in policy
// allows it. The code is sent and checked by the API's own EMAIL_OTP and
// SMS_OTP (otpFactor, answerCode): the same outbox message, the same
// attempts, the same answer for a name the pool does not know, and the
// same refusal to users who must pass MFA (passwordless.go).

// codeFactors are the passwordless first factors client's sign-in page
// may use: those of the pool's sign-in policy, for a client that allows
// choice-based sign-in.
func (p *Pool) codeFactors(c AppClient) []string {
	if !c.allowsFlow("ALLOW_USER_AUTH") {
		return nil
	}
	var out []string
	for _, f := range p.FirstAuthFactors() {
		if f == firstEmailOTP || f == firstSMSOTP {
			out = append(out, f)
		}
	}
	return out
}

// codeChoices are the buttons the sign-in page shows for codeFactors: none
// while the pool requires MFA of everyone, when no one may sign in
// without a password. The page is the same for every name, as USER_AUTH
// answers are for a client that hides users: a user who has MFA on, or
// no address, learns it only by asking for a code.
func (p *Pool) codeChoices(c AppClient) []formChoice {
	p.mu.Lock()
	blocked := p.passwordlessBlockedLocked(nil) // as for any name
	p.mu.Unlock()
	if blocked {
		return nil
	}
	var out []formChoice
	for _, f := range p.codeFactors(c) {
		label := "Email me a sign-in code"
		if f == firstSMSOTP {
			label = "Text me a sign-in code"
		}
		out = append(out, formChoice{Value: f, Label: label})
	}
	return out
}

// errCodeFactorUnavailable refuses a code sign-in the client or the pool
// does not allow.
var errCodeFactorUnavailable = apiErr(codeInvalidParameter, "This sign-in method is not available.")

// loginWithCode starts a passwordless sign-in from the sign-in page: as
// InitiateAuth USER_AUTH with PREFERRED_CHALLENGE factor would, a code
// to the outbox and the page that takes it (mfaPage answers it), or the
// sign-in form again with the API's message.
func (p *Pool) loginWithCode(w http.ResponseWriter, r *http.Request, req authRequest, q url.Values, username, factor string) {
	if !slices.Contains(p.codeFactors(req.client), factor) {
		p.showLogin(w, req, q, username, errorText(errCodeFactorUnavailable), "")
		return
	}
	if username == "" {
		p.showLogin(w, req, q, username, "Missing required parameter USERNAME", "")
		return
	}
	if err := p.refusePasswordless(req.client, username, factor); err != nil {
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	if err := p.preAuthentication(r.Context(), req.client, username, nil); err != nil {
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	res, err := p.otpFactor(req.client, username, factor, signInStep{typed: username, source: sourceHostedAuth, hosted: true})
	if err != nil {
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	p.showStep(w, r, req, q, res)
}
