package cognitolocal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// The pre and post authentication triggers, as the developer guide's "Pre
// authentication Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-authentication.html)
// and "Post authentication Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-authentication.html)
// describe them, with the common event fields of "Customizing user pool
// workflows with Lambda triggers".

type (
	preAuthEvent  = events.CognitoEventUserPoolsPreAuthentication
	postAuthEvent = events.CognitoEventUserPoolsPostAuthentication
)

// authRecorders are a pool's two authentication triggers.
type authRecorders struct {
	pre  recorderOf[preAuthEvent]
	post recorderOf[postAuthEvent]
}

// authPool is a pool with both authentication triggers recording.
func authPool(t *testing.T, cfg Config) (*Pool, *authRecorders) {
	t.Helper()
	rc := &authRecorders{}
	cfg.PreAuthentication, cfg.PostAuthentication = rc.pre.trigger, rc.post.trigger
	return newPool(t, cfg), rc
}

func refuseWith(message string) func(*preAuthEvent) error {
	return func(*preAuthEvent) error { return errors.New(message) }
}

// The guide's pre authentication event: trigger source
// PreAuthentication_Authentication, the user's attributes, and "client
// validation data from the ClientMetadata values that your app passes to
// the user pool InitiateAuth and AdminInitiateAuth API operations". The
// post authentication event has PostAuthentication_Authentication and the
// attributes; "Amazon Cognito doesn't include data from the ClientMetadata
// parameter in AdminInitiateAuth and InitiateAuth API operations in the
// request that it passes to the post authentication function".
func TestAuthTriggersOnPasswordSignIn(t *testing.T) {
	p, rc := authPool(t, Config{})
	in := passwordAuth(DefaultClientID, "alice", testPassword)
	in["ClientMetadata"] = map[string]string{"device": "kiosk"}
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	pre := rc.pre.last(t)
	require.Equal(t, "1", pre.Version)
	require.Equal(t, "PreAuthentication_Authentication", pre.TriggerSource)
	require.Equal(t, "alice", pre.UserName)
	require.Equal(t, DefaultClientID, pre.CallerContext.ClientID)
	require.Equal(t, "alice@example.com", pre.Request.UserAttributes["email"])
	require.Equal(t, "CONFIRMED", pre.Request.UserAttributes["cognito:user_status"])
	require.Equal(t, map[string]string{"device": "kiosk"}, pre.Request.ValidationData)
	post := rc.post.last(t)
	require.Equal(t, "PostAuthentication_Authentication", post.TriggerSource)
	require.Equal(t, "alice", post.UserName)
	require.Equal(t, "acme", post.Request.UserAttributes["custom:tenant_id"])
	require.Nil(t, post.Request.ClientMetadata)
	require.False(t, post.Request.NewDeviceUsed, "the pool remembers no devices")
}

// A pre authentication error refuses the sign-in with
// UserLambdaValidationException "PreAuthentication failed with error
// <message>." (the guide: "Your function can return an error to deny the
// sign-in attempt"; the message form is Cognito's, on which the guide is
// silent), before the password is looked at, and no post authentication
// runs.
func TestPreAuthenticationRefusesEveryFlow(t *testing.T) {
	p, rc := authPool(t, Config{})
	rc.pre.respond = refuseWith("Sign-in is closed.")
	const msg = "PreAuthentication failed with error Sign-in is closed.."
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "alice", "wrong-password"), codeUserLambdaValidate, msg)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": newSRPTestClient(t, p.PoolID()).srpA()}}, codeUserLambdaValidate, msg)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword}}, codeUserLambdaValidate, msg)
	_, err := p.CreateAppClient(AppClient{ClientID: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	requireAPIError(t, p, "AdminInitiateAuth", map[string]any{"UserPoolId": p.PoolID(), "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"ClientId": "server", "AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeUserLambdaValidate, msg)
	require.Equal(t, "server", rc.pre.last(t).CallerContext.ClientID)
	_, err = p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, msg, e.Message)
	require.Len(t, rc.pre.all(), 5)
	require.Empty(t, rc.post.all())
}

// An alias signs in as its user: the event names the username.
func TestPreAuthenticationNamesTheUserOfAnAlias(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"AliasAttributes": []string{"email"}})
	_, err := p.CreateUser("gil", testPassword, map[string]string{"email": "gil@example.com", "email_verified": "true"})
	require.NoError(t, err)
	rc := &recorderOf[preAuthEvent]{}
	p.triggers[lambdaPreAuth] = PreAuthenticationTrigger(rc.trigger)
	status, out := call(t, p, "InitiateAuth", passwordAuth(client, "gil@example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "gil", rc.last(t).UserName)
}

// "This Lambda trigger doesn't activate when a user doesn't exist unless
// the PreventUserExistenceErrors setting of a user pool app client is set
// to ENABLED. Renewal of an existing authentication session also doesn't
// activate this trigger." With ENABLED (the default client) the event
// names the user as typed, with no attributes (the guide is silent on
// both); userNotFound, which aws-lambda-go's event lacks, reaches an
// HTTPFunction (TestAuthTriggersLambdaConfigOverHTTP). A LEGACY client
// runs no trigger for an unknown user. A refresh runs neither trigger.
func TestAuthTriggersForUnknownUsersAndRefresh(t *testing.T) {
	p, rc := authPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "nobody", testPassword), codeNotAuthorized, "")
	require.Len(t, rc.pre.all(), 1)
	require.Equal(t, "nobody", rc.pre.last(t).UserName)
	require.Empty(t, rc.pre.last(t).Request.UserAttributes)
	_, err := p.CreateAppClient(AppClient{ClientID: "legacy", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, PreventUserExistenceErrors: "LEGACY"})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", passwordAuth("legacy", "nobody", testPassword), codeUserNotFound, "")
	require.Len(t, rc.pre.all(), 1)
	status, out := call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "alice", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	refresh := out["AuthenticationResult"].(map[string]any)["RefreshToken"]
	status, out = call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]any{"REFRESH_TOKEN": refresh}})
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, rc.pre.all(), 2)
	require.Len(t, rc.post.all(), 1)
}

