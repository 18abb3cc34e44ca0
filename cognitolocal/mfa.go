package cognitolocal

import (
	"cmp"
	"crypto/subtle"
	"encoding/base32"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Multi-factor authentication: the pool's configuration, each user's
// factors, and TOTP (RFC 6238, by github.com/pquerna/otp) as Cognito runs
// it: SHA-1, six digits, 30-second steps, one step of drift either way,
// each code accepted once.

// MFA modes, as MfaConfiguration names them.
const (
	MFAOff      = "OFF"
	MFAOn       = "ON"
	MFAOptional = "OPTIONAL"
)

// MFA factors, as the challenges name them.
const (
	factorTOTP  = "SOFTWARE_TOKEN_MFA"
	factorSMS   = "SMS_MFA"
	factorEmail = "EMAIL_OTP"
)

// MFAConfig is a pool's MFA configuration, what SetUserPoolMfaConfig
// sets. The zero value is MFA off.
type MFAConfig struct {
	// Mode is MFAOff (""), MFAOn or MFAOptional.
	Mode string
	// SoftwareToken, SMS and Email enable the factors; ON and OPTIONAL
	// need at least one.
	SoftwareToken, SMS, Email bool
	// SMSMessage is SmsAuthenticationMessage, with {####} for the code.
	SMSMessage string
	// EmailMessage and EmailSubject are EmailMfaConfiguration's; the
	// message has {####} for the code.
	EmailMessage, EmailSubject string
}

// SetMFAConfig sets the pool's MFA configuration, as SetUserPoolMfaConfig
// does.
func (p *Pool) SetMFAConfig(cfg MFAConfig) error {
	cfg.Mode = cmp.Or(cfg.Mode, MFAOff)
	if cfg.Mode != MFAOff && cfg.Mode != MFAOn && cfg.Mode != MFAOptional {
		return apiErr(codeInvalidParameter, "MfaConfiguration must be OFF, ON or OPTIONAL.")
	}
	if cfg.Mode != MFAOff && !cfg.SoftwareToken && !cfg.SMS && !cfg.Email {
		return apiErr(codeInvalidParameter, "Invalid MFA configuration given, can't turn off all MFAs with OPTIONAL or ON MFA configuration")
	}
	for _, msg := range []string{cfg.SMSMessage, cfg.EmailMessage} {
		if msg != "" && !strings.Contains(msg, "{####}") {
			return apiErr(codeInvalidParameter, "The MFA message must contain the code placeholder {####}.")
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	s.MfaConfiguration, s.SoftwareTokenMFA = cfg.Mode, cfg.SoftwareToken
	s.SMSMFA, s.SMSMFAMessage = cfg.SMS, cfg.SMSMessage
	s.EmailMFA, s.EmailMFAMessage, s.EmailMFASubject = cfg.Email, cfg.EmailMessage, cfg.EmailSubject
	s.Modified = p.now()
	p.settings.Store(&s)
	return nil
}

// MFAConfig returns the pool's MFA configuration.
func (p *Pool) MFAConfig() MFAConfig {
	s := p.conf()
	return MFAConfig{
		Mode: cmp.Or(s.MfaConfiguration, MFAOff), SoftwareToken: s.SoftwareTokenMFA,
		SMS: s.SMSMFA, SMSMessage: s.SMSMFAMessage,
		Email: s.EmailMFA, EmailMessage: s.EmailMFAMessage, EmailSubject: s.EmailMFASubject,
	}
}

// userMFA is what a user has set up: a verified TOTP secret, the factors
// turned on and the preferred one.
type userMFA struct {
	// TOTPSecret is the verified secret, base32; the pool needs it to
	// check codes, so the state file holds it.
	TOTPSecret string `json:"totpSecret,omitempty"`
	TOTPDevice string `json:"totpDevice,omitempty"`
	// TOTPLastStep is the time step of the last code accepted: a code
	// of that step or an earlier one is refused.
	TOTPLastStep int64 `json:"totpLastStep,omitempty"`
	// PendingSecret is the secret AssociateSoftwareToken gave, waiting
	// for VerifySoftwareToken.
	PendingSecret string `json:"pendingSecret,omitempty"`
	TOTP          bool   `json:"totp,omitempty"`
	SMS           bool   `json:"sms,omitempty"`
	Email         bool   `json:"email,omitempty"`
	Preferred     string `json:"preferred,omitempty"`
}

// mfaOf returns u's MFA record, creating it.
func mfaOf(u *user) *userMFA {
	if u.MFA == nil {
		u.MFA = &userMFA{}
	}
	return u.MFA
}

// enabledFactorsLocked lists the factors u signs in with under the
// pool's configuration, in Cognito's order. When MFA is required, a
// verified TOTP secret counts even if the user never turned it on, and
// so do a phone number and an email address for SMS and email MFA:
// Cognito lets no one turn a factor off then ("You can't turn off SMS
// MFA for any of your users when MFA is required", API reference,
// SMSMfaSettingsType), and these factors "require no additional
// configuration after your user adds an email address or phone number
// to their profile" (developer guide, "SMS and email message MFA").
func (p *Pool) enabledFactorsLocked(u *user) []string {
	cfg := p.MFAConfig()
	m := u.MFA
	if m == nil {
		m = &userMFA{}
	}
	required := cfg.Mode == MFAOn
	var out []string
	if m.TOTPSecret != "" && (m.TOTP || required) {
		out = append(out, factorTOTP) // usable even once the pool turns TOTP off
	}
	if (m.SMS || required) && cfg.SMS && u.Attributes["phone_number"] != "" {
		out = append(out, factorSMS)
	}
	if (m.Email || required) && cfg.Email && u.Attributes["email"] != "" {
		out = append(out, factorEmail)
	}
	slices.Sort(out)
	return out
}

// setupFactorsLocked are the factors MFA_SETUP offers: those the pool
// enables (MFAS_CAN_SETUP). SOFTWARE_TOKEN_MFA and EMAIL_OTP are set up
// inside the challenge (mfasetup.go); SMS_MFA by a phone number and a
// new sign-in.
func (p *Pool) setupFactorsLocked() []string {
	cfg := p.MFAConfig()
	var out []string
	if cfg.SMS {
		out = append(out, factorSMS)
	}
	if cfg.SoftwareToken {
		out = append(out, factorTOTP)
	}
	if cfg.Email {
		out = append(out, factorEmail)
	}
	return out
}

// mfaStepLocked decides the second step of u's sign-in: "" (none),
// MFA_SETUP, SELECT_MFA_TYPE or a factor's challenge, with the factors
// offered.
func (p *Pool) mfaStepLocked(u *user) (string, []string) {
	mode := p.MFAConfig().Mode
	if mode == MFAOff {
		// Factors set up while MFA was on no longer apply.
		return "", nil
	}
	factors := p.enabledFactorsLocked(u)
	switch {
	case len(factors) == 0 && mode == MFAOn:
		return "MFA_SETUP", p.setupFactorsLocked()
	case len(factors) == 0:
		return "", nil
	case len(factors) == 1:
		return factors[0], factors
	case u.MFA != nil && slices.Contains(factors, u.MFA.Preferred):
		return u.MFA.Preferred, factors
	}
	return "SELECT_MFA_TYPE", factors
}

// jsonList is a list as Cognito puts one in a challenge parameter: JSON
// in a string.
func jsonList(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// TOTP parameters, as Cognito uses them.
const (
	totpPeriod     = 30
	totpSecretSize = 32
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPSecret returns a fresh base32 secret, unpadded as Cognito's
// SecretCode is.
func newTOTPSecret(issuer, account string) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, SecretSize: totpSecretSize})
	if err != nil {
		return "", err
	}
	return key.Secret(), nil
}

// totpKey is the otpauth key of a secret, for authenticator apps: its
// URL and QR code.
func totpKey(issuer, account, secret string) (*otp.Key, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return nil, err
	}
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: raw})
}

