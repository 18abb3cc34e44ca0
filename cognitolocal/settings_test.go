package cognitolocal

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// apiPool creates a pool over the JSON API with the given settings, and a
// public client allowing USER_PASSWORD_AUTH; it returns the pool and the
// client ID.
func apiPool(t *testing.T, h http.Handler, settings map[string]any) (*Pool, string) {
	t.Helper()
	settings["PoolName"] = "settings"
	id := createPool(t, h, settings)["Id"].(string)
	status, out := call(t, h, "CreateUserPoolClient", map[string]any{
		"UserPoolId": id, "ClientName": "app", "ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})
	require.Equal(t, http.StatusOK, status, out)
	p, ok := h.(*Pool).Service().Pool(id)
	require.True(t, ok)
	return p, out["UserPoolClient"].(map[string]any)["ClientId"].(string)
}

func passwordAuth(clientID, username, password string) map[string]any {
	return map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": clientID,
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": password}}
}

func signUp(clientID, username, password string, attrs ...map[string]string) map[string]any {
	in := map[string]any{"ClientId": clientID, "Username": username, "Password": password}
	if len(attrs) > 0 {
		in["UserAttributes"] = attrs
	}
	return in
}

// Developer guide, "User pool attributes" (user-pool-settings-attributes):
// with email as a username attribute, users sign up and sign in with their
// email address, and Cognito gives them a UUID username, the sub.
func TestUsernameAttributesEmailIsTheSignInName(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"UsernameAttributes": []string{"email"}})
	status, out := call(t, root, "SignUp", signUp(client, "Carol@Example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	sub := out["UserSub"].(string)
	_, got := call(t, root, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "Carol@Example.com"})
	require.Equal(t, sub, got["Username"], "the stored username is the sub")
	require.Contains(t, got["UserAttributes"], map[string]any{"Name": "email", "Value": "Carol@Example.com"})
	require.NoError(t, p.SetUserPassword(sub, testPassword, true))
	status, out = call(t, root, "InitiateAuth", passwordAuth(client, "Carol@Example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	access := payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))
	require.Equal(t, sub, access["username"])
	// A username that is not an email address is refused; the address is
	// taken once.
	requireAPIError(t, root, "SignUp", signUp(client, "carol", testPassword), codeInvalidParameter, "Username should be either an email or a phone number.")
	requireAPIError(t, root, "SignUp", signUp(client, "Carol@Example.com", testPassword), codeUsernameExists, "")
}

// "User pool attributes": an alias works once verified; a username may not
// have the alias's format.
func TestAliasAttributesNeedVerification(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"AliasAttributes": []string{"email", "preferred_username"}})
	_, err := p.CreateUser("dave", testPassword, map[string]string{"email": "dave@example.com", "preferred_username": "dj"})
	require.NoError(t, err)
	// An unverified alias names no one; the API-made client is LEGACY.
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "dave@example.com", testPassword), codeUserNotFound, "User does not exist.")
	require.NoError(t, p.SetUserAttributes("dave", map[string]string{"email_verified": "true"}))
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "dave@example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "dave", payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))["username"])
	status, _ = call(t, root, "InitiateAuth", passwordAuth(client, "dj", testPassword))
	require.Equal(t, http.StatusOK, status, "preferred_username needs no verification")
	requireAPIError(t, root, "SignUp", signUp(client, "erin@example.com", testPassword), codeInvalidParameter, "")
}

// UsernameConfigurationType: case sensitive by default through the API;
// CaseSensitive false makes "UserName" and "username" one user.
func TestUsernameCaseSensitivity(t *testing.T) {
	root := newPool(t, Config{})
	sensitive, client := apiPool(t, root, map[string]any{})
	_, err := sensitive.CreateUser("Frank", testPassword, nil)
	require.NoError(t, err)
	_, err = sensitive.CreateUser("frank", testPassword, nil)
	require.NoError(t, err, "another user")
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "FRANK", testPassword), codeUserNotFound, "")
	insensitive, client := apiPool(t, root, map[string]any{"UsernameConfiguration": map[string]any{"CaseSensitive": false}})
	_, err = insensitive.CreateUser("Frank", testPassword, nil)
	require.NoError(t, err)
	_, err = insensitive.CreateUser("frank", testPassword, nil)
	require.Equal(t, errUserExists, err)
	status, _ := call(t, root, "InitiateAuth", passwordAuth(client, "FRANK", testPassword))
	require.Equal(t, http.StatusOK, status)
}

