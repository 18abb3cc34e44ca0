package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Users who must pass MFA cannot sign in without a password. Amplify's
// passwordless guide
// (https://docs.amplify.aws/react/build-a-backend/auth/concepts/passwordless/):
// "Amazon Cognito does not support enabling both MFA and passwordless
// sign-in (including passkeys, SMS OTP, and email OTP) for the same user.
// If a user has MFA configured, passwordless sign-in options will not be
// available", citing the developer guide's MFA prerequisites
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html#user-pool-settings-mfa-prerequisites).
// The guides name no error for a passwordless factor asked for anyway:
// the pool answers errPasswordlessWithMFA, and each test checks it
// sends no code. These tests sign in through a client that names users
// (LEGACY); one that hides them offers every name the same factors
// (userauth_test.go, TestUserAuthHidesWhichNamesAreUsers).

// passwordlessPool is an OPTIONAL-MFA pool offering EMAIL_OTP, in which
// alice has TOTP on and bob has no factor; its default client names
// users.
func passwordlessPool(t *testing.T) (*Pool, *mfaClock, string) {
	t.Helper()
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true, Email: true})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	secret := setUpTOTP(t, p, clock)
	_, err := p.CreateUser("bob", testPassword, map[string]string{"email": "bob@example.com"})
	require.NoError(t, err)
	setExistenceErrors(t, p, existenceLegacy)
	return p, clock, secret
}

// requireNoSignInCode checks that no sign-in code went to username.
func requireNoSignInCode(t *testing.T, p *Pool, username string) {
	t.Helper()
	require.Empty(t, p.Messages(MessageFilter{Username: username, Kind: MessageAuthentication}))
}

func TestPasswordlessNotOfferedToUsersWithMFA(t *testing.T) {
	p, clock, secret := passwordlessPool(t)
	session := selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP")

	// Answered with the factor not offered: refused, the session kept.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "EMAIL_OTP"}),
		codeInvalidParameter, errPasswordlessWithMFA.Message)
	requireNoSignInCode(t, p, "alice")
	// The password works, and MFA follows as for any password sign-in.
	status, out := call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	require.NotContains(t, out, "AuthenticationResult")
	status, out = call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")

	// A user without a factor is still offered the code.
	selectChallenge(t, p, "bob", "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP")
}

func TestPasswordlessPreferenceRefusedToUsersWithMFA(t *testing.T) {
	p, clock, _ := passwordlessPool(t)
	for _, factor := range passwordlessFactors {
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": factor}},
			codeInvalidParameter, errPasswordlessWithMFA.Message)
	}
	requireNoSignInCode(t, p, "alice")
	require.NotContains(t, errPasswordlessWithMFA.Message, "alice")

	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])

	c := newSRPTestClient(t, p.PoolID())
	status, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA()})
	require.Equal(t, http.StatusOK, status, out)
	in := verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now))
	in["Session"] = out["Session"]
	status, out = call(t, p, "RespondToAuthChallenge", in)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])

	// bob, without a factor, still signs in with the code.
	status, out = userAuth(t, p, map[string]string{"USERNAME": "bob", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
	status, out = call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": lastSignInCode(t, p, "bob")}))
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

// The choice is checked when answered too: a user who turns MFA on
// after being offered the code no longer gets one.
func TestPasswordlessAnswerRefusedOnceMFAIsOn(t *testing.T) {
	p, _, _ := passwordlessPool(t)
	_, out := userAuth(t, p, map[string]string{"USERNAME": "bob"})
	require.Contains(t, out["AvailableChallenges"], "EMAIL_OTP")
	status, res := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "bob",
		"EmailMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}}))
	require.Equal(t, http.StatusOK, status, res)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "bob", "ANSWER": "EMAIL_OTP"}),
		codeInvalidParameter, errPasswordlessWithMFA.Message)
	requireNoSignInCode(t, p, "bob")

	// Turned off again, the code is offered again.
	status, res = call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "bob",
		"EmailMfaSettings": map[string]bool{"Enabled": false}}))
	require.Equal(t, http.StatusOK, status, res)
	_, out = userAuth(t, p, map[string]string{"USERNAME": "bob"})
	require.Contains(t, out["AvailableChallenges"], "EMAIL_OTP")
}

// With MFA required every user must pass it, so none, known or not, may
// sign in without a password; the password leads to MFA_SETUP.
func TestPasswordlessRefusedWhenMFAIsRequired(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	for _, name := range []string{"alice", "nobody"} {
		_, out := userAuth(t, p, map[string]string{"USERNAME": name})
		require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP"}, out["AvailableChallenges"], name)
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"}},
			codeInvalidParameter, errPasswordlessWithMFA.Message)
	}
	requireNoSignInCode(t, p, "alice")
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
}

// With MFA off, factors a user set up earlier do not count.
func TestPasswordlessOfferedWhenMFAIsOff(t *testing.T) {
	p, _, _ := passwordlessPool(t)
	require.NoError(t, p.SetMFAConfig(MFAConfig{}))
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice"})
	require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}, out["AvailableChallenges"])
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
}

