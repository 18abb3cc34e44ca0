package cognitolocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// The pre sign-up trigger, as the developer guide's "Pre sign-up Lambda
// trigger" describes it
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html),
// with the common event fields of "Customizing user pool workflows with
// Lambda triggers".

type signUpEvent = events.CognitoEventUserPoolsPreSignup

// signUpRecorder records pre sign-up events.
type signUpRecorder = recorderOf[signUpEvent]

// confirmAll is the guide's "Auto-confirm and auto-verify all users"
// example.
func confirmAll(ev *signUpEvent) error {
	ev.Response.AutoConfirmUser = true
	ev.Response.AutoVerifyEmail = ev.Request.UserAttributes["email"] != ""
	ev.Response.AutoVerifyPhone = ev.Request.UserAttributes["phone_number"] != ""
	return nil
}

func emailAttr(v string) map[string]string { return map[string]string{"Name": "email", "Value": v} }

func getUser(t *testing.T, p *Pool, username string) map[string]any {
	t.Helper()
	status, out := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": username})
	require.Equal(t, http.StatusOK, status, out)
	attrs := map[string]any{}
	for _, a := range out["UserAttributes"].([]any) {
		a := a.(map[string]any)
		attrs[a["Name"].(string)] = a["Value"]
	}
	out["attrs"] = attrs
	return out
}

// The event carries the common fields, the attributes given, the
// ValidationData and the ClientMetadata of SignUp.
func TestPreSignUpEventOfSignUp(t *testing.T) {
	rc := &signUpRecorder{}
	p := newPool(t, Config{PoolID: "eu-west-1_Abc", PreSignUp: rc.trigger})
	in := signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com"))
	in["ValidationData"] = []map[string]string{{"Name": "invite", "Value": "x1"}}
	in["ClientMetadata"] = map[string]string{"channel": "web"}
	status, out := call(t, p, "SignUp", in)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, false, out["UserConfirmed"])
	evs := rc.all()
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, "1", ev.Version)
	require.Equal(t, "PreSignUp_SignUp", ev.TriggerSource)
	require.Equal(t, "eu-west-1", ev.Region)
	require.Equal(t, "eu-west-1_Abc", ev.UserPoolID)
	require.Equal(t, "bob", ev.UserName)
	require.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	require.NotEmpty(t, ev.CallerContext.AWSSDKVersion)
	require.Equal(t, map[string]string{"email": "bob@example.com"}, ev.Request.UserAttributes)
	require.Equal(t, map[string]string{"invite": "x1"}, ev.Request.ValidationData)
	require.Equal(t, map[string]string{"channel": "web"}, ev.Request.ClientMetadata)
	// "Amazon Cognito doesn't set your ValidationData data as attributes
	// of the user that you create."
	require.NotContains(t, getUser(t, p, "bob")["attrs"], "invite")
	require.Equal(t, "UNCONFIRMED", getUser(t, p, "bob")["UserStatus"])
}

