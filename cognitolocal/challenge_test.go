package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newPasswordPool has dave, created by an administrator with a temporary
// password, and answers his first sign-in's challenge.
func newPasswordPool(t *testing.T, cfg Config) (*Pool, map[string]any) {
	t.Helper()
	p := newPool(t, cfg)
	status, _ := call(t, p, "AdminCreateUser", pool(map[string]any{"Username": "dave", "TemporaryPassword": "Temp-pass1",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "d@example.com"}}}))
	require.Equal(t, http.StatusOK, status)
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "dave", "PASSWORD": "Temp-pass1"}})
	require.Equal(t, http.StatusOK, status, out)
	return p, out
}

func respond(session any, responses map[string]string) map[string]any {
	return map[string]any{"ClientId": DefaultClientID, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeResponses": responses}
}

func TestTemporaryPasswordAnswersNewPasswordChallenge(t *testing.T) {
	rc := &recorder{}
	p, out := newPasswordPool(t, Config{PreTokenGeneration: rc.trigger})
	require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
	require.NotEmpty(t, out["Session"])
	require.NotContains(t, out, "AuthenticationResult")
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "dave", params["USER_ID_FOR_SRP"])
	require.Contains(t, params["userAttributes"], "d@example.com")

	status, res := call(t, p, "RespondToAuthChallenge", respond(out["Session"],
		map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1", "userAttributes.name": "Dave"}))
	require.Equal(t, http.StatusOK, status, res)
	tok := res["AuthenticationResult"].(map[string]any)
	require.Equal(t, "Dave", payload(t, tok["IdToken"].(string))["name"])
	require.NotEmpty(t, tok["RefreshToken"])
	require.Equal(t, sourceNewPassword, rc.last(t).TriggerSource)
	_, user := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "dave"}))
	require.Equal(t, "CONFIRMED", user["UserStatus"])
}

func TestChallengeSessionIsSingleUse(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	answer := respond(out["Session"], map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "weak"})
	requireAPIError(t, p, "RespondToAuthChallenge", answer, codeInvalidPassword, "")
	answer["ChallengeResponses"] = map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1"}
	requireAPIError(t, p, "RespondToAuthChallenge", answer, codeNotAuthorized, errSessionInvalid.Message)
}

func TestChallengeSessionOfAnotherUserRefused(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	requireAPIError(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Perm-pass1"}),
		codeNotAuthorized, errSessionInvalid.Message)
}

func TestChallengeSessionExpiresAfterThreeMinutes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p, out := newPasswordPool(t, Config{Now: func() time.Time { return now }})
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1"}),
		codeNotAuthorized, errSessionInvalid.Message)
}

func TestChallengeOnlyNewPasswordRequired(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	in := respond(out["Session"], map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1"})
	in["ChallengeName"] = "SMS_MFA"
	requireAPIError(t, p, "RespondToAuthChallenge", in, codeInvalidParameter, "")
}

func TestChallengeCannotVerifyEmail(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	requireAPIError(t, p, "RespondToAuthChallenge", respond(out["Session"],
		map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1", "userAttributes.email_verified": "true"}),
		codeNotAuthorized, errUnwritableAttr.Message)
}
