package cognitolocal

import (
	"context"
	"slices"
)

// The JSON API operations of MFA: the pool's configuration, TOTP set-up
// and the users' preferences.

// smsMfaConfiguration is SmsMfaConfigType; its SmsConfiguration (the
// SNS role) is accepted and ignored, as the pool sends no SMS.
type smsMfaConfiguration struct {
	SmsAuthenticationMessage string `json:"SmsAuthenticationMessage,omitempty"`
}

type softwareTokenMfaConfiguration struct {
	Enabled bool `json:"Enabled"`
}

type emailMfaConfiguration struct {
	Message string `json:"Message,omitempty"`
	Subject string `json:"Subject,omitempty"`
}

// mfaConfigMembers are the members SetUserPoolMfaConfig takes and both
// operations answer.
type mfaConfigMembers struct {
	SmsMfaConfiguration           *smsMfaConfiguration           `json:"SmsMfaConfiguration,omitempty"`
	SoftwareTokenMfaConfiguration *softwareTokenMfaConfiguration `json:"SoftwareTokenMfaConfiguration,omitempty"`
	EmailMfaConfiguration         *emailMfaConfiguration         `json:"EmailMfaConfiguration,omitempty"`
	MfaConfiguration              string                         `json:"MfaConfiguration,omitempty"`
}

type setUserPoolMfaConfigInput struct {
	UserPoolID string `json:"UserPoolId"`
	mfaConfigMembers
}

// setUserPoolMfaConfig sets the whole configuration: a factor left out
// is turned off, as UpdateUserPool resets what it is not given.
func (p *Pool) setUserPoolMfaConfig(_ context.Context, in *setUserPoolMfaConfigInput) (*mfaConfigMembers, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	cfg := MFAConfig{Mode: in.MfaConfiguration}
	if cfg.Mode == "" {
		cfg.Mode = p.MFAConfig().Mode
	}
	if s := in.SmsMfaConfiguration; s != nil {
		cfg.SMS, cfg.SMSMessage = true, s.SmsAuthenticationMessage
	}
	if s := in.SoftwareTokenMfaConfiguration; s != nil {
		cfg.SoftwareToken = s.Enabled
	}
	if e := in.EmailMfaConfiguration; e != nil {
		cfg.Email, cfg.EmailMessage, cfg.EmailSubject = true, e.Message, e.Subject
	}
	if err := p.SetMFAConfig(cfg); err != nil {
		return nil, err
	}
	return p.mfaConfigMembers(), nil
}

type userPoolIDInput struct {
	UserPoolID string `json:"UserPoolId"`
}

func (p *Pool) getUserPoolMfaConfig(_ context.Context, in *userPoolIDInput) (*mfaConfigMembers, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return p.mfaConfigMembers(), nil
}

func (p *Pool) mfaConfigMembers() *mfaConfigMembers {
	cfg := p.MFAConfig()
	out := &mfaConfigMembers{
		MfaConfiguration:              cfg.Mode,
		SoftwareTokenMfaConfiguration: &softwareTokenMfaConfiguration{Enabled: cfg.SoftwareToken},
	}
	if cfg.SMS {
		out.SmsMfaConfiguration = &smsMfaConfiguration{SmsAuthenticationMessage: cfg.SMSMessage}
	}
	if cfg.Email {
		out.EmailMfaConfiguration = &emailMfaConfiguration{Message: cfg.EmailMessage, Subject: cfg.EmailSubject}
	}
	return out
}

type softwareTokenInput struct {
	AccessToken        string `json:"AccessToken"`
	Session            string `json:"Session"`
	UserCode           string `json:"UserCode"`
	FriendlyDeviceName string `json:"FriendlyDeviceName"`
}

type associateSoftwareTokenOutput struct {
	SecretCode string `json:"SecretCode"`
	Session    string `json:"Session,omitempty"`
}

// totpIssuer names the pool in authenticator apps.
func (p *Pool) totpIssuer() string { return "cognitolocal " + p.poolID }

