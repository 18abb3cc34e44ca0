package cognitolocal

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"slices"
)

// The steps of a Managed Login sign-in after the password: a new
// password, an MFA code, the choice of a factor, and TOTP set-up when
// the pool requires MFA and the user has none. Each step's form carries
// the challenge session, which lives and ends as the API's does.

// showStep shows where a sign-in step leads: the next step's page, or
// the redirect URI with a code.
func (p *Pool) showStep(w http.ResponseWriter, r *http.Request, req authRequest, q url.Values, res stepResult) {
	if res.out == nil {
		p.finishSignIn(w, r, req, q, res.user)
		return
	}
	out := res.out
	if out.held != nil {
		// The sign-in code, through the custom message trigger
		// (custommessage.go); a failure shows the sign-in form again.
		if err := p.sendHeld(r.Context(), out.held, messageTrigger{clientID: out.held.clientID}); err != nil {
			p.showLogin(w, req, q, "", errorText(err), "")
			return
		}
	}
	// The first-factor codes of choice-based sign-in name the user
	// USERNAME, as the API answers them; the other steps USER_ID_FOR_SRP.
	username := cmp.Or(out.ChallengeParameters["USER_ID_FOR_SRP"], out.ChallengeParameters["USERNAME"])
	switch out.ChallengeName {
	case "NEW_PASSWORD_REQUIRED":
		d := p.basePage(req, q, "/newPassword", "Change your password")
		d.Session, d.Username = out.Session, username
		p.render(w, "newpassword", d)
	case "SELECT_MFA_TYPE":
		d := p.basePage(req, q, "/selectMfa", "Verify it's you")
		d.Session, d.Username, d.Challenge = out.Session, username, "SELECT_MFA_TYPE"
		d.Prompt = "Choose how to confirm that it is you."
		var choices []string
		_ = json.Unmarshal([]byte(out.ChallengeParameters["MFAS_CAN_CHOOSE"]), &choices)
		for _, c := range choices {
			d.Choices = append(d.Choices, formChoice{Value: c, Label: factorLabel(c)})
		}
		p.render(w, "selectmfa", d)
	case "MFA_SETUP":
		var choices []string
		_ = json.Unmarshal([]byte(out.ChallengeParameters["MFAS_CAN_SETUP"]), &choices)
		p.showMFASetup(w, req, q, out.Session, username, choices)
	default:
		d := p.basePage(req, q, "/mfa", "Verify it's you")
		d.Session, d.Username, d.Challenge = out.Session, username, out.ChallengeName
		d.Prompt = codePrompt(out.ChallengeName, out.ChallengeParameters["CODE_DELIVERY_DESTINATION"])
		p.render(w, "mfa", d)
	}
}

func factorLabel(f string) string {
	switch f {
	case factorTOTP:
		return "Authenticator app"
	case factorSMS:
		return "Text message (SMS)"
	case factorEmail:
		return "Email"
	}
	return f
}

// codePrompt tells the user where the code comes from.
func codePrompt(challenge, destination string) string {
	if challenge == factorTOTP {
		return "Enter the six-digit code from your authenticator app."
	}
	if destination == "" {
		return "Enter the code we sent you."
	}
	return "We sent a code to " + destination + ". Enter it to sign in."
}

// stepForm reads the posted form of a sign-in step's page; false when
// the request was refused and answered already.
func (p *Pool) stepForm(w http.ResponseWriter, r *http.Request) (authRequest, url.Values, url.Values, bool) {
	req, q, ok := p.pageRequest(w, r)
	if !ok || !readForm(w, r) {
		return req, q, nil, false
	}
	return req, q, r.PostForm, true
}

// answerStep answers a sign-in step's challenge as Managed Login and
// shows where it leads. A failure that again takes (it returns true) is
// asked again on the same page; any other starts over at sign-in with
// Cognito's message and the username kept.
func (p *Pool) answerStep(w http.ResponseWriter, r *http.Request, req authRequest, q url.Values, in challengeInput, again func(error) bool) {
	in.hosted = true
	res, err := p.answerChallenge(r.Context(), req.client, in)
	if err != nil {
		if again == nil || !again(err) {
			p.showLogin(w, req, q, in.responses["USERNAME"], errorText(err), "")
		}
		return
	}
	p.showStep(w, r, req, q, res)
}

// pageStepError shows a failed step: a wrong code asks again on the same
// page; anything else (an expired or used session) starts over at
// sign-in, with Cognito's message.
func (p *Pool) pageStepError(w http.ResponseWriter, req authRequest, q url.Values, err error, again func(string)) {
	if err == errMFACode || err == errTOTPReused || err == errTOTPMismatch || err == errCodeMismatch {
		again(errorText(err))
		return
	}
	p.showLogin(w, req, q, "", errorText(err), "")
}

// newPasswordPage takes the new password of a user who signed in with a
// temporary one.
func (p *Pool) newPasswordPage(w http.ResponseWriter, r *http.Request) {
	req, q, f, ok := p.stepForm(w, r)
	if !ok {
		return
	}
	again := func(msg string) {
		d := p.basePage(req, q, "/newPassword", "Change your password")
		d.Session, d.Username, d.Error = f.Get("session"), f.Get("username"), msg
		p.render(w, "newpassword", d)
	}
	// A password the policy refuses is asked again on the same session.
	if err := p.checkPassword(f.Get("password")); err != nil {
		again(errorText(err))
		return
	}
	p.answerStep(w, r, req, q, challengeInput{name: "NEW_PASSWORD_REQUIRED", session: f.Get("session"),
		responses: map[string]string{"USERNAME": f.Get("username"), "NEW_PASSWORD": f.Get("password")}}, nil)
}

