package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every sign-in path of a RESET_REQUIRED user. The pages this follows:
//   - AdminResetUserPassword: "If a user tries to sign in after the API is
//     called, Amazon Cognito responds with a PasswordResetRequiredException
//     error. Your app must then perform the actions that reset your user's
//     password: the forgot-password flow."
//     https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html
//   - "Importing users into a user pool": imported users are RESET_REQUIRED
//     and reset their password with ForgotPassword.
//     https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-import-users.html
//   - InitiateAuth, AdminInitiateAuth and RespondToAuthChallenge list
//     PasswordResetRequiredException among their errors.

// requireTokens checks that a sign-in step answered with tokens.
func requireTokens(t *testing.T, status int, out map[string]any) {
	t.Helper()
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

// resetPool is a pool with alice reset by AdminResetUserPassword and bob
// imported from a CSV file.
func resetPool(t *testing.T) *Pool {
	t.Helper()
	now := time.Now()
	p := importPool(t, &now)
	job := runImport(t, p, csvFile(t, p,
		map[string]string{"cognito:username": "bob", "email": "bob@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}))
	require.Equal(t, float64(1), job["ImportedUsers"])
	status, out := call(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice"})
	require.Equal(t, http.StatusOK, status, out)
	return p
}

// USER_SRP_AUTH. The user reset by an administrator still has the
// verifier of the old password: the pool answers the challenge and refuses
// the proof of the right password with PasswordResetRequiredException
// (a wrong one stays NotAuthorizedException). Where Cognito answers, at
// InitiateAuth or at the PASSWORD_VERIFIER answer, the docs do not say;
// amazon-cognito-identity-js surfaces PasswordResetRequiredException from
// authenticateUser either way. An imported user has no password, hence
// nothing to prove: InitiateAuth answers PasswordResetRequiredException.
func TestResetRequiredUserSRP(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	status, out := srpSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusBadRequest, status, out)
	require.Equal(t, errPasswordReset.Code, out["__type"])
	status, out = srpSignIn(t, p, "alice", "Wrong-pass1")
	require.Equal(t, http.StatusBadRequest, status, out)
	require.Equal(t, codeNotAuthorized, out["__type"])

	c := newSRPTestClient(t, p.PoolID())
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "bob", "SRP_A": c.srpA()}}, errPasswordReset.Code, errPasswordReset.Message)
}

// USER_AUTH: PREFERRED_CHALLENGE PASSWORD and PASSWORD_SRP answer as the
// classic flows do.
func TestResetRequiredUserChoiceBasedSignIn(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	for _, name := range []string{"alice", "bob"} {
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword}},
			errPasswordReset.Code, errPasswordReset.Message)
	}
	c := newSRPTestClient(t, p.PoolID())
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "bob", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA()}},
		errPasswordReset.Code, errPasswordReset.Message)
}

// ADMIN_USER_PASSWORD_AUTH answers as USER_PASSWORD_AUTH does.
func TestResetRequiredUserAdminPasswordAuth(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	_, err := p.CreateAppClient(AppClient{ClientID: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	for _, name := range []string{"alice", "bob"} {
		requireAPIError(t, p, "AdminInitiateAuth", map[string]any{"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": "server",
			"UserPoolId": p.PoolID(), "AuthParameters": map[string]string{"USERNAME": name, "PASSWORD": testPassword}},
			errPasswordReset.Code, errPasswordReset.Message)
	}
}

// A client with PreventUserExistenceErrors ENABLED still says
// PasswordResetRequiredException: the user exists, and the setting hides
// only users that do not ("Managing user existence error responses",
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
// AWS confirmed the answer for imported users "whether or not Prevent User
// Existence Errors is enabled or disabled" (aws-amplify/aws-sdk-ios#2298).
func TestResetRequiredUserThroughAClientThatHidesUsers(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	_, err := p.CreateAppClient(AppClient{ClientID: "hiding", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}, PreventUserExistenceErrors: "ENABLED"})
	require.NoError(t, err)
	for _, name := range []string{"alice", "bob"} {
		requireAPIError(t, p, "InitiateAuth", passwordAuth("hiding", name, testPassword), errPasswordReset.Code, errPasswordReset.Message)
	}
	c := newSRPTestClient(t, p.PoolID())
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": "hiding",
		"AuthParameters": map[string]string{"USERNAME": "bob", "SRP_A": c.srpA()}}, errPasswordReset.Code, errPasswordReset.Message)
}

