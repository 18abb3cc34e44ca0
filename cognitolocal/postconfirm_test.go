package cognitolocal

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// The post confirmation trigger, as the developer guide's "Post
// confirmation Lambda trigger" describes it
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-confirmation.html),
// with the common event fields of "Customizing user pool workflows with
// Lambda triggers".

type confirmEvent = events.CognitoEventUserPoolsPostConfirmation

// confirmPool is a pool that sends sign-up codes by email, with the post
// confirmation trigger rc, and user bob signed up and not yet confirmed.
func confirmPool(t *testing.T, rc *recorderOf[confirmEvent]) *Pool {
	t.Helper()
	p := newPool(t, Config{AutoVerifiedAttributes: []string{"email"}, PostConfirmation: rc.trigger})
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	require.Empty(t, rc.all(), "SignUp is not a confirmation")
	return p
}

func confirmBob(t *testing.T, p *Pool, metadata map[string]string) (int, map[string]any) {
	t.Helper()
	code, ok := p.LastCode("bob", MessageSignUp)
	require.True(t, ok)
	return call(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob",
		"ConfirmationCode": code, "ClientMetadata": metadata})
}

// "Your user pool invokes your post confirmation function on
// ConfirmSignUp": trigger source PostConfirmation_ConfirmSignUp, "the
// current attributes for the confirmed user" and the ClientMetadata. The
// guide does not list the attributes; the event carries the user's
// attributes (sub and the address just verified included) and
// cognito:user_status, as the pre-token-generation event does.
func TestPostConfirmationOnConfirmSignUp(t *testing.T) {
	rc := &recorderOf[confirmEvent]{}
	p := confirmPool(t, rc)
	status, out := confirmBob(t, p, map[string]string{"from": "app"})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	require.Equal(t, "1", ev.Version)
	require.Equal(t, "PostConfirmation_ConfirmSignUp", ev.TriggerSource)
	require.Equal(t, p.PoolID(), ev.UserPoolID)
	require.Equal(t, "bob", ev.UserName)
	require.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	attrs := ev.Request.UserAttributes
	require.Equal(t, "bob@example.com", attrs["email"])
	require.Equal(t, "true", attrs["email_verified"])
	require.Equal(t, "CONFIRMED", attrs["cognito:user_status"])
	require.NotEmpty(t, attrs["sub"])
	require.Equal(t, map[string]string{"from": "app"}, ev.Request.ClientMetadata)
}

// AdminConfirmSignUp runs it with the same trigger source (the guide
// lists AdminConfirmSignUp and the two sources only); no app client
// calls it, so the event names CLIENT_ID_NOT_APPLICABLE (the guide is
// silent).
func TestPostConfirmationOnAdminConfirmSignUp(t *testing.T) {
	rc := &recorderOf[confirmEvent]{}
	p := confirmPool(t, rc)
	status, out := call(t, p, "AdminConfirmSignUp", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob",
		"ClientMetadata": map[string]string{"by": "ops"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	require.Equal(t, "PostConfirmation_ConfirmSignUp", ev.TriggerSource)
	require.Equal(t, "CLIENT_ID_NOT_APPLICABLE", ev.CallerContext.ClientID)
	require.Equal(t, map[string]string{"by": "ops"}, ev.Request.ClientMetadata)
	require.NotContains(t, ev.Request.UserAttributes, "email_verified", "no code verified the address")
	// A user already confirmed is refused before any trigger runs.
	requireAPIError(t, p, "AdminConfirmSignUp", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob"}, codeNotAuthorized, "")
	require.Len(t, rc.all(), 1)
}

// ConfirmForgotPassword runs it with PostConfirmation_ConfirmForgotPassword.
func TestPostConfirmationOnConfirmForgotPassword(t *testing.T) {
	rc := &recorderOf[confirmEvent]{}
	p := newPool(t, Config{PostConfirmation: rc.trigger})
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"})
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode("alice", MessageForgotPassword)
	require.True(t, ok)
	requireAPIError(t, p, "ConfirmForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice",
		"ConfirmationCode": "000000", "Password": "N3w-Passw0rd!"}, "CodeMismatchException", "")
	require.Empty(t, rc.all(), "a wrong code confirms nothing")
	status, out = call(t, p, "ConfirmForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice",
		"ConfirmationCode": code, "Password": "N3w-Passw0rd!", "ClientMetadata": map[string]string{"k": "v"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	require.Equal(t, "PostConfirmation_ConfirmForgotPassword", ev.TriggerSource)
	require.Equal(t, "alice", ev.UserName)
	require.Equal(t, map[string]string{"k": "v"}, ev.Request.ClientMetadata)
}

// A trigger error answers UserLambdaValidationException "PostConfirmation
// failed with error <message>.", but the confirmation stands: Cognito
// confirms the user before it invokes the function (the guide: it
// "invokes this trigger after a signed-up user confirms"; a user
// confirmed despite the error is reported in
// github.com/aws-amplify/amplify-cli/issues/2735). The change is saved
// like any other.
func TestPostConfirmationErrorLeavesUserConfirmed(t *testing.T) {
	saved := 0
	rc := &recorderOf[confirmEvent]{respond: func(*confirmEvent) error { return errors.New("profile store down") }}
	p := newPool(t, Config{AutoVerifiedAttributes: []string{"email"}, PostConfirmation: rc.trigger, OnChange: func() { saved++ }})
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	code, _ := p.LastCode("bob", MessageSignUp)
	before := saved
	requireAPIError(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "ConfirmationCode": code},
		codeUserLambdaValidate, "PostConfirmation failed with error profile store down.")
	require.Equal(t, before+1, saved)
	require.Equal(t, "CONFIRMED", getUser(t, p, "bob")["UserStatus"])
	status, out = call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "bob", testPassword))
	require.Equal(t, http.StatusOK, status, out)
}

// The guide's example use: the function calls the pool (here, to add
// the user to a group); it runs without the pool's lock.
func TestPostConfirmationMayCallThePool(t *testing.T) {
	var p *Pool
	rc := &recorderOf[confirmEvent]{respond: func(ev *confirmEvent) error {
		return p.AddUserToGroup(ev.UserName, "admin")
	}}
	p = confirmPool(t, rc)
	status, out := confirmBob(t, p, nil)
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "AdminListGroupsForUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob"})
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, out["Groups"], 1)
}