// autoConfirmUser confirms the user, autoVerifyEmail verifies the
// address. No confirmation code is sent: the guide is silent on it, and
// a confirmed user has nothing left to confirm.
func TestPreSignUpAutoConfirmsAndVerifies(t *testing.T) {
	p, client := triggerPool(t, &signUpRecorder{respond: confirmAll}, map[string]any{"AutoVerifiedAttributes": []string{"email"}})
	status, out := call(t, p, "SignUp", signUp(client, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, true, out["UserConfirmed"])
	require.NotContains(t, out, "CodeDeliveryDetails")
	u := getUser(t, p, "bob")
	require.Equal(t, "CONFIRMED", u["UserStatus"])
	require.Equal(t, "true", u["attrs"].(map[string]any)["email_verified"])
	_, sent := p.LastCode("bob", MessageSignUp)
	require.False(t, sent)
	status, out = call(t, p, "InitiateAuth", passwordAuth(client, "bob", testPassword))
	require.Equal(t, http.StatusOK, status, out)
}

// triggerPool is a pool of the given settings made through the API,
// with the pre sign-up trigger rc, and its app client.
func triggerPool(t *testing.T, rc *signUpRecorder, settings map[string]any) (*Pool, string) {
	t.Helper()
	p, client := apiPool(t, newPool(t, Config{}), settings)
	p.triggers[lambdaPreSignUp] = PreSignUpTrigger(rc.trigger)
	return p, client
}

// Without a response the user is signed up as without a trigger: a code
// goes to the address the pool verifies.
func TestPreSignUpEmptyResponseSignsUpAsUsual(t *testing.T) {
	p, client := triggerPool(t, &signUpRecorder{}, map[string]any{"AutoVerifiedAttributes": []string{"email"}})
	status, out := call(t, p, "SignUp", signUp(client, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, false, out["UserConfirmed"])
	require.NotNil(t, out["CodeDeliveryDetails"])
	require.NotContains(t, getUser(t, p, "bob")["attrs"], "email_verified")
}

// A trigger error refuses the sign-up: UserLambdaValidationException
// "PreSignUp failed with error <message>." (the message form Cognito
// answers; the guide only says the function "can deny" the user), and no
// user is created.
func TestPreSignUpErrorRefusesSignUp(t *testing.T) {
	refuse := &signUpRecorder{respond: func(*signUpEvent) error { return errors.New("Registration from this domain is not allowed.") }}
	p := newPool(t, Config{PreSignUp: refuse.trigger})
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")),
		codeUserLambdaValidate, "PreSignUp failed with error Registration from this domain is not allowed..")
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob"}, codeUserNotFound, "")
}

// The guide: autoVerifyEmail needs "a valid, non-null value" of email,
// "Otherwise an error will occur and the user will not be able to
// complete sign-up"; likewise autoVerifyPhone. It names no exception:
// InvalidLambdaResponseException is ours. Verifying without confirming
// is refused with the message Cognito answers ("Phone or email cannot be
// auto verified, when user is not being auto confirmed.", as reported in
// github.com/aws/aws-sdk-java/issues/1049; the guide is silent).
func TestPreSignUpInvalidResponsesRefused(t *testing.T) {
	for name, respond := range map[string]func(*signUpEvent) error{
		"email without email": func(ev *signUpEvent) error {
			ev.Response.AutoConfirmUser, ev.Response.AutoVerifyEmail = true, true
			return nil
		},
		"phone without phone": func(ev *signUpEvent) error {
			ev.Response.AutoConfirmUser, ev.Response.AutoVerifyPhone = true, true
			return nil
		},
		"verify without confirm": func(ev *signUpEvent) error {
			ev.Response.AutoVerifyEmail = true
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := newPool(t, Config{PreSignUp: (&signUpRecorder{respond: respond}).trigger})
			attrs := map[string]string{"Name": "name", "Value": "Bob"}
			if name == "verify without confirm" {
				attrs = emailAttr("bob@example.com")
			}
			requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, attrs), codeInvalidLambdaResp, "")
			requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob"}, codeUserNotFound, "")
		})
	}
}

// "Response parameters autoVerifyPhone, autoVerifyEmail and
// autoConfirmUser are ignored by Amazon Cognito when the Pre Sign-up
// lambda is triggered by the AdminCreateUser API." The event has trigger
// source PreSignUp_AdminCreateUser; no app client calls AdminCreateUser,
// and the event names none (CLIENT_ID_NOT_APPLICABLE, Cognito's value;
// the guide is silent).
func TestPreSignUpOnAdminCreateUser(t *testing.T) {
	rc := &signUpRecorder{respond: confirmAll}
	p := newPool(t, Config{PreSignUp: rc.trigger})
	status, out := call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "carol",
		"UserAttributes": []map[string]string{emailAttr("carol@example.com")}, "MessageAction": "SUPPRESS",
		"ValidationData": []map[string]string{{"Name": "ticket", "Value": "42"}}, "ClientMetadata": map[string]string{"by": "ops"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "FORCE_CHANGE_PASSWORD", out["User"].(map[string]any)["UserStatus"])
	require.NotContains(t, getUser(t, p, "carol")["attrs"], "email_verified")
	ev := rc.all()[0]
	require.Equal(t, "PreSignUp_AdminCreateUser", ev.TriggerSource)
	require.Equal(t, "carol", ev.UserName)
	require.Equal(t, "CLIENT_ID_NOT_APPLICABLE", ev.CallerContext.ClientID)
	require.Equal(t, map[string]string{"ticket": "42"}, ev.Request.ValidationData)
	require.Equal(t, map[string]string{"by": "ops"}, ev.Request.ClientMetadata)
	// RESEND creates no user: the trigger does not run again.
	status, out = call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "carol", "MessageAction": "RESEND"})
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, rc.all(), 1)
}

