package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// Custom authentication that verifies the password first, as the
// "Define auth challenge Lambda trigger" page describes it
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-define-auth-challenge.html):
// AuthParameters "must include CHALLENGE_NAME: SRP_A, and values for
// SRP_A and USERNAME"; the define trigger runs "with an initial session
// that contains challengeName: SRP_A and challengeResult: true" and
// answers PASSWORD_VERIFIER; "If the password verification succeeds,
// Amazon Cognito invokes your Lambda function again with a new session
// containing challengeName: PASSWORD_VERIFIER and challengeResult: true",
// and the function goes on with CUSTOM_CHALLENGE.

// srpThenQuiz is the guide's example define trigger: SRP_A, then the
// password, then one custom challenge.
func srpThenQuiz(ev *defineEvent) error {
	s := ev.Request.Session
	switch {
	case len(s) == 1 && s[0].ChallengeName == "SRP_A":
		ev.Response.ChallengeName = "PASSWORD_VERIFIER"
	case len(s) == 2 && s[1].ChallengeName == "PASSWORD_VERIFIER" && s[1].ChallengeResult:
		ev.Response.ChallengeName = challengeCustom
	case len(s) == 3 && s[2].ChallengeName == challengeCustom && s[2].ChallengeResult:
		ev.Response.IssueTokens = true
	default:
		ev.Response.FailAuthentication = true
	}
	return nil
}

func customSRPIn(clientID, username string, c *srpTestClient) map[string]any {
	return map[string]any{"AuthFlow": "CUSTOM_AUTH", "ClientId": clientID,
		"AuthParameters": map[string]string{"USERNAME": username, "CHALLENGE_NAME": "SRP_A", "SRP_A": c.srpA()}}
}

func TestCustomAuthWithSRPFirst(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = srpThenQuiz
	c := newSRPTestClient(t, p.PoolID())
	status, out := call(t, p, "InitiateAuth", customSRPIn(customClient, "alice", c))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"])
	require.Equal(t, []*events.CognitoEventUserPoolsChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}}, rc.define.last(t).Request.Session)
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "alice", params["USER_ID_FOR_SRP"])
	require.NotEmpty(t, params["SRP_B"])

	ans := map[string]any{"ClientId": customClient, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"],
		"ChallengeResponses": c.claim(t, params, testPassword, time.Now()), "ClientMetadata": map[string]string{"step": "password"}}
	status, out = call(t, p, "RespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
	def := rc.define.last(t)
	require.Equal(t, []*events.CognitoEventUserPoolsChallengeResult{
		{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true},
	}, def.Request.Session)
	require.Equal(t, map[string]string{"step": "password"}, def.Request.ClientMetadata)
	require.Len(t, rc.create.last(t).Request.Session, 2)

	status, out = call(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, out)
	require.NotNil(t, out["AuthenticationResult"])
	require.Len(t, rc.define.last(t).Request.Session, 3)
}

