package cognitolocal

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// The pool's settings: those CreateUserPool takes and that change how the
// pool behaves, with Cognito's defaults.

// PasswordPolicy is a pool's password policy, as PasswordPolicyType.
type PasswordPolicy struct {
	MinimumLength                                                      int
	RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols bool
	// TemporaryPasswordValidityDays is how long a temporary password from
	// AdminCreateUser can be used to sign in.
	TemporaryPasswordValidityDays int
}

// DefaultPasswordPolicy is the policy of a pool created without one:
// at least 8 characters, with an uppercase and a lowercase letter, a digit
// and a symbol; temporary passwords valid for 7 days.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{
		MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true,
		TemporaryPasswordValidityDays: 7,
	}
}

// poolSettings are the settings a pool keeps, saved with its state.
type poolSettings struct {
	Name string `json:"name"`
	// UsernameAttributes lets users sign up with an email address or phone
	// number as their username: the stored username is then the sub.
	UsernameAttributes []string `json:"usernameAttributes,omitempty"`
	// AliasAttributes are attributes a user can sign in with once set
	// (email and phone_number once verified).
	AliasAttributes []string `json:"aliasAttributes,omitempty"`
	// CaseSensitive usernames: "Alice" and "alice" are two users.
	CaseSensitive          bool           `json:"caseSensitive,omitempty"`
	AutoVerifiedAttributes []string       `json:"autoVerifiedAttributes,omitempty"`
	PasswordPolicy         PasswordPolicy `json:"passwordPolicy"`
	AdminCreateOnly        bool           `json:"allowAdminCreateUserOnly,omitempty"`
	MfaConfiguration       string         `json:"mfaConfiguration,omitempty"`
	// The MFA factors SetUserPoolMfaConfig turns on, with their messages.
	SoftwareTokenMFA bool   `json:"softwareTokenMfa,omitempty"`
	SMSMFA           bool   `json:"smsMfa,omitempty"`
	SMSMFAMessage    string `json:"smsMfaMessage,omitempty"`
	EmailMFA         bool   `json:"emailMfa,omitempty"`
	EmailMFAMessage  string `json:"emailMfaMessage,omitempty"`
	EmailMFASubject  string `json:"emailMfaSubject,omitempty"`
	// FirstAuthFactors are SignInPolicy.AllowedFirstAuthFactors of
	// choice-based sign-in; empty means PASSWORD alone.
	FirstAuthFactors   []string `json:"firstAuthFactors,omitempty"`
	DeletionProtection bool     `json:"deletionProtection,omitempty"`
	// AccountRecovery is AccountRecoverySetting in priority order
	// (recovery.go); nil is no setting, Cognito's legacy order.
	AccountRecovery []RecoveryOption `json:"accountRecovery,omitempty"`
	// Devices is DeviceConfiguration (devices.go); nil tracks no devices.
	Devices *deviceConfig `json:"deviceConfiguration,omitempty"`
	// PreTokenLambdaARN and PreTokenLambdaVersion are
	// LambdaConfig.PreTokenGenerationConfig; the Service maps the ARN to a
	// local trigger.
	PreTokenLambdaARN     string `json:"preTokenGenerationLambdaArn,omitempty"`
	PreTokenLambdaVersion string `json:"preTokenGenerationLambdaVersion,omitempty"`
	// Required and Immutable are the standard attributes the schema makes
	// required, or not mutable.
	Required  []string `json:"requiredAttributes,omitempty"`
	Immutable []string `json:"immutableAttributes,omitempty"`
	// Tags are UserPoolTags (api_tags.go).
	Tags map[string]string `json:"tags,omitempty"`
	// Domain and CustomDomain are the pool's prefix and custom domains
	// (api_domains.go); UpdateUserPool does not change them.
	Domain       *poolDomain `json:"domain,omitempty"`
	CustomDomain *poolDomain `json:"customDomain,omitempty"`
	// UICustomizations are the classic hosted UI's branding
	// (api_uicustom.go), by app client ID or ALL.
	UICustomizations map[string]*uiCustomization `json:"uiCustomizations,omitempty"`
	// Extra holds the members of CreateUserPool and UpdateUserPool this
	// pool does not model, answered back by DescribeUserPool as given.
	Extra    map[string]json.RawMessage `json:"extra,omitempty"`
	Created  time.Time                  `json:"created"`
	Modified time.Time                  `json:"modified"`
}

// defaultSettings are the settings of a pool made by New: Cognito's
// defaults, usernames case insensitive.
func defaultSettings() poolSettings {
	return poolSettings{PasswordPolicy: DefaultPasswordPolicy(), MfaConfiguration: "OFF"}
}