// associateSoftwareToken gives a signed-in user (AccessToken) or a
// sign-in at MFA_SETUP (Session) a new TOTP secret, which
// VerifySoftwareToken then confirms.
func (p *Pool) associateSoftwareToken(ctx context.Context, in *softwareTokenInput) (*associateSoftwareTokenOutput, error) {
	if (in.AccessToken == "") == (in.Session == "") {
		return nil, apiErr(codeInvalidParameter, "Send either AccessToken or Session.")
	}
	if !p.MFAConfig().SoftwareToken {
		return nil, errTOTPNotEnabled
	}
	if in.Session != "" {
		s, err := p.openSetupSession(in.Session)
		if err != nil {
			return nil, err
		}
		secret, err := newTOTPSecret(p.totpIssuer(), s.username)
		if err != nil {
			return nil, apiErr("InternalErrorException", "The secret could not be made.")
		}
		next, err := p.nextSetupSession(in.Session, s, func(n *authSession) { n.setupSecret, n.setupVerified = secret, false })
		if err != nil {
			return nil, err
		}
		return &associateSoftwareTokenOutput{SecretCode: secret, Session: next}, nil
	}
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	secret, err := newTOTPSecret(p.totpIssuer(), name)
	if err != nil {
		return nil, apiErr("InternalErrorException", "The secret could not be made.")
	}
	return &associateSoftwareTokenOutput{SecretCode: secret}, p.onUser(name, func(u *user) error {
		mfaOf(u).PendingSecret = secret
		return nil
	})
}

type verifySoftwareTokenOutput struct {
	Status  string `json:"Status"`
	Session string `json:"Session,omitempty"`
}

