package cognitolocal

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The device model: the pool's DeviceConfiguration, device keys handed
// out and confirmed, and their place in the saved state.

func TestDeviceConfigurationRoundTrip(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, http.StatusOK, status, out)
	require.NotContains(t, out["UserPool"], "DeviceConfiguration", "null when the pool remembers no devices (DeviceConfigurationType)")

	trackDevices(t, p, true, true, MFAConfig{})
	_, out = call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, map[string]any{"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true},
		out["UserPool"].(map[string]any)["DeviceConfiguration"])

	// An empty object turns tracking on too: "When you provide a value for
	// any property of DeviceConfiguration, you activate the device
	// remembering".
	status, out = call(t, p, "CreateUserPool", map[string]any{"PoolName": "devices", "DeviceConfiguration": map[string]any{}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, map[string]any{"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": false},
		out["UserPool"].(map[string]any)["DeviceConfiguration"])

	requireAPIError(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(), "DeviceConfiguration": "yes"}, codeInvalidParameter, "")
	// UpdateUserPool without it turns tracking off, as every omitted setting
	// returns to its default.
	status, out = call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, http.StatusOK, status, out)
	require.Nil(t, p.devices())
}

// TestDeviceConfigurationFromOlderState: before devices were modelled, a
// DeviceConfiguration was kept among the settings' other members; such a
// state loads as a pool that tracks devices.
func TestDeviceConfigurationFromOlderState(t *testing.T) {
	p := newPool(t, Config{})
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	old := strings.Replace(buf.String(), `"passwordPolicy"`, `"extra": {"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true}}, "passwordPolicy"`, 1)
	q := newPool(t, Config{})
	require.NoError(t, q.LoadState(strings.NewReader(old)))
	require.Equal(t, &deviceConfig{ChallengeRequiredOnNewDevice: true}, q.devices())
	_, out := call(t, q, "DescribeUserPool", map[string]any{"UserPoolId": q.PoolID()})
	require.Equal(t, true, out["UserPool"].(map[string]any)["DeviceConfiguration"].(map[string]any)["ChallengeRequiredOnNewDevice"])
}

// TestDevicesSurviveSaveAndLoad: a device confirmed before a restart
// still signs in on the loaded pool.
func TestDevicesSurviveSaveAndLoad(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	d, _ := confirmNewDevice(t, p, res, "laptop")
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	require.NotContains(t, buf.String(), d.password)

	q := newPool(t, Config{})
	require.NoError(t, q.LoadState(&buf))
	status, out := call(t, q, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": d.key}})
	require.Equal(t, http.StatusOK, status, out)
	status, out = proveDevice(t, q, out, d, d.password, q.now())
	require.Equal(t, http.StatusOK, status, out)
}

// TestForgottenDeviceSurvivesSaveAndLoad: a pool loaded from the state
// saved after a device was forgotten still refuses the refresh tokens of
// the sign-ins made on it (TestForgetDeviceRevokesItsRefreshTokens).
func TestForgottenDeviceSurvivesSaveAndLoad(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	d, _ := confirmNewDevice(t, p, res, "laptop")
	refresh := res["AuthenticationResult"].(map[string]any)["RefreshToken"].(string)
	_, res = passwordSignIn(t, p, "alice", testPassword)
	kept, _ := confirmNewDevice(t, p, res, "phone")
	keptRefresh := res["AuthenticationResult"].(map[string]any)["RefreshToken"].(string)
	status, out := call(t, p, "AdminForgetDevice", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice", "DeviceKey": d.key})
	require.Equal(t, http.StatusOK, status, out)
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))

	q := newPool(t, Config{})
	require.NoError(t, q.LoadState(&buf))
	requireAPIError(t, q, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh, "DEVICE_KEY": d.key}}, codeNotAuthorized, errRefreshInvalid.Message)
	status, out = refreshOn(t, q, keptRefresh, kept.key)
	require.Equal(t, http.StatusOK, status, out)
}