// mfaPage takes an MFA code (TOTP, or the code sent by SMS or email) or
// the one-time code of a passwordless sign-in (EMAIL_OTP, SMS_OTP;
// pages_otp.go), which answer alike.
func (p *Pool) mfaPage(w http.ResponseWriter, r *http.Request) {
	req, q, f, ok := p.stepForm(w, r)
	if !ok {
		return
	}
	challenge := f.Get("challenge")
	field := map[string]string{factorTOTP: "SOFTWARE_TOKEN_MFA_CODE", factorSMS: "SMS_MFA_CODE", factorEmail: "EMAIL_OTP_CODE", firstSMSOTP: "SMS_OTP_CODE"}[challenge]
	if field == "" {
		p.showLogin(w, req, q, "", "Invalid session for the user.", "")
		return
	}
	res, err := p.answerChallenge(r.Context(), req.client, challengeInput{name: challenge, session: f.Get("session"), hosted: true,
		responses: map[string]string{"USERNAME": f.Get("username"), field: f.Get("code")}})
	if err != nil {
		p.pageStepError(w, req, q, err, func(msg string) {
			d := p.basePage(req, q, "/mfa", "Verify it's you")
			d.Session, d.Username, d.Challenge, d.Error = f.Get("session"), f.Get("username"), challenge, msg
			d.Prompt = codePrompt(challenge, "")
			p.render(w, "mfa", d)
		})
		return
	}
	p.showStep(w, r, req, q, res)
}

// selectMfaPage takes the factor a user chose.
func (p *Pool) selectMfaPage(w http.ResponseWriter, r *http.Request) {
	req, q, f, ok := p.stepForm(w, r)
	if !ok {
		return
	}
	p.answerStep(w, r, req, q, challengeInput{name: "SELECT_MFA_TYPE", session: f.Get("session"),
		responses: map[string]string{"USERNAME": f.Get("username"), "ANSWER": f.Get("mfa")}}, nil)
}

// showTOTPSetup gives a sign-in at MFA_SETUP a TOTP secret, as
// AssociateSoftwareToken with its session does, and shows it as text
// and as a QR code.
func (p *Pool) showTOTPSetup(w http.ResponseWriter, req authRequest, q url.Values, session, username, errText string) {
	s, err := p.openSetupSession(session)
	if err != nil {
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	if !slices.Contains(s.choices, factorTOTP) || !p.MFAConfig().SoftwareToken {
		p.showLogin(w, req, q, username, "MFA is required, but no MFA method can be set up here: ask an administrator.", "")
		return
	}
	secret := s.setupSecret
	if secret == "" {
		out, err := p.associateSoftwareToken(context.Background(), &softwareTokenInput{Session: session})
		if err != nil {
			p.showLogin(w, req, q, username, errorText(err), "")
			return
		}
		secret, session = out.SecretCode, out.Session
	}
	d := p.basePage(req, q, "/mfaSetup", "Set up your authenticator app")
	d.Session, d.Username, d.Secret, d.Error = session, username, secret, errText
	d.QR = p.totpQR(username, secret)
	p.render(w, "totpsetup", d)
}

// totpQR is the otpauth URL of a secret as a PNG QR code in a data: URI,
// which the pages' policy allows.
func (p *Pool) totpQR(account, secret string) template.URL {
	key, err := totpKey(p.totpIssuer(), account, secret)
	if err != nil {
		return ""
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	// A data: URI of a PNG the pool made: safe to use as an image source.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// mfaSetupPage takes a step of MFA set-up: the factor chosen, an email
// address (pages_mfasetup.go), or the first code of the new TOTP secret
// (VerifySoftwareToken with the session), which ends MFA_SETUP: the user
// is signed in, with TOTP as their factor from now on.
func (p *Pool) mfaSetupPage(w http.ResponseWriter, r *http.Request) {
	req, q, f, ok := p.stepForm(w, r)
	if !ok {
		return
	}
	session, username := f.Get("session"), f.Get("username")
	switch {
	case f.Has("mfa"):
		p.chooseMFASetup(w, req, q, session, username, f.Get("mfa"))
		return
	case f.Has("email"):
		p.setUpEmailPage(w, r, req, q, session, username, f.Get("email"))
		return
	}
	ver, err := p.verifySoftwareToken(r.Context(), &softwareTokenInput{Session: session, UserCode: f.Get("code"), FriendlyDeviceName: "Authenticator app"})
	if err != nil {
		if err == errTOTPMismatch || errorText(err) == "UserCode must be six digits." {
			p.showTOTPSetup(w, req, q, session, username, "Code mismatch and fail enable Software Token MFA")
			return
		}
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	p.answerStep(w, r, req, q, challengeInput{name: "MFA_SETUP", session: ver.Session,
		responses: map[string]string{"USERNAME": username}}, nil)
}