// verifySoftwareToken takes a code of the secret AssociateSoftwareToken
// gave: the secret becomes the user's TOTP factor (with an access
// token) or the MFA_SETUP session's (with a session).
func (p *Pool) verifySoftwareToken(ctx context.Context, in *softwareTokenInput) (*verifySoftwareTokenOutput, error) {
	if (in.AccessToken == "") == (in.Session == "") {
		return nil, apiErr(codeInvalidParameter, "Send either AccessToken or Session.")
	}
	if !validUserCode(in.UserCode) {
		return nil, apiErr(codeInvalidParameter, "UserCode must be six digits.")
	}
	if in.Session != "" {
		s, err := p.openSetupSession(in.Session)
		if err != nil {
			return nil, err
		}
		if s.setupSecret == "" {
			return nil, apiErr(codeInvalidParameter, "Call AssociateSoftwareToken with this Session first.")
		}
		step, ok := totpStep(s.setupSecret, in.UserCode, p.now())
		if !ok {
			return nil, errTOTPMismatch
		}
		next, err := p.nextSetupSession(in.Session, s, func(n *authSession) {
			n.setupVerified, n.setupStep, n.setupDevice = true, step, in.FriendlyDeviceName
		})
		if err != nil {
			return nil, err
		}
		return &verifySoftwareTokenOutput{Status: "SUCCESS", Session: next}, nil
	}
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	err = p.onUser(name, func(u *user) error {
		m := mfaOf(u)
		if m.PendingSecret == "" {
			return apiErr(codeInvalidParameter, "Call AssociateSoftwareToken first.")
		}
		step, ok := totpStep(m.PendingSecret, in.UserCode, p.now())
		if !ok {
			return errTOTPMismatch
		}
		m.TOTPSecret, m.PendingSecret, m.TOTPDevice, m.TOTPLastStep = m.PendingSecret, "", in.FriendlyDeviceName, step
		u.LastModified = p.now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &verifySoftwareTokenOutput{Status: "SUCCESS"}, nil
}

// validUserCode reports whether a TOTP code has the model's shape: six
// digits.
func validUserCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// openSetupSession returns the live MFA_SETUP session token; set-up
// requests name no client, so any client's session serves.
func (p *Pool) openSetupSession(token string) (authSession, error) {
	p.mu.Lock()
	s := p.sessions[digest(token)]
	var clientID string
	if s != nil {
		clientID = s.clientID
	}
	p.mu.Unlock()
	if s == nil {
		return authSession{}, errSessionGone
	}
	return p.openSession(token, AppClient{ClientID: clientID}, "MFA_SETUP", "")
}

// nextSetupSession ends a set-up step's session and returns a new one,
// changed by f, for the next step: each answer carries the newest. Of
// steps sent at once with one session, the one that ends it goes on.
func (p *Pool) nextSetupSession(token string, s authSession, f func(*authSession)) (string, error) {
	n := s
	n.used, n.attempts = false, 0
	f(&n)
	next := randomToken(192)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.claimSessionLocked(token); err != nil {
		return "", err
	}
	p.sessions[digest(next)] = &n
	return next, nil
}

// mfaSettingsType is SMSMfaSettingsType, SoftwareTokenMfaSettingsType
// and EmailMfaSettingsType.
type mfaSettingsType struct {
	Enabled      *bool `json:"Enabled"`
	PreferredMfa *bool `json:"PreferredMfa"`
}

type mfaPreferenceMembers struct {
	SMSMfaSettings           *mfaSettingsType `json:"SMSMfaSettings"`
	SoftwareTokenMfaSettings *mfaSettingsType `json:"SoftwareTokenMfaSettings"`
	EmailMfaSettings         *mfaSettingsType `json:"EmailMfaSettings"`
}

type setUserMFAPreferenceInput struct {
	AccessToken string `json:"AccessToken"`
	mfaPreferenceMembers
}

type adminSetUserMFAPreferenceInput struct {
	poolUser
	mfaPreferenceMembers
}

func (p *Pool) setUserMFAPreference(ctx context.Context, in *setUserMFAPreferenceInput) (*empty, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.onUser(name, func(u *user) error { return p.setMFAPreferenceLocked(u, in.mfaPreferenceMembers) })
}

func (p *Pool) adminSetUserMFAPreference(_ context.Context, in *adminSetUserMFAPreferenceInput) (*empty, error) {
	return &empty{}, p.withUser(in.poolUser, func(u *user) error { return p.setMFAPreferenceLocked(u, in.mfaPreferenceMembers) })
}

// setMFAPreferenceLocked applies a preference: each factor named is
// turned on or off; a preferred one is turned on and becomes the only
// preferred; factors not named stay as they are. A factor needs what it
// sends to: a verified TOTP secret, a phone number, an email address.
func (p *Pool) setMFAPreferenceLocked(u *user, in mfaPreferenceMembers) error {
	m := *mfaOf(u)
	cfg := p.MFAConfig()
	smsMissing, emailMissing := "User does not have a phone number to receive SMS MFA codes.", "User does not have an email address to receive MFA codes."
	if !cfg.SMS {
		smsMissing = "SMS MFA is not enabled for the user pool."
	}
	if !cfg.Email {
		emailMissing = "Email MFA is not enabled for the user pool."
	}
	for _, f := range []struct {
		name     string
		settings *mfaSettingsType
		on       *bool
		ready    bool
		missing  string
	}{
		{factorTOTP, in.SoftwareTokenMfaSettings, &m.TOTP, m.TOTPSecret != "", "User has not verified software token mfa"},
		{factorSMS, in.SMSMfaSettings, &m.SMS, cfg.SMS && u.Attributes["phone_number"] != "", smsMissing},
		{factorEmail, in.EmailMfaSettings, &m.Email, cfg.Email && u.Attributes["email"] != "", emailMissing},
	} {
		if f.settings == nil {
			continue
		}
		enabled := f.settings.Enabled != nil && *f.settings.Enabled
		preferred := f.settings.PreferredMfa != nil && *f.settings.PreferredMfa
		if (enabled || preferred) && !f.ready {
			return apiErr(codeInvalidParameter, f.missing)
		}
		*f.on = enabled || preferred
		switch {
		case preferred:
			m.Preferred = f.name
		case m.Preferred == f.name:
			m.Preferred = ""
		}
	}
	*u.MFA = m
	u.LastModified = p.now()
	return nil
}

// userMFAFields are the MFA members of GetUser's and AdminGetUser's
// answers: the factors the user has turned on and the preferred one.
type userMFAFields struct {
	PreferredMfaSetting string      `json:"PreferredMfaSetting,omitempty"`
	UserMFASettingList  []string    `json:"UserMFASettingList,omitempty"`
	MFAOptions          []mfaOption `json:"MFAOptions,omitempty"`
}

func userMFASettings(u *user) userMFAFields {
	m := u.MFA
	if m == nil {
		return userMFAFields{}
	}
	var list []string
	if m.SMS {
		list = append(list, factorSMS)
	}
	if m.TOTP && m.TOTPSecret != "" {
		list = append(list, factorTOTP)
	}
	if m.Email {
		list = append(list, factorEmail)
	}
	out := userMFAFields{UserMFASettingList: list, MFAOptions: mfaOptionsOf(u)}
	if slices.Contains(list, m.Preferred) {
		out.PreferredMfaSetting = m.Preferred
	}
	return out
}
