package cognitolocal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Device sign-in, checked against a client side written from
// amazon-cognito-identity-js's AuthenticationHelper.generateHashDevice and
// CognitoUser.getDeviceResponse (the verifier and the proof), sharing no
// code with the pool's srp.go. Developer guide, "Working with user devices
// in your user pool":
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-device-tracking.html

// testDevice is what an app keeps of a device: its key, group key and
// random password.
type testDevice struct{ key, group, password string }

// newTestDevice makes the device password and its verifier config as
// generateHashDevice does: 40 random bytes in base64 for the password, a
// padHex'd 16-byte salt, x = H(padHex(salt) ‖ H(group ‖ key ‖ ":" ‖
// password)), v = g^x, both sent as base64 of their padHex bytes.
func newTestDevice(t *testing.T, meta map[string]any) (testDevice, map[string]string) {
	t.Helper()
	pw := make([]byte, 40)
	_, err := rand.Read(pw)
	require.NoError(t, err)
	d := testDevice{key: meta["DeviceKey"].(string), group: meta["DeviceGroupKey"].(string), password: base64.StdEncoding.EncodeToString(pw)}
	saltRaw := make([]byte, 16)
	_, err = rand.Read(saltRaw)
	require.NoError(t, err)
	salt := padHexTest(new(big.Int).SetBytes(saltRaw))
	inner := sha256.Sum256([]byte(d.group + d.key + ":" + d.password))
	x, _ := new(big.Int).SetString(hexHashTest(salt+hex.EncodeToString(inner[:])), 16)
	n, _ := new(big.Int).SetString(testN, 16)
	v := padHexTest(new(big.Int).Exp(big.NewInt(2), x, n))
	saltBytes, _ := hex.DecodeString(salt)
	vBytes, _ := hex.DecodeString(v)
	return d, map[string]string{"Salt": base64.StdEncoding.EncodeToString(saltBytes), "PasswordVerifier": base64.StdEncoding.EncodeToString(vBytes)}
}

// trackDevices gives p a DeviceConfiguration through UpdateUserPool, then
// MFA as cfg says (UpdateUserPool resets the pool's MFA mode).
func trackDevices(t *testing.T, p *Pool, challengeOnNew, onPrompt bool, cfg MFAConfig) {
	t.Helper()
	status, out := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(),
		"DeviceConfiguration": map[string]bool{"ChallengeRequiredOnNewDevice": challengeOnNew, "DeviceOnlyRememberedOnUserPrompt": onPrompt}})
	require.Equal(t, http.StatusOK, status, out)
	require.NoError(t, p.SetMFAConfig(cfg))
}

// confirmNewDevice confirms the device of a sign-in's answer and returns
// it.
func confirmNewDevice(t *testing.T, p *Pool, res map[string]any, name string) (testDevice, map[string]any) {
	t.Helper()
	auth := res["AuthenticationResult"].(map[string]any)
	meta, ok := auth["NewDeviceMetadata"].(map[string]any)
	require.True(t, ok, "a sign-in without DEVICE_KEY gets NewDeviceMetadata: %v", auth)
	d, cfg := newTestDevice(t, meta)
	in := map[string]any{"AccessToken": auth["AccessToken"], "DeviceKey": d.key, "DeviceSecretVerifierConfig": cfg}
	if name != "" {
		in["DeviceName"] = name
	}
	status, out := call(t, p, "ConfirmDevice", in)
	require.Equal(t, http.StatusOK, status, out)
	return d, out
}

// srpSignInOnDevice runs USER_SRP_AUTH presenting d's key in the
// PASSWORD_VERIFIER answer, as amazon-cognito-identity-js does, at now.
func srpSignInOnDevice(t *testing.T, p *Pool, d testDevice, now time.Time) (int, map[string]any) {
	t.Helper()
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, now)
	claim["DEVICE_KEY"] = d.key
	return call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim))
}

