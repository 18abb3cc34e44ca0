package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"
)

// mfaClock is a settable clock for TOTP tests, so that codes are made
// and checked at known times rather than across a step boundary.
type mfaClock struct{ now time.Time }

func (c *mfaClock) Now() time.Time { return c.now }

func newMFAPool(t *testing.T, cfg MFAConfig) (*Pool, *mfaClock) {
	t.Helper()
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now})
	require.NoError(t, p.SetMFAConfig(cfg))
	return p, clock
}

func passwordSignIn(t *testing.T, p *Pool, username, password string) (int, map[string]any) {
	t.Helper()
	return call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": password}})
}

func answer(challenge string, session any, responses map[string]string) map[string]any {
	return map[string]any{"ClientId": DefaultClientID, "ChallengeName": challenge, "Session": session, "ChallengeResponses": responses}
}

// code is the TOTP code of secret at the clock's time, by the library.
func (c *mfaClock) code(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, c.now)
	require.NoError(t, err)
	return code
}

// setUpTOTP gives alice a verified TOTP secret through the access-token
// operations and turns it on as preferred; it returns the secret.
func setUpTOTP(t *testing.T, p *Pool, clock *mfaClock) string {
	t.Helper()
	access := signIn(t, p).AccessToken
	status, out := call(t, p, "AssociateSoftwareToken", map[string]any{"AccessToken": access})
	require.Equal(t, http.StatusOK, status, out)
	secret := out["SecretCode"].(string)
	require.GreaterOrEqual(t, len(secret), 16)
	status, out = call(t, p, "VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": clock.code(t, secret), "FriendlyDeviceName": "phone"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SUCCESS", out["Status"])
	status, out = call(t, p, "SetUserMFAPreference", map[string]any{"AccessToken": access,
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}})
	require.Equal(t, http.StatusOK, status, out)
	clock.now = clock.now.Add(time.Minute) // the set-up code is spent
	return secret
}

func TestUserPoolMfaConfigRoundTrip(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "GetUserPoolMfaConfig", pool(map[string]any{}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, MFAOff, out["MfaConfiguration"])

	status, out = call(t, p, "SetUserPoolMfaConfig", pool(map[string]any{"MfaConfiguration": "OPTIONAL",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true},
		"EmailMfaConfiguration":         map[string]string{"Message": "Code {####}", "Subject": "Sign-in"}}))
	require.Equal(t, http.StatusOK, status, out)
	_, out = call(t, p, "GetUserPoolMfaConfig", pool(map[string]any{}))
	require.Equal(t, "OPTIONAL", out["MfaConfiguration"])
	require.Equal(t, true, out["SoftwareTokenMfaConfiguration"].(map[string]any)["Enabled"])
	require.Equal(t, "Sign-in", out["EmailMfaConfiguration"].(map[string]any)["Subject"])
	require.NotContains(t, out, "SmsMfaConfiguration")
	require.Equal(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true, Email: true, EmailMessage: "Code {####}", EmailSubject: "Sign-in"}, p.MFAConfig())
}

func TestUserPoolMfaConfigRefusals(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "SetUserPoolMfaConfig", pool(map[string]any{"MfaConfiguration": "ON"}), codeInvalidParameter, "")
	requireAPIError(t, p, "SetUserPoolMfaConfig", pool(map[string]any{"MfaConfiguration": "MAYBE",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true}}), codeInvalidParameter, "")
	requireAPIError(t, p, "SetUserPoolMfaConfig", pool(map[string]any{"MfaConfiguration": "ON",
		"SmsMfaConfiguration": map[string]string{"SmsAuthenticationMessage": "no placeholder"}}), codeInvalidParameter, "")
	requireAPIError(t, p, "SetUserPoolMfaConfig", map[string]any{"UserPoolId": "other_Pool", "MfaConfiguration": "OFF"}, codeResourceNotFound, "")
	requireAPIError(t, p, "GetUserPoolMfaConfig", map[string]any{"UserPoolId": "other_Pool"}, codeResourceNotFound, "")
}

