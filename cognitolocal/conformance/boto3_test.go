package conformance

import (
	"net/http/httptest"
	"os/exec"
	"testing"
)

// TestBoto3 drives the pool with boto3 (py/boto3_cases.py; each case
// cites the documentation it checks).
func TestBoto3(t *testing.T) {
	t.Parallel()
	py := requireClient(t, python3)
	if out, err := exec.Command(py, "-c", "import boto3, cryptography.hazmat.primitives.kdf.hkdf").CombinedOutput(); err != nil {
		t.Skipf("########## boto3 or cryptography NOT INSTALLED (%v: %s); run .ci/run conformance to install them. BOTO3 WAS NOT TESTED. ##########", err, out)
	}
	quiz := httptest.NewServer(&quizFunction{})
	t.Cleanup(quiz.Close)
	runScriptCases(t, py, "py/boto3_cases.py", []scriptCase{
		{name: "global_sign_out"},
		{name: "secret_hash_client", after: func(t *testing.T, iss *issuer, r map[string]any) {
			requireAccessToken(t, iss, str(t, r, "clientId"), str(t, r, "accessToken"), str(t, r, "username"))
		}},
		{name: "list_users_and_admin_get_user"},
		{name: "disabled_user"},
		{name: "groups_in_tokens"},
		{name: "group_roles_in_id_token"},
		{name: "blank_attribute_deletes"},
		{name: "forgot_password"},
		{name: "admin_invitation"},
		{name: "admin_reset_user_password"},
		{name: "user_pool_lifecycle"},
		{name: "list_users_paging"},
		{name: "list_groups_paging"},
		{name: "srp_password_verifier",
			after: func(t *testing.T, iss *issuer, r map[string]any) {
				for _, kind := range []string{"public", "secret"} {
					m, _ := r[kind].(map[string]any)
					requireAccessToken(t, iss, str(t, m, "clientId"), str(t, m, "accessToken"), str(t, r, "username"))
				}
			}},
		{name: "user_auth_password_srp"},
		{name: "srp_email_username", after: verifiedAccessToken},
		{name: "srp_refusals"},
		{name: "admin_initiate_auth"},
		{name: "passwordless_refused_with_mfa"},
		{name: "admin_custom_auth", issuerArgs: []string{"--lambda", quizARN + "=" + quiz.URL}},
	})
}
