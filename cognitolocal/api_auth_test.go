package cognitolocal

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestInitiateAuthAnswersAsCognito(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	require.Equal(t, http.StatusOK, status)
	res := out["AuthenticationResult"].(map[string]any)
	require.Equal(t, "Bearer", res["TokenType"])
	require.EqualValues(t, 3600, res["ExpiresIn"])
	require.NotEmpty(t, res["AccessToken"])
	require.NotEmpty(t, res["IdToken"])
	require.NotEmpty(t, res["RefreshToken"])
}

func TestConfidentialClientNeedsSecretHash(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	require.NoError(t, err)
	require.NotEmpty(t, c.ClientSecret)
	params := map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}
	in := map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": c.ClientID, "AuthParameters": params}
	requireAPIError(t, p, "InitiateAuth", in, codeNotAuthorized, errSecretMissing.Message)
	params["SECRET_HASH"] = "bm9wZQ=="
	requireAPIError(t, p, "InitiateAuth", in, codeNotAuthorized, errSecretMismatch.Message)
	params["SECRET_HASH"] = secretHash(c.ClientSecret, "alice", c.ClientID)
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	refresh := out["AuthenticationResult"].(map[string]any)["RefreshToken"].(string)
	status, out = call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": c.ClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh, "SECRET_HASH": params["SECRET_HASH"]}})
	require.Equal(t, http.StatusOK, status, out)
}

func TestRevokeTokenEndsFamily(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	other := signIn(t, p)
	status, _ := call(t, p, "RevokeToken", map[string]any{"Token": tok.RefreshToken, "ClientId": DefaultClientID})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has been revoked")
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
	status, _ = call(t, p, "GetUser", map[string]any{"AccessToken": other.AccessToken})
	require.Equal(t, http.StatusOK, status, "another sign-in's family is untouched")
}

func TestRevokeTokenUnknownTokenSucceeds(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "RevokeToken", map[string]any{"Token": "unknown", "ClientId": DefaultClientID})
	require.Equal(t, http.StatusOK, status)
}

func TestRevokeTokenOfAnotherClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	c, err := p.CreateAppClient(AppClient{})
	require.NoError(t, err)
	requireAPIError(t, p, "RevokeToken", map[string]any{"Token": tok.RefreshToken, "ClientId": c.ClientID}, "UnauthorizedException", "")
}

func TestRevokeTokenRefusesAnAccessOrIDToken(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	for _, jwt := range []string{tok.AccessToken, tok.IDToken} {
		requireAPIError(t, p, "RevokeToken", map[string]any{"Token": jwt, "ClientId": DefaultClientID},
			"UnsupportedTokenTypeException", "Unsupported token type.")
	}
	// The session lives on: nothing was revoked.
	if _, err := p.refreshTokens(context.Background(), DefaultClientID, tok.RefreshToken, "", nil); err != nil {
		t.Fatal(err)
	}
}

func TestGlobalSignOutEndsEveryFamily(t *testing.T) {
	p := newPool(t, Config{})
	a, b := signIn(t, p), signIn(t, p)
	status, _ := call(t, p, "GlobalSignOut", map[string]any{"AccessToken": a.AccessToken})
	require.Equal(t, http.StatusOK, status)
	for _, tok := range []Tokens{a, b} {
		requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has been revoked")
	}
	signIn(t, p) // signing in again works
}

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
	requireAPIError(t, p, "RespondToAuthChallenge", answer, codeNotAuthorized, "Invalid session for the user, session can only be used once.")
}

func TestChallengeSessionOfAnotherUserRefused(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	requireAPIError(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Perm-pass1"}),
		codeNotAuthorized, "Invalid session for the user.")
}

func TestChallengeSessionExpiresAfterThreeMinutes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p, out := newPasswordPool(t, Config{Now: func() time.Time { return now }})
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1"}),
		codeNotAuthorized, errSessionInvalid.Message)
}

func TestChallengeNameMustMatchSession(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	in := respond(out["Session"], map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1"})
	in["ChallengeName"] = "SMS_MFA"
	requireAPIError(t, p, "RespondToAuthChallenge", in, codeInvalidParameter, "The ChallengeName does not match the challenge of the session.")
	in["ChallengeName"] = "CUSTOM_CHALLENGE"
	requireAPIError(t, p, "RespondToAuthChallenge", in, codeInvalidParameter, "")
}

func TestChallengeCannotVerifyEmail(t *testing.T) {
	p, out := newPasswordPool(t, Config{})
	requireAPIError(t, p, "RespondToAuthChallenge", respond(out["Session"],
		map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1", "userAttributes.email_verified": "true"}),
		codeNotAuthorized, errUnwritableAttr.Message)
}
