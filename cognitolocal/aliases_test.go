package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Developer guide, "User pool attributes", on aliases:
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html
// and the API reference of ConfirmSignUp and AdminCreateUser
// (ForceAliasCreation). The guide names AliasExistsException but not its
// message; the pool sends "An account with the given email already
// exists." (phone_number for a phone number).

func attributeOf(t *testing.T, p *Pool, username, name string) any {
	t.Helper()
	status, out := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": username})
	require.Equal(t, http.StatusOK, status, out)
	if name == "UserStatus" {
		return out["UserStatus"]
	}
	for _, a := range out["UserAttributes"].([]any) {
		if a.(map[string]any)["Name"] == name {
			return a.(map[string]any)["Value"]
		}
	}
	return nil
}

// "During sign-up, if your user provides an email address or phone
// number as an alias value and another user has already used that alias
// value, registration succeeds. However, when a user tries to confirm the
// account with this email … and enters the valid code, Amazon Cognito
// returns an AliasExistsException error." ConfirmSignUp with
// forceAliasCreation "moves the alias from the previous account to the
// newly created account, and marks the attribute unverified in the
// previous account".
func TestConfirmSignUpMovesATakenAliasOnlyWhenForced(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"AliasAttributes": []string{"email"}, "AutoVerifiedAttributes": []string{"email"}})
	_, err := p.CreateUser("dave", testPassword, map[string]string{"email": "dave@example.com", "email_verified": "true"})
	require.NoError(t, err)
	status, out := call(t, root, "SignUp", signUp(client, "erin", testPassword, map[string]string{"Name": "email", "Value": "dave@example.com"}))
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode("erin", MessageSignUp)
	require.True(t, ok)
	confirm := map[string]any{"ClientId": client, "Username": "erin", "ConfirmationCode": code}
	requireAPIError(t, root, "ConfirmSignUp", confirm, "AliasExistsException", "An account with the given email already exists.")
	assert.Equal(t, "UNCONFIRMED", attributeOf(t, p, "erin", "UserStatus"))
	assert.Equal(t, "true", attributeOf(t, p, "dave", "email_verified"))

	confirm["ForceAliasCreation"] = true
	status, out = call(t, root, "ConfirmSignUp", confirm)
	require.Equal(t, http.StatusOK, status, out, "the same code, still good, with ForceAliasCreation")
	assert.Equal(t, "CONFIRMED", attributeOf(t, p, "erin", "UserStatus"))
	assert.Equal(t, "true", attributeOf(t, p, "erin", "email_verified"))
	assert.Equal(t, "false", attributeOf(t, p, "dave", "email_verified"), "unverified in the previous account")
	status, out = call(t, root, "InitiateAuth", passwordAuth(client, "dave@example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "erin", payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))["username"], "the alias signs erin in now")
}

// "the value that you provide can be in a verified state in only one
// account": an update or a verification that would verify it on a second
// account is AliasExistsException (listed among the errors of
// AdminUpdateUserAttributes, UpdateUserAttributes and
// VerifyUserAttribute), and changes nothing; AdminCreateUser's
// ForceAliasCreation "migrates the alias from the previous user to the
// newly-created user".
func TestAVerifiedAliasBelongsToOneUser(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"AliasAttributes": []string{"email", "phone_number"}})
	_, err := p.CreateUser("dave", testPassword, map[string]string{"email": "dave@example.com", "email_verified": "true", "phone_number": "+12065550100", "phone_number_verified": "true"})
	require.NoError(t, err)
	_, err = p.CreateUser("erin", testPassword, map[string]string{"email": "erin@example.com", "email_verified": "true"})
	require.NoError(t, err)

	requireAPIError(t, root, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": p.PoolID(), "Username": "erin",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "dave@example.com"}, {"Name": "email_verified", "Value": "true"}}},
		"AliasExistsException", "An account with the given email already exists.")
	requireAPIError(t, root, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": p.PoolID(), "Username": "erin",
		"UserAttributes": []map[string]string{{"Name": "phone_number", "Value": "+12065550100"}, {"Name": "phone_number_verified", "Value": "true"}}},
		"AliasExistsException", "An account with the given phone_number already exists.")
	assert.Equal(t, "erin@example.com", attributeOf(t, p, "erin", "email"), "nothing changed")
	assert.Nil(t, attributeOf(t, p, "erin", "phone_number"))
	require.Equal(t, aliasExists("email"), p.SetUserAttributes("erin", map[string]string{"email": "dave@example.com", "email_verified": "true"}))

	// Unverified, the value is erin's to hold; verifying it is refused
	// and the code stays good until dave lets the address go.
	require.NoError(t, p.SetUserAttributes("erin", map[string]string{"email": "dave@example.com"}))
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "erin", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	access := out["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	status, out = call(t, root, "GetUserAttributeVerificationCode", map[string]any{"AccessToken": access, "AttributeName": "email"})
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode("erin", MessageVerifyUserAttribute)
	require.True(t, ok)
	verify := map[string]any{"AccessToken": access, "AttributeName": "email", "Code": code}
	requireAPIError(t, root, "VerifyUserAttribute", verify, "AliasExistsException", "An account with the given email already exists.")
	assert.Equal(t, "false", attributeOf(t, p, "erin", "email_verified"))
	require.NoError(t, p.SetUserAttributes("dave", map[string]string{"email": "dave@example.org"}))
	status, out = call(t, root, "VerifyUserAttribute", verify)
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "true", attributeOf(t, p, "erin", "email_verified"))

	// AdminCreateUser: refused, then migrated with ForceAliasCreation.
	create := map[string]any{"UserPoolId": p.PoolID(), "Username": "fay", "MessageAction": "SUPPRESS",
		"UserAttributes": []map[string]string{{"Name": "phone_number", "Value": "+12065550100"}, {"Name": "phone_number_verified", "Value": "true"}}}
	requireAPIError(t, root, "AdminCreateUser", create, "AliasExistsException", "An account with the given phone_number already exists.")
	requireAPIError(t, root, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "fay"}, codeUserNotFound, "")
	create["ForceAliasCreation"] = true
	status, out = call(t, root, "AdminCreateUser", create)
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "false", attributeOf(t, p, "dave", "phone_number_verified"))
	assert.Equal(t, "true", attributeOf(t, p, "fay", "phone_number_verified"))
}

// With email as a username attribute the address "must be unique, and it
// must not already be in use by another user. It doesn't have to be
// verified", and a user "can change the email address … to a new email
// address … If the email address … isn't already in use".
func TestUsernameAttributeValuesStayUnique(t *testing.T) {
	root := newPool(t, Config{})
	p, _ := apiPool(t, root, map[string]any{"UsernameAttributes": []string{"email"}})
	_, err := p.CreateUser("gil@example.com", testPassword, nil)
	require.NoError(t, err)
	hal, err := p.CreateUser("hal@example.com", testPassword, nil)
	require.NoError(t, err)
	force := map[string]any{"UserPoolId": p.PoolID(), "Username": "hal@example.com",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "gil@example.com"}}}
	requireAPIError(t, root, "AdminUpdateUserAttributes", force, "AliasExistsException", "An account with the given email already exists.")
	require.NoError(t, p.SetUserAttributes(hal, map[string]string{"email": "hal@example.org"}))
	assert.Equal(t, "hal@example.org", attributeOf(t, p, hal, "email"))
}