// PasswordPolicyType: a policy given applies to every password set.
func TestPasswordPolicyApplies(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{
		"MinimumLength": 12, "RequireLowercase": true,
	}}})
	_, err := p.CreateUser("gina", "short", nil)
	require.Equal(t, codeInvalidPassword, err.(*Error).Code)
	_, err = p.CreateUser("gina", "onlylowercaseletters", nil)
	require.NoError(t, err, "no other class required")
	requireAPIError(t, root, "SignUp", signUp(client, "hank", "ALLUPPERCASE1!"), codeInvalidPassword, "Password did not conform with policy: Password must have lowercase characters")
	requireAPIError(t, root, "AdminSetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "gina", "Password": "tooshort", "Permanent": true},
		codeInvalidPassword, "Password did not conform with policy: Password not long enough")
	requireAPIError(t, root, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "ivan", "TemporaryPassword": "short"}, codeInvalidPassword, "")
	require.NoError(t, checkPasswordPolicy(p.conf().PasswordPolicy, p.GeneratePassword()))
	require.NoError(t, checkPasswordPolicy(DefaultPasswordPolicy(), p.GeneratePassword()))
}

// PasswordPolicyType.TemporaryPasswordValidityDays: after it, the temporary
// password no longer signs in (the answer is observed:
// NotAuthorizedException "Temporary password has expired and must be reset
// by an administrator.").
func TestTemporaryPasswordExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	root := newPool(t, Config{Now: func() time.Time { return time.Unix(now.Load(), 0) }})
	p, client := apiPool(t, root, map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{
		"MinimumLength": 8, "TemporaryPasswordValidityDays": 1,
	}}})
	status, _ := call(t, root, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "judy", "TemporaryPassword": "temporary"})
	require.Equal(t, http.StatusOK, status)
	_, out := call(t, root, "InitiateAuth", passwordAuth(client, "judy", "temporary"))
	require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
	now.Add(int64(25 * time.Hour / time.Second))
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "judy", "temporary"), codeNotAuthorized,
		"Temporary password has expired and must be reset by an administrator.")
}

// SchemaAttributeType: custom Number attributes hold numbers within their
// bounds; a required standard attribute must be given at sign-up
// ("User pool attributes": administrators may create users without it);
// an immutable one cannot change.
func TestSchemaAttributeRules(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"Schema": []map[string]any{
		{"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "18", "MaxValue": "120"}},
		{"Name": "code", "AttributeDataType": "String", "StringAttributeConstraints": map[string]string{"MinLength": "2", "MaxLength": "4"}},
		{"Name": "given_name", "AttributeDataType": "String", "Required": true, "Mutable": false},
	}})
	bad := map[string]string{
		"not-a-number": "custom:age", "17": "custom:age", "121": "custom:age", "x": "custom:code", "abcde": "custom:code",
	}
	for value, name := range bad {
		requireAPIError(t, root, "SignUp", signUp(client, "kim", testPassword,
			map[string]string{"Name": name, "Value": value}, map[string]string{"Name": "given_name", "Value": "Kim"}), codeInvalidParameter, "")
	}
	requireAPIError(t, root, "SignUp", signUp(client, "kim", testPassword), codeInvalidParameter, "Attributes did not conform to the schema: given_name: The attribute is required")
	status, out := call(t, root, "SignUp", signUp(client, "kim", testPassword,
		map[string]string{"Name": "custom:age", "Value": "42"}, map[string]string{"Name": "given_name", "Value": "Kim"}))
	require.Equal(t, http.StatusOK, status, out)
	status, _ = call(t, root, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "lee", "MessageAction": "SUPPRESS"})
	require.Equal(t, http.StatusOK, status, "AdminCreateUser needs no required attribute")
	require.Equal(t, errImmutableAttr, p.SetUserAttributes("kim", map[string]string{"given_name": "Kimberly"}))
	require.Equal(t, codeInvalidParameter, p.SetUserAttributes("kim", map[string]string{"custom:age": "200"}).(*Error).Code)
	require.NoError(t, p.SetUserAttributes("kim", map[string]string{"custom:age": "43"}))
}

