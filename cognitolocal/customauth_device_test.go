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
func customDevicePool(t *testing.T) (*Pool, testDevice) {
	t.Helper()
	p, _ := customPool(t, Config{})
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
	return p, d
}

// A remembered device presented in InitiateAuth or in the answer: the
// right answer leads to DEVICE_SRP_AUTH, whose proof signs in on that
// device, and no new device is made.
func TestCustomAuthOnRememberedDevice(t *testing.T) {
	t.Parallel()
	p, d := customDevicePool(t)
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
	p, _ := customDevicePool(t)
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
