package cognitolocal

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// The custom authentication flow as the developer guide describes it:
// "Custom authentication challenge Lambda triggers"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-challenge.html),
// "Define auth challenge Lambda trigger" (user-pool-lambda-define-auth-challenge.html),
// "Create auth challenge Lambda trigger" (user-pool-lambda-create-auth-challenge.html),
// "Verify auth challenge response Lambda trigger"
// (user-pool-lambda-verify-auth-challenge-response.html), and the
// "Custom authentication flow" section of "User pool authentication flow".

type (
	defineEvent = events.CognitoEventUserPoolsDefineAuthChallenge
	createEvent = events.CognitoEventUserPoolsCreateAuthChallenge
	verifyEvent = events.CognitoEventUserPoolsVerifyAuthChallenge
)

// customRecorders are a pool's three challenge triggers, recording.
type customRecorders struct {
	define recorderOf[defineEvent]
	create recorderOf[createEvent]
	verify recorderOf[verifyEvent]
}

// Client IDs of customPool: one LEGACY, one hiding users, both with
// ALLOW_CUSTOM_AUTH.
const (
	customClient = "custom"
	hidingClient = "custom-hiding"
)

// quizTriggers is the guide's pattern: a challenge until one is answered
// right, at most three tries, then tokens; the answer is "42".
func quizTriggers(rc *customRecorders) {
	rc.define.respond = func(ev *defineEvent) error {
		s := ev.Request.Session
		switch {
		case len(s) > 0 && s[len(s)-1].ChallengeName == challengeCustom && s[len(s)-1].ChallengeResult:
			ev.Response.IssueTokens = true
		case len(s) >= 3:
			ev.Response.FailAuthentication = true
		default:
			ev.Response.ChallengeName = challengeCustom
		}
		return nil
	}
	rc.create.respond = func(ev *createEvent) error {
		ev.Response.PublicChallengeParameters = map[string]string{"question": "six times seven?"}
		ev.Response.PrivateChallengeParameters = map[string]string{"answer": "42"}
		ev.Response.ChallengeMetadata = "QUIZ"
		return nil
	}
	rc.verify.respond = func(ev *verifyEvent) error {
		ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
		return nil
	}
}

// customPool is a pool whose three challenge triggers record (quizTriggers
// answering), with the two clients of customClient and hidingClient.
func customPool(t *testing.T, cfg Config) (*Pool, *customRecorders) {
	t.Helper()
	rc := &customRecorders{}
	quizTriggers(rc)
	cfg.DefineAuthChallenge, cfg.CreateAuthChallenge, cfg.VerifyAuthChallengeResponse = rc.define.trigger, rc.create.trigger, rc.verify.trigger
	p := newPool(t, cfg)
	for id, existence := range map[string]string{customClient: existenceLegacy, hidingClient: existenceEnabled} {
		_, err := p.CreateAppClient(AppClient{ClientID: id, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, PreventUserExistenceErrors: existence})
		require.NoError(t, err)
	}
	return p, rc
}

func customAuthIn(clientID, username string) map[string]any {
	return map[string]any{"AuthFlow": "CUSTOM_AUTH", "ClientId": clientID, "AuthParameters": map[string]string{"USERNAME": username}}
}

func customAnswer(clientID string, session any, username, answer string) map[string]any {
	return map[string]any{"ClientId": clientID, "ChallengeName": challengeCustom, "Session": session,
		"ChallengeResponses": map[string]string{"USERNAME": username, "ANSWER": answer}}
}

// startCustom begins CUSTOM_AUTH and returns the challenge answer.
func startCustom(t *testing.T, p *Pool, clientID, username string) map[string]any {
	t.Helper()
	status, out := call(t, p, "InitiateAuth", customAuthIn(clientID, username))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
	return out
}

