package awstest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

const newPassword = "Battery-Staple-7"

func (f *fixture) verifiedUser(t *testing.T, name string) {
	t.Helper()
	f.user(t, name, password, map[string]string{"email": name + "@example.com", "email_verified": "true"})
}

func (f *fixture) forgotPassword(t *testing.T, clientID, username string) (*cip.ForgotPasswordOutput, error) {
	t.Helper()
	return f.idp.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(username)})
}

func (f *fixture) confirmForgot(t *testing.T, clientID, username, code, pw string) error {
	t.Helper()
	_, err := f.idp.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID),
		Username: aws.String(username), ConfirmationCode: aws.String(code), Password: aws.String(pw)})
	return err
}

// API reference, ForgotPassword and ConfirmForgotPassword.
func TestForgotPasswordResetsWithTheCode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.verifiedUser(t, "alice")
	out, err := f.forgotPassword(t, localClient, "alice")
	require.NoError(t, err)
	assert.Equal(t, types.DeliveryMediumTypeEmail, out.CodeDeliveryDetails.DeliveryMedium)
	assert.Equal(t, "a***@e***", aws.ToString(out.CodeDeliveryDetails.Destination))
	code := f.code(t, "alice", cognitolocal.MessageForgotPassword)

	err = f.confirmForgot(t, localClient, "alice", code, "weak")
	requireAPIError[*types.InvalidPasswordException](t, err)
	require.NoError(t, f.confirmForgot(t, localClient, "alice", code, newPassword), "a weak password does not spend the code")
	f.signIn(t, localClient, "alice", newPassword)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password}})
	requireAPIError[*types.NotAuthorizedException](t, err)
}

// facts §4: without a verified email or phone number, ForgotPassword is
// refused.
func TestForgotPasswordWithoutAVerifiedContact(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com"})
	_, err := f.forgotPassword(t, localClient, "alice")
	e := requireAPIError[*types.InvalidParameterException](t, err)
	assert.Equal(t, "Cannot reset password for the user as there is no registered/verified email or phone_number", e.ErrorMessage())
}

func TestConfirmForgotPasswordWrongAndMissingCode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.verifiedUser(t, "alice")
	err := f.confirmForgot(t, localClient, "alice", "123456", newPassword)
	requireAPIError[*types.ExpiredCodeException](t, err)
	_, err = f.forgotPassword(t, localClient, "alice")
	require.NoError(t, err)
	code := f.code(t, "alice", cognitolocal.MessageForgotPassword)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	err = f.confirmForgot(t, localClient, "alice", wrong, newPassword)
	requireAPIError[*types.CodeMismatchException](t, err)
	// The attempt without a code and four wrong codes: five failures,
	// the limit of ConfirmForgotPassword (Quotas in Amazon Cognito).
	for range 3 {
		requireAPIError[*types.CodeMismatchException](t, f.confirmForgot(t, localClient, "alice", wrong, newPassword))
	}
	e := requireAPIError[*types.LimitExceededException](t, f.confirmForgot(t, localClient, "alice", code, newPassword))
	assert.Equal(t, "Attempt limit exceeded, please try after some time.", e.ErrorMessage())
}

// "Managing user existence error responses": a LEGACY client (the
// API's default) names unknown users; an ENABLED one answers as for a
// known user.
func TestUserExistenceErrorsPerClient(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	legacy, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String("legacy"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}})
	require.NoError(t, err)
	assert.Equal(t, types.PreventUserExistenceErrorTypesLegacy, legacy.UserPoolClient.PreventUserExistenceErrors, "API default")
	enabled, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String("enabled"),
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth},
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	require.NoError(t, err)
	l, en := aws.ToString(legacy.UserPoolClient.ClientId), aws.ToString(enabled.UserPoolClient.ClientId)

	signIn := func(client string) error {
		_, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(client),
			AuthParameters: map[string]string{"USERNAME": "nobody", "PASSWORD": password}})
		return err
	}
	e := requireAPIError[*types.UserNotFoundException](t, signIn(l))
	assert.Equal(t, "User does not exist.", e.ErrorMessage())
	n := requireAPIError[*types.NotAuthorizedException](t, signIn(en))
	assert.Equal(t, "Incorrect username or password.", n.ErrorMessage())

	_, err = f.forgotPassword(t, l, "nobody")
	e = requireAPIError[*types.UserNotFoundException](t, err)
	assert.Equal(t, "Username/client id combination not found.", e.ErrorMessage())
	out, err := f.forgotPassword(t, en, "nobody")
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(out.CodeDeliveryDetails.Destination))
	assert.Empty(t, f.pool.Messages(cognitolocal.MessageFilter{}), "nothing is sent for an unknown user")

	requireAPIError[*types.UserNotFoundException](t, f.confirmForgot(t, l, "nobody", "123456", newPassword))
	requireAPIError[*types.ExpiredCodeException](t, f.confirmForgot(t, en, "nobody", "123456", newPassword))

	_, err = f.idp.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(l), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
	_, err = f.idp.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(en), Username: aws.String("nobody")})
	require.NoError(t, err)

	_, err = f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(l), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456")})
	requireAPIError[*types.UserNotFoundException](t, err)
	_, err = f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(en), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456")})
	requireAPIError[*types.CodeMismatchException](t, err)
}

