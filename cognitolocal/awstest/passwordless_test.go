package awstest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// A user with MFA on signs in with a password, never with a code alone:
// "If a user has MFA configured, passwordless sign-in options will not
// be available" (Amplify's passwordless guide,
// https://docs.amplify.aws/react/build-a-backend/auth/concepts/passwordless/,
// citing
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html#user-pool-settings-mfa-prerequisites).
// The guides name no error for asking anyway; the pool answers
// InvalidParameterException. The client names users (LEGACY): one that
// hides them offers every name the same factors and refuses only the
// right code (cognitolocal's TestUserAuthHiddenMFAUserRefusedAfterTheCode).
func TestPasswordlessRefusedToUserWithMFA(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	client, ok := f.pool.AppClient(localClient)
	require.True(t, ok)
	client.PreventUserExistenceErrors = "LEGACY"
	_, err := f.pool.UpdateAppClient(client)
	require.NoError(t, err)
	require.NoError(t, f.pool.SetMFAConfig(cognitolocal.MFAConfig{Mode: cognitolocal.MFAOptional, Email: true}))
	require.NoError(t, f.pool.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	f.user(t, "carol", password, map[string]string{"email": "carol@example.com"})
	_, err = f.idp.AdminSetUserMFAPreference(ctx(t), &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: f.poolID(), Username: aws.String("carol"),
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true},
	})
	require.NoError(t, err)

	userAuth := func(params map[string]string) (*cip.InitiateAuthOutput, error) {
		return f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(localClient), AuthParameters: params,
		})
	}
	out, err := userAuth(map[string]string{"USERNAME": "carol"})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSelectChallenge, out.ChallengeName)
	require.Equal(t, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}, out.AvailableChallenges)

	_, err = f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carol", "ANSWER": "EMAIL_OTP"},
	})
	e := requireAPIError[*types.InvalidParameterException](t, err)
	require.NotContains(t, e.ErrorMessage(), "carol")
	for _, factor := range []string{"EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"} {
		_, err = userAuth(map[string]string{"USERNAME": "carol", "PREFERRED_CHALLENGE": factor})
		requireAPIError[*types.InvalidParameterException](t, err)
	}
	_, sent := f.pool.LastCode("carol", cognitolocal.MessageAuthentication)
	require.False(t, sent, "no sign-in code was sent")

	// The password, then the emailed MFA code, signs in.
	res, err := f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carol", "ANSWER": "PASSWORD", "PASSWORD": password},
	})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeEmailOtp, res.ChallengeName)
	code, sent := f.pool.LastCode("carol", cognitolocal.MessageAuthentication)
	require.True(t, sent)
	require.Len(t, code, 6, "an MFA code, not an eight-digit sign-in code")
	res, err = f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeEmailOtp, Session: res.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carol", "EMAIL_OTP_CODE": code},
	})
	require.NoError(t, err)
	require.NotNil(t, res.AuthenticationResult)
}

// A code sent as the first factor does not outlive the user's turning
// MFA on: answered after SetUserMFAPreference, it is refused as a
// passwordless factor asked for up front is. Cognito documents no
// answer for this case; the pool refuses with the same
// InvalidParameterException and sends no tokens.
func TestPasswordlessCodeRefusedAfterMFAPreference(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	require.NoError(t, f.pool.SetMFAConfig(cognitolocal.MFAConfig{Mode: cognitolocal.MFAOptional, Email: true}))
	require.NoError(t, f.pool.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	f.user(t, "dave", password, map[string]string{"email": "dave@example.com"})
	access := f.signIn(t, localClient, "dave", password).AccessToken

	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "dave", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
	})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeEmailOtp, out.ChallengeName)
	code, sent := f.pool.LastCode("dave", cognitolocal.MessageAuthentication)
	require.True(t, sent)
	_, err = f.idp.SetUserMFAPreference(ctx(t), &cip.SetUserMFAPreferenceInput{
		AccessToken: access, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true},
	})
	require.NoError(t, err)

	res, err := f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeEmailOtp, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dave", "EMAIL_OTP_CODE": code},
	})
	require.Nil(t, res)
	e := requireAPIError[*types.InvalidParameterException](t, err)
	require.NotContains(t, e.ErrorMessage(), code)
}

// SMS_OTP as the first factor through the SDK: UpdateUserPool allows it
// (SignInPolicyType.AllowedFirstAuthFactors), SELECT_CHALLENGE offers it
// to a user with a phone number, ANSWER SMS_OTP sends a code answered
// with SMS_OTP_CODE (API reference, RespondToAuthChallenge,
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html),
// and the right code verifies the number ("your user pool marks the
// user's unverified email address or phone number attribute as
// verified", developer guide, "Passwordless sign-in with one-time
// passwords").
func TestSMSOTPFirstFactor(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.UpdateUserPool(ctx(t), &cip.UpdateUserPoolInput{UserPoolId: f.poolID(),
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeSmsOtp},
		}},
	})
	require.NoError(t, err)
	f.user(t, "erin", password, map[string]string{"phone_number": "+15555550188"})

	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "erin"},
	})
	require.NoError(t, err)
	require.Equal(t, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", types.ChallengeNameTypeSmsOtp}, out.AvailableChallenges)
	res, err := f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "erin", "ANSWER": "SMS_OTP"},
	})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeSmsOtp, res.ChallengeName)
	require.Equal(t, "SMS", res.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"])
	require.Equal(t, "+*******0188", res.ChallengeParameters["CODE_DELIVERY_DESTINATION"])
	code, sent := f.pool.LastCode("erin", cognitolocal.MessageAuthentication)
	require.True(t, sent)
	require.Len(t, code, 8)

	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	_, err = f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeSmsOtp, Session: res.Session,
		ChallengeResponses: map[string]string{"USERNAME": "erin", "SMS_OTP_CODE": wrong},
	})
	e := requireAPIError[*types.CodeMismatchException](t, err)
	require.NotContains(t, e.ErrorMessage(), "0188")
	done, err := f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeSmsOtp, Session: res.Session,
		ChallengeResponses: map[string]string{"USERNAME": "erin", "SMS_OTP_CODE": code},
	})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)
	u, err := f.idp.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: f.poolID(), Username: aws.String("erin")})
	require.NoError(t, err)
	verified := ""
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "phone_number_verified" {
			verified = aws.ToString(a.Value)
		}
	}
	require.Equal(t, "true", verified)
}