func TestSoftwareTokenNeedsThePoolToEnableIt(t *testing.T) {
	p := newPool(t, Config{})
	access := signIn(t, p).AccessToken
	requireAPIError(t, p, "AssociateSoftwareToken", map[string]any{"AccessToken": access}, "SoftwareTokenMFANotFoundException", errTOTPNotEnabled.Message)
	requireAPIError(t, p, "AssociateSoftwareToken", map[string]any{}, codeInvalidParameter, "")
	requireAPIError(t, p, "AssociateSoftwareToken", map[string]any{"AccessToken": "not-a-token"}, "SoftwareTokenMFANotFoundException", "")
}

func TestVerifySoftwareTokenRefusals(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	access := signIn(t, p).AccessToken
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": "123456"}, codeInvalidParameter, "Call AssociateSoftwareToken first.")
	_, out := call(t, p, "AssociateSoftwareToken", map[string]any{"AccessToken": access})
	secret := out["SecretCode"].(string)
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": "12345"}, codeInvalidParameter, "")
	wrong := "000000"
	if clock.code(t, secret) == wrong {
		wrong = "111111"
	}
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": wrong}, "EnableSoftwareTokenMFAException", errTOTPMismatch.Message)
	// A code two steps old is out of the window.
	clock.now = clock.now.Add(2 * totpPeriod * time.Second)
	old, err := totp.GenerateCode(secret, clock.now.Add(-2*totpPeriod*time.Second))
	require.NoError(t, err)
	if old != clock.code(t, secret) {
		requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": old}, "EnableSoftwareTokenMFAException", "")
	}
	// Until verified, the secret is no factor.
	requireAPIError(t, p, "SetUserMFAPreference", map[string]any{"AccessToken": access,
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true}}, codeInvalidParameter, errNoTOTP.Message)
}

func TestGetUserReportsMFASettings(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	_, out := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.NotContains(t, out, "UserMFASettingList")
	setUpTOTP(t, p, clock)
	_, out = call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, []any{factorTOTP}, out["UserMFASettingList"])
	require.Equal(t, factorTOTP, out["PreferredMfaSetting"])

	status, res := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status)
	status, res = call(t, p, "RespondToAuthChallenge", answer(factorTOTP, res["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, p.totpSecretOf(t, "alice"))}))
	require.Equal(t, http.StatusOK, status, res)
	access := res["AuthenticationResult"].(map[string]any)["AccessToken"]
	_, out = call(t, p, "GetUser", map[string]any{"AccessToken": access})
	require.Equal(t, []any{factorTOTP}, out["UserMFASettingList"])

	// Turning it off leaves it registered but no factor.
	status, _ = call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": false, "PreferredMfa": false}}))
	require.Equal(t, http.StatusOK, status)
	_, out = call(t, p, "GetUser", map[string]any{"AccessToken": access})
	require.NotContains(t, out, "UserMFASettingList")
	requireAPIError(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "nobody",
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true}}), codeUserNotFound, "")
}

// totpSecretOf reads a user's verified secret, as its authenticator app
// holds it.
func (p *Pool) totpSecretOf(t *testing.T, username string) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.userNamed(username)
	require.NotNil(t, u)
	require.NotNil(t, u.MFA)
	return u.MFA.TOTPSecret
}

func TestSoftwareTokenMFAChallenge(t *testing.T) {
	rc := &recorder{}
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now, PreTokenGeneration: rc.trigger})
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SoftwareToken: true}))
	secret := setUpTOTP(t, p, clock)

	status, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	require.NotContains(t, out, "AuthenticationResult")
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "phone", params["FRIENDLY_DEVICE_NAME"])
	require.Equal(t, "alice", params["USER_ID_FOR_SRP"])
	session := out["Session"]

	wrong := "000000"
	if clock.code(t, secret) == wrong {
		wrong = "111111"
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": wrong}),
		"CodeMismatchException", "Invalid code received for user")
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, session, map[string]string{"USERNAME": "alice"}), codeInvalidParameter, "")
	// A wrong code leaves the session to another try.
	code := clock.code(t, secret)
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorTOTP, session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.NotEmpty(t, res["AuthenticationResult"].(map[string]any)["RefreshToken"])
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code}),
		codeNotAuthorized, "Invalid session for the user, session can only be used once.")

	// The same code signs in only once.
	_, out = passwordSignIn(t, p, "alice", testPassword)
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code}),
		"ExpiredCodeException", "Your software token has already been used once.")
}