// One challenge answered right: the define trigger runs with an empty
// session ("session[0] represents the first challenge"), the create
// trigger with challengeName CUSTOM_CHALLENGE; the client gets the
// publicChallengeParameters and a Session, never the private ones; the
// verify trigger gets privateChallengeParameters and challengeAnswer; the
// define trigger then sees {challengeName, challengeResult,
// challengeMetadata} and issues tokens. ClientMetadata reaches the
// challenge triggers from RespondToAuthChallenge only ("doesn't include
// data passed in the ClientMetadata parameter in AdminInitiateAuth and
// InitiateAuth"); pre authentication gets InitiateAuth's as
// validationData, post authentication the answer's.
func TestCustomAuthOneChallenge(t *testing.T) {
	t.Parallel()
	auth := &authRecorders{}
	tok := &recorder{}
	p, rc := customPool(t, Config{PreAuthentication: auth.pre.trigger, PostAuthentication: auth.post.trigger, PreTokenGeneration: tok.trigger})
	in := customAuthIn(customClient, "alice")
	in["ClientMetadata"] = map[string]string{"stage": "initiate"}
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
	require.NotEmpty(t, out["Session"])
	require.Equal(t, map[string]any{"question": "six times seven?", "USERNAME": "alice"}, out["ChallengeParameters"])
	require.Nil(t, out["AuthenticationResult"])
	require.Equal(t, map[string]string{"stage": "initiate"}, auth.pre.last(t).Request.ValidationData)

	def := rc.define.last(t)
	require.Equal(t, "1", def.Version)
	require.Equal(t, "DefineAuthChallenge_Authentication", def.TriggerSource)
	require.Equal(t, "alice", def.UserName)
	require.Equal(t, p.PoolID(), def.UserPoolID)
	require.Equal(t, customClient, def.CallerContext.ClientID)
	require.Equal(t, "alice@example.com", def.Request.UserAttributes["email"])
	require.NotNil(t, def.Request.Session)
	require.Empty(t, def.Request.Session)
	require.Equal(t, map[string]string{}, def.Request.ClientMetadata)
	require.False(t, def.Request.UserNotFound)
	cr := rc.create.last(t)
	require.Equal(t, "CreateAuthChallenge_Authentication", cr.TriggerSource)
	require.Equal(t, challengeCustom, cr.Request.ChallengeName)
	require.Empty(t, cr.Request.Session)
	require.Equal(t, map[string]string{}, cr.Request.ClientMetadata)

	ans := customAnswer(customClient, out["Session"], "alice", "42")
	ans["ClientMetadata"] = map[string]string{"stage": "answer"}
	status, out = call(t, p, "RespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, out)
	res := out["AuthenticationResult"].(map[string]any)
	require.Equal(t, "alice", payload(t, res["AccessToken"].(string))["username"])
	require.NotEmpty(t, res["RefreshToken"])
	require.NotEmpty(t, res["IdToken"])

	v := rc.verify.last(t)
	require.Equal(t, "VerifyAuthChallengeResponse_Authentication", v.TriggerSource)
	require.Equal(t, map[string]string{"answer": "42"}, v.Request.PrivateChallengeParameters)
	require.Equal(t, "42", v.Request.ChallengeAnswer)
	require.Equal(t, map[string]string{"stage": "answer"}, v.Request.ClientMetadata)
	def = rc.define.last(t)
	require.Equal(t, []*events.CognitoEventUserPoolsChallengeResult{{ChallengeName: challengeCustom, ChallengeResult: true, ChallengeMetadata: "QUIZ"}}, def.Request.Session)
	require.Equal(t, map[string]string{"stage": "answer"}, def.Request.ClientMetadata)
	require.Len(t, rc.define.all(), 2)
	require.Len(t, auth.pre.all(), 1, "pre authentication runs when the sign-in begins")
	require.Equal(t, map[string]string{"stage": "answer"}, auth.post.last(t).Request.ClientMetadata)
	require.Equal(t, sourceAuthentication, tok.last(t).TriggerSource)
}

// A wrong answer: the verify trigger says answerCorrect false, the
// define trigger sees challengeResult false and asks again, with a new
// Session; the answered one "can only be used once". Three wrong answers
// and the define trigger fails the sign-in: NotAuthorizedException
// "Incorrect username or password." (the answer clients report,
// aws-amplify/amplify-js#5834; the guide names no message).
func TestCustomAuthWrongAnswers(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	out := startCustom(t, p, customClient, "alice")
	first := out["Session"]
	for i := range 2 {
		status, next := call(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "41"))
		require.Equal(t, http.StatusOK, status, next)
		require.Equal(t, challengeCustom, next["ChallengeName"], "try %d", i)
		require.NotEqual(t, out["Session"], next["Session"])
		out = next
	}
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, first, "alice", "42"), codeNotAuthorized, errSessionUsed.Message)
	session := rc.define.last(t).Request.Session
	require.Len(t, session, 2)
	require.False(t, session[0].ChallengeResult)
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "41"), codeNotAuthorized, "Incorrect username or password.")
	require.Len(t, rc.define.last(t).Request.Session, 3)
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeNotAuthorized, errSessionUsed.Message)
}

