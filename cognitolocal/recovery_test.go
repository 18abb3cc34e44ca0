package cognitolocal

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pages the tests below follow:
//   - developer guide, "Recovering user accounts":
//     https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html
//   - API reference, AccountRecoverySettingType and RecoveryOptionType:
//     https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AccountRecoverySettingType.html
//     https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RecoveryOptionType.html
//   - API reference, CreateUserPool (AccountRecoverySetting), UpdateUserPool,
//     ForgotPassword and AdminResetUserPassword.

func recoverySetting(opts ...any) map[string]any {
	var list []map[string]any
	for i := 0; i+1 < len(opts); i += 2 {
		list = append(list, map[string]any{"Name": opts[i], "Priority": opts[i+1]})
	}
	return map[string]any{"RecoveryMechanisms": list}
}

// setRecovery sets the default pool's AccountRecoverySetting with
// UpdateUserPool.
func setRecovery(t *testing.T, p *Pool, setting map[string]any) {
	t.Helper()
	status, out := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(), "AccountRecoverySetting": setting})
	require.Equal(t, http.StatusOK, status, out)
}

func describedRecovery(t *testing.T, p *Pool, poolID string) any {
	t.Helper()
	status, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": poolID})
	require.Equal(t, http.StatusOK, status, out)
	return out["UserPool"].(map[string]any)["AccountRecoverySetting"]
}

// AccountRecoverySettingType "is a request and response parameter of
// CreateUserPool and UpdateUserPool, and a response parameter of
// DescribeUserPool"; UpdateUserPool returns an omitted setting to its
// default, here none.
func TestAccountRecoverySettingIsKeptAndDescribed(t *testing.T) {
	p := newPool(t, Config{})
	want := map[string]any{"RecoveryMechanisms": []any{
		map[string]any{"Name": "verified_email", "Priority": 1.0},
		map[string]any{"Name": "verified_phone_number", "Priority": 2.0},
	}}
	up := createPool(t, p, map[string]any{"PoolName": "recovery",
		"AccountRecoverySetting": recoverySetting("verified_phone_number", 2, "verified_email", 1)})
	assert.Equal(t, want, up["AccountRecoverySetting"], "answered in priority order")
	assert.Equal(t, want, describedRecovery(t, p, up["Id"].(string)))

	single := map[string]any{"RecoveryMechanisms": []any{map[string]any{"Name": "verified_email", "Priority": 2.0}}}
	setRecovery(t, p, recoverySetting("verified_email", 2))
	assert.Equal(t, single, describedRecovery(t, p, p.PoolID()), "a lone mechanism keeps the priority it was given")

	status, out := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, http.StatusOK, status, out)
	assert.Nil(t, describedRecovery(t, p, p.PoolID()), "omitted from UpdateUserPool: no setting")
	assert.Nil(t, createPool(t, p, map[string]any{"PoolName": "plain"})["AccountRecoverySetting"])
	setRecovery(t, p, map[string]any{})
	assert.Nil(t, describedRecovery(t, p, p.PoolID()), "RecoveryMechanisms is optional: an empty setting is none")
}

// The model's constraints (RecoveryMechanismsType 1 to 2 items;
// RecoveryOptionType: Priority 1 to 2 and Name in the enum, both
// required) are answered as every model violation, and the developer
// guide's rule "You cannot use admin_only with any other account recovery
// mechanism" with InvalidParameterException. The guide does not word the
// latter, nor the refusal of a mechanism or priority given twice (the
// priorities order the mechanisms, so two of one priority order nothing).
func TestAccountRecoverySettingRejections(t *testing.T) {
	p := newPool(t, Config{})
	const at = "1 validation error detected: Value at 'accountRecoverySetting.recoveryMechanisms"
	for name, tc := range map[string]struct {
		setting map[string]any
		message string
	}{
		"empty list":     {map[string]any{"RecoveryMechanisms": []any{}}, at + "' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		"three":          {recoverySetting("verified_email", 1, "verified_phone_number", 2, "admin_only", 2), at + "' failed to satisfy constraint: Member must have length less than or equal to 2"},
		"priority 0":     {recoverySetting("verified_email", 0), at + ".1.member.priority' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		"priority 3":     {recoverySetting("verified_email", 1, "verified_phone_number", 3), at + ".2.member.priority' failed to satisfy constraint: Member must have value less than or equal to 2"},
		"no priority":    {map[string]any{"RecoveryMechanisms": []any{map[string]any{"Name": "verified_email"}}}, at + ".1.member.priority' failed to satisfy constraint: Member must not be null"},
		"no name":        {map[string]any{"RecoveryMechanisms": []any{map[string]any{"Priority": 1}}}, at + ".1.member.name' failed to satisfy constraint: Member must not be null"},
		"unknown name":   {recoverySetting("carrier_pigeon", 1), at + ".1.member.name' failed to satisfy constraint: Member must satisfy enum value set: [verified_email, verified_phone_number, admin_only]"},
		"admin and more": {recoverySetting("admin_only", 1, "verified_email", 2), "admin_only cannot be combined with another recovery mechanism."},
		"name twice":     {recoverySetting("verified_email", 1, "verified_email", 2), "AccountRecoverySetting gives a recovery mechanism or a priority twice."},
		"priority twice": {recoverySetting("verified_email", 1, "verified_phone_number", 1), "AccountRecoverySetting gives a recovery mechanism or a priority twice."},
	} {
		t.Run(name, func(t *testing.T) {
			requireAPIError(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(), "AccountRecoverySetting": tc.setting}, codeInvalidParameter, tc.message)
			requireAPIError(t, p, "CreateUserPool", map[string]any{"PoolName": "x", "AccountRecoverySetting": tc.setting}, codeInvalidParameter, tc.message)
		})
	}
	requireAPIError(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(), "AccountRecoverySetting": map[string]any{"RecoveryMechanisms": "verified_email"}},
		"SerializationException", "")
	assert.Nil(t, describedRecovery(t, p, p.PoolID()), "nothing refused was kept")
	assert.Len(t, p.Service().Pools(), 1, "no pool was created")
}