// emailOTPSession starts a USER_AUTH sign-in of name with the emailed
// code as first factor and returns the session.
func emailOTPSession(t *testing.T, p *Pool, name string) any {
	t.Helper()
	status, out := userAuth(t, p, map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
	return out["Session"]
}

// setEmailMFA turns bob's email MFA on or off.
func setEmailMFA(t *testing.T, p *Pool, on bool) {
	t.Helper()
	status, res := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "bob",
		"EmailMfaSettings": map[string]bool{"Enabled": on, "PreferredMfa": on}}))
	require.Equal(t, http.StatusOK, status, res)
}

// The code sent as a first factor is checked against the rule when it
// is answered too: a user who turned MFA on after it was sent must not
// skip MFA with it. Neither Cognito's guides nor its API reference say
// what RespondToAuthChallenge answers then; the pool refuses as it
// refuses a passwordless factor up front, without checking the code, so
// the session counts no attempt and stays open.
func TestPasswordlessCodeRefusedOnceMFAIsOn(t *testing.T) {
	p, _, _ := passwordlessPool(t)
	session := emailOTPSession(t, p, "bob")
	code := lastSignInCode(t, p, "bob")
	setEmailMFA(t, p, true)
	codeAnswer := answer(factorEmail, session, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code})
	rec := callRaw(t, p, "RespondToAuthChallenge", codeAnswer)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, codeInvalidParameter, rec.Header().Get("x-amzn-ErrorType"))
	require.Contains(t, rec.Body.String(), errPasswordlessWithMFA.Message)
	require.NotContains(t, rec.Body.String(), code)
	require.NotContains(t, rec.Body.String(), "AuthenticationResult")
	// A wrong code gets the same answer: the code is not looked at.
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, session, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": "00000000"}),
		codeInvalidParameter, errPasswordlessWithMFA.Message)

	// With MFA off again, the same session takes the code.
	setEmailMFA(t, p, false)
	status, out := call(t, p, "RespondToAuthChallenge", codeAnswer)
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

// A pool that makes MFA required after the code was sent refuses it.
// A client that hides users looks at the code first: a wrong one, and
// any code for a name the pool does not know, gets the answer of a
// wrong code; the right one, which only its owner has, the refusal.
func TestPasswordlessCodeRefusedOnceMFAIsRequired(t *testing.T) {
	p, _, _ := passwordlessPool(t)
	bob := emailOTPSession(t, p, "bob")
	code := lastSignInCode(t, p, "bob")
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOn, SoftwareToken: true, Email: true}))
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, bob, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": wrongOTP(code)}),
		codeInvalidParameter, errPasswordlessWithMFA.Message)

	p, _, _ = passwordlessPool(t)
	setExistenceErrors(t, p, existenceEnabled)
	sessions := map[string]any{"bob": emailOTPSession(t, p, "bob"), "nobody": emailOTPSession(t, p, "nobody")}
	code = lastSignInCode(t, p, "bob")
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOn, SoftwareToken: true, Email: true}))
	for name, session := range sessions {
		requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, session, map[string]string{"USERNAME": name, "EMAIL_OTP_CODE": wrongOTP(code)}),
			"CodeMismatchException", "Invalid code received for user")
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, sessions["nobody"], map[string]string{"USERNAME": "nobody", "EMAIL_OTP_CODE": code}),
		"CodeMismatchException", "Invalid code received for user")
	rec := callRaw(t, p, "RespondToAuthChallenge", answer(factorEmail, sessions["bob"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, codeInvalidParameter, rec.Header().Get("x-amzn-ErrorType"))
	require.Contains(t, rec.Body.String(), errPasswordlessWithMFA.Message)
	require.NotContains(t, rec.Body.String(), code)
	require.NotContains(t, rec.Body.String(), "AuthenticationResult")
}

// The EMAIL_OTP challenge of email MFA, after a password, is a second
// factor: its code still ends the sign-in for a user who must pass MFA.
func TestEmailMFACodeAnsweredAfterPassword(t *testing.T) {
	p, _, _ := passwordlessPool(t)
	setEmailMFA(t, p, true)
	status, out := userAuth(t, p, map[string]string{"USERNAME": "bob", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
	code := lastSignInCode(t, p, "bob")
	require.Len(t, code, 6)
	status, out = call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

// SMS_OTP follows the same rule: a user who must pass MFA is not offered
// it, is refused it, and a code sent before MFA was turned on is refused
// (same sources as above).
func TestSMSOTPRefusedToUsersWithMFA(t *testing.T) {
	p, _, _ := passwordlessPool(t)
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "SMS_OTP"}))
	for _, name := range []string{"alice", "bob"} {
		require.NoError(t, p.SetUserAttributes(name, map[string]string{"phone_number": "+15555550123"}))
	}
	selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"}},
		codeInvalidParameter, errPasswordlessWithMFA.Message)
	requireNoSignInCode(t, p, "alice")

	session := selectChallenge(t, p, "bob", "PASSWORD", "PASSWORD_SRP", "SMS_OTP")
	status, out := call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "bob", "ANSWER": "SMS_OTP"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SMS_OTP", out["ChallengeName"])
	code := lastSignInCode(t, p, "bob")
	setEmailMFA(t, p, true)
	codeAnswer := answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "bob", "SMS_OTP_CODE": code})
	requireAPIError(t, p, "RespondToAuthChallenge", codeAnswer, codeInvalidParameter, errPasswordlessWithMFA.Message)
	setEmailMFA(t, p, false)
	status, out = call(t, p, "RespondToAuthChallenge", codeAnswer)
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}