// Several challenges in a row: "The challenge loop repeats until all
// challenges are answered"; each round's create event carries the
// session so far, and a right answer after a wrong one still signs in.
func TestCustomAuthSeveralChallenges(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = func(ev *defineEvent) error {
		right := 0
		for _, r := range ev.Request.Session {
			if r.ChallengeResult {
				right++
			}
		}
		if right == 2 {
			ev.Response.IssueTokens = true
		} else {
			ev.Response.ChallengeName = challengeCustom
		}
		return nil
	}
	out := startCustom(t, p, customClient, "alice")
	for _, answer := range []string{"42", "0", "42"} {
		status, next := call(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", answer))
		require.Equal(t, http.StatusOK, status, next)
		out = next
	}
	require.NotNil(t, out["AuthenticationResult"], out)
	require.Len(t, rc.create.last(t).Request.Session, 2)
	results := []bool{}
	for _, r := range rc.define.last(t).Request.Session {
		results = append(results, r.ChallengeResult)
	}
	require.Equal(t, []bool{true, false, true}, results)
}

// A define trigger that issues tokens straight away signs the user in
// from InitiateAuth ("ID, access, and refresh tokens if the supplied
// parameters in the InitiateAuth call are sufficient"), and one that
// fails refuses at once; a define trigger that decides nothing is an
// answer the pool cannot use (the guide is silent on it):
// InvalidLambdaResponseException.
func TestCustomAuthDefineDecidesAtOnce(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = func(ev *defineEvent) error { ev.Response.IssueTokens = true; return nil }
	status, out := call(t, p, "InitiateAuth", customAuthIn(customClient, "alice"))
	require.Equal(t, http.StatusOK, status, out)
	require.NotNil(t, out["AuthenticationResult"])
	require.Empty(t, rc.create.all())

	rc.define.respond = func(ev *defineEvent) error {
		ev.Response.FailAuthentication, ev.Response.IssueTokens = true, true
		return nil
	}
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeNotAuthorized, "Incorrect username or password.")
	for _, name := range []string{"", "SMS_MFA", "PASSWORD_VERIFIER", "custom_challenge"} {
		rc.define.respond = func(ev *defineEvent) error { ev.Response.ChallengeName = name; return nil }
		requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeInvalidLambdaResp, errDefineUndecided.Message)
	}
	require.Empty(t, rc.create.all())
}

// The triggers' errors fail the operation as every trigger's do
// (lambda.go): "<trigger> failed with error <message>.".
func TestCustomAuthTriggerErrors(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = func(*defineEvent) error { return errors.New("Define is down") }
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeUserLambdaValidate, "DefineAuthChallenge failed with error Define is down.")
	quizTriggers(rc)
	rc.create.respond = func(*createEvent) error { return errors.New("Create is down") }
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeUserLambdaValidate, "CreateAuthChallenge failed with error Create is down.")
	// A create trigger that sets no parameters still challenges the
	// user: the guide says they "should" describe the challenge.
	rc.create.respond = func(*createEvent) error { return nil }
	out := startCustom(t, p, customClient, "alice")
	require.Equal(t, map[string]any{"USERNAME": "alice"}, out["ChallengeParameters"])
	quizTriggers(rc)
	out = startCustom(t, p, customClient, "alice")
	rc.verify.respond = func(*verifyEvent) error { return errors.New("Verify is down") }
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeUserLambdaValidate,
		"VerifyAuthChallengeResponse failed with error Verify is down.")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeNotAuthorized, errSessionUsed.Message)
}

