package awstest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// backend registers a client that allows server-side sign-in
// (ALLOW_ADMIN_USER_PASSWORD_AUTH).
func (f *fixture) backend(t *testing.T) string {
	t.Helper()
	out, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String("backend"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	require.NoError(t, err)
	return aws.ToString(out.UserPoolClient.ClientId)
}

func (f *fixture) adminAuth(t *testing.T, clientID string, flow types.AuthFlowType, params map[string]string) (*cip.AdminInitiateAuthOutput, error) {
	t.Helper()
	return f.idp.AdminInitiateAuth(ctx(t), &cip.AdminInitiateAuthInput{UserPoolId: f.poolID(), ClientId: aws.String(clientID),
		AuthFlow: flow, AuthParameters: params})
}

// API reference, AdminInitiateAuth: ADMIN_USER_PASSWORD_AUTH (and the
// older ADMIN_NO_SRP_AUTH) sign in with a password; REFRESH_TOKEN_AUTH
// refreshes.
func TestAdminInitiateAuth(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	sub := f.user(t, "alice", password, nil)
	client := f.backend(t)
	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeAdminUserPasswordAuth, types.AuthFlowTypeAdminNoSrpAuth} {
		out, err := f.adminAuth(t, client, flow, map[string]string{"USERNAME": "alice", "PASSWORD": password})
		require.NoError(t, err, flow)
		access := f.verify(t, client, cognitojwt.AccessToken, aws.ToString(out.AuthenticationResult.AccessToken))
		assert.Equal(t, sub, access.Subject)
		refreshed, err := f.adminAuth(t, client, types.AuthFlowTypeRefreshTokenAuth, map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)})
		require.NoError(t, err)
		assert.Equal(t, access.OriginJTI, f.verify(t, client, cognitojwt.AccessToken, aws.ToString(refreshed.AuthenticationResult.AccessToken)).OriginJTI)
	}

	_, err := f.adminAuth(t, client, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "alice", "PASSWORD": "Wrong-Pass-1"})
	requireAPIError[*types.NotAuthorizedException](t, err)
	// The client was made through the API: LEGACY names unknown users.
	_, err = f.adminAuth(t, client, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "nobody", "PASSWORD": password})
	requireAPIError[*types.UserNotFoundException](t, err)
	// facts §6: a client without the flow.
	_, err = f.adminAuth(t, localClient, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "alice", "PASSWORD": password})
	e := requireAPIError[*types.InvalidParameterException](t, err)
	assert.Equal(t, "Auth flow not enabled for this client", e.ErrorMessage())
	_, err = f.idp.AdminInitiateAuth(ctx(t), &cip.AdminInitiateAuthInput{UserPoolId: aws.String("eu-west-1_Nope"), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password}})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

// API reference, AdminCreateUser and AdminRespondToAuthChallenge: an
// invited user signs in with the temporary password from the invitation
// and chooses a new one.
func TestInvitationThenNewPasswordChallenge(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	client := f.backend(t)
	created, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("dave"),
		UserAttributes:         attrList("email", "dave@example.com"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeForceChangePassword, created.User.UserStatus)
	msgs := f.pool.Messages(cognitolocal.MessageFilter{Username: "dave", Kind: cognitolocal.MessageAdminCreateUser})
	require.Len(t, msgs, 1)
	temp := msgs[0].Code
	assert.Equal(t, "dave@example.com", msgs[0].Destination)
	assert.GreaterOrEqual(t, len(temp), 8)

	out, err := f.adminAuth(t, client, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "dave", "PASSWORD": temp})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeNewPasswordRequired, out.ChallengeName)
	answered, err := f.idp.AdminRespondToAuthChallenge(ctx(t), &cip.AdminRespondToAuthChallengeInput{UserPoolId: f.poolID(), ClientId: aws.String(client),
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dave", "NEW_PASSWORD": newPassword}})
	require.NoError(t, err)
	require.NotNil(t, answered.AuthenticationResult)
	assert.Equal(t, types.UserStatusTypeConfirmed, f.adminGet(t, "dave").UserStatus)

	_, err = f.idp.AdminRespondToAuthChallenge(ctx(t), &cip.AdminRespondToAuthChallengeInput{UserPoolId: f.poolID(), ClientId: aws.String(client),
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dave", "NEW_PASSWORD": newPassword}})
	requireAPIError[*types.NotAuthorizedException](t, err) // a session answers once
}

// API reference, AdminCreateUser: MessageAction SUPPRESS sends nothing;
// RESEND sends an existing FORCE_CHANGE_PASSWORD user a new temporary
// password, and the old one stops working.
func TestInvitationSuppressAndResend(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	client := f.backend(t)
	_, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("dave"),
		UserAttributes: attrList("email", "dave@example.com"), MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	assert.Empty(t, f.pool.Messages(cognitolocal.MessageFilter{}))

	_, err = f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("dave"),
		MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	require.NoError(t, err)
	_, err = f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("dave"),
		MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	require.NoError(t, err)
	msgs := f.pool.Messages(cognitolocal.MessageFilter{Username: "dave"})
	require.Len(t, msgs, 2)
	old, current := msgs[0].Code, msgs[1].Code
	_, err = f.adminAuth(t, client, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "dave", "PASSWORD": old})
	requireAPIError[*types.NotAuthorizedException](t, err)
	out, err := f.adminAuth(t, client, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "dave", "PASSWORD": current})
	require.NoError(t, err)
	assert.Equal(t, types.ChallengeNameTypeNewPasswordRequired, out.ChallengeName)

	f.user(t, "erin", password, nil)
	_, err = f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("erin"), MessageAction: types.MessageActionTypeResend})
	requireAPIError[*types.UnsupportedUserStateException](t, err)
	_, err = f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("nobody"), MessageAction: types.MessageActionTypeResend})
	requireAPIError[*types.UserNotFoundException](t, err)
}

// facts §4: a temporary password expires after the policy's
// TemporaryPasswordValidityDays (7 by default).
func TestTemporaryPasswordExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().Unix())
	f := newFixture(t, cognitolocal.Config{Now: func() time.Time { return time.Unix(now.Load(), 0) }})
	client := f.backend(t)
	_, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("dave"),
		TemporaryPassword: aws.String("Temp-Pass-1"), MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	now.Add(int64(7 * 24 * time.Hour / time.Second))
	_, err = f.adminAuth(t, client, types.AuthFlowTypeAdminUserPasswordAuth, map[string]string{"USERNAME": "dave", "PASSWORD": "Temp-Pass-1"})
	e := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "Temporary password has expired and must be reset by an administrator.", e.ErrorMessage())
}
