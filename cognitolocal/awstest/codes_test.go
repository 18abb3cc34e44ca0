package awstest

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// Sign-up confirmation, attribute verification and their codes, with
// the codes read from the pool's outbox as a test reads a mailbox.

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// code returns the newest code of kind sent to username.
func (f *fixture) code(t *testing.T, username string, kind cognitolocal.MessageKind) string {
	t.Helper()
	c, ok := f.pool.LastCode(username, kind)
	require.True(t, ok, "no %s message to %s", kind, username)
	require.Regexp(t, sixDigits, c)
	return c
}

// autoVerifyEmail makes the pool send sign-up codes to email addresses,
// as AutoVerifiedAttributes does (the API's default is none).
func (f *fixture) autoVerifyEmail(t *testing.T) {
	t.Helper()
	_, err := f.idp.UpdateUserPool(ctx(t), &cip.UpdateUserPoolInput{UserPoolId: f.poolID(),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	require.NoError(t, err)
}

func (f *fixture) signUp(t *testing.T, username, email string) *cip.SignUpOutput {
	t.Helper()
	out, err := f.idp.SignUp(ctx(t), &cip.SignUpInput{
		ClientId: aws.String(localClient), Username: aws.String(username), Password: aws.String(password),
		UserAttributes: attrList("email", email),
	})
	require.NoError(t, err)
	return out
}

// API reference, SignUp: the answer says where the code went
// (CodeDeliveryDetails); ConfirmSignUp with it confirms the user and, as
// "Verifying contact information at sign-up" describes, verifies the
// attribute it went to.
func TestSignUpSendsACodeThatConfirmSignUpTakes(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.autoVerifyEmail(t)
	out := f.signUp(t, "dave", "dave@example.com")
	require.NotNil(t, out.CodeDeliveryDetails)
	assert.Equal(t, types.DeliveryMediumTypeEmail, out.CodeDeliveryDetails.DeliveryMedium)
	assert.Equal(t, "email", aws.ToString(out.CodeDeliveryDetails.AttributeName))
	assert.Equal(t, "d***@e***", aws.ToString(out.CodeDeliveryDetails.Destination), "the address is masked")

	_, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "dave", "PASSWORD": password}})
	e := requireAPIError[*types.UserNotConfirmedException](t, err)
	assert.Equal(t, "User is not confirmed.", e.ErrorMessage())

	code := f.code(t, "dave", cognitolocal.MessageSignUp)
	_, err = f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"),
		ConfirmationCode: aws.String(code)})
	require.NoError(t, err)
	got := f.adminGet(t, "dave")
	assert.Equal(t, types.UserStatusTypeConfirmed, got.UserStatus)
	assert.Equal(t, "true", attrsOf(got.UserAttributes)["email_verified"])
	f.signIn(t, localClient, "dave", password)

	// facts §4: confirming twice is NotAuthorizedException.
	_, err = f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"),
		ConfirmationCode: aws.String(code)})
	e2 := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "User cannot be confirmed. Current status is CONFIRMED", e2.ErrorMessage())
}

func TestConfirmSignUpWrongCode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.autoVerifyEmail(t)
	f.signUp(t, "dave", "dave@example.com")
	code := f.code(t, "dave", cognitolocal.MessageSignUp)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err := f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"),
		ConfirmationCode: aws.String(wrong)})
	e := requireAPIError[*types.CodeMismatchException](t, err)
	assert.Equal(t, "Invalid verification code provided, please try again.", e.ErrorMessage())
	assert.Equal(t, types.UserStatusTypeUnconfirmed, f.adminGet(t, "dave").UserStatus)
}

// API reference, ResendConfirmationCode: a new code; the earlier one no
// longer confirms.
func TestResendConfirmationCode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.autoVerifyEmail(t)
	f.signUp(t, "dave", "dave@example.com")
	first := f.code(t, "dave", cognitolocal.MessageSignUp)
	out, err := f.idp.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(localClient), Username: aws.String("dave")})
	require.NoError(t, err)
	assert.Equal(t, "d***@e***", aws.ToString(out.CodeDeliveryDetails.Destination))
	second := f.code(t, "dave", cognitolocal.MessageResendCode)
	if first != second {
		_, err = f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"), ConfirmationCode: aws.String(first)})
		requireAPIError[*types.CodeMismatchException](t, err)
	}
	_, err = f.idp.ConfirmSignUp(ctx(t), &cip.ConfirmSignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"), ConfirmationCode: aws.String(second)})
	require.NoError(t, err)
	_, err = f.idp.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(localClient), Username: aws.String("dave")})
	requireAPIError[*types.InvalidParameterException](t, err)
}

// Quotas in Amazon Cognito: ResendConfirmationCode, 5 per user per hour.
func TestResendConfirmationCodeIsLimited(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.autoVerifyEmail(t)
	f.signUp(t, "dave", "dave@example.com")
	for range 5 {
		_, err := f.idp.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(localClient), Username: aws.String("dave")})
		require.NoError(t, err)
	}
	_, err := f.idp.ResendConfirmationCode(ctx(t), &cip.ResendConfirmationCodeInput{ClientId: aws.String(localClient), Username: aws.String("dave")})
	e := requireAPIError[*types.LimitExceededException](t, err)
	assert.Equal(t, "Attempt limit exceeded, please try after some time.", e.ErrorMessage())
}

// API reference, GetUserAttributeVerificationCode and VerifyUserAttribute.
func TestVerifyAnAttributeWithACode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "phone_number": "+12065559934"})
	access := f.signIn(t, localClient, "alice", password).AccessToken
	out, err := f.idp.GetUserAttributeVerificationCode(ctx(t), &cip.GetUserAttributeVerificationCodeInput{
		AccessToken: access, AttributeName: aws.String("phone_number")})
	require.NoError(t, err)
	assert.Equal(t, types.DeliveryMediumTypeSms, out.CodeDeliveryDetails.DeliveryMedium)
	assert.Equal(t, "+*******9934", aws.ToString(out.CodeDeliveryDetails.Destination))
	code := f.code(t, "alice", cognitolocal.MessageVerifyUserAttribute)

	_, err = f.idp.VerifyUserAttribute(ctx(t), &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String(code)})
	requireAPIError[*types.ExpiredCodeException](t, err) // no code was asked for the email address
	_, err = f.idp.VerifyUserAttribute(ctx(t), &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("phone_number"), Code: aws.String(code)})
	require.NoError(t, err)
	assert.Equal(t, "true", attrsOf(f.adminGet(t, "alice").UserAttributes)["phone_number_verified"])
	_, err = f.idp.VerifyUserAttribute(ctx(t), &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("phone_number"), Code: aws.String(code)})
	requireAPIError[*types.ExpiredCodeException](t, err) // single use

	_, err = f.idp.GetUserAttributeVerificationCode(ctx(t), &cip.GetUserAttributeVerificationCodeInput{AccessToken: access, AttributeName: aws.String("name")})
	requireAPIError[*types.InvalidParameterException](t, err)
	_, err = f.idp.GetUserAttributeVerificationCode(ctx(t), &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String("garbage"), AttributeName: aws.String("email")})
	requireAPIError[*types.NotAuthorizedException](t, err)
}