// A pool without the challenge triggers answers CUSTOM_AUTH with
// InvalidParameterException "Custom auth lambda trigger is not configured
// for the user pool." (the message clients match, e.g. the case
// amplify-js#7401 handles); so does one missing the create or the verify
// trigger when the flow reaches it.
func TestCustomAuthWithoutTriggers(t *testing.T) {
	t.Parallel()
	p := newPool(t, Config{})
	_, err := p.CreateAppClient(AppClient{ClientID: customClient, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}})
	require.NoError(t, err)
	pre := &recorderOf[preAuthEvent]{}
	p.triggers[lambdaPreAuth] = PreAuthenticationTrigger(pre.trigger)
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeInvalidParameter, errCustomAuthNotConfigured.Message)
	require.Empty(t, pre.all(), "refused before the sign-in begins")

	rc := &customRecorders{}
	quizTriggers(rc)
	p.triggers[lambdaDefineAuth] = DefineAuthChallengeTrigger(rc.define.trigger)
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeInvalidParameter, errCustomAuthNotConfigured.Message)
	p.triggers[lambdaCreateAuth] = CreateAuthChallengeTrigger(rc.create.trigger)
	out := startCustom(t, p, customClient, "alice")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeInvalidParameter, errCustomAuthNotConfigured.Message)
	require.Empty(t, rc.verify.all())
}

// The request's rejections: a client without ALLOW_CUSTOM_AUTH (API
// reference, CreateUserPoolClient ExplicitAuthFlows), no USERNAME, a
// confidential client's missing or wrong SECRET_HASH, an answer without
// ANSWER, USERNAME or Session, a session of another client or user, or
// answered under another challenge name.
func TestCustomAuthRejections(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", customAuthIn(DefaultClientID, "alice"), codeInvalidParameter, errCustomAuthNotEnabled.Message)
	legacy := "legacy-only"
	_, err := p.CreateAppClient(AppClient{ClientID: legacy, ExplicitAuthFlows: []string{"CUSTOM_AUTH_FLOW_ONLY"}})
	require.NoError(t, err)
	startCustom(t, p, legacy, "alice")
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, ""), codeInvalidParameter, "Missing required parameter USERNAME")

	secret, err := p.CreateAppClient(AppClient{ClientID: "confidential", ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}, GenerateSecret: true})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", customAuthIn(secret.ClientID, "alice"), codeNotAuthorized, "")
	in := customAuthIn(secret.ClientID, "alice")
	in["AuthParameters"].(map[string]string)["SECRET_HASH"] = secretHash(secret.ClientSecret, "bob", secret.ClientID)
	requireAPIError(t, p, "InitiateAuth", in, codeNotAuthorized, "")
	in["AuthParameters"].(map[string]string)["SECRET_HASH"] = secretHash(secret.ClientSecret, "alice", secret.ClientID)
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	ans := customAnswer(secret.ClientID, out["Session"], "alice", "42")
	requireAPIError(t, p, "RespondToAuthChallenge", ans, codeNotAuthorized, "")
	ans["ChallengeResponses"].(map[string]string)["SECRET_HASH"] = secretHash(secret.ClientSecret, "alice", secret.ClientID)
	status, done := call(t, p, "RespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, done)
	require.NotNil(t, done["AuthenticationResult"])

	out = startCustom(t, p, customClient, "alice")
	verified := len(rc.verify.all())
	noAnswer := customAnswer(customClient, out["Session"], "alice", "")
	delete(noAnswer["ChallengeResponses"].(map[string]string), "ANSWER")
	requireAPIError(t, p, "RespondToAuthChallenge", noAnswer, codeInvalidParameter, "Missing required parameter ANSWER")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "", "42"), codeInvalidParameter, "Missing required parameter USERNAME")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, "", "alice", "42"), codeInvalidParameter, "Missing required parameter Session")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], "alice", "42"), codeNotAuthorized, errSessionGone.Message)
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "bob", "42"), codeNotAuthorized, errSessionGone.Message)
	other := customAnswer(customClient, out["Session"], "alice", "42")
	other["ChallengeName"] = "SMS_MFA"
	requireAPIError(t, p, "RespondToAuthChallenge", other, codeInvalidParameter, errChallengeMismatch.Message)
	require.Len(t, rc.verify.all(), verified, "no refused answer reaches the verify trigger")
	status, done = call(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"))
	require.Equal(t, http.StatusOK, status, done)
}

