package conformance

import (
	"net/http/httptest"
	"testing"
)

// verifiedAccessToken checks, in Go, the access token a script reported;
// a token of a pool the script created (RESULT member poolId) is checked
// against that pool's issuer, http://ADDR/POOL.
func verifiedAccessToken(t *testing.T, iss *issuer, r map[string]any) {
	t.Helper()
	if _, ok := r["poolId"]; ok {
		iss = &issuer{Issuer: iss.Endpoint + "/" + str(t, r, "poolId"), caFile: iss.caFile}
	}
	requireAccessToken(t, iss, str(t, r, "clientId"), str(t, r, "accessToken"), str(t, r, "username"))
}

// TestIdentityJS drives the pool with amazon-cognito-identity-js
// (js/identityjs.mjs; each case cites the documentation it checks).
func TestIdentityJS(t *testing.T) {
	t.Parallel()
	node := requireClient(t, "node")
	requireNodeModules(t)
	quiz := httptest.NewServer(&quizFunction{})
	t.Cleanup(quiz.Close)
	runScriptCases(t, node, "js/identityjs.mjs", []scriptCase{
		{name: "user_password_auth", after: verifiedAccessToken},
		{name: "refresh_then_global_sign_out"},
		{name: "sign_up_unconfirmed"},
		{name: "new_password_required_user_password_auth"},
		{name: "new_password_required"},
		{name: "default_srp_sign_in", after: verifiedAccessToken},
		{name: "default_srp_sign_in_with_secret", after: verifiedAccessToken},
		{name: "totp_mfa", after: verifiedAccessToken},
		{name: "sms_mfa_settings"},
		{name: "change_password"},
		{name: "reset_password"},
		{name: "reset_required_srp"},
		{name: "remembered_device", after: verifiedAccessToken},
		{name: "custom_auth", issuerArgs: []string{"--lambda", quizARN + "=" + quiz.URL}, after: verifiedAccessToken},
	})
}
