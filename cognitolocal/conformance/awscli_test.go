package conformance

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The AWS CLI v2 cases. API reference pages are cited as API_<Operation>,
// for https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html;
// developer-guide pages by title, under
// https://docs.aws.amazon.com/cognito/latest/developerguide/.

// cliError is the CLI's report of a refused call: "An error occurred
// (CODE) when calling the OPERATION operation: MESSAGE".
var cliError = regexp.MustCompile(`An error occurred \(([A-Za-z]+)\) when calling the \w+ operation(?: \([^)]*\))?: ?(.*)`)

// aws runs `aws cognito-idp ARGS --endpoint-url ENDPOINT` and returns its
// JSON answer, or the error code and message of a refusal.
func (iss *issuer) aws(t *testing.T, args ...string) (answer map[string]any, code, message string) {
	t.Helper()
	argv := append([]string{"cognito-idp"}, args...)
	argv = append(argv, "--endpoint-url", iss.Endpoint, "--output", "json")
	stdout, stderr, err := iss.run(t, "", awsCLI, argv...)
	if err != nil {
		m := cliError.FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return nil, m[1], strings.TrimSpace(m[2])
	}
	answer = map[string]any{}
	if strings.TrimSpace(stdout) != "" {
		if err := json.Unmarshal([]byte(stdout), &answer); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stdout)
		}
	}
	return answer, "", ""
}

// awsOK runs a call that must succeed.
func (iss *issuer) awsOK(t *testing.T, args ...string) map[string]any {
	t.Helper()
	answer, code, message := iss.aws(t, args...)
	if code != "" {
		t.Fatalf("aws %s refused: %s: %s", strings.Join(args, " "), code, message)
	}
	return answer
}

// awsRefused runs a call that must be refused with code.
func (iss *issuer) awsRefused(t *testing.T, code string, args ...string) string {
	t.Helper()
	_, got, message := iss.aws(t, args...)
	if got != code {
		t.Fatalf("aws %s: want %s, got %q (%s)", strings.Join(args, " "), code, got, message)
	}
	return message
}

// path reads a nested member of a JSON answer: path(m, "User", "UserStatus").
func path(t *testing.T, m map[string]any, names ...string) any {
	t.Helper()
	var v any = m
	for _, n := range names {
		obj, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %s in %v", strings.Join(names, "."), m)
		}
		v = obj[n]
	}
	return v
}