// "By default, your users have three minutes to complete each challenge
// before the session string expires" ("User pool authentication flow"):
// an expired custom session is refused before the verify trigger runs.
func TestCustomAuthSessionExpires(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	p, rc := customPool(t, Config{Now: func() time.Time { return now }})
	out := startCustom(t, p, customClient, "alice")
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeNotAuthorized, errSessionInvalid.Message)
	require.Empty(t, rc.verify.all())
}

// A define trigger that never decides is stopped: the guide states no
// limit on the rounds of one sign-in, the pool stops at maxCustomRounds
// (doc.go says so) as if the define trigger had failed the sign-in.
func TestCustomAuthRoundLimit(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	rc.define.respond = func(ev *defineEvent) error { ev.Response.ChallengeName = challengeCustom; return nil }
	out := startCustom(t, p, customClient, "alice")
	for range maxCustomRounds - 1 {
		status, next := call(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "0"))
		require.Equal(t, http.StatusOK, status, next)
		out = next
	}
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "0"), codeNotAuthorized, "Incorrect username or password.")
	require.Len(t, rc.define.last(t).Request.Session, maxCustomRounds)
	require.Len(t, rc.create.all(), maxCustomRounds)
}

// An unknown name: UserNotFoundException for a LEGACY client, before any
// challenge trigger; for a client that prevents user existence errors the
// triggers run with userNotFound true ("A value of true means that the
// user id ... did not match any existing users") and the name typed, and
// tokens are never issued for it. A disabled user is refused.
func TestCustomAuthUnknownAndDisabledUsers(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "nobody"), codeUserNotFound, errUserNotFound.Message)
	require.Empty(t, rc.define.all())

	out := startCustom(t, p, hidingClient, "nobody")
	require.Equal(t, "nobody", out["ChallengeParameters"].(map[string]any)["USERNAME"])
	def := rc.define.last(t)
	require.True(t, def.Request.UserNotFound)
	require.Equal(t, "nobody", def.UserName)
	require.Empty(t, def.Request.UserAttributes)
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], "nobody", "42"), codeNotAuthorized, "Incorrect username or password.")
	require.True(t, rc.define.last(t).Request.Session[0].ChallengeResult, "the verify trigger judged the answer")

	require.NoError(t, p.DisableUser("alice"))
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeNotAuthorized, errUserDisabled.Message)
}

// A user disabled between the challenge and its answer is not signed in.
func TestCustomAuthUserDisabledMidway(t *testing.T) {
	t.Parallel()
	p, _ := customPool(t, Config{})
	out := startCustom(t, p, customClient, "alice")
	require.NoError(t, p.DisableUser("alice"))
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeNotAuthorized, errUserDisabled.Message)
}

// AdminInitiateAuth with CUSTOM_AUTH, answered by
// AdminRespondToAuthChallenge (API reference, AdminInitiateAuth AuthFlow
// CUSTOM_AUTH); a session of one operation does not answer the other.
func TestCustomAuthAdmin(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	in := customAuthIn(customClient, "alice")
	in["UserPoolId"] = p.PoolID()
	status, out := call(t, p, "AdminInitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, challengeCustom, out["ChallengeName"])
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeNotAuthorized, errSessionGone.Message)
	ans := customAnswer(customClient, out["Session"], "alice", "42")
	ans["UserPoolId"] = p.PoolID()
	status, out = call(t, p, "AdminRespondToAuthChallenge", ans)
	require.Equal(t, http.StatusOK, status, out)
	require.NotNil(t, out["AuthenticationResult"])
	require.Len(t, rc.verify.all(), 1)

	api := startCustom(t, p, customClient, "alice")
	ans = customAnswer(customClient, api["Session"], "alice", "42")
	ans["UserPoolId"] = p.PoolID()
	requireAPIError(t, p, "AdminRespondToAuthChallenge", ans, codeNotAuthorized, errSessionGone.Message)
}