// AdminCreateUserConfigType.AllowAdminCreateUserOnly: only administrators
// create users; SignUp is refused (observed answer: NotAuthorizedException
// "SignUp is not permitted for this user pool").
func TestAllowAdminCreateUserOnlyRefusesSignUp(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": true}})
	requireAPIError(t, root, "SignUp", signUp(client, "mia", testPassword), codeNotAuthorized, "SignUp is not permitted for this user pool")
	require.False(t, p.AllowsSignUp())
	status, _ := call(t, root, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "mia", "MessageAction": "SUPPRESS"})
	require.Equal(t, http.StatusOK, status)
}

// AllowAdminCreateUserOnly does not stop a user the administrator created
// from resetting a forgotten password. The API reference of ForgotPassword
// makes it depend on AccountRecoverySetting ("your user pool must have
// self-service account recovery options set in AccountRecoverySettingType
// and the requested user must be eligible for an available account
// recovery option") and on a verified email address or phone number; it
// says nothing of AllowAdminCreateUserOnly, and neither does
// AdminCreateUserConfigType. The pool follows the English reference; an
// admin_only recovery setting is what refuses (recovery_test.go).
func TestAllowAdminCreateUserOnlyKeepsForgotPassword(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": true}})
	_, err := p.CreateUser("mia", testPassword, map[string]string{"email": "mia@example.com", "email_verified": "true"})
	require.NoError(t, err)
	status, out := call(t, root, "ForgotPassword", map[string]any{"ClientId": client, "Username": "mia"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "EMAIL", out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"])
	code, ok := p.LastCode("mia", MessageForgotPassword)
	require.True(t, ok)
	status, out = call(t, root, "ConfirmForgotPassword", map[string]any{"ClientId": client, "Username": "mia",
		"ConfirmationCode": code, "Password": "N3w-Passw0rd!"})
	require.Equal(t, http.StatusOK, status, out)
}

func TestMfaConfigurationStored(t *testing.T) {
	root := newPool(t, Config{})
	p, _ := apiPool(t, root, map[string]any{"MfaConfiguration": "OPTIONAL",
		"SmsConfiguration": map[string]any{"SnsCallerArn": "arn:aws:iam::000000000000:role/sms"}})
	require.Equal(t, "OPTIONAL", p.MfaConfiguration())
	require.Equal(t, "OFF", root.MfaConfiguration())
}

// LambdaConfig.PreTokenGenerationConfig names a function by ARN; locally
// the Service maps the ARN to a trigger.
func TestPreTokenGenerationLambdaMappedToLocalTrigger(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:claims"
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{
		"PreTokenGenerationConfig": map[string]string{"LambdaArn": arn, "LambdaVersion": "V2_0"},
	}})
	_, err := p.CreateUser("nina", testPassword, nil)
	require.NoError(t, err)
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "nina", testPassword), codeUnexpectedLambda, "")
	p.Service().SetLambda(arn, Trigger(func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tier": "gold"}
		return ev, nil
	}))
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "nina", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "gold", payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))["tier"])
	_, desc := call(t, root, "DescribeUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, map[string]any{"LambdaArn": arn, "LambdaVersion": "V2_0"},
		desc["UserPool"].(map[string]any)["LambdaConfig"].(map[string]any)["PreTokenGenerationConfig"])
}