// "When you specify an AccountRecoverySetting for your user pool, Amazon
// Cognito chooses the code delivery destination based on the priority
// that you set", falling back to the second mechanism; "Cognito sends a
// verification to only one of the specified methods".
func TestForgotPasswordFollowsTheRecoveryPriority(t *testing.T) {
	p, _ := clockPool(t)
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+12065559934", "phone_number_verified": "true"}))
	forgotMedium := func() any {
		t.Helper()
		status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"})
		require.Equal(t, http.StatusOK, status, out)
		return out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"]
	}
	assert.Equal(t, "SMS", forgotMedium(), "no setting: the legacy order, a verified phone first")
	setRecovery(t, p, recoverySetting("verified_email", 1, "verified_phone_number", 2))
	assert.Equal(t, "EMAIL", forgotMedium())
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"email_verified": "false"}))
	assert.Equal(t, "SMS", forgotMedium(), "falls back to priority 2")
	setRecovery(t, p, recoverySetting("verified_email", 1))
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"}, codeInvalidParameter,
		"Cannot reset password for the user as there is no registered/verified email or phone_number")
	var media []string
	for _, m := range p.Messages(MessageFilter{Username: "alice", Kind: MessageForgotPassword}) {
		media = append(media, m.DeliveryMedium)
	}
	assert.Equal(t, []string{"SMS", "EMAIL", "SMS"}, media, "one message per request, none when refused")
}

// CreateUserPool, AccountRecoverySetting: "With this setting, SMS doesn't
// qualify for a valid password recovery mechanism if the user also has
// SMS multi-factor authentication (MFA) activated. Email MFA is also
// disqualifying for account recovery with email." Without the setting
// the legacy order applies as before.
func TestRecoveryPassesOverTheUsersMFAFactor(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOptional, SMS: true, Email: true})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+12065559934", "phone_number_verified": "true"}))
	status, out := call(t, p, "AdminSetUserMFAPreference", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice",
		"SMSMfaSettings": map[string]any{"Enabled": true}})
	require.Equal(t, http.StatusOK, status, out)
	forgot := func() (int, map[string]any) {
		return call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"})
	}
	status, out = forgot()
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "SMS", out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"], "no setting: legacy order")

	setRecovery(t, p, recoverySetting("verified_phone_number", 1, "verified_email", 2))
	status, out = forgot()
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "EMAIL", out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"], "the SMS MFA phone does not qualify")

	status, out = call(t, p, "AdminSetUserMFAPreference", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice",
		"SMSMfaSettings": map[string]any{"Enabled": false}, "EmailMfaSettings": map[string]any{"Enabled": true}})
	require.Equal(t, http.StatusOK, status, out)
	setRecovery(t, p, recoverySetting("verified_email", 1))
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"}, codeInvalidParameter,
		"Cannot reset password for the user as there is no registered/verified email or phone_number")
}

// admin_only: "the administrator does not want the user to recover their
// account themselves" (developer guide). ForgotPassword's and
// AdminResetUserPassword's API reference pages both say "To use this API
// operation, your user pool must have self-service account recovery
// configured. Use AdminSetUserPassword if you manage passwords as an
// administrator." Neither names the exception: the pool answers
// NotAuthorizedException "Contact administrator to reset password.",
// before it looks the user up, so an unknown user gets the same answer
// and no message goes out. AdminSetUserPassword still works.
func TestAdminOnlyRecoveryRefusesSelfServiceResets(t *testing.T) {
	p, _ := clockPool(t)
	setRecovery(t, p, recoverySetting("admin_only", 1))
	for _, name := range []string{"alice", "nobody"} {
		requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": name},
			codeNotAuthorized, "Contact administrator to reset password.")
	}
	requireAPIError(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice"},
		codeNotAuthorized, "Contact administrator to reset password.")
	assert.Empty(t, p.Messages(MessageFilter{}))
	signIn(t, p) // the refused admin reset left the password usable
	status, out := call(t, p, "AdminSetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice", "Password": "N3w-passw0rd", "Permanent": true})
	require.Equal(t, http.StatusOK, status, out)
	// The client is checked first, as for every ForgotPassword.
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": "nosuchclient", "Username": "alice"}, "ResourceNotFoundException", "")
}

// The setting is saved with the pool and comes back with it; a state
// file with a setting the API would refuse does not load.
func TestStateKeepsTheAccountRecoverySetting(t *testing.T) {
	p := newPool(t, Config{})
	setRecovery(t, p, recoverySetting("verified_phone_number", 2, "verified_email", 1))
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(&buf))
	assert.Equal(t, describedRecovery(t, p, p.PoolID()), describedRecovery(t, q, q.PoolID()))
	assert.Equal(t, []RecoveryOption{{RecoveryVerifiedEmail, 1}, {RecoveryVerifiedPhone, 2}}, q.conf().AccountRecovery)

	for _, bad := range []string{`[{"name":"admin_only","priority":1},{"name":"verified_email","priority":2}]`, `[{"name":"fax","priority":1}]`, `[]`} {
		doc := `{"version":2,"pools":[{"poolId":"local_Dev","settings":{"name":"x","passwordPolicy":{"MinimumLength":8},"accountRecovery":` + bad + `}}]}`
		r := newPoolEmpty(t)
		require.Error(t, r.LoadState(strings.NewReader(doc)), bad)
		assert.Nil(t, r.conf().AccountRecovery)
	}
}
