package cognitolocal

import (
	"context"
	"fmt"
)

// SetUserSettings and AdminSetUserSettings, the legacy way to turn SMS
// MFA on or off (amazon-cognito-identity-js's enableMFA, disableMFA and
// setMFAOptions call SetUserSettings), and the MFAOptions GetUser and
// AdminGetUser answer. The API reference: "This action is no longer
// supported. You can use it to configure only SMS MFA"; MFAOptionType's
// only valid attribute is phone_number, delivered by SMS. An option
// turns the user's SMS factor on, as SetUserMFAPreference's
// SMSMfaSettings Enabled does, and the same checks apply (the pool's SMS
// MFA, the user's phone number); an empty list turns it off.

// mfaOption is MFAOptionType.
type mfaOption struct {
	DeliveryMedium string `json:"DeliveryMedium"`
	AttributeName  string `json:"AttributeName"`
}

// smsOption is the one option the pool answers: SMS to phone_number.
var smsOption = mfaOption{DeliveryMedium: "SMS", AttributeName: "phone_number"}

type setUserSettingsInput struct {
	AccessToken string      `json:"AccessToken"`
	MFAOptions  []mfaOption `json:"MFAOptions"`
}

type adminSetUserSettingsInput struct {
	poolUser
	MFAOptions []mfaOption `json:"MFAOptions"`
}

// checkMFAOptions checks MFAOptions and reports whether they turn SMS
// MFA on (one option or more, each SMS to phone_number) or off (none).
func checkMFAOptions(opts []mfaOption) (bool, error) {
	for i, o := range opts {
		at := fmt.Sprintf("mFAOptions.%d.member.", i+1)
		switch o.DeliveryMedium {
		case "SMS":
		case "EMAIL":
			return false, apiErr(codeInvalidParameter, "MFAOptions can set only the SMS delivery medium; use SetUserMFAPreference for email MFA.")
		default:
			return false, apiErr(codeInvalidParameter, "1 validation error detected: Value at '"+at+"deliveryMedium' failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]")
		}
		if o.AttributeName != "phone_number" {
			return false, apiErr(codeInvalidParameter, "The only valid AttributeName of an MFA option is phone_number.")
		}
	}
	return len(opts) > 0, nil
}

func (p *Pool) setUserSettings(ctx context.Context, in *setUserSettingsInput) (*empty, error) {
	on, err := checkMFAOptions(in.MFAOptions)
	if err != nil {
		return nil, err
	}
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.onUser(name, func(u *user) error { return p.setSMSOptionLocked(u, on) })
}

func (p *Pool) adminSetUserSettings(_ context.Context, in *adminSetUserSettingsInput) (*empty, error) {
	on, err := checkMFAOptions(in.MFAOptions)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.withUser(in.poolUser, func(u *user) error { return p.setSMSOptionLocked(u, on) })
}

// setSMSOptionLocked turns u's SMS factor on or off as
// SetUserMFAPreference's SMSMfaSettings would, its preference left as it
// was: turning it on keeps another factor preferred.
func (p *Pool) setSMSOptionLocked(u *user, on bool) error {
	preferred := on && mfaOf(u).Preferred == factorSMS
	return p.setMFAPreferenceLocked(u, mfaPreferenceMembers{SMSMfaSettings: &mfaSettingsType{Enabled: &on, PreferredMfa: &preferred}})
}

// mfaOptionsOf answers GetUser's and AdminGetUser's MFAOptions: SMS to
// phone_number while the user's SMS factor is on, however it was turned
// on (the docs are silent on whether SetUserMFAPreference shows here;
// MFAOptionType points readers to UserMFASettingList instead).
func mfaOptionsOf(u *user) []mfaOption {
	if u.MFA != nil && u.MFA.SMS {
		return []mfaOption{smsOption}
	}
	return nil
}