func TestMFASessionExpires(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	_, out := passwordSignIn(t, p, "alice", testPassword)
	clock.now = clock.now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}),
		codeNotAuthorized, "Invalid session for the user, session is expired.")
}

func TestMFASessionLifetimeIsTheClients(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	app, err := p.CreateAppClient(AppClient{ClientName: "slow", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, AuthSessionValidity: 10 * time.Minute})
	require.NoError(t, err)
	_, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	clock.now = clock.now.Add(5 * time.Minute)
	in := answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)})
	in["ClientId"] = app.ClientID
	status, res := call(t, p, "RespondToAuthChallenge", in)
	require.Equal(t, http.StatusOK, status, res)
}

func TestMFASessionEndsAfterThreeWrongCodes(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	_, out := passwordSignIn(t, p, "alice", testPassword)
	right := clock.code(t, secret)
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	for range maxCodeAttempts {
		requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": wrong}), "CodeMismatchException", "")
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": right}), codeNotAuthorized, "")
}

func TestMFAOffIgnoresFactors(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	setUpTOTP(t, p, clock)
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOff}))
	status, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

func TestOptionalMFAWithoutFactorsSignsIn(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	status, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

func TestRequiredMFASetUpDuringSignIn(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true})
	status, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	require.Equal(t, `["SOFTWARE_TOKEN_MFA"]`, out["ChallengeParameters"].(map[string]any)["MFAS_CAN_SETUP"])
	session := out["Session"]

	// Required but not set up: the challenge cannot be skipped.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "alice"}), codeInvalidParameter, "")
	_, err := p.SignIn(t.Context(), DefaultClientID, "alice", testPassword)
	require.ErrorIs(t, err, ErrMFARequired)

	status, assoc := call(t, p, "AssociateSoftwareToken", map[string]any{"Session": session})
	require.Equal(t, http.StatusOK, status, assoc)
	secret := assoc["SecretCode"].(string)
	require.NotEqual(t, session, assoc["Session"])
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"Session": session, "UserCode": clock.code(t, secret)}, codeNotAuthorized, errSessionUsed.Message)
	status, ver := call(t, p, "VerifySoftwareToken", map[string]any{"Session": assoc["Session"], "UserCode": clock.code(t, secret), "FriendlyDeviceName": "laptop"})
	require.Equal(t, http.StatusOK, status, ver)
	require.Equal(t, "SUCCESS", ver["Status"])
	status, res := call(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", ver["Session"], map[string]string{"USERNAME": "alice"}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")

	// From now on the sign-in asks for a code.
	clock.now = clock.now.Add(time.Minute)
	_, out = passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	require.Equal(t, "laptop", out["ChallengeParameters"].(map[string]any)["FRIENDLY_DEVICE_NAME"])
	status, res = call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
}

func TestMFASetupSessionRefusals(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true})
	_, out := passwordSignIn(t, p, "alice", testPassword)
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"Session": out["Session"], "UserCode": "123456"}, codeInvalidParameter, "")
	requireAPIError(t, p, "AssociateSoftwareToken", map[string]any{"Session": "no-such-session-of-twenty-chars"}, codeNotAuthorized, "")
	_, assoc := call(t, p, "AssociateSoftwareToken", map[string]any{"Session": out["Session"]})
	secret := assoc["SecretCode"].(string)
	wrong := "000000"
	if clock.code(t, secret) == wrong {
		wrong = "111111"
	}
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"Session": assoc["Session"], "UserCode": wrong}, "EnableSoftwareTokenMFAException", "")
	clock.now = clock.now.Add(sessionLifetime)
	requireAPIError(t, p, "VerifySoftwareToken", map[string]any{"Session": assoc["Session"], "UserCode": clock.code(t, secret)}, codeNotAuthorized, errSessionInvalid.Message)
}