// "Amazon Cognito invokes this trigger only for user who sign up in your
// user pool, not for user accounts that you create with your
// administrator credentials": an invited user setting a password
// (NEW_PASSWORD_REQUIRED) runs no trigger; nor does a user a pre sign-up
// trigger confirms, which none of the three operations confirmed.
func TestPostConfirmationNotForAdminOrAutoConfirmedUsers(t *testing.T) {
	rc := &recorderOf[confirmEvent]{}
	p := newPool(t, Config{PostConfirmation: rc.trigger, PreSignUp: (&signUpRecorder{respond: confirmAll}).trigger})
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, true, out["UserConfirmed"])
	status, out = call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "carol",
		"TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS"})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "carol", "Temp-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "RespondToAuthChallenge", map[string]any{"ClientId": DefaultClientID, "ChallengeName": "NEW_PASSWORD_REQUIRED",
		"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Empty(t, rc.all())
}

// LambdaConfig.PostConfirmation, mapped to an HTTPFunction; Managed
// Login's confirmation page runs the trigger as ConfirmSignUp does (the
// guide: "This trigger also runs when users confirm sign-up or password
// reset in managed login").
func TestPostConfirmationLambdaConfigOverHTTP(t *testing.T) {
	got := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev confirmEvent
		_ = json.NewDecoder(r.Body).Decode(&ev)
		got <- ev.TriggerSource + " " + ev.UserName
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:welcome"
	root := newPool(t, Config{})
	p, as := pagesPool(t, root, map[string]any{"AutoVerifiedAttributes": []string{"email"},
		"Schema": []map[string]any{{"Name": "email", "Required": true}}, "LambdaConfig": map[string]any{"PostConfirmation": arn}})
	p.Service().SetLambda(arn, NewHTTPFunction(srv.URL))
	rec := postPageAs(t, root, "/signup", as, url.Values{"username": {"dee"}, "password": {testPassword}, "email": {"dee@example.com"}})
	require.Contains(t, rec.Body.String(), "Confirm your account")
	code, ok := p.LastCode("dee", MessageSignUp)
	require.True(t, ok, rec.Body.String())
	rec = postPageAs(t, root, "/confirm", as, url.Values{"username": {"dee"}, "code": {code}})
	require.Contains(t, rec.Body.String(), "Your account is confirmed")
	require.Equal(t, "PostConfirmation_ConfirmSignUp dee", <-got)
	// Unmapped, the ARN answers as an unreachable function would.
	p.Service().SetLambda(arn, nil)
	status, out := call(t, root, "SignUp", signUp(as.Get("client_id"), "fay", testPassword, emailAttr("fay@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, root, "AdminConfirmSignUp", map[string]any{"UserPoolId": p.PoolID(), "Username": "fay"}, codeUnexpectedLambda,
		"PostConfirmation invocation failed: no local trigger is mapped to the pool's Lambda ARN (dev-issuer --lambda ARN=URL, or Service.SetLambda).")
}
