package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// API Reference pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUserAuthFactors.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUserAuthFactors.html

func TestGetUserAuthFactorsPasswordOnly(t *testing.T) {
	p := newPool(t, Config{})
	access := signIn(t, p).AccessToken
	// A pool with PASSWORD alone (SignInPolicy's default): the user's
	// one USER_AUTH factor; no MFA set up, so no MFA members.
	status, out := call(t, p, "GetUserAuthFactors", map[string]any{"AccessToken": access})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "alice", out["Username"])
	require.Equal(t, []any{"PASSWORD"}, out["ConfiguredUserAuthFactors"])
	require.NotContains(t, out, "UserMFASettingList")
	require.NotContains(t, out, "PreferredMfaSetting")
}

func TestGetUserAuthFactorsFollowsThePoolAndTheUser(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	// alice has an email address and no phone number: EMAIL_OTP, not
	// SMS_OTP ("eligible ... selections for PREFERRED_CHALLENGE", which
	// InitiateAuth's AvailableChallenges lists for her too).
	_, out := call(t, p, "AdminGetUserAuthFactors", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, []any{"PASSWORD", "EMAIL_OTP"}, out["ConfiguredUserAuthFactors"])
	// With TOTP MFA on, she must pass MFA: the passwordless factors are
	// no longer hers, and her MFA settings show.
	setUpTOTP(t, p, clock)
	_, out = call(t, p, "AdminGetUserAuthFactors", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, []any{"PASSWORD"}, out["ConfiguredUserAuthFactors"])
	require.Equal(t, []any{factorTOTP}, out["UserMFASettingList"])
	require.Equal(t, factorTOTP, out["PreferredMfaSetting"])
}

func TestGetUserAuthFactorsRefusals(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "GetUserAuthFactors", map[string]any{}, codeInvalidParameter,
		"1 validation error detected: Value at 'accessToken' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "GetUserAuthFactors", map[string]any{"AccessToken": "not-a-token"}, codeNotAuthorized, "")
	requireAPIError(t, p, "AdminGetUserAuthFactors", pool(map[string]any{"Username": "nobody"}), codeUserNotFound, "")
	requireAPIError(t, p, "AdminGetUserAuthFactors", map[string]any{"UserPoolId": "us-east-1_Nobody", "Username": "alice"}, codeResourceNotFound, "")
}