func TestSRPThenSoftwareTokenMFA(t *testing.T) {
	clock := &mfaClock{now: time.Now()}
	p := newPool(t, Config{Now: clock.Now})
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SoftwareToken: true}))
	secret := setUpTOTP(t, p, clock)
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOn, SoftwareToken: true}))
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	status, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now)))
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, factorTOTP, res["ChallengeName"])
	require.NotEmpty(t, res["Session"])
	status, res = call(t, p, "RespondToAuthChallenge", answer(factorTOTP, res["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestNewPasswordThenMFASetup(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true})
	require.NoError(t, p.SetUserPassword("alice", "Temp-pass1", false))
	_, out := passwordSignIn(t, p, "alice", "Temp-pass1")
	require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Perm-pass2"}))
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, "MFA_SETUP", res["ChallengeName"])
}

func TestUpdateUserPoolKeepsMFAFactorsAndReadsSignInPolicy(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	status, out := call(t, p, "UpdateUserPool", pool(map[string]any{"MfaConfiguration": "ON"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, MFAConfig{Mode: MFAOn, SoftwareToken: true}, p.MFAConfig())
	// Omitted, MfaConfiguration returns to OFF; the factors stay.
	status, _ = call(t, p, "UpdateUserPool", pool(map[string]any{}))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, MFAConfig{Mode: MFAOff, SoftwareToken: true}, p.MFAConfig())

	_, out = call(t, p, "DescribeUserPool", pool(map[string]any{}))
	policies := out["UserPool"].(map[string]any)["Policies"].(map[string]any)
	require.Equal(t, []any{"PASSWORD"}, policies["SignInPolicy"].(map[string]any)["AllowedFirstAuthFactors"])
	requireAPIError(t, p, "UpdateUserPool", pool(map[string]any{"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []string{"WEB_AUTHN"}}}}),
		codeInvalidParameter, "")
	status, out = call(t, p, "UpdateUserPool", pool(map[string]any{"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []string{"PASSWORD", "SMS_OTP"}}}}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, []string{"PASSWORD", "SMS_OTP"}, p.FirstAuthFactors())
	_, out = call(t, p, "DescribeUserPool", pool(map[string]any{}))
	policies = out["UserPool"].(map[string]any)["Policies"].(map[string]any)
	require.Equal(t, []any{"PASSWORD", "SMS_OTP"}, policies["SignInPolicy"].(map[string]any)["AllowedFirstAuthFactors"])
	status, out = call(t, p, "UpdateUserPool", pool(map[string]any{"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []string{"PASSWORD"}}}}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, []string{"PASSWORD"}, p.FirstAuthFactors())
}

// AssociateSoftwareToken names no pool and no client: its session finds
// the pool, however many the service holds.
func TestMFASetupSessionFindsItsPool(t *testing.T) {
	a := newPool(t, Config{})
	b, client := apiPool(t, a, map[string]any{})
	status, out := call(t, a, "SetUserPoolMfaConfig", map[string]any{"UserPoolId": b.PoolID(), "MfaConfiguration": "ON",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true}})
	require.Equal(t, http.StatusOK, status, out)
	_, err := b.CreateUser("zed", testPassword, nil)
	require.NoError(t, err)
	status, out = call(t, a, "InitiateAuth", passwordAuth(client, "zed", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	status, out = call(t, a, "AssociateSoftwareToken", map[string]any{"Session": out["Session"]})
	require.Equal(t, http.StatusOK, status, out)
	require.NotEmpty(t, out["SecretCode"])
}
