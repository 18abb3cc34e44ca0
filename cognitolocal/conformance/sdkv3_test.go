package conformance

import (
	"testing"
)

// TestJSSDKv3 drives the pool with the AWS SDK for JavaScript v3
// (js/sdkv3.mjs; each case cites the documentation it checks).
func TestJSSDKv3(t *testing.T) {
	t.Parallel()
	node := requireClient(t, "node")
	requireNodeModules(t)
	runScriptCases(t, node, "js/sdkv3.mjs", []scriptCase{
		{name: "sign_up_admin_confirm_sign_in"},
		{name: "sign_up_refusals"},
		{name: "client_defaults"},
		{name: "refresh_then_revoke"},
		{name: "update_user_attributes"},
		{name: "token_claims"},
		{name: "pool_settings"},
		{name: "update_resets_omitted_settings"},
		{name: "user_existence_errors"},
		{name: "sign_up_confirm_change_password"},
		{name: "delete_user"},
		{name: "verify_email_attribute"},
		{name: "resource_server_scopes"},
		{name: "user_auth_select_challenge"},
		{name: "user_auth_factors_and_certificate"},
		{name: "sms_otp_first_factor"},
		{name: "password_outer_whitespace"},
		{name: "token_revocation_disabled"},
	})
}
