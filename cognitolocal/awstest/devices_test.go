package awstest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// Remembered devices through the AWS SDK for Go v2: DeviceConfiguration,
// NewDeviceMetadata, ConfirmDevice and the device operations. Developer
// guide, "Working with user devices in your user pool". The device
// password's proof (DEVICE_PASSWORD_VERIFIER) is checked by the pool's
// tests and the identity-js conformance case; here the verifier is a
// well-formed stand-in.

// trackDevices turns on device tracking with UpdateUserPool.
func (f *fixture) trackDevices(t *testing.T, onPrompt bool) {
	t.Helper()
	_, err := f.idp.UpdateUserPool(ctx(t), &cip.UpdateUserPoolInput{UserPoolId: f.poolID(),
		DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: onPrompt}})
	require.NoError(t, err)
}

// newDevice signs alice in, confirms the device key the pool handed out
// and returns it with the access token.
func (f *fixture) newDevice(t *testing.T, name string) (key, access string) {
	t.Helper()
	res := f.signIn(t, localClient, "alice", password)
	require.NotNil(t, res.NewDeviceMetadata, "a tracking pool hands a sign-in without DEVICE_KEY a device key")
	key, access = aws.ToString(res.NewDeviceMetadata.DeviceKey), aws.ToString(res.AccessToken)
	assert.NotEmpty(t, aws.ToString(res.NewDeviceMetadata.DeviceGroupKey))
	deviceKey, _ := f.verify(t, localClient, cognitojwt.AccessToken, access).Get("device_key")
	assert.Equal(t, key, deviceKey, "the access token names its device")
	out, err := f.idp.ConfirmDevice(ctx(t), &cip.ConfirmDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(key), DeviceName: aws.String(name),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("AQID"), PasswordVerifier: aws.String("BAUG")}})
	require.NoError(t, err)
	assert.False(t, out.UserConfirmationNecessary)
	return key, access
}

func deviceAttrs(d *types.DeviceType) map[string]string { return attrsOf(d.DeviceAttributes) }

func TestDeviceOperations(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	f.trackDevices(t, false)
	described, err := f.idp.DescribeUserPool(ctx(t), &cip.DescribeUserPoolInput{UserPoolId: f.poolID()})
	require.NoError(t, err)
	require.NotNil(t, described.UserPool.DeviceConfiguration)
	assert.True(t, described.UserPool.DeviceConfiguration.ChallengeRequiredOnNewDevice)

	key, access := f.newDevice(t, "laptop")
	got, err := f.idp.GetDevice(ctx(t), &cip.GetDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(key)})
	require.NoError(t, err)
	assert.Equal(t, key, aws.ToString(got.Device.DeviceKey))
	// last_ip_used is the address the SDK's ConfirmDevice came from: the
	// pool is on loopback (DeviceType: "last-access source IP").
	assert.Equal(t, map[string]string{"device_status": "valid", "device_name": "laptop", "dev:device_remembered_status": "remembered",
		"last_ip_used": "127.0.0.1"}, deviceAttrs(got.Device))
	assert.NotNil(t, got.Device.DeviceLastAuthenticatedDate)

	_, err = f.idp.UpdateDeviceStatus(ctx(t), &cip.UpdateDeviceStatusInput{AccessToken: aws.String(access), DeviceKey: aws.String(key),
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered})
	require.NoError(t, err)
	admin, err := f.idp.AdminGetDevice(ctx(t), &cip.AdminGetDeviceInput{UserPoolId: f.poolID(), Username: aws.String("alice"), DeviceKey: aws.String(key)})
	require.NoError(t, err)
	assert.Equal(t, "not_remembered", deviceAttrs(admin.Device)["dev:device_remembered_status"])
	_, err = f.idp.AdminUpdateDeviceStatus(ctx(t), &cip.AdminUpdateDeviceStatusInput{UserPoolId: f.poolID(), Username: aws.String("alice"), DeviceKey: aws.String(key),
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered})
	require.NoError(t, err)

	// A sign-in presenting the device is asked to prove it.
	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password, "DEVICE_KEY": key}})
	require.NoError(t, err)
	assert.Equal(t, types.ChallengeNameTypeDeviceSrpAuth, out.ChallengeName)
	assert.NotEmpty(t, aws.ToString(out.Session))

	_, err = f.idp.ForgetDevice(ctx(t), &cip.ForgetDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(key)})
	require.NoError(t, err)
	_, err = f.idp.GetDevice(ctx(t), &cip.GetDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(key)})
	e := requireAPIError[*types.ResourceNotFoundException](t, err)
	assert.Equal(t, "Device does not exist.", e.ErrorMessage())
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password, "DEVICE_KEY": key}})
	requireAPIError[*types.ResourceNotFoundException](t, err)

	key2, _ := f.newDevice(t, "phone")
	_, err = f.idp.AdminForgetDevice(ctx(t), &cip.AdminForgetDeviceInput{UserPoolId: f.poolID(), Username: aws.String("alice"), DeviceKey: aws.String(key2)})
	require.NoError(t, err)
	_, err = f.idp.AdminForgetDevice(ctx(t), &cip.AdminForgetDeviceInput{UserPoolId: f.poolID(), Username: aws.String("alice"), DeviceKey: aws.String(key2)})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.idp.ConfirmDevice(ctx(t), &cip.ConfirmDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(key2),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("AQID"), PasswordVerifier: aws.String("not base64")}})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestListDevicesPaging(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	f.trackDevices(t, true)
	want := map[string]bool{}
	var access string
	for range 3 {
		var key string
		key, access = f.newDeviceOnPrompt(t)
		want[key] = true
	}
	got := map[string]bool{}
	var token *string
	for pages := 1; ; pages++ {
		out, err := f.idp.ListDevices(ctx(t), &cip.ListDevicesInput{AccessToken: aws.String(access), Limit: aws.Int32(2), PaginationToken: token})
		require.NoError(t, err)
		for _, d := range out.Devices {
			got[aws.ToString(d.DeviceKey)] = true
			assert.Equal(t, "not_remembered", deviceAttrs(&d)["dev:device_remembered_status"])
		}
		if token = out.PaginationToken; token == nil {
			assert.Equal(t, 2, pages)
			break
		}
	}
	assert.Equal(t, want, got)

	admin, err := f.idp.AdminListDevices(ctx(t), &cip.AdminListDevicesInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Len(t, admin.Devices, 3)
	assert.Nil(t, admin.PaginationToken)
	_, err = f.idp.AdminListDevices(ctx(t), &cip.AdminListDevicesInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.idp.ListDevices(ctx(t), &cip.ListDevicesInput{AccessToken: aws.String(access), PaginationToken: aws.String("forged")})
	requireAPIError[*types.InvalidParameterException](t, err)
}

// newDeviceOnPrompt confirms a device in a pool that remembers devices
// on the user's say: ConfirmDevice answers UserConfirmationNecessary.
func (f *fixture) newDeviceOnPrompt(t *testing.T) (key, access string) {
	t.Helper()
	res := f.signIn(t, localClient, "alice", password)
	key, access = aws.ToString(res.NewDeviceMetadata.DeviceKey), aws.ToString(res.AccessToken)
	out, err := f.idp.ConfirmDevice(ctx(t), &cip.ConfirmDeviceInput{AccessToken: aws.String(access), DeviceKey: aws.String(key),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{Salt: aws.String("AQID"), PasswordVerifier: aws.String("BAUG")}})
	require.NoError(t, err)
	assert.True(t, out.UserConfirmationNecessary)
	return key, access
}