// A sign-in page posted without a username names no one: the guide's
// trigger runs "when a user attempts to sign in", and every API flow
// refuses a missing USERNAME before it; the page does not run it either.
func TestPreAuthenticationNotForAnEmptyUsername(t *testing.T) {
	p, rc := authPool(t, Config{})
	rec := postPage(t, p, "/login", url.Values{"username": {""}, "password": {testPassword}})
	require.Equal(t, http.StatusOK, rec.Code)
	require.Empty(t, rc.pre.all())
}

// SRP: pre authentication runs at InitiateAuth, post authentication once
// the proof is answered, with that answer's ClientMetadata.
func TestAuthTriggersOnSRP(t *testing.T) {
	p, rc := authPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	require.Len(t, rc.pre.all(), 1)
	require.Empty(t, rc.post.all(), "no authentication yet")
	answer := verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now()))
	answer["ClientMetadata"] = map[string]string{"step": "proof"}
	status, out := call(t, p, "RespondToAuthChallenge", answer)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, map[string]string{"step": "proof"}, rc.post.last(t).Request.ClientMetadata)
}

// A post authentication error fails the sign-in: no tokens (the guide:
// a function that fails "can still cause authentication to fail to
// complete"), UserLambdaValidationException "PostAuthentication failed
// with error <message>.".
func TestPostAuthenticationErrorFailsSignIn(t *testing.T) {
	p, rc := authPool(t, Config{})
	rc.post.respond = func(*postAuthEvent) error { return errors.New("audit log unavailable") }
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "alice", testPassword), codeUserLambdaValidate,
		"PostAuthentication failed with error audit log unavailable.")
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.ErrorContains(t, err, "PostAuthentication failed with error audit log unavailable.")
	// A wrong password never reaches it.
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "alice", "Wr0ng-password"), codeNotAuthorized, "")
	require.Len(t, rc.post.all(), 2)
}

// "Amazon Cognito only sets this flag if the remembered devices value of
// the user pool is Always or User Opt-In": a sign-in that presents no
// device key, in a pool that remembers devices, is on a new device.
func TestPostAuthenticationNewDeviceUsed(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"DeviceConfiguration": map[string]any{
		"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": false}})
	_, err := p.CreateUser("hana", testPassword, nil)
	require.NoError(t, err)
	rc := &recorderOf[postAuthEvent]{}
	p.triggers[lambdaPostAuth] = PostAuthenticationTrigger(rc.trigger)
	status, out := call(t, p, "InitiateAuth", passwordAuth(client, "hana", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.True(t, rc.last(t).Request.NewDeviceUsed)
}

// Managed Login's sign-in form runs both; a refusal by either shows the
// form with the message, and no code goes to the app.
func TestAuthTriggersOnSignInPage(t *testing.T) {
	p, rc := authPool(t, Config{})
	form := url.Values{"username": {"alice"}, "password": {testPassword}}
	rec := postPage(t, p, "/login", form)
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	require.Len(t, rc.pre.all(), 1)
	require.Len(t, rc.post.all(), 1)
	rc.post.respond = func(*postAuthEvent) error { return errors.New("Not today.") }
	rec = postPage(t, p, "/login", form)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "PostAuthentication failed with error Not today..")
	rc.pre.respond = refuseWith("Closed.")
	rec = postPage(t, p, "/login", form)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "PreAuthentication failed with error Closed..")
	require.Len(t, rc.post.all(), 2)
}