// The flow's errors echo no answer, private parameter or session.
func TestCustomAuthErrorsEchoNothing(t *testing.T) {
	t.Parallel()
	p, _ := customPool(t, Config{})
	out := startCustom(t, p, customClient, "alice")
	session := out["Session"].(string)
	rec := callRaw(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, session, "alice", "secret-answer-123"))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	for _, s := range []string{session, "secret-answer-123", "42"} {
		require.False(t, strings.Contains(rec.Body.String(), s))
	}
}

// Users who may not sign in are refused before any challenge, as the
// password flows refuse them: an unconfirmed user (UserNotConfirmedException),
// one whose password an administrator reset (PasswordResetRequiredException).
// A user deleted between the challenge and its answer is not signed in.
func TestCustomAuthUserStatus(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "una", "Password": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "una"), codeUserNotConfirmed, errNotConfirmed.Message)
	_, err := p.CreateUser("rita", testPassword, map[string]string{"email": "rita@example.com", "email_verified": "true"})
	require.NoError(t, err)
	status, out = call(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "rita"})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "rita"), errPasswordReset.Code, errPasswordReset.Message)
	require.Empty(t, rc.define.all())

	out = startCustom(t, p, customClient, "alice")
	require.NoError(t, p.DeleteUser("alice"))
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeNotAuthorized, errBadCredentials.Message)
}

// LambdaConfig's ARNs may map to Go triggers (Service.SetLambda): each
// answers its own trigger only, so one mapped where another trigger's
// ARN points fails that trigger with UnexpectedLambdaException; a typed
// nil removes a mapping.
func TestCustomAuthGoTriggersByARN(t *testing.T) {
	t.Parallel()
	const defineARN, createARN = "arn:aws:lambda:us-east-1:000000000000:function:define", "arn:aws:lambda:us-east-1:000000000000:function:create"
	root := newPool(t, Config{})
	p, _ := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{
		"DefineAuthChallenge": defineARN, "CreateAuthChallenge": createARN, "VerifyAuthChallengeResponse": createARN}})
	_, err := p.CreateAppClient(AppClient{ClientID: customClient, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}})
	require.NoError(t, err)
	_, err = p.CreateUser("alice", testPassword, nil)
	require.NoError(t, err)
	rc := &customRecorders{}
	quizTriggers(rc)
	svc := p.Service()
	svc.SetLambda(defineARN, DefineAuthChallengeTrigger(rc.define.trigger))
	svc.SetLambda(createARN, DefineAuthChallengeTrigger(rc.define.trigger))
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeUnexpectedLambda,
		"CreateAuthChallenge invocation failed: the local trigger mapped to the pool's Lambda ARN answers another trigger.")
	svc.SetLambda(createARN, CreateAuthChallengeTrigger(rc.create.trigger))
	out := startCustom(t, p, customClient, "alice")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(customClient, out["Session"], "alice", "42"), codeUnexpectedLambda, "")
	for _, none := range []Lambda{DefineAuthChallengeTrigger(nil), CreateAuthChallengeTrigger(nil), VerifyAuthChallengeResponseTrigger(nil)} {
		svc.SetLambda(defineARN, VerifyAuthChallengeResponseTrigger(rc.verify.trigger))
		svc.SetLambda(defineARN, none)
		require.Nil(t, svc.lambda(defineARN))
	}
	requireAPIError(t, p, "InitiateAuth", customAuthIn(customClient, "alice"), codeUnexpectedLambda,
		"DefineAuthChallenge invocation failed: no local trigger is mapped to the pool's Lambda ARN (dev-issuer --lambda ARN=URL, or Service.SetLambda).")
}
