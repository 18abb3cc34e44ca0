package conformance

import "testing"

// TestResetRequiredAWSCLI signs in a user an administrator reset with the
// AWS CLI. API_AdminResetUserPassword: "If a user tries to sign in after
// the API is called, Amazon Cognito responds with a
// PasswordResetRequiredException error"; API_InitiateAuth lists the error.
// USER_PASSWORD_AUTH and choice-based USER_AUTH (PREFERRED_CHALLENGE
// PASSWORD) both answer it. The CLI's model (Debian awscli 2.9.19) does
// not list USER_AUTH in AuthFlowType, but the CLI does not check enum
// values and sends it as given.
func TestResetRequiredAWSCLI(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	runCase(t, "aws", "reset_required_user_auth", "", func(t *testing.T) {
		iss := startIssuer(t)
		iss.awsOK(t, "admin-create-user", "--user-pool-id", iss.PoolID, "--username", "rae",
			"--message-action", "SUPPRESS", "--user-attributes", "Name=email,Value=rae@example.com", "Name=email_verified,Value=true")
		iss.awsOK(t, "admin-set-user-password", "--user-pool-id", iss.PoolID, "--username", "rae",
			"--password", "Correct-Horse-9", "--permanent")
		iss.awsOK(t, "admin-reset-user-password", "--user-pool-id", iss.PoolID, "--username", "rae")
		got := iss.awsOK(t, "admin-get-user", "--user-pool-id", iss.PoolID, "--username", "rae")
		if got["UserStatus"] != "RESET_REQUIRED" {
			t.Fatalf("UserStatus %v, want RESET_REQUIRED", got["UserStatus"])
		}
		iss.awsRefused(t, "PasswordResetRequiredException", "initiate-auth", "--client-id", iss.ClientID,
			"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=rae,PASSWORD=Correct-Horse-9")
		iss.awsRefused(t, "PasswordResetRequiredException", "initiate-auth", "--client-id", iss.ClientID,
			"--auth-flow", "USER_AUTH", "--auth-parameters", "USERNAME=rae,PREFERRED_CHALLENGE=PASSWORD,PASSWORD=Correct-Horse-9")
	})
}