// totpStep returns the time step whose code is code, checking the
// current step and one either side; ok is false for no match.
func totpStep(secret, code string, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	for _, drift := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(drift*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / totpPeriod, true
		}
	}
	return 0, false
}

// MFA errors, with Cognito's messages.
var (
	errTOTPNotEnabled = apiErr("SoftwareTokenMFANotFoundException", "Software Token MFA has not been enabled by the userPool.")
	errTOTPMismatch   = apiErr("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
	errMFACode        = apiErr("CodeMismatchException", "Invalid code received for user")
	errTOTPReused     = apiErr("ExpiredCodeException", "Your software token has already been used once.")
	errNoTOTP         = apiErr(codeInvalidParameter, "User has not verified software token mfa")
)

// ErrMFARequired is SignIn's error for a sign-in that needs an MFA step:
// a code (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP), a choice of factor
// (SELECT_MFA_TYPE) or a factor's set-up (MFA_SETUP). SignIn returns
// tokens only, so it answers no challenge; the JSON API does: InitiateAuth
// with USER_PASSWORD_AUTH, then RespondToAuthChallenge with the code, which
// for SMS_MFA and EMAIL_OTP is in the outbox
// (LastCode(username, MessageAuthentication)). An *Error of code
// NotAuthorizedException.
var ErrMFARequired error = apiErr(codeNotAuthorized, "MFA is required for this sign-in: answer the challenge through InitiateAuth and RespondToAuthChallenge.")

// checkTOTPLocked checks a sign-in code against u's verified secret and
// records its step, so the same code cannot sign in twice.
func (p *Pool) checkTOTPLocked(u *user, code string) error {
	m := u.MFA
	if m == nil || m.TOTPSecret == "" {
		return errNoTOTP
	}
	step, ok := totpStep(m.TOTPSecret, code, p.now())
	if !ok {
		return errMFACode
	}
	if step <= m.TOTPLastStep {
		return errTOTPReused
	}
	m.TOTPLastStep = step
	return nil
}