// setSignInAttributes sets UsernameAttributes and AliasAttributes,
// checked as CreateUserPool checks them: one or the other, of the
// attributes each allows.
func (s *poolSettings) setSignInAttributes(username, alias []string) error {
	if len(username) > 0 && len(alias) > 0 {
		return apiErr(codeInvalidParameter, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	for _, a := range username {
		if a != "email" && a != "phone_number" {
			return apiErr(codeInvalidParameter, "UsernameAttributes may hold email and phone_number only.")
		}
	}
	for _, a := range alias {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return apiErr(codeInvalidParameter, "AliasAttributes may hold email, phone_number and preferred_username only.")
		}
	}
	s.UsernameAttributes = sortedSet(username)
	s.AliasAttributes = sortedSet(alias)
	return nil
}

// setAutoVerified sets AutoVerifiedAttributes: email, phone_number or
// both.
func (s *poolSettings) setAutoVerified(attrs []string) error {
	for _, a := range attrs {
		if a != "email" && a != "phone_number" {
			return apiErr(codeInvalidParameter, "AutoVerifiedAttributes may hold email and phone_number only.")
		}
	}
	s.AutoVerifiedAttributes = sortedSet(attrs)
	return nil
}

// sortedSet is attrs sorted without duplicates, nil when empty.
func sortedSet(attrs []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(attrs)))
}

// applyConfig sets the settings a Config gives, checked as
// CreateUserPool checks them. Zero fields keep the defaults.
func (s *poolSettings) applyConfig(cfg Config) error {
	if err := s.setSignInAttributes(cfg.UsernameAttributes, cfg.AliasAttributes); err != nil {
		return err
	}
	if err := s.setAutoVerified(cfg.AutoVerifiedAttributes); err != nil {
		return err
	}
	recovery, err := checkRecovery(cfg.AccountRecovery)
	if err != nil {
		return err
	}
	s.AccountRecovery = recovery
	return nil
}

// conf returns the pool's settings, with or without the lock held. They
// are never changed in place: UpdateUserPool stores new ones, so that a
// reader needs no lock.
func (p *Pool) conf() *poolSettings { return p.settings.Load() }

// MfaConfiguration returns the pool's MFA setting: OFF, ON or OPTIONAL.
func (p *Pool) MfaConfiguration() string { return p.conf().MfaConfiguration }

// AllowsSignUp reports whether users may sign themselves up: false when
// AdminCreateUserConfig.AllowAdminCreateUserOnly is set.
func (p *Pool) AllowsSignUp() bool { return !p.conf().AdminCreateOnly }

// AutoVerifies reports whether the pool verifies attribute (email or
// phone_number) by sending a code when it is set, as
// AutoVerifiedAttributes lists.
func (p *Pool) AutoVerifies(attribute string) bool {
	return slices.Contains(p.conf().AutoVerifiedAttributes, attribute)
}

// usernameAttribute returns the attribute a username given at sign-up
// stands for in a pool with UsernameAttributes ("email" or
// "phone_number"), or "" when the pool has none; a username of neither
// form is refused.
func (p *Pool) usernameAttribute(username string) (string, error) {
	s := p.conf()
	if len(s.UsernameAttributes) == 0 {
		if isEmail(username) && slices.Contains(s.AliasAttributes, "email") {
			return "", apiErr(codeInvalidParameter, "Username cannot be of email format, since user pool is configured for email alias.")
		}
		if isPhone(username) && slices.Contains(s.AliasAttributes, "phone_number") {
			return "", apiErr(codeInvalidParameter, "Username cannot be of phone number format, since user pool is configured for phone number alias.")
		}
		return "", nil
	}
	switch {
	case isEmail(username) && slices.Contains(s.UsernameAttributes, "email"):
		return "email", nil
	case isPhone(username) && slices.Contains(s.UsernameAttributes, "phone_number"):
		return "phone_number", nil
	}
	return "", apiErr(codeInvalidParameter, "Username should be either an email or a phone number.")
}

// isEmail is a loose check of an email address: one @ with text on both
// sides and a dot in the domain, as a username in email form.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(domain, "@ ")
}

// isPhone checks a phone number's E.164 form: a plus and 4 to 15 digits.
func isPhone(s string) bool {
	if len(s) < 5 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// resolveAliasLocked finds the user a sign-in name stands for when it is
// not a username: in a pool with UsernameAttributes, the user whose email
// or phone number it is; in a pool with AliasAttributes, the user whose
// verified email or phone number, or preferred_username, it is.
func (p *Pool) resolveAliasLocked(name string) *user {
	s := p.conf()
	var attrs []string
	needVerified := false
	switch {
	case len(s.UsernameAttributes) > 0:
		attrs = s.UsernameAttributes
	case len(s.AliasAttributes) > 0:
		attrs, needVerified = s.AliasAttributes, true
	default:
		return nil
	}
	for _, u := range p.users {
		for _, a := range attrs {
			v, ok := u.Attributes[a]
			if !ok || !p.sameAlias(v, name) {
				continue
			}
			if needVerified && a != "preferred_username" && u.Attributes[a+"_verified"] != "true" {
				continue
			}
			return u
		}
	}
	return nil
}

// sameAlias compares alias values as usernames compare: case folded
// unless the pool is case sensitive.
func (p *Pool) sameAlias(a, b string) bool {
	if p.conf().CaseSensitive {
		return a == b
	}
	return strings.EqualFold(a, b)
}