func TestPreSignUpErrorRefusesAdminCreateUser(t *testing.T) {
	p := newPool(t, Config{PreSignUp: func(context.Context, signUpEvent) (signUpEvent, error) {
		return signUpEvent{}, errors.New("no")
	}})
	requireAPIError(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "carol"},
		codeUserLambdaValidate, "PreSignUp failed with error no.")
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "carol"}, codeUserNotFound, "")
}

// A request refused on its own (a username taken, a required attribute
// missing) is refused before the trigger runs (the guide is silent on
// the order; the trigger sees only users that can be created).
func TestPreSignUpNotRunForRefusedRequests(t *testing.T) {
	rc := &signUpRecorder{}
	p := newPool(t, Config{PreSignUp: rc.trigger})
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "alice", testPassword), codeUsernameExists, "")
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob", "short"), codeInvalidPassword, "")
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob smith", testPassword), codeInvalidParameter, "")
	requireAPIError(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice"}, codeUsernameExists, "")
	require.Empty(t, rc.all())
}

// In a pool whose usernames are email addresses, the address is an
// attribute of the event, and the event names the user by the sub it
// will have.
func TestPreSignUpEmailUsername(t *testing.T) {
	rc := &signUpRecorder{respond: confirmAll}
	p, err := New(Config{Key: testKey(t), UsernameAttributes: []string{"email"}, PreSignUp: rc.trigger})
	require.NoError(t, err)
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "dan@example.com", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.all()[0]
	require.Equal(t, "dan@example.com", ev.Request.UserAttributes["email"])
	require.Equal(t, out["UserSub"], ev.UserName)
	u := getUser(t, p, "dan@example.com")
	require.Equal(t, "CONFIRMED", u["UserStatus"])
	require.Equal(t, "true", u["attrs"].(map[string]any)["email_verified"])
}