// proveDevice answers a DEVICE_SRP_AUTH challenge for d with the device
// password password, as getDeviceResponse does, and returns the answer to
// the proof.
func proveDevice(t *testing.T, p *Pool, challenge map[string]any, d testDevice, password string, now time.Time) (int, map[string]any) {
	t.Helper()
	return proveDeviceVia(t, p, p.PoolID(), challenge, d, password, now)
}

// proveDeviceVia is proveDevice through the handler h of the pool poolID.
func proveDeviceVia(t *testing.T, h http.Handler, poolID string, challenge map[string]any, d testDevice, password string, now time.Time) (int, map[string]any) {
	t.Helper()
	require.Equal(t, "DEVICE_SRP_AUTH", challenge["ChallengeName"], challenge)
	c := newSRPTestClient(t, poolID)
	c.poolName = d.group
	status, out := call(t, h, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", challenge["Session"],
		map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": c.srpA()}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "DEVICE_PASSWORD_VERIFIER", out["ChallengeName"])
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, d.key, params["DEVICE_KEY"])
	require.Equal(t, "alice", params["USERNAME"])
	params["USER_ID_FOR_SRP"] = d.key // the device key stands in for the user in x and the signature
	claim := c.claim(t, params, password, now)
	claim["DEVICE_KEY"] = d.key
	return call(t, h, "RespondToAuthChallenge", answer("DEVICE_PASSWORD_VERIFIER", out["Session"], claim))
}