// TestPendingDeviceKeysAreBounded: each sign-in without a device hands
// out a key; only the newest maxPendingDevices unconfirmed ones are kept,
// and confirmed devices are never dropped for them.
func TestPendingDeviceKeysAreBounded(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, false, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	d, _ := confirmNewDevice(t, p, res, "")
	var first string
	for i := range maxPendingDevices + 3 {
		_, res = passwordSignIn(t, p, "alice", testPassword)
		if i == 0 {
			first = res["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)["DeviceKey"].(string)
		}
	}
	p.mu.Lock()
	u := p.userNamed("alice")
	require.Len(t, u.Devices, maxPendingDevices+1)
	_, err := u.deviceLocked(d.key)
	stillThere := false
	for _, x := range u.Devices {
		stillThere = stillThere || x.Key == first
	}
	p.mu.Unlock()
	require.NoError(t, err)
	require.False(t, stillThere, "the oldest pending key went")
}

// TestDeviceVerifierConfigRefusals: ConfirmDevice refuses a verifier
// configuration no client sends. The API reference gives only the two
// string members; the bounds are the protocol's.
func TestDeviceVerifierConfigRefusals(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	n := srpParams().n.Bytes()
	for name, cfg := range map[string]*deviceVerifierConfig{
		"absent":          nil,
		"not base64":      {Salt: "!!", PasswordVerifier: b64([]byte{2})},
		"empty salt":      {Salt: "", PasswordVerifier: b64([]byte{2})},
		"verifier one":    {Salt: b64([]byte{1}), PasswordVerifier: b64([]byte{1})},
		"verifier N":      {Salt: b64([]byte{1}), PasswordVerifier: b64(n)},
		"salt too long":   {Salt: b64(make([]byte, maxDeviceSalt+1)), PasswordVerifier: b64([]byte{2})},
		"verifier absent": {Salt: b64([]byte{1})},
	} {
		_, err := cfg.verifier()
		require.Error(t, err, name)
	}
	v, err := (&deviceVerifierConfig{Salt: b64([]byte{0, 0x9a}), PasswordVerifier: b64([]byte{0, 0x80, 1})}).verifier()
	require.NoError(t, err)
	require.Equal(t, &srpVerifier{Salt: "009a", Verifier: "8001"}, v, "the salt as sent, the verifier as a number")

	p := newPool(t, Config{})
	trackDevices(t, p, false, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	auth := res["AuthenticationResult"].(map[string]any)
	key := auth["NewDeviceMetadata"].(map[string]any)["DeviceKey"]
	requireAPIError(t, p, "ConfirmDevice", map[string]any{"AccessToken": auth["AccessToken"], "DeviceKey": key}, codeInvalidParameter, "")
	requireAPIError(t, p, "ConfirmDevice", map[string]any{"AccessToken": "x", "DeviceKey": key,
		"DeviceSecretVerifierConfig": map[string]string{"Salt": "AQ==", "PasswordVerifier": "Ag=="}}, codeNotAuthorized, "Invalid Access Token")
	requireAPIError(t, p, "ConfirmDevice", map[string]any{"AccessToken": auth["AccessToken"], "DeviceKey": "bad key"}, codeInvalidParameter, "")
}

// TestConfirmDeviceOfAnotherUser: a device key handed to bob is not
// alice's to confirm.
func TestConfirmDeviceOfAnotherUser(t *testing.T) {
	p := newPool(t, Config{})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	trackDevices(t, p, false, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "bob", testPassword)
	bobKey := res["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)["DeviceKey"]
	tok, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.NoError(t, err)
	requireAPIError(t, p, "ConfirmDevice", map[string]any{"AccessToken": tok.AccessToken, "DeviceKey": bobKey,
		"DeviceSecretVerifierConfig": map[string]string{"Salt": "AQ==", "PasswordVerifier": "Ag=="}}, codeResourceNotFound, "Device does not exist.")
}