// API reference, AdminResetUserPassword: the password stops working
// (PasswordResetRequiredException at sign-in, RESET_REQUIRED) and a
// code lets the user choose a new one.
func TestAdminResetUserPassword(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.verifiedUser(t, "alice")
	_, err := f.idp.AdminResetUserPassword(ctx(t), &cip.AdminResetUserPasswordInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeResetRequired, f.adminGet(t, "alice").UserStatus)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password}})
	e := requireAPIError[*types.PasswordResetRequiredException](t, err)
	assert.Equal(t, "Password reset required for the user", e.ErrorMessage())

	code := f.code(t, "alice", cognitolocal.MessageForgotPassword)
	require.NoError(t, f.confirmForgot(t, localClient, "alice", code, newPassword))
	assert.Equal(t, types.UserStatusTypeConfirmed, f.adminGet(t, "alice").UserStatus)
	f.signIn(t, localClient, "alice", newPassword)

	_, err = f.idp.AdminResetUserPassword(ctx(t), &cip.AdminResetUserPasswordInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
	f.user(t, "bob", password, nil)
	_, err = f.idp.AdminResetUserPassword(ctx(t), &cip.AdminResetUserPasswordInput{UserPoolId: f.poolID(), Username: aws.String("bob")})
	requireAPIError[*types.InvalidParameterException](t, err)
	assert.Equal(t, types.UserStatusTypeConfirmed, f.adminGet(t, "bob").UserStatus, "a refused reset changes nothing")
}

// API reference, ChangePassword.
func TestChangePassword(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	access := f.signIn(t, localClient, "alice", password).AccessToken
	_, err := f.idp.ChangePassword(ctx(t), &cip.ChangePasswordInput{AccessToken: access, PreviousPassword: aws.String("Wrong-Pass-1"), ProposedPassword: aws.String(newPassword)})
	requireAPIError[*types.NotAuthorizedException](t, err)
	_, err = f.idp.ChangePassword(ctx(t), &cip.ChangePasswordInput{AccessToken: access, PreviousPassword: aws.String(password), ProposedPassword: aws.String("short")})
	requireAPIError[*types.InvalidPasswordException](t, err)
	_, err = f.idp.ChangePassword(ctx(t), &cip.ChangePasswordInput{AccessToken: aws.String("garbage"), PreviousPassword: aws.String(password), ProposedPassword: aws.String(newPassword)})
	requireAPIError[*types.NotAuthorizedException](t, err)
	_, err = f.idp.ChangePassword(ctx(t), &cip.ChangePasswordInput{AccessToken: access, PreviousPassword: aws.String(password), ProposedPassword: aws.String(newPassword)})
	require.NoError(t, err)
	f.signIn(t, localClient, "alice", newPassword)
}

// API reference, AdminDeleteUser and DeleteUser: the user is gone, and
// so are their sessions.
func TestDeleteUsers(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	f.user(t, "bob", password, nil)
	alice := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.AdminDeleteUser(ctx(t), &cip.AdminDeleteUserInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	require.NoError(t, err)
	_, err = f.idp.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	requireAPIError[*types.UserNotFoundException](t, err)
	_, err = f.refresh(t, localClient, aws.ToString(alice.RefreshToken))
	requireAPIError[*types.UserNotFoundException](t, err)
	_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: alice.AccessToken})
	require.Error(t, err)
	_, err = f.idp.AdminDeleteUser(ctx(t), &cip.AdminDeleteUserInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	requireAPIError[*types.UserNotFoundException](t, err)
	_, err = f.idp.AdminDeleteUser(ctx(t), &cip.AdminDeleteUserInput{UserPoolId: aws.String("eu-west-1_Nope"), Username: aws.String("bob")})
	requireAPIError[*types.ResourceNotFoundException](t, err)

	bob := f.signIn(t, localClient, "bob", password)
	_, err = f.idp.DeleteUser(ctx(t), &cip.DeleteUserInput{AccessToken: bob.AccessToken})
	require.NoError(t, err)
	_, err = f.idp.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: f.poolID(), Username: aws.String("bob")})
	requireAPIError[*types.UserNotFoundException](t, err)
	_, err = f.idp.DeleteUser(ctx(t), &cip.DeleteUserInput{AccessToken: bob.AccessToken})
	requireAPIError[*types.UserNotFoundException](t, err) // the token of a deleted user names no one
}
