package conformance

import (
	"net/http/httptest"
	"testing"
)

// TestAmplify drives the pool with Amplify JS v6 in Node
// (js/amplify.mjs; each case cites the documentation it checks); the
// access token each case ends with must verify with a cognitojwt.Verifier.
func TestAmplify(t *testing.T) {
	t.Parallel()
	node := requireClient(t, "node")
	requireNodeModules(t)
	quiz := httptest.NewServer(&quizFunction{})
	t.Cleanup(quiz.Close)
	runScriptCases(t, node, "js/amplify.mjs", []scriptCase{
		{name: "user_password_auth", after: verifiedAccessToken},
		{name: "srp_and_user_auth_sign_in", after: verifiedAccessToken},
		{name: "sign_up_confirm_srp_totp", after: verifiedAccessToken},
		{name: "mfa_setup_email_selection", after: verifiedAccessToken},
		{name: "account_page", after: verifiedAccessToken},
		{name: "remember_device", after: verifiedAccessToken},
		{name: "custom_auth", issuerArgs: []string{"--lambda", quizARN + "=" + quiz.URL}, after: verifiedAccessToken},
	})
}