// TestRememberedDeviceSkipsTOTP runs the flow apps hit after MFA: SRP and
// TOTP, ConfirmDevice with the new device's verifier, then a sign-in on
// the device that answers DEVICE_SRP_AUTH instead of a TOTP code
// (DeviceConfigurationType: with ChallengeRequiredOnNewDevice "a
// remembered device can sign in with device authentication instead of
// SMS and TOTP factors").
func TestRememberedDeviceSkipsTOTP(t *testing.T) {
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now})
	trackDevices(t, p, true, false, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)

	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	status, out := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now)))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
	meta := res["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)
	require.Regexp(t, `^local_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, meta["DeviceKey"], "Region_UUID")
	require.NotEmpty(t, meta["DeviceGroupKey"])
	require.Equal(t, meta["DeviceKey"], payload(t, res["AuthenticationResult"].(map[string]any)["AccessToken"].(string))["device_key"])

	d, conf := confirmNewDevice(t, p, res, "laptop")
	require.Equal(t, false, conf["UserConfirmationNecessary"], "remembered at once without DeviceOnlyRememberedOnUserPrompt")

	clock.now = clock.now.Add(time.Minute)
	status, out = srpSignInOnDevice(t, p, d, clock.now)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "DEVICE_SRP_AUTH", out["ChallengeName"], "no TOTP code on a remembered device")
	require.NotEmpty(t, out["Session"])
	status, res = proveDevice(t, p, out, d, d.password, clock.now)
	require.Equal(t, http.StatusOK, status, res)
	auth := res["AuthenticationResult"].(map[string]any)
	require.NotContains(t, auth, "NewDeviceMetadata", "a sign-in on a device gets no new one")
	require.Equal(t, d.key, payload(t, auth["AccessToken"].(string))["device_key"])
	// A refresh of the sign-in keeps its device.
	status, refreshed := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": auth["RefreshToken"].(string), "DEVICE_KEY": d.key}})
	require.Equal(t, http.StatusOK, status, refreshed)
	require.Equal(t, d.key, payload(t, refreshed["AuthenticationResult"].(map[string]any)["AccessToken"].(string))["device_key"])
	require.NotContains(t, refreshed["AuthenticationResult"], "NewDeviceMetadata")

	got, err := p.adminDeviceForTest("alice", d.key)
	require.NoError(t, err)
	require.Equal(t, clock.now.Unix(), int64(got.DeviceLastAuthenticatedDate), "last seen is the device sign-in")
}

func (p *Pool) adminDeviceForTest(username, key string) (deviceType, error) {
	out, err := p.adminGetDevice(context.Background(), &deviceInput{UserPoolID: p.PoolID(), Username: username, DeviceKey: key})
	if err != nil {
		return deviceType{}, err
	}
	return out.Device, nil
}

// TestDeviceNotRememberedStillAsksForTOTP: a confirmed device the user
// chose not to remember proves itself after the TOTP code; the guide:
// "users who sign in with devices that have not been confirmed or
// remembered must still provide a second factor". The order (code, then
// DEVICE_SRP_AUTH) is the one amazon-cognito-identity-js's sendMFACode
// handles; the documentation does not spell it out.
func TestDeviceNotRememberedStillAsksForTOTP(t *testing.T) {
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now})
	trackDevices(t, p, true, true, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	_, res := passwordSignInTOTP(t, p, clock, secret, "")
	d, conf := confirmNewDevice(t, p, res, "kiosk")
	require.Equal(t, true, conf["UserConfirmationNecessary"], "DeviceOnlyRememberedOnUserPrompt asks the user")

	clock.now = clock.now.Add(time.Minute)
	status, out := srpSignInOnDevice(t, p, d, clock.now)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"], "not remembered: the code is asked")
	mfaSession := out["Session"]
	status, out = call(t, p, "RespondToAuthChallenge", answer(factorTOTP, mfaSession, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "DEVICE_SRP_AUTH", out["ChallengeName"])
	require.NotEqual(t, mfaSession, out["Session"])
	// amazon-cognito-identity-js's sendMFACode answers DEVICE_SRP_AUTH
	// with the MFA challenge's Session: it stands for the DEVICE_SRP_AUTH
	// session it led to, once.
	status, res = proveDevice(t, p, map[string]any{"ChallengeName": "DEVICE_SRP_AUTH", "Session": mfaSession}, d, d.password, clock.now)
	require.Equal(t, http.StatusOK, status, res)
	require.NotContains(t, res["AuthenticationResult"].(map[string]any), "NewDeviceMetadata")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", out["Session"], map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": "abc"}),
		codeNotAuthorized, "Invalid session for the user, session can only be used once.")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", mfaSession, map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": "abc"}),
		codeNotAuthorized, "Invalid session for the user, session can only be used once.")

	// Amplify answers with the Session DEVICE_SRP_AUTH came with.
	clock.now = clock.now.Add(time.Minute)
	_, out = srpSignInOnDevice(t, p, d, clock.now)
	status, out = call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, out)
	status, res = proveDevice(t, p, out, d, d.password, clock.now)
	require.Equal(t, http.StatusOK, status, res)
}

// passwordSignInTOTP signs alice in with USER_PASSWORD_AUTH (presenting
// deviceKey when not empty) and the TOTP code.
func passwordSignInTOTP(t *testing.T, p *Pool, clock *mfaClock, secret, deviceKey string) (int, map[string]any) {
	t.Helper()
	params := map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}
	if deviceKey != "" {
		params["DEVICE_KEY"] = deviceKey
	}
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID, "AuthParameters": params})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
	return status, res
}

// TestRememberedDeviceAsksForTOTPWithoutChallengeOnNewDevice: without
// ChallengeRequiredOnNewDevice a remembered device does not stand in for
// the code (DeviceConfigurationType).
func TestRememberedDeviceAsksForTOTPWithoutChallengeOnNewDevice(t *testing.T) {
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now})
	trackDevices(t, p, false, false, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	_, res := passwordSignInTOTP(t, p, clock, secret, "")
	d, _ := confirmNewDevice(t, p, res, "")
	clock.now = clock.now.Add(time.Minute)
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": d.key}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
}

// TestDeviceSignInWithoutMFAAndByAdmin: with MFA off, a device sign-in
// still proves the device (the guide: the device is authenticated "on
// every user sign-in with that device"), through the Admin operations as
// well, which keep their sessions to themselves.
func TestDeviceSignInWithoutMFAAndByAdmin(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	d, _ := confirmNewDevice(t, p, res, "phone")

	admin, err := p.CreateAppClient(AppClient{ClientName: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	status, out := call(t, p, "AdminInitiateAuth", map[string]any{"UserPoolId": p.PoolID(), "ClientId": admin.ClientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": d.key}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "DEVICE_SRP_AUTH", out["ChallengeName"])
	// The session of an Admin sign-in is not answered by the client API.
	clientAnswer := answer("DEVICE_SRP_AUTH", out["Session"], map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": "abc"})
	clientAnswer["ClientId"] = admin.ClientID
	requireAPIError(t, p, "RespondToAuthChallenge", clientAnswer, codeNotAuthorized, "Invalid session for the user.")
	c := newSRPTestClient(t, p.PoolID())
	c.poolName = d.group
	status, out = call(t, p, "AdminRespondToAuthChallenge", map[string]any{"UserPoolId": p.PoolID(), "ClientId": admin.ClientID, "ChallengeName": "DEVICE_SRP_AUTH",
		"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": c.srpA()}})
	require.Equal(t, http.StatusOK, status, out)
	params := out["ChallengeParameters"].(map[string]any)
	params["USER_ID_FOR_SRP"] = d.key
	claim := c.claim(t, params, d.password, time.Now())
	claim["DEVICE_KEY"] = d.key
	status, out = call(t, p, "AdminRespondToAuthChallenge", map[string]any{"UserPoolId": p.PoolID(), "ClientId": admin.ClientID, "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
		"Session": out["Session"], "ChallengeResponses": claim})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, d.key, payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))["device_key"])

	status, out = passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out["AuthenticationResult"], "NewDeviceMetadata", "without DEVICE_KEY, a new device")
}

// TestDeviceProofRefusals: a wrong device password, a replayed or
// foreign SECRET_BLOCK, a stale timestamp and another device key are
// refused, and each proof session answers once. Cognito's messages for
// these are not documented; the pool answers as it does for a wrong SRP
// password.
func TestDeviceProofRefusals(t *testing.T) {
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now})
	trackDevices(t, p, true, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "alice", testPassword)
	d, _ := confirmNewDevice(t, p, res, "")
	_, res = passwordSignIn(t, p, "alice", testPassword)
	other, _ := confirmNewDevice(t, p, res, "")

	begin := func() map[string]any {
		status, out := srpSignInOnDevice(t, p, d, clock.now)
		require.Equal(t, http.StatusOK, status, out)
		return out
	}
	status, out := proveDevice(t, p, begin(), d, "not the device password", clock.now)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "Incorrect username or password.", out["message"])

	status, out = proveDevice(t, p, begin(), d, d.password, clock.now.Add(-10*time.Minute))
	require.Equal(t, http.StatusBadRequest, status, "a timestamp far from the clock")
	require.Equal(t, codeNotAuthorized, out["__type"])

	// Another of alice's devices cannot answer this sign-in's challenge.
	ch := begin()
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", ch["Session"],
		map[string]string{"USERNAME": "alice", "DEVICE_KEY": other.key, "SRP_A": newSRPTestClient(t, p.PoolID()).srpA()}),
		codeNotAuthorized, "DEVICE_KEY is not the device this sign-in presented.")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", ch["Session"],
		map[string]string{"USERNAME": "alice", "SRP_A": "abc"}), codeInvalidParameter, "Missing required parameter DEVICE_KEY")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", ch["Session"],
		map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": "0"}), codeInvalidParameter, "SRP_A is not a valid SRP public value.")
	// The session is spent by the answer above, right or wrong.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", ch["Session"],
		map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": newSRPTestClient(t, p.PoolID()).srpA()}),
		codeNotAuthorized, "Invalid session for the user, session can only be used once.")

	// A proof answered to a DEVICE_SRP_AUTH session is the wrong challenge.
	ch = begin()
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_PASSWORD_VERIFIER", ch["Session"],
		map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key}), codeInvalidParameter, "The ChallengeName does not match the challenge of the session.")

	// A right proof with another exchange's SECRET_BLOCK is refused.
	c := newSRPTestClient(t, p.PoolID())
	c.poolName = d.group
	_, first := call(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", begin()["Session"], map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": c.srpA()}))
	_, second := call(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", begin()["Session"], map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": c.srpA()}))
	params := first["ChallengeParameters"].(map[string]any)
	params["USER_ID_FOR_SRP"] = d.key
	claim := c.claim(t, params, d.password, clock.now)
	claim["DEVICE_KEY"] = d.key
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_PASSWORD_VERIFIER", second["Session"], claim), codeNotAuthorized, "Incorrect username or password.")
	status, ok := call(t, p, "RespondToAuthChallenge", answer("DEVICE_PASSWORD_VERIFIER", first["Session"], claim))
	require.Equal(t, http.StatusOK, status, ok)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("DEVICE_PASSWORD_VERIFIER", first["Session"], claim),
		codeNotAuthorized, "Invalid session for the user, session can only be used once.")
}

// TestUnknownAndForgottenDevicesAtSignIn: a DEVICE_KEY that is not a
// confirmed device of the user (unknown, another user's, pending, or
// forgotten) is answered with ResourceNotFoundException "Device does not
// exist.", which amazon-cognito-identity-js and Amplify answer by
// forgetting their device and sending the same PASSWORD_VERIFIER proof
// again without it; the proof must still be good then.
func TestUnknownAndForgottenDevicesAtSignIn(t *testing.T) {
	p := newPool(t, Config{})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	trackDevices(t, p, true, false, MFAConfig{})
	_, res := passwordSignIn(t, p, "bob", testPassword)
	bobs, _ := confirmNewDevice(t, p, res, "")
	_, res = passwordSignIn(t, p, "alice", testPassword)
	pending := res["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)["DeviceKey"].(string)
	_, res = passwordSignIn(t, p, "alice", testPassword)
	forgotten, _ := confirmNewDevice(t, p, res, "")
	status, out := call(t, p, "ForgetDevice", map[string]any{"AccessToken": res["AuthenticationResult"].(map[string]any)["AccessToken"], "DeviceKey": forgotten.key})
	require.Equal(t, http.StatusOK, status, out)

	for name, key := range map[string]string{"unknown": "local_00000000-0000-4000-8000-000000000000", "another user's": bobs.key, "pending": pending, "forgotten": forgotten.key} {
		t.Run(name, func(t *testing.T) {
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
			c := newSRPTestClient(t, p.PoolID())
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": c.srpA(), "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
			out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
			claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
			claim["DEVICE_KEY"] = key
			requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), codeResourceNotFound, "Device does not exist.")
			delete(claim, "DEVICE_KEY")
			status, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim))
			require.Equal(t, http.StatusOK, status, res)
			require.Contains(t, res["AuthenticationResult"], "NewDeviceMetadata")
		})
	}
}

// TestDeviceKeyIgnoredWithoutTracking: a pool without DeviceConfiguration
// hands out no device keys and ignores DEVICE_KEY.
func TestDeviceKeyIgnoredWithoutTracking(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": "local_00000000-0000-4000-8000-000000000000"}})
	require.Equal(t, http.StatusOK, status, out)
	auth := out["AuthenticationResult"].(map[string]any)
	require.NotContains(t, auth, "NewDeviceMetadata")
	require.NotContains(t, payload(t, auth["AccessToken"].(string)), "device_key")
	requireAPIError(t, p, "ConfirmDevice", map[string]any{"AccessToken": auth["AccessToken"], "DeviceKey": "local_00000000-0000-4000-8000-000000000000",
		"DeviceSecretVerifierConfig": map[string]string{"Salt": "AQ==", "PasswordVerifier": "Ag=="}}, "InvalidUserPoolConfigurationException", "")
}

// TestDeviceInChoiceBasedSignIn: USER_AUTH takes DEVICE_KEY like the
// other flows, for the password, SRP and email-code first factors, and
// hands out a device key when given none. InitiateAuth's reference lists
// DEVICE_KEY among the AuthParameters of the password and SRP flows; for
// USER_AUTH it is silent, and the pool treats it the same.
func TestDeviceInChoiceBasedSignIn(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	d, _ := confirmNewDevice(t, p, out, "")

	status, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword, "DEVICE_KEY": d.key})
	require.Equal(t, http.StatusOK, status, out)
	status, res := proveDevice(t, p, out, d, d.password, time.Now())
	require.Equal(t, http.StatusOK, status, res)

	c := newSRPTestClient(t, p.PoolID())
	status, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA(), "DEVICE_KEY": d.key})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"])
	in := verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now()))
	in["Session"] = out["Session"]
	status, out = call(t, p, "RespondToAuthChallenge", in)
	require.Equal(t, http.StatusOK, status, out)
	status, res = proveDevice(t, p, out, d, d.password, time.Now())
	require.Equal(t, http.StatusOK, status, res)

	// The emailed code, then the device.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	status, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP", "DEVICE_KEY": d.key})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
	status, out = call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": lastSignInCode(t, p, "alice")}))
	require.Equal(t, http.StatusOK, status, out)
	status, res = proveDevice(t, p, out, d, d.password, time.Now())
	require.Equal(t, http.StatusOK, status, res)

	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword, "DEVICE_KEY": "local_00000000-0000-4000-8000-000000000000"}},
		codeResourceNotFound, "Device does not exist.")
}

// TestDeviceKeyAnswersAlikeForUnknownUsers: through a client that hides
// users, a sign-in presenting a DEVICE_KEY answers "Device does not
// exist." whether its username is a user's (whose device the key is not)
// or no one's, in every flow that takes one, and runs pre authentication
// for neither. "Managing user existence error responses"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html)
// says that with PreventUserExistenceErrors ENABLED "Amazon Cognito
// responds to API requests with nonspecific information where its
// responses would otherwise disclose that a valid user exists"; it is
// silent on DEVICE_KEY, so the pool answers both as a known user's wrong
// key, the answer the clients drop the key and retry on. Through a LEGACY
// client, which names unknown users anyway, the unknown name gets
// UserNotFoundException.
func TestDeviceKeyAnswersAlikeForUnknownUsers(t *testing.T) {
	p, rc := authPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	const key = "local_00000000-0000-4000-8000-000000000000"
	_, err := p.CreateAppClient(AppClient{ClientID: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}, PreventUserExistenceErrors: existenceEnabled})
	require.NoError(t, err)
	for _, name := range []string{"alice", "nobody"} {
		t.Run(name, func(t *testing.T) {
			ran := len(rc.pre.all())
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": name, "PASSWORD": testPassword, "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
			requireAPIError(t, p, "AdminInitiateAuth", map[string]any{"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": "server", "UserPoolId": p.PoolID(),
				"AuthParameters": map[string]string{"USERNAME": name, "PASSWORD": testPassword, "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
			c := newSRPTestClient(t, p.PoolID())
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": name, "SRP_A": c.srpA(), "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
			require.Len(t, rc.pre.all(), ran, "pre authentication ran")
			// Choice-based sign-in runs pre authentication before its
			// first factor reads the device, for both names alike.
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword, "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
			require.Len(t, rc.pre.all(), ran+1)
			// The proof's DEVICE_KEY, checked before the proof.
			out := srpInitiate(t, p, DefaultClientID, name, c, nil)
			claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
			claim["DEVICE_KEY"] = key
			requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), codeResourceNotFound, "Device does not exist.")
		})
	}
	_, err = p.CreateAppClient(AppClient{ClientID: "legacy", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, PreventUserExistenceErrors: existenceLegacy})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "legacy",
		"AuthParameters": map[string]string{"USERNAME": "nobody", "PASSWORD": testPassword, "DEVICE_KEY": key}}, codeUserNotFound, "")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "legacy",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": key}}, codeResourceNotFound, "Device does not exist.")
}
