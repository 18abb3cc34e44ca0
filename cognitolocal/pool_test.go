package cognitolocal

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The pool settings Config gives are CreateUserPool's and
// SetUserPoolMfaConfig's (API reference, CreateUserPool:
// UsernameAttributes, AliasAttributes, AutoVerifiedAttributes,
// AccountRecoverySetting; SetUserPoolMfaConfig): DescribeUserPool and
// GetUserPoolMfaConfig answer them, and they take effect.
func TestConfigSetsPoolSettings(t *testing.T) {
	p, err := New(Config{Key: testKey(t),
		UsernameAttributes:     []string{"email", "email"},
		AutoVerifiedAttributes: []string{"phone_number", "email"},
		MFA:                    MFAConfig{Mode: MFAOptional, SoftwareToken: true},
		AccountRecovery:        []RecoveryOption{{RecoveryVerifiedPhone, 2}, {RecoveryVerifiedEmail, 1}},
	})
	require.NoError(t, err)
	status, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, http.StatusOK, status, out)
	up := out["UserPool"].(map[string]any)
	assert.Equal(t, []any{"email"}, up["UsernameAttributes"])
	assert.Nil(t, up["AliasAttributes"])
	assert.Equal(t, []any{"email", "phone_number"}, up["AutoVerifiedAttributes"])
	assert.Equal(t, "OPTIONAL", up["MfaConfiguration"])
	assert.Equal(t, map[string]any{"RecoveryMechanisms": []any{
		map[string]any{"Name": "verified_email", "Priority": 1.0}, map[string]any{"Name": "verified_phone_number", "Priority": 2.0},
	}}, up["AccountRecoverySetting"])
	status, out = call(t, p, "GetUserPoolMfaConfig", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, map[string]any{"Enabled": true}, out["SoftwareTokenMfaConfiguration"])

	// In effect: the email address is the sign-up name and the username
	// is the sub; the code goes to the email address.
	status, out = call(t, p, "SignUp", signUp(DefaultClientID, "jane@example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "EMAIL", out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"])
	_, got := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "jane@example.com"})
	assert.Equal(t, out["UserSub"], got["Username"])
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "jane", testPassword), codeInvalidParameter, "Username should be either an email or a phone number.")

	// A pool of the Service gets them the same way.
	q, err := p.Service().CreatePool(Config{Key: testKey(t), AliasAttributes: []string{"preferred_username"}, AccountRecovery: []RecoveryOption{{RecoveryAdminOnly, 1}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"preferred_username"}, q.conf().AliasAttributes)
	_, err = q.CreateUser("kim", testPassword, map[string]string{"email": "kim@example.com", "email_verified": "true"})
	require.NoError(t, err)
	requireAPIError(t, q, "AdminResetUserPassword", map[string]any{"UserPoolId": q.PoolID(), "Username": "kim"}, codeNotAuthorized, "Contact administrator to reset password.")
}

// A zero Config keeps the defaults of a pool made by New: usernames, no
// alias, nothing verified automatically, MFA off, no recovery setting.
func TestZeroConfigKeepsThePoolDefaults(t *testing.T) {
	p, err := New(Config{Key: testKey(t)})
	require.NoError(t, err)
	s := p.conf()
	assert.Nil(t, s.UsernameAttributes)
	assert.Nil(t, s.AliasAttributes)
	assert.Nil(t, s.AutoVerifiedAttributes)
	assert.Nil(t, s.AccountRecovery)
	assert.Equal(t, MFAConfig{Mode: MFAOff}, p.MFAConfig())
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, map[string]string{"Name": "email", "Value": "bob@example.com"}))
	require.Equal(t, http.StatusOK, status, out)
	assert.Nil(t, out["CodeDeliveryDetails"], "no attribute is verified automatically: no code")
}

// Config's settings are refused as CreateUserPool refuses them, with the
// same InvalidParameterException, and no pool is made.
func TestConfigRefusesPoolSettingsTheAPIRefuses(t *testing.T) {
	for name, cfg := range map[string]Config{
		"username and alias":   {UsernameAttributes: []string{"email"}, AliasAttributes: []string{"phone_number"}},
		"username attribute":   {UsernameAttributes: []string{"preferred_username"}},
		"alias attribute":      {AliasAttributes: []string{"name"}},
		"auto-verified":        {AutoVerifiedAttributes: []string{"preferred_username"}},
		"MFA mode":             {MFA: MFAConfig{Mode: "SOMETIMES"}},
		"MFA without a factor": {MFA: MFAConfig{Mode: MFAOn}},
		"MFA message":          {MFA: MFAConfig{Mode: MFAOn, SMS: true, SMSMessage: "no placeholder"}},
		"recovery admin_only":  {AccountRecovery: []RecoveryOption{{RecoveryAdminOnly, 1}, {RecoveryVerifiedEmail, 2}}},
		"recovery name":        {AccountRecovery: []RecoveryOption{{"fax", 1}}},
		"recovery priority":    {AccountRecovery: []RecoveryOption{{RecoveryVerifiedEmail, 3}}},
		"recovery empty":       {AccountRecovery: []RecoveryOption{}},
	} {
		cfg.Key = testKey(t)
		p, err := New(cfg)
		var e *Error
		require.True(t, errors.As(err, &e), "%s: %v", name, err)
		assert.Equal(t, codeInvalidParameter, e.Code, name)
		assert.Nil(t, p, name)
	}
}