// LambdaConfig.PreAuthentication and PostAuthentication name functions
// by ARN; one HTTPFunction answers both.
func TestAuthTriggersLambdaConfigOverHTTP(t *testing.T) {
	var mu sync.Mutex
	var notFound []any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		_ = json.NewDecoder(r.Body).Decode(&ev)
		if ev["triggerSource"] == "PreAuthentication_Authentication" {
			mu.Lock()
			notFound = append(notFound, ev["request"].(map[string]any)["userNotFound"])
			mu.Unlock()
		}
		if ev["triggerSource"] == "PreAuthentication_Authentication" && ev["userName"] == "ivo" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessage":"Account locked."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:auth"
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{"PreAuthentication": arn, "PostAuthentication": arn}})
	p.Service().SetLambda(arn, NewHTTPFunction(srv.URL))
	hiding := "hiding"
	_, err := p.CreateAppClient(AppClient{ClientID: hiding, ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, PreventUserExistenceErrors: "ENABLED"})
	require.NoError(t, err)
	for _, name := range []string{"ivo", "jan"} {
		_, err = p.CreateUser(name, testPassword, nil)
		require.NoError(t, err)
	}
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "jan", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "ivo", testPassword), codeUserLambdaValidate,
		"PreAuthentication failed with error Account locked..")
	// An unknown name, through a client that hides users: userNotFound.
	requireAPIError(t, root, "InitiateAuth", passwordAuth(hiding, "kai", testPassword), codeNotAuthorized, "")
	mu.Lock()
	require.Equal(t, []any{false, false, true}, notFound)
	mu.Unlock()
	requireAPIError(t, root, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(), "LambdaConfig": map[string]any{"PostAuthentication": "auth"}},
		codeInvalidParameter, "")
}

// Managed Login's sign-in with a code: pre authentication runs before the
// code is sent, and its refusal sends none.
func TestPreAuthenticationOnCodeSignInPage(t *testing.T) {
	p, _ := codePool(t)
	rc := &recorderOf[preAuthEvent]{respond: refuseWith("No codes today.")}
	p.triggers[lambdaPreAuth] = PreAuthenticationTrigger(rc.trigger)
	rec := askCode(t, p, "sam", "SMS_OTP")
	require.Contains(t, rec.Body.String(), "PreAuthentication failed with error No codes today..")
	require.Equal(t, "sam", rc.last(t).UserName)
	_, sent := p.LastCode("sam", MessageAuthentication)
	require.False(t, sent)
}

// replaceAlice is a post authentication trigger that calls back into the
// pool and replaces the user signing in by another of the same name (the
// guide is silent on a trigger changing the pool; a demanding user
// expects the sign-in not to end with the other user's tokens).
func replaceAlice(t *testing.T, p **Pool) PostAuthenticationTrigger {
	return func(_ context.Context, ev postAuthEvent) (postAuthEvent, error) {
		require.NoError(t, (*p).DeleteUser("alice"))
		_, err := (*p).CreateUser("alice", testPassword, map[string]string{"email": "other@example.com"})
		require.NoError(t, err)
		return ev, nil
	}
}

// A user the post authentication trigger deletes and creates again under
// the same name is not signed in: the sign-in was the deleted user's.
func TestPostAuthenticationReplacingTheUserEndsTheSignIn(t *testing.T) {
	var p *Pool
	p = newPool(t, Config{PostAuthentication: replaceAlice(t, &p)})
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.ErrorIs(t, err, errUserNotFound)
}

// Likewise on Managed Login: the code the sign-in page issued after the
// trigger ran is the deleted user's and redeems nothing.
func TestPostAuthenticationReplacingTheUserOnSignInPage(t *testing.T) {
	var p *Pool
	p = newPool(t, Config{PostAuthentication: replaceAlice(t, &p)})
	code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
	status, out := exchange(p, code, verifier)
	require.Equal(t, http.StatusBadRequest, status, out)
	require.Equal(t, "invalid_grant", out["error"])
}