// A refresh token issued before AdminResetUserPassword: the docs are
// silent on whether the reset revokes it (the API reference says the
// password is deactivated, not that sessions end; AdminUserGlobalSignOut
// is the operation that revokes refresh tokens). The pool keeps it valid.
func TestRefreshTokenOfAUserResetAfterSignIn(t *testing.T) {
	t.Parallel()
	now := time.Now()
	p := importPool(t, &now)
	tok := signIn(t, p)
	status, out := call(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice"})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}})
	requireTokens(t, status, out)
}

// ForgotPassword and ConfirmForgotPassword take either user to CONFIRMED,
// and both the password flow and SRP then sign in.
func TestResetRequiredUserResetsThenSignsIn(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	for _, name := range []string{"alice", "bob"} {
		status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": name})
		require.Equal(t, http.StatusOK, status, out)
		code, ok := p.LastCode(name, MessageForgotPassword)
		require.True(t, ok)
		status, out = call(t, p, "ConfirmForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": name, "ConfirmationCode": code, "Password": "N3w-Passw0rd!"})
		require.Equal(t, http.StatusOK, status, out)
		require.Equal(t, "CONFIRMED", getUser(t, p, name)["UserStatus"])
		status, out = call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, name, "N3w-Passw0rd!"))
		requireTokens(t, status, out)
		status, out = srpSignIn(t, p, name, "N3w-Passw0rd!")
		requireTokens(t, status, out)
	}
}

// USER_AUTH without a preference: SELECT_CHALLENGE offers the password
// factors, and the PASSWORD answer is refused as PREFERRED_CHALLENGE
// PASSWORD is.
func TestResetRequiredUserSelectChallengePassword(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	for _, name := range []string{"alice", "bob"} {
		session := selectChallenge(t, p, name, "PASSWORD", "PASSWORD_SRP")
		requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session,
			map[string]string{"USERNAME": name, "ANSWER": "PASSWORD", "PASSWORD": testPassword}), errPasswordReset.Code, errPasswordReset.Message)
	}
}

// EMAIL_OTP as the first factor: the docs are silent on a RESET_REQUIRED
// user. AdminResetUserPassword "deactivates a user's password", and a
// code by email uses none, so the pool signs the user in with the code
// and leaves the status RESET_REQUIRED for the next password sign-in.
func TestResetRequiredUserEmailOTP(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	status, out := userAuth(t, p, map[string]string{"USERNAME": "bob", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"])
	status, out = call(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": lastSignInCode(t, p, "bob")}))
	requireTokens(t, status, out)
	require.Equal(t, "RESET_REQUIRED", getUser(t, p, "bob")["UserStatus"])
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "bob", testPassword), errPasswordReset.Code, errPasswordReset.Message)
}

// Managed Login's sign-in form: "At sign-in, your application or the
// managed login session receives a challenge to complete the reset by
// confirming the code and setting a new password" (API reference,
// AdminResetUserPassword). The user an administrator reset was sent a
// code then, so the form answers with the page that takes the code and a
// new password. An imported user was sent none ("Importing users into a
// user pool": the user resets with the forgot-password flow), so the form
// answers with the forgot-password page, the username filled in, which
// sends one.
func TestResetRequiredUserManagedLogin(t *testing.T) {
	t.Parallel()
	p := resetPool(t)
	rec := signInForm(t, p, authorizeParams(), "alice", testPassword)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "Reset your password")
	require.Contains(t, body, `action="/confirmForgotPassword`)
	require.NotContains(t, body, testPassword)

	rec = signInForm(t, p, authorizeParams(), "bob", testPassword)
	require.Equal(t, http.StatusOK, rec.Code)
	body = rec.Body.String()
	require.Contains(t, body, "Forgot your password?")
	require.Contains(t, body, `action="/forgotPassword`)
	require.Contains(t, body, `value="bob"`)
	require.Contains(t, body, errPasswordReset.Message)
	require.NotContains(t, body, testPassword)
	_, sent := p.LastCode("bob", MessageForgotPassword)
	require.False(t, sent, "no code until the user asks for one")
}