// The guide: "If the email attribute is selected as an alias … If an
// alias with that email already exists, the alias will be moved to the
// new user and the previous user's email will be marked as unverified."
func TestPreSignUpAutoVerifyMovesAlias(t *testing.T) {
	p, client := triggerPool(t, &signUpRecorder{respond: confirmAll}, map[string]any{"AliasAttributes": []string{"email"}})
	_, err := p.CreateUser("erin", testPassword, map[string]string{"email": "shared@example.com", "email_verified": "true"})
	require.NoError(t, err)
	status, out := call(t, p, "SignUp", signUp(client, "frank", testPassword, emailAttr("shared@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "false", getUser(t, p, "erin")["attrs"].(map[string]any)["email_verified"])
	require.Equal(t, "true", getUser(t, p, "frank")["attrs"].(map[string]any)["email_verified"])
}

// LambdaConfig.PreSignUp names the function by ARN, mapped to a local
// trigger; an ARN mapped to nothing fails as an unreachable function,
// and a Go trigger of another kind mapped to it is refused.
func TestPreSignUpLambdaConfigARN(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:signup"
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{"PreSignUp": arn}})
	_, desc := call(t, root, "DescribeUserPool", map[string]any{"UserPoolId": p.PoolID()})
	require.Equal(t, arn, desc["UserPool"].(map[string]any)["LambdaConfig"].(map[string]any)["PreSignUp"])
	requireAPIError(t, root, "SignUp", signUp(client, "gus", testPassword), codeUnexpectedLambda,
		"PreSignUp invocation failed: no local trigger is mapped to the pool's Lambda ARN (dev-issuer --lambda ARN=URL, or Service.SetLambda).")
	p.Service().SetLambda(arn, Trigger((&recorder{}).trigger))
	requireAPIError(t, root, "SignUp", signUp(client, "gus", testPassword), codeUnexpectedLambda, "")
	p.Service().SetLambda(arn, PreSignUpTrigger((&signUpRecorder{respond: confirmAll}).trigger))
	status, out := call(t, root, "SignUp", signUp(client, "gus", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, true, out["UserConfirmed"])
	p.Service().SetLambda(arn, nil)
	requireAPIError(t, root, "SignUp", signUp(client, "hal", testPassword), codeUnexpectedLambda, "")
	// An ARN is an ARN.
	requireAPIError(t, root, "CreateUserPool", map[string]any{"PoolName": "bad", "LambdaConfig": map[string]any{"PreSignUp": "signup"}},
		codeInvalidParameter, "")
}

// A trigger that outlives Cognito's 5 seconds fails the sign-up with
// UnexpectedLambdaException (the guide: "your Lambda function must
// respond within 5 seconds"); here the request's own deadline stands in.
func TestPreSignUpTimeout(t *testing.T) {
	p := newPool(t, Config{PreSignUp: func(ctx context.Context, ev signUpEvent) (signUpEvent, error) {
		<-ctx.Done()
		return ev, ctx.Err()
	}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err := p.signUp(ctx, &signUpInput{ClientID: DefaultClientID, Username: "ivy", Password: testPassword})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, codeUnexpectedLambda, e.Code)
	require.Equal(t, "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.", e.Message)
}

func TestPreSignUpPanicRefuses(t *testing.T) {
	p := newPool(t, Config{PreSignUp: func(context.Context, signUpEvent) (signUpEvent, error) { panic("boom") }})
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "jo", testPassword), codeUserLambdaValidate, "PreSignUp failed with error trigger panicked.")
}

// An HTTPFunction answers the pre sign-up event; an error it reports as
// Lambda does ({"errorMessage": …}) is the message of the refusal.
func TestPreSignUpHTTPFunction(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&ev))
		attrs := ev["request"].(map[string]any)["userAttributes"].(map[string]any)
		if attrs["email"] == "no@example.com" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessage":"Not on the list.","errorType":"Error"}`))
			return
		}
		ev["response"] = map[string]any{"autoConfirmUser": true}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:any"
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{"PreSignUp": arn}})
	p.Service().SetLambda(arn, NewHTTPFunction(srv.URL))
	status, out := call(t, root, "SignUp", signUp(client, "kim", testPassword, emailAttr("kim@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, true, out["UserConfirmed"])
	requireAPIError(t, root, "SignUp", signUp(client, "lee", testPassword, emailAttr("no@example.com")),
		codeUserLambdaValidate, "PreSignUp failed with error Not on the list..")
}

// Managed Login's sign-up page runs SignUp: a user the trigger confirms
// is sent to sign in; a refusal is shown on the form.
func TestPreSignUpOnSignUpPage(t *testing.T) {
	refuse := false
	p := newPool(t, Config{PreSignUp: func(_ context.Context, ev signUpEvent) (signUpEvent, error) {
		if refuse {
			return ev, errors.New("Invitation needed.")
		}
		ev.Response.AutoConfirmUser = true
		return ev, nil
	}})
	body := postSignUpPage(t, p, "mo")
	require.Contains(t, body, "Your account is ready")
	refuse = true
	body = postSignUpPage(t, p, "ned")
	require.Contains(t, body, "PreSignUp failed with error Invitation needed..")
}

func postSignUpPage(t *testing.T, p *Pool, username string) string {
	t.Helper()
	rec := postPage(t, p, "/signup", url.Values{"username": {username}, "password": {testPassword}})
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

// The trigger runs without the pool's lock: like a Lambda function, it
// may call the pool (here, to refuse an email address a user has).
func TestPreSignUpMayCallThePool(t *testing.T) {
	var p *Pool
	p = newPool(t, Config{PreSignUp: func(_ context.Context, ev signUpEvent) (signUpEvent, error) {
		_, out := call(t, p, "ListUsers", map[string]any{"UserPoolId": ev.UserPoolID,
			"Filter": `email = "` + ev.Request.UserAttributes["email"] + `"`})
		if len(out["Users"].([]any)) > 0 {
			return ev, errors.New("That address is taken.")
		}
		return ev, nil
	}})
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("alice@example.com")),
		codeUserLambdaValidate, "PreSignUp failed with error That address is taken..")
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
}

// Sign-up turned off while the trigger runs: an UpdateUserPool setting
// AllowAdminCreateUserOnly that answers before the user is created (here
// sent by the trigger itself, as a trigger closing sign-up after its last
// invitation would) refuses the sign-up with the answer SignUp gives such
// a pool, and no user is created. The guide's trigger page and
// AdminCreateUserConfigType say only that the setting lets administrators
// alone create users; that it holds from the moment UpdateUserPool
// answers is the pool's choice.
func TestSignUpTurnedOffDuringPreSignUp(t *testing.T) {
	rc := &signUpRecorder{}
	p := newPool(t, Config{PreSignUp: rc.trigger})
	rc.respond = func(*signUpEvent) error {
		status, out := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(),
			"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": true}})
		if status != http.StatusOK {
			return errors.New(fmt.Sprint(out))
		}
		return nil
	}
	requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")), codeNotAuthorized, "SignUp is not permitted for this user pool")
	require.Len(t, rc.all(), 1)
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob"}, codeUserNotFound, "")
	require.Empty(t, p.Messages(MessageFilter{Username: "bob"}))
}