func TestAWSCLI(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)

	// API_AdminCreateUser: a user created with a temporary password has
	// status FORCE_CHANGE_PASSWORD; creating the same username again
	// answers UsernameExistsException (Errors). Developer guide, "Creating
	// user accounts as administrator": at the first sign-in with the
	// temporary password the user must set a new one — InitiateAuth
	// answers the NEW_PASSWORD_REQUIRED challenge with a Session
	// (API_InitiateAuth, ChallengeName). RespondToAuthChallenge with
	// NEW_PASSWORD and that Session signs the user in
	// (API_RespondToAuthChallenge, NEW_PASSWORD_REQUIRED), and the user is
	// then CONFIRMED (API_UserType, UserStatus).
	runCase(t, "aws", "admin_create_user_new_password_required", "", func(t *testing.T) {
		iss := startIssuer(t)
		created := iss.awsOK(t, "admin-create-user", "--user-pool-id", iss.PoolID, "--username", "ada",
			"--temporary-password", "Temp-Password-1", "--message-action", "SUPPRESS",
			"--user-attributes", "Name=email,Value=ada@example.com")
		if got := path(t, created, "User", "UserStatus"); got != "FORCE_CHANGE_PASSWORD" {
			t.Fatalf("UserStatus %v, want FORCE_CHANGE_PASSWORD", got)
		}
		if got := path(t, created, "User", "Enabled"); got != true {
			t.Fatalf("Enabled %v, want true", got)
		}
		iss.awsRefused(t, "UsernameExistsException", "admin-create-user", "--user-pool-id", iss.PoolID,
			"--username", "ada", "--temporary-password", "Temp-Password-1", "--message-action", "SUPPRESS")

		challenge := iss.awsOK(t, "initiate-auth", "--client-id", iss.ClientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=ada,PASSWORD=Temp-Password-1")
		if challenge["ChallengeName"] != "NEW_PASSWORD_REQUIRED" {
			t.Fatalf("ChallengeName %v, want NEW_PASSWORD_REQUIRED", challenge["ChallengeName"])
		}
		session, _ := challenge["Session"].(string)
		if session == "" {
			t.Fatal("NEW_PASSWORD_REQUIRED came without a Session")
		}
		if challenge["AuthenticationResult"] != nil {
			t.Fatal("a challenge came with tokens")
		}
		signedIn := iss.awsOK(t, "respond-to-auth-challenge", "--client-id", iss.ClientID,
			// --session=: a session may begin with "-", which the CLI would
			// take for an option.
			"--challenge-name", "NEW_PASSWORD_REQUIRED", "--session="+session,
			"--challenge-responses", "USERNAME=ada,NEW_PASSWORD=Brand-New-Pass-2")
		if tok, _ := path(t, signedIn, "AuthenticationResult", "AccessToken").(string); tok == "" {
			t.Fatalf("no access token: %v", signedIn)
		}
		got := iss.awsOK(t, "admin-get-user", "--user-pool-id", iss.PoolID, "--username", "ada")
		if got["UserStatus"] != "CONFIRMED" {
			t.Fatalf("UserStatus %v after the new password, want CONFIRMED", got["UserStatus"])
		}
	})

	// API_AdminSetUserPassword with --permanent: "the user status is set to
	// Confirmed"; the user signs in with USER_PASSWORD_AUTH
	// (API_InitiateAuth) and GetUser with the access token names them
	// (API_GetUser). A wrong password is refused with
	// NotAuthorizedException (API_InitiateAuth, Errors). AdminGetUser of a
	// user the pool lacks answers UserNotFoundException (API_AdminGetUser,
	// Errors).
	runCase(t, "aws", "admin_set_user_password_sign_in", "", func(t *testing.T) {
		iss := startIssuer(t)
		iss.awsOK(t, "admin-create-user", "--user-pool-id", iss.PoolID, "--username", "bob",
			"--temporary-password", "Temp-Password-1", "--message-action", "SUPPRESS")
		iss.awsOK(t, "admin-set-user-password", "--user-pool-id", iss.PoolID, "--username", "bob",
			"--password", "Correct-Horse-9", "--permanent")
		if got := iss.awsOK(t, "admin-get-user", "--user-pool-id", iss.PoolID, "--username", "bob"); got["UserStatus"] != "CONFIRMED" {
			t.Fatalf("UserStatus %v, want CONFIRMED", got["UserStatus"])
		}
		auth := iss.awsOK(t, "initiate-auth", "--client-id", iss.ClientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=bob,PASSWORD=Correct-Horse-9")
		access, _ := path(t, auth, "AuthenticationResult", "AccessToken").(string)
		if access == "" {
			t.Fatalf("no access token: %v", auth)
		}
		requireAccessToken(t, iss, iss.ClientID, access, "bob")
		if me := iss.awsOK(t, "get-user", "--access-token", access); me["Username"] != "bob" {
			t.Fatalf("GetUser Username %v, want bob", me["Username"])
		}
		iss.awsRefused(t, "NotAuthorizedException", "initiate-auth", "--client-id", iss.ClientID,
			"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=bob,PASSWORD=Wrong-Password-1")
		iss.awsRefused(t, "UserNotFoundException", "admin-get-user", "--user-pool-id", iss.PoolID, "--username", "nobody")
	})

	// API_CreateUserPoolClient with --generate-secret answers the client's
	// ID and secret and the flows asked for; DescribeUserPoolClient answers
	// the same (API_DescribeUserPoolClient).
	runCase(t, "aws", "create_user_pool_client", "", func(t *testing.T) {
		iss := startIssuer(t)
		created := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", iss.PoolID, "--client-name", "backend",
			"--generate-secret", "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
		id, _ := path(t, created, "UserPoolClient", "ClientId").(string)
		secret, _ := path(t, created, "UserPoolClient", "ClientSecret").(string)
		if id == "" || secret == "" {
			t.Fatalf("no ClientId or ClientSecret: %v", created)
		}
		described := iss.awsOK(t, "describe-user-pool-client", "--user-pool-id", iss.PoolID, "--client-id", id)
		if got := path(t, described, "UserPoolClient", "ClientSecret"); got != secret {
			t.Fatal("DescribeUserPoolClient answered another secret")
		}
		if got := path(t, described, "UserPoolClient", "ClientName"); got != "backend" {
			t.Fatalf("ClientName %v, want backend", got)
		}
	})

	// API_AdminSetUserSettings with MFAOptions SMS to phone_number (the
	// only option API_MFAOptionType allows) turns SMS MFA on for a user of
	// a pool whose SMS MFA is on (API_SetUserPoolMfaConfig): AdminGetUser
	// answers the option in MFAOptions and SMS_MFA in UserMFASettingList
	// (API_AdminGetUser). An EMAIL option is refused with
	// InvalidParameterException ("You can use this parameter to set only
	// the SMS delivery medium value"); an empty list turns SMS MFA off.
	runCase(t, "aws", "admin_set_user_settings", "", func(t *testing.T) {
		iss := startIssuer(t)
		iss.awsOK(t, "set-user-pool-mfa-config", "--user-pool-id", iss.PoolID, "--mfa-configuration", "OPTIONAL",
			"--sms-mfa-configuration", `{"SmsAuthenticationMessage":"Your code is {####}"}`)
		iss.awsOK(t, "admin-create-user", "--user-pool-id", iss.PoolID, "--username", "cy",
			"--message-action", "SUPPRESS", "--user-attributes", "Name=phone_number,Value=+15555550100")
		iss.awsOK(t, "admin-set-user-settings", "--user-pool-id", iss.PoolID, "--username", "cy",
			"--mfa-options", "DeliveryMedium=SMS,AttributeName=phone_number")
		got := iss.awsOK(t, "admin-get-user", "--user-pool-id", iss.PoolID, "--username", "cy")
		opts, _ := got["MFAOptions"].([]any)
		if len(opts) != 1 || path(t, opts[0].(map[string]any), "DeliveryMedium") != "SMS" {
			t.Fatalf("MFAOptions %v, want SMS to phone_number", got["MFAOptions"])
		}
		if list, _ := got["UserMFASettingList"].([]any); len(list) != 1 || list[0] != "SMS_MFA" {
			t.Fatalf("UserMFASettingList %v, want [SMS_MFA]", got["UserMFASettingList"])
		}
		iss.awsRefused(t, "InvalidParameterException", "admin-set-user-settings", "--user-pool-id", iss.PoolID, "--username", "cy",
			"--mfa-options", "DeliveryMedium=EMAIL,AttributeName=email")
		iss.awsOK(t, "admin-set-user-settings", "--user-pool-id", iss.PoolID, "--username", "cy", "--mfa-options", "[]")
		if got := iss.awsOK(t, "admin-get-user", "--user-pool-id", iss.PoolID, "--username", "cy"); got["MFAOptions"] != nil {
			t.Fatalf("MFAOptions %v after an empty list", got["MFAOptions"])
		}
	})
}
