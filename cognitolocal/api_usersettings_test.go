package cognitolocal

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// API Reference pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserSettings.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserSettings.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_MFAOptionType.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html (MFAOptions)
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUser.html (MFAOptions)

var smsOptionWire = []map[string]string{{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}}

// newSMSPool is a pool with SMS MFA optional and alice with a phone
// number.
func newSMSPool(t *testing.T) *Pool {
	t.Helper()
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOptional, SMS: true, SoftwareToken: true})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+15555550100", "phone_number_verified": "true"}))
	return p
}

func TestSetUserSettingsTurnsSMSMFAOnAndOff(t *testing.T) {
	p := newSMSPool(t)
	access := signIn(t, p).AccessToken
	// SetUserSettings: "You can use it to configure only SMS MFA";
	// MFAOptionType: SMS, to phone_number. amazon-cognito-identity-js's
	// enableMFA sends exactly this.
	status, out := call(t, p, "SetUserSettings", map[string]any{"AccessToken": access, "MFAOptions": smsOptionWire})
	require.Equal(t, http.StatusOK, status, out)
	require.Empty(t, out)
	_, got := call(t, p, "GetUser", map[string]any{"AccessToken": access})
	require.Equal(t, []any{map[string]any{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}}, got["MFAOptions"])
	// MFAOptionType points to UserMFASettingList, which shows the same
	// factor: the legacy option is SMS MFA.
	require.Equal(t, []any{factorSMS}, got["UserMFASettingList"])
	_, got = call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, []any{map[string]any{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}}, got["MFAOptions"])
	// An empty list turns it off (identity-js's disableMFA).
	status, _ = call(t, p, "SetUserSettings", map[string]any{"AccessToken": access, "MFAOptions": []any{}})
	require.Equal(t, http.StatusOK, status)
	_, got = call(t, p, "GetUser", map[string]any{"AccessToken": access})
	require.NotContains(t, got, "MFAOptions")
	require.NotContains(t, got, "UserMFASettingList")
}

func TestAdminSetUserSettings(t *testing.T) {
	p := newSMSPool(t)
	status, out := call(t, p, "AdminSetUserSettings", pool(map[string]any{"Username": "alice", "MFAOptions": smsOptionWire}))
	require.Equal(t, http.StatusOK, status, out)
	_, got := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, []any{factorSMS}, got["UserMFASettingList"])
	// SetUserMFAPreference turning SMS off clears the legacy option too
	// (the docs are silent; one factor, two views of it).
	call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice", "SMSMfaSettings": map[string]bool{"Enabled": false}}))
	_, got = call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.NotContains(t, got, "MFAOptions")
	requireAPIError(t, p, "AdminSetUserSettings", pool(map[string]any{"Username": "nobody", "MFAOptions": smsOptionWire}), codeUserNotFound, "")
}

func TestSetUserSettingsKeepsAnotherPreferredFactor(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SMS: true, SoftwareToken: true})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+15555550100"}))
	setUpTOTP(t, p, clock)
	status, out := call(t, p, "AdminSetUserSettings", pool(map[string]any{"Username": "alice", "MFAOptions": smsOptionWire}))
	require.Equal(t, http.StatusOK, status, out)
	_, got := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, []any{factorSMS, factorTOTP}, got["UserMFASettingList"])
	require.Equal(t, factorTOTP, got["PreferredMfaSetting"], "the legacy option names no preference")
}

func TestSetUserSettingsRefusals(t *testing.T) {
	p := newSMSPool(t)
	access := signIn(t, p).AccessToken
	// MFAOptions is required (API_SetUserSettings, Required: Yes).
	requireAPIError(t, p, "SetUserSettings", map[string]any{"AccessToken": access}, codeInvalidParameter,
		"1 validation error detected: Value at 'mFAOptions' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "AdminSetUserSettings", pool(map[string]any{"Username": "alice"}), codeInvalidParameter, "")
	// "You can use this parameter to set only the SMS delivery medium
	// value"; "The only valid value is phone_number."
	for _, bad := range []map[string]string{
		{"DeliveryMedium": "EMAIL", "AttributeName": "email"},
		{"DeliveryMedium": "SMS", "AttributeName": "email"},
		{"DeliveryMedium": "PIGEON", "AttributeName": "phone_number"},
		{"AttributeName": "phone_number"},
	} {
		requireAPIError(t, p, "SetUserSettings", map[string]any{"AccessToken": access, "MFAOptions": []any{bad}}, codeInvalidParameter, "")
	}
	requireAPIError(t, p, "SetUserSettings", map[string]any{"AccessToken": "not-a-token", "MFAOptions": smsOptionWire}, codeNotAuthorized, "")
	// SMS MFA needs a phone number, as SetUserMFAPreference's does.
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": ""}))
	requireAPIError(t, p, "SetUserSettings", map[string]any{"AccessToken": access, "MFAOptions": smsOptionWire}, codeInvalidParameter,
		"User does not have a phone number to receive SMS MFA codes.")
	// And the pool's SMS MFA.
	q := newPool(t, Config{})
	requireAPIError(t, q, "AdminSetUserSettings", pool(map[string]any{"Username": "alice", "MFAOptions": smsOptionWire}), codeInvalidParameter,
		"SMS MFA is not enabled for the user pool.")
}

func TestUserSettingsSurviveRestart(t *testing.T) {
	p := newSMSPool(t)
	call(t, p, "AdminSetUserSettings", pool(map[string]any{"Username": "alice", "MFAOptions": smsOptionWire}))
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(&buf))
	status, got := call(t, q, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{map[string]any{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}}, got["MFAOptions"])
}
