package cognitolocal

import (
	"net/http"
	"net/url"
	"slices"
)

// MFA set-up in Managed Login, when the pool requires MFA and the user
// has no factor: a choice between the factors that can be set up here
// (an authenticator app, sign-in codes by email), then that factor's
// page. Email set-up takes an address, sends a code to it and asks for
// the code on the MFA page, as the API's MFA_SETUP answer with EMAIL does
// (mfasetup.go).

// showMFASetup shows MFA_SETUP for the factors it offers: a choice when
// both TOTP and email can be set up here, else the page of the one that
// can (showTOTPSetup says so when none can).
func (p *Pool) showMFASetup(w http.ResponseWriter, req authRequest, q url.Values, session, username string, choices []string) {
	cfg := p.MFAConfig()
	totp := slices.Contains(choices, factorTOTP) && cfg.SoftwareToken
	email := slices.Contains(choices, factorEmail) && cfg.Email
	switch {
	case totp && email:
		d := p.basePage(req, q, "/mfaSetup", "Set up a sign-in method")
		d.Session, d.Username, d.Challenge = session, username, "MFA_SETUP"
		d.Prompt = "Your account needs a second way to confirm that it is you. Choose one to set up."
		d.Choices = []formChoice{{Value: factorTOTP, Label: factorLabel(factorTOTP)}, {Value: factorEmail, Label: factorLabel(factorEmail)}}
		p.render(w, "selectmfa", d)
	case email:
		p.showEmailSetup(w, req, q, session, username, "")
	default:
		p.showTOTPSetup(w, req, q, session, username, "")
	}
}

// chooseMFASetup goes on with the factor chosen on the set-up choice.
func (p *Pool) chooseMFASetup(w http.ResponseWriter, req authRequest, q url.Values, session, username, choice string) {
	s, err := p.openSetupSession(session)
	if err != nil {
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	switch {
	case choice == factorTOTP && slices.Contains(s.choices, factorTOTP):
		p.showTOTPSetup(w, req, q, session, username, "")
	case choice == factorEmail && slices.Contains(s.choices, factorEmail) && p.MFAConfig().Email:
		p.showEmailSetup(w, req, q, session, username, "")
	default:
		p.showMFASetup(w, req, q, session, username, s.choices)
	}
}

// showEmailSetup asks for the address that sign-in codes go to.
func (p *Pool) showEmailSetup(w http.ResponseWriter, req authRequest, q url.Values, session, username, errText string) {
	d := p.basePage(req, q, "/mfaSetup", "Set up sign-in codes by email")
	d.Session, d.Username, d.Error = session, username, errText
	p.render(w, "emailsetup", d)
}

// setUpEmailPage answers MFA_SETUP with the address typed: the code goes
// there and the MFA page asks for it. A malformed address is asked
// again on the same session.
func (p *Pool) setUpEmailPage(w http.ResponseWriter, r *http.Request, req authRequest, q url.Values, session, username, email string) {
	p.answerStep(w, r, req, q, challengeInput{name: "MFA_SETUP", session: session,
		responses: map[string]string{"USERNAME": username, "EMAIL": email}}, func(err error) bool {
		if err != errBadEmail {
			return false
		}
		p.showEmailSetup(w, req, q, session, username, errorText(err))
		return true
	})
}
