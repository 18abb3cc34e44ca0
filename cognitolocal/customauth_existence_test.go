package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Custom sign-ins through a client that hides users ("Managing user
// existence error responses": with PreventUserExistenceErrors ENABLED
// "Amazon Cognito responds with nonspecific information to API requests
// where its response might otherwise disclose that a valid user exists").

// The challenge's USERNAME for a name no user has looks like a user's: a
// pool that ignores case answers a user with the username as stored,
// whatever case was typed, so an unknown name typed in capitals must not
// come back as typed. The answer that names it so is accepted.
func TestCustomAuthHiddenNameLooksStored(t *testing.T) {
	t.Parallel()
	p, _ := customPool(t, Config{})
	known := startCustom(t, p, hidingClient, "ALICE")
	require.Equal(t, "alice", known["ChallengeParameters"].(map[string]any)["USERNAME"])
	unknown := startCustom(t, p, hidingClient, "NOBODY")
	name := unknown["ChallengeParameters"].(map[string]any)["USERNAME"]
	require.Equal(t, "nobody", name, "the answer must not tell an unknown name from a user's")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, unknown["Session"], name.(string), "42"), codeNotAuthorized, "Incorrect username or password.")
}

// In a pool whose users sign in with their email address the stored
// username is a UUID, which a user's challenge names: an unknown address
// gets a UUID too (the one its SRP challenge would name), not the address.
func TestCustomAuthHiddenNameIsUUIDInEmailPools(t *testing.T) {
	t.Parallel()
	rc := &customRecorders{}
	quizTriggers(rc)
	p, err := New(Config{Key: testKey(t), UsernameAttributes: []string{"email"},
		DefineAuthChallenge: rc.define.trigger, CreateAuthChallenge: rc.create.trigger, VerifyAuthChallengeResponse: rc.verify.trigger})
	require.NoError(t, err)
	sub, err := p.CreateUser("jane@example.com", testPassword, map[string]string{"email_verified": "true"})
	require.NoError(t, err)
	_, err = p.CreateAppClient(AppClient{ClientID: hidingClient, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"}, PreventUserExistenceErrors: existenceEnabled})
	require.NoError(t, err)

	known := startCustom(t, p, hidingClient, "jane@example.com")
	require.Equal(t, sub, known["ChallengeParameters"].(map[string]any)["USERNAME"])
	unknown := startCustom(t, p, hidingClient, "joe@example.com")
	name := unknown["ChallengeParameters"].(map[string]any)["USERNAME"].(string)
	require.NotEqual(t, "joe@example.com", name, "the answer must not tell an unknown address from a user's")
	p.mu.Lock()
	want := p.hiddenNameLocked("joe@example.com")
	p.mu.Unlock()
	require.Equal(t, want, name, "the same UUID as the address's SRP challenge")
	status, out := call(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, unknown["Session"], name, "42"))
	require.Equal(t, http.StatusBadRequest, status, out)
	require.Equal(t, "Incorrect username or password.", out["message"])
}

// A user who may not sign in (disabled, unconfirmed, reset) through a
// client that hides users: the password flows tell the refusal only after
// the right password, so a custom sign-in that refused at InitiateAuth,
// before any proof, would tell the name is a user's. The documentation
// is silent on it; the pool runs the sign-in as an unknown name's (the
// triggers see userNotFound true and no attributes, a right custom answer
// ends in "Incorrect username or password."), and tells the refusal after
// a right password (CHALLENGE_NAME SRP_A, then PASSWORD_VERIFIER). A
// LEGACY client still refuses at once (TestCustomAuthUserStatus).
func TestCustomAuthHidesRefusedUsersUntilThePassword(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "una", "Password": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	_, err := p.CreateUser("rita", testPassword, map[string]string{"email": "rita@example.com", "email_verified": "true"})
	require.NoError(t, err)
	status, out = call(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "rita"})
	require.Equal(t, http.StatusOK, status, out)
	_, err = p.CreateUser("dora", testPassword, nil)
	require.NoError(t, err)
	require.NoError(t, p.DisableUser("dora"))
	refusals := map[string]*Error{"una": errNotConfirmed, "rita": errPasswordReset, "dora": errUserDisabled}

	for name, refusal := range refusals {
		quizTriggers(rc)
		out := startCustom(t, p, hidingClient, name)
		require.Equal(t, challengeCustom, out["ChallengeName"], name)
		def := rc.define.last(t)
		require.True(t, def.Request.UserNotFound, name)
		require.Empty(t, def.Request.UserAttributes, name)
		requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], name, "42"), codeNotAuthorized, "Incorrect username or password.")

		rc.define.respond = srpThenQuiz
		c := newSRPTestClient(t, p.PoolID())
		status, out = call(t, p, "InitiateAuth", customSRPIn(hidingClient, name, c))
		require.Equal(t, http.StatusOK, status, out)
		require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"], name)
		params := out["ChallengeParameters"].(map[string]any)
		wrong := map[string]any{"ClientId": hidingClient, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"],
			"ChallengeResponses": c.claim(t, params, "Wrong-pass1", time.Now())}
		requireAPIError(t, p, "RespondToAuthChallenge", wrong, codeNotAuthorized, "Incorrect username or password.")

		status, out = call(t, p, "InitiateAuth", customSRPIn(hidingClient, name, c))
		require.Equal(t, http.StatusOK, status, out)
		right := map[string]any{"ClientId": hidingClient, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"],
			"ChallengeResponses": c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())}
		requireAPIError(t, p, "RespondToAuthChallenge", right, refusal.Code, refusal.Message)
	}
}

// A user disabled after a custom sign-in began, through a client that
// hides users. "Managing user existence error responses"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
// CUSTOM_AUTH answers a name no user has with "a generic authentication
// failed response", that the user name or password is incorrect; the
// page is silent on a user disabled during a sign-in. The password flows
// tell "User is disabled." only after the right password, so before it
// the next answer, right or wrong, gets what an unknown name's sign-in
// ends with; after PASSWORD_VERIFIER (SRP_A first) the refusal is told,
// as it is to a password flow's MFA answer. A LEGACY client tells it at
// once (TestCustomAuthUserDisabledMidway).
func TestCustomAuthHidesAUserDisabledMidway(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	for _, answer := range []string{"42", "7"} {
		require.NoError(t, p.EnableUser("alice"))
		out := startCustom(t, p, hidingClient, "alice")
		require.NoError(t, p.DisableUser("alice"))
		requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], "alice", answer), codeNotAuthorized, errBadCredentials.Message)
	}

	require.NoError(t, p.EnableUser("alice"))
	rc.define.respond = srpThenQuiz
	c := newSRPTestClient(t, p.PoolID())
	status, out := call(t, p, "InitiateAuth", customSRPIn(hidingClient, "alice", c))
	require.Equal(t, http.StatusOK, status, out)
	right := map[string]any{"ClientId": hidingClient, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"],
		"ChallengeResponses": c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())}
	status, out = call(t, p, "RespondToAuthChallenge", right)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
	require.NoError(t, p.DisableUser("alice"))
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], "alice", "42"), codeNotAuthorized, errUserDisabled.Message)
}