// A wrong password is refused as USER_SRP_AUTH refuses it, "Incorrect
// username or password.", and the define trigger does not run again; a
// replayed proof is refused too. CHALLENGE_NAME SRP_A without SRP_A is a
// missing parameter. A client answering without the Session still
// signs in (amazon-cognito-identity-js sends PASSWORD_VERIFIER without
// one in the classic flow).
func TestCustomAuthWithSRPRejections(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = srpThenQuiz
	in := customAuthIn(customClient, "alice")
	in["AuthParameters"].(map[string]string)["CHALLENGE_NAME"] = "SRP_A"
	requireAPIError(t, p, "InitiateAuth", in, codeInvalidParameter, "Missing required parameter SRP_A")
	require.Empty(t, rc.define.all())

	c := newSRPTestClient(t, p.PoolID())
	_, out := call(t, p, "InitiateAuth", customSRPIn(customClient, "alice", c))
	ans := map[string]any{"ClientId": customClient, "ChallengeName": "PASSWORD_VERIFIER",
		"ChallengeResponses": c.claim(t, out["ChallengeParameters"].(map[string]any), "Wrong-pass1", time.Now())}
	requireAPIError(t, p, "RespondToAuthChallenge", ans, codeNotAuthorized, errBadCredentials.Message)
	require.Len(t, rc.define.all(), 1)

	_, out = call(t, p, "InitiateAuth", customSRPIn(customClient, "alice", c))
	ans["ChallengeResponses"] = c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	status, next := call(t, p, "RespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, next)
	require.Equal(t, challengeCustom, next["ChallengeName"])
	require.Equal(t, map[string]string{}, rc.define.last(t).Request.ClientMetadata)
	requireAPIError(t, p, "RespondToAuthChallenge", ans, codeNotAuthorized, errBadCredentials.Message)
}

// AdminInitiateAuth's custom sign-in with SRP is answered by
// AdminRespondToAuthChallenge only.
func TestCustomAuthWithSRPAdmin(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = srpThenQuiz
	c := newSRPTestClient(t, p.PoolID())
	in := customSRPIn(customClient, "alice", c)
	in["UserPoolId"] = p.PoolID()
	status, out := call(t, p, "AdminInitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	ans := map[string]any{"ClientId": customClient, "ChallengeName": "PASSWORD_VERIFIER", "Session": out["Session"],
		"ChallengeResponses": c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())}
	requireAPIError(t, p, "RespondToAuthChallenge", ans, codeNotAuthorized, errSessionGone.Message)

	status, out = call(t, p, "AdminInitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	ans["Session"], ans["UserPoolId"] = out["Session"], p.PoolID()
	ans["ChallengeResponses"] = c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	status, out = call(t, p, "AdminRespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
}

// A PASSWORD_VERIFIER answer of a custom sign-in without USERNAME is a
// missing parameter, as in USER_SRP_AUTH.
func TestCustomAuthWithSRPMissingUsername(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = srpThenQuiz
	c := newSRPTestClient(t, p.PoolID())
	_, out := call(t, p, "InitiateAuth", customSRPIn(customClient, "alice", c))
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	delete(claim, "USERNAME")
	requireAPIError(t, p, "RespondToAuthChallenge", map[string]any{"ClientId": customClient, "ChallengeName": "PASSWORD_VERIFIER",
		"Session": out["Session"], "ChallengeResponses": claim}, codeInvalidParameter, "Missing required parameter USERNAME")
}

// "If MFA is enabled for a user, after Amazon Cognito verifies the
// password, your user is then challenged to set up or sign in with MFA"
// ("User pool authentication flow", custom authentication with SRP): the
// TOTP challenge follows the password; a wrong code leaves the session to
// another try; the right one joins the define trigger's session and the
// custom challenge follows.
func TestCustomAuthWithSRPThenMFA(t *testing.T) {
	t.Parallel()
	clock := &mfaClock{now: time.Now()}
	p, rc := customPool(t, Config{Now: clock.Now})
	rc.define.respond = func(ev *defineEvent) error {
		s := ev.Request.Session
		switch last := s[len(s)-1]; {
		case last.ChallengeName == "SRP_A":
			ev.Response.ChallengeName = "PASSWORD_VERIFIER"
		case last.ChallengeName == factorTOTP && last.ChallengeResult:
			ev.Response.ChallengeName = challengeCustom
		case last.ChallengeName == challengeCustom && last.ChallengeResult:
			ev.Response.IssueTokens = true
		default:
			ev.Response.FailAuthentication = true
		}
		return nil
	}
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SoftwareToken: true}))
	secret := setUpTOTP(t, p, clock)
	c := newSRPTestClient(t, p.PoolID())
	_, out := call(t, p, "InitiateAuth", customSRPIn(customClient, "alice", c))
	status, mfa := call(t, p, "RespondToAuthChallenge", map[string]any{"ClientId": customClient, "ChallengeName": "PASSWORD_VERIFIER",
		"Session": out["Session"], "ChallengeResponses": c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now)})
	require.Equal(t, http.StatusOK, status, mfa)
	require.Equal(t, factorTOTP, mfa["ChallengeName"])
	require.Len(t, rc.define.all(), 1, "MFA comes before the define trigger runs again")

	code := func(c string) map[string]any {
		return map[string]any{"ClientId": customClient, "ChallengeName": factorTOTP, "Session": mfa["Session"],
			"ChallengeResponses": map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": c}}
	}
	requireAPIError(t, p, "RespondToAuthChallenge", code("000000"), errMFACode.Code, errMFACode.Message)
	status, next := call(t, p, "RespondToAuthChallenge", code(clock.code(t, secret)))
	require.Equal(t, http.StatusOK, status, next)
	require.Equal(t, challengeCustom, next["ChallengeName"])
	require.Equal(t, []*events.CognitoEventUserPoolsChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true},
		{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true}, {ChallengeName: factorTOTP, ChallengeResult: true}}, rc.define.last(t).Request.Session)
	status, done := call(t, p, "RespondToAuthChallenge", customAnswer(customClient, next["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, done)
	require.NotNil(t, done["AuthenticationResult"])
}

// A custom sign-in that never verifies the password is not followed by
// MFA, even in a pool that requires it: the guide asks for MFA "after
// Amazon Cognito verifies the password", and Amplify's maintainers relay
// the Cognito team's word that "MFA is not supported when using
// passwordless authentication flows within a Custom Auth Flow, as MFA
// generation is dependent on the password verifier challenge being
// triggered" (aws-amplify/amplify-js#12887). The define trigger decides.
func TestCustomAuthWithoutPasswordAsksNoMFA(t *testing.T) {
	t.Parallel()
	clock := &mfaClock{now: time.Now()}
	p, _ := customPool(t, Config{Now: clock.Now})
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SoftwareToken: true}))
	setUpTOTP(t, p, clock)
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOn, SoftwareToken: true}))
	out := startCustom(t, p, customClient, "alice")
	status, res := call(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, res)
	require.Nil(t, res["ChallengeName"])
	require.NotNil(t, res["AuthenticationResult"])
}

// AuthParameters' CHALLENGE_NAME starts the custom flow with the password
// (SRP_A) or with the custom challenges (CUSTOM_CHALLENGE, the guide's
// "If you don't want to start your custom auth flow with password
// verification, you can initiate sign-in with the AuthParameters map
// including CHALLENGE_NAME: CUSTOM_CHALLENGE"); the guide names no other
// value, and any other is refused before any trigger runs rather than
// ignored.
func TestCustomAuthChallengeNameParameter(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	in := customAuthIn(customClient, "alice")
	in["AuthParameters"].(map[string]string)["CHALLENGE_NAME"] = challengeCustom
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
	require.Empty(t, rc.define.last(t).Request.Session)
	defined := len(rc.define.all())
	for _, name := range []string{"PASSWORD_VERIFIER", "srp_a", "SMS_MFA"} {
		in["AuthParameters"].(map[string]string)["CHALLENGE_NAME"] = name
		requireAPIError(t, p, "InitiateAuth", in, codeInvalidParameter, errCustomChallengeName.Message)
	}
	require.Len(t, rc.define.all(), defined)
}
