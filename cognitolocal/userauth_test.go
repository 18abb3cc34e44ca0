package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func userAuth(t *testing.T, p *Pool, params map[string]string) (int, map[string]any) {
	t.Helper()
	return call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID, "AuthParameters": params})
}

func TestUserAuthPreferredPassword(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.NotEmpty(t, out["AuthenticationResult"].(map[string]any)["AccessToken"])
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)

	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wrong-pass1"}},
		codeNotAuthorized, errBadCredentials.Message)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD"}},
		codeInvalidParameter, "Missing required parameter PASSWORD")
}

func TestUserAuthPreferredSRP(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA()})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"])
	require.NotEmpty(t, out["Session"], "choice-based sign-in carries a session through SRP")
	in := verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now()))
	in["Session"] = out["Session"]
	status, res := call(t, p, "RespondToAuthChallenge", in)
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

// selectChallenge starts USER_AUTH for username with no preference,
// requires SELECT_CHALLENGE offering want, and returns its session.
func selectChallenge(t *testing.T, p *Pool, username string, want ...any) any {
	t.Helper()
	status, out := userAuth(t, p, map[string]string{"USERNAME": username})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	require.Equal(t, want, out["AvailableChallenges"])
	return out["Session"]
}

func TestUserAuthSelectChallenge(t *testing.T) {
	p := newPool(t, Config{})
	session := selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP")

	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "EMAIL_OTP"}),
		codeInvalidParameter, "")
	status, res := call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}),
		codeNotAuthorized, errSessionUsed.Message)

	// An unavailable preference falls back to the choice.
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	// SRP through the choice.
	c := newSRPTestClient(t, p.PoolID())
	status, res = call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD_SRP", "SRP_A": c.srpA()}))
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, "PASSWORD_VERIFIER", res["ChallengeName"])
}

func TestUserAuthSelectChallengeSessionExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice"})
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}),
		codeNotAuthorized, errSessionInvalid.Message)
}

func TestUserAuthUnknownUserLooksLikeAnyOther(t *testing.T) {
	p := newPool(t, Config{})
	status, out := userAuth(t, p, map[string]string{"USERNAME": "nobody"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "nobody", "ANSWER": "PASSWORD", "PASSWORD": testPassword}),
		codeNotAuthorized, errBadCredentials.Message)
}

func TestUserAuthNeedsTheClientToAllowIt(t *testing.T) {
	p := newPool(t, Config{})
	app, err := p.CreateAppClient(AppClient{ClientName: "srp-only", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice"}}, codeInvalidParameter, "USER_AUTH flow not enabled for this client")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeInvalidParameter, "USER_PASSWORD_AUTH flow not enabled for this client")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{}}, codeInvalidParameter, "Missing required parameter USERNAME")
}

func TestUserAuthPasswordThenMFA(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestFirstAuthFactorsNeedPassword(t *testing.T) {
	p := newPool(t, Config{})
	require.Error(t, p.SetFirstAuthFactors([]string{"EMAIL_OTP"}))
	require.Error(t, p.SetFirstAuthFactors([]string{"PASSWORD", "WEB_AUTHN"}))
	require.Equal(t, []string{"PASSWORD"}, p.FirstAuthFactors())
	// SignInPolicyType: AllowedFirstAuthFactors of PASSWORD, EMAIL_OTP,
	// SMS_OTP and WEB_AUTHN; the pool runs the first three.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	require.Equal(t, []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}, p.FirstAuthFactors())
	require.Error(t, p.SetFirstAuthFactors([]string{"SMS_OTP"}))
}
