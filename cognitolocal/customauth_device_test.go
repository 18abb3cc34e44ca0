package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Remembered devices in the custom flow. The API reference's
// ChallengeResponseType: "Include a DEVICE_KEY for device
// authentication"; amazon-cognito-identity-js's sendCustomChallengeAnswer
// adds the device key it keeps to the CUSTOM_CHALLENGE answer, and
// Amplify's custom sign-in puts it in InitiateAuth's AuthParameters, both
// expecting DEVICE_SRP_AUTH once the challenges pass, as the other flows
// end ("Working with user devices in your user pool").

// customDevicePool is customPool tracking devices, whose default client
// allows CUSTOM_AUTH (so that proveDevice answers for it), with alice's
// device confirmed after a first custom sign-in.
func customDevicePool(t *testing.T, cfg Config) (*Pool, testDevice, *customRecorders) {
	t.Helper()
	p, rc := customPool(t, cfg)
	trackDevices(t, p, true, false, MFAConfig{})
	c, ok := p.AppClient(DefaultClientID)
	require.True(t, ok)
	c.ExplicitAuthFlows = append(c.ExplicitAuthFlows, "ALLOW_CUSTOM_AUTH")
	_, err := p.UpdateAppClient(c)
	require.NoError(t, err)
	out := startCustom(t, p, DefaultClientID, "alice")
	status, res := call(t, p, "RespondToAuthChallenge", customAnswer(DefaultClientID, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, res)
	d, _ := confirmNewDevice(t, p, res, "")
	return p, d, rc
}

// A remembered device presented in InitiateAuth or in the answer: the
// right answer leads to DEVICE_SRP_AUTH, whose proof signs in on that
// device, and no new device is made.
func TestCustomAuthOnRememberedDevice(t *testing.T) {
	t.Parallel()
	p, d, _ := customDevicePool(t, Config{})
	in := customAuthIn(DefaultClientID, "alice")
	in["AuthParameters"].(map[string]string)["DEVICE_KEY"] = d.key
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "RespondToAuthChallenge", customAnswer(DefaultClientID, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, out)
	status, res := proveDevice(t, p, out, d, d.password, time.Now())
	require.Equal(t, http.StatusOK, status, res)
	auth := res["AuthenticationResult"].(map[string]any)
	require.NotContains(t, auth, "NewDeviceMetadata")
	require.Equal(t, d.key, payload(t, auth["AccessToken"].(string))["device_key"])

	out = startCustom(t, p, DefaultClientID, "alice")
	ans := customAnswer(DefaultClientID, out["Session"], "alice", "42")
	ans["ChallengeResponses"].(map[string]string)["DEVICE_KEY"] = d.key
	status, out = call(t, p, "RespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, out)
	status, res = proveDevice(t, p, out, d, d.password, time.Now())
	require.Equal(t, http.StatusOK, status, res)
}

// A key that is no device of the user is "Device does not exist.", in
// InitiateAuth before any trigger runs, and in the answer before the
// verify trigger judges it (the session stays open for an answer without
// it); through a client that hides users a name no user has gets the
// same answer as a user's wrong key.
func TestCustomAuthUnknownDeviceKey(t *testing.T) {
	t.Parallel()
	p, _, _ := customDevicePool(t, Config{})
	const key = "local_00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct{ client, name string }{{DefaultClientID, "alice"}, {hidingClient, "alice"}, {hidingClient, "nobody"}} {
		in := customAuthIn(tc.client, tc.name)
		in["AuthParameters"].(map[string]string)["DEVICE_KEY"] = key
		requireAPIError(t, p, "InitiateAuth", in, codeResourceNotFound, "Device does not exist.")
	}
	out := startCustom(t, p, DefaultClientID, "alice")
	ans := customAnswer(DefaultClientID, out["Session"], "alice", "42")
	ans["ChallengeResponses"].(map[string]string)["DEVICE_KEY"] = key
	requireAPIError(t, p, "RespondToAuthChallenge", ans, codeResourceNotFound, "Device does not exist.")
	status, res := call(t, p, "RespondToAuthChallenge", customAnswer(DefaultClientID, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res["AuthenticationResult"], "NewDeviceMetadata")

	out = startCustom(t, p, hidingClient, "nobody")
	ans = customAnswer(hidingClient, out["Session"], "nobody", "42")
	ans["ChallengeResponses"].(map[string]string)["DEVICE_KEY"] = key
	requireAPIError(t, p, "RespondToAuthChallenge", ans, codeResourceNotFound, "Device does not exist.")
}

// A custom sign-in that verifies the password first takes the device key
// in the PASSWORD_VERIFIER answer, as amazon-cognito-identity-js's
// authenticateUser sends it: a key not the user's is refused before the
// proof is checked; the user's own leads, after the custom challenge, to
// DEVICE_SRP_AUTH.
func TestCustomAuthWithSRPOnRememberedDevice(t *testing.T) {
	t.Parallel()
	p, d, rc := customDevicePool(t, Config{})
	rc.define.respond = srpThenQuiz
	for _, key := range []string{"local_00000000-0000-4000-8000-000000000000", d.key} {
		c := newSRPTestClient(t, p.PoolID())
		status, out := call(t, p, "InitiateAuth", customSRPIn(DefaultClientID, "alice", c))
		require.Equal(t, http.StatusOK, status, out)
		claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
		claim["DEVICE_KEY"] = key
		ans := map[string]any{"ClientId": DefaultClientID, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"], "ChallengeResponses": claim}
		if key != d.key {
			requireAPIError(t, p, "RespondToAuthChallenge", ans, codeResourceNotFound, "Device does not exist.")
			continue
		}
		status, out = call(t, p, "RespondToAuthChallenge", ans)
		require.Equal(t, http.StatusOK, status, out)
		status, out = call(t, p, "RespondToAuthChallenge", customAnswer(DefaultClientID, out["Session"], "alice", "42"))
		require.Equal(t, http.StatusOK, status, out)
		status, res := proveDevice(t, p, out, d, d.password, time.Now())
		require.Equal(t, http.StatusOK, status, res)
	}
}

// A remembered device spares the MFA after a custom sign-in's password as
// it spares it after USER_SRP_AUTH's ("Working with user devices in your
// user pool": a remembered device can sign in with device authentication
// instead of SMS and TOTP factors): the custom challenge follows the
// password, then DEVICE_SRP_AUTH.
func TestCustomAuthWithSRPOnRememberedDeviceSkipsMFA(t *testing.T) {
	t.Parallel()
	clock := &mfaClock{now: time.Now()}
	p, d, rc := customDevicePool(t, Config{Now: clock.Now})
	rc.define.respond = srpThenQuiz
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SoftwareToken: true}))
	setUpTOTP(t, p, clock)
	c := newSRPTestClient(t, p.PoolID())
	status, out := call(t, p, "InitiateAuth", customSRPIn(DefaultClientID, "alice", c))
	require.Equal(t, http.StatusOK, status, out)
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now)
	claim["DEVICE_KEY"] = d.key
	status, out = call(t, p, "RespondToAuthChallenge", map[string]any{"ClientId": DefaultClientID, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"], "ChallengeResponses": claim})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"], "no TOTP code on a remembered device")
	status, out = call(t, p, "RespondToAuthChallenge", customAnswer(DefaultClientID, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, out)
	status, res := proveDevice(t, p, out, d, d.password, clock.now)
	require.Equal(t, http.StatusOK, status, res)
}
