package cognitolocal

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The custom message trigger, as the developer guide's "Custom message
// Lambda trigger" describes it
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html):
// its trigger sources, its request (userAttributes, codeParameter,
// clientMetadata) and response (smsMessage, emailMessage, emailSubject),
// "Must include the codeParameter value", and the limits of 20,000 UTF-8
// characters for an email and 140 for an SMS, the code included. Where
// the guide is silent (an empty answer, a message without the
// placeholder or too long, a failing function) the tests say so.

type messageEvent = events.CognitoEventUserPoolsCustomMessage

// messagePool is a pool that sends sign-up codes by email, with the
// custom message trigger rc.
func messagePool(t *testing.T, rc *recorderOf[messageEvent]) *Pool {
	t.Helper()
	return newPool(t, Config{AutoVerifiedAttributes: []string{"email"}, CustomMessage: rc.trigger})
}

// branded answers every message with the guide's example texts.
func branded(ev *messageEvent) error {
	ev.Response.SMSMessage = "Welcome. Your code is " + ev.Request.CodeParameter
	ev.Response.EmailSubject = "Welcome to the service"
	ev.Response.EmailMessage = "Thank you for signing up. " + ev.Request.CodeParameter + " is your code"
	return nil
}

func lastMessage(t *testing.T, p *Pool, username string, kind MessageKind) Message {
	t.Helper()
	msgs := p.Messages(MessageFilter{Username: username, Kind: kind})
	require.NotEmpty(t, msgs)
	return msgs[len(msgs)-1]
}

// CustomMessage_SignUp: "To send the confirmation code post sign-up".
// The event has the common fields, the user's attributes, the
// codeParameter and the request's ClientMetadata; "Amazon Cognito
// replaces the codeParameter string with the actual verification code",
// and the code confirms the user.
func TestCustomMessageSignUp(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: branded}
	p := messagePool(t, rc)
	in := signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com"))
	in["ClientMetadata"] = map[string]string{"lang": "en"}
	status, out := call(t, p, "SignUp", in)
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	assert.Equal(t, "CustomMessage_SignUp", ev.TriggerSource)
	assert.Equal(t, "1", ev.Version)
	assert.Equal(t, p.PoolID(), ev.UserPoolID)
	assert.Equal(t, "bob", ev.UserName)
	assert.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	assert.Equal(t, "{####}", ev.Request.CodeParameter)
	assert.Empty(t, ev.Request.UsernameParameter, "the guide gives usernameParameter to AdminCreateUser only")
	assert.Equal(t, "bob@example.com", ev.Request.UserAttributes["email"])
	assert.Equal(t, "UNCONFIRMED", ev.Request.UserAttributes["cognito:user_status"])
	assert.Equal(t, map[string]string{"lang": "en"}, ev.Request.ClientMetadata)

	m := lastMessage(t, p, "bob", MessageSignUp)
	assert.Equal(t, "Thank you for signing up. "+m.Code+" is your code", m.Message)
	assert.Equal(t, "Welcome to the service", m.Subject)
	assert.Equal(t, MediumEmail, m.DeliveryMedium)
	status, out = call(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "ConfirmationCode": m.Code})
	require.Equal(t, http.StatusOK, status, out)
}

// CustomMessage_ResendCode: "To resend the confirmation code to an
// existing user". A code by SMS takes smsMessage.
func TestCustomMessageResendCodeBySMS(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: branded}
	p := newPool(t, Config{AutoVerifiedAttributes: []string{"phone_number"}, CustomMessage: rc.trigger})
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword,
		map[string]string{"Name": "phone_number", "Value": "+12065550100"}))
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "ResendConfirmationCode", map[string]any{"ClientId": DefaultClientID, "Username": "bob",
		"ClientMetadata": map[string]string{"again": "yes"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	assert.Equal(t, "CustomMessage_ResendCode", ev.TriggerSource)
	assert.Equal(t, map[string]string{"again": "yes"}, ev.Request.ClientMetadata)
	m := lastMessage(t, p, "bob", MessageResendCode)
	assert.Equal(t, MediumSMS, m.DeliveryMedium)
	assert.Equal(t, "Welcome. Your code is "+m.Code, m.Message)
	assert.Empty(t, m.Subject, "an SMS has no subject")
}

// CustomMessage_ForgotPassword: "To send the confirmation code for Forgot
// Password request", from ForgotPassword and AdminResetUserPassword (the
// guide lists both among the operations whose ClientMetadata the
// function receives). No app client calls AdminResetUserPassword: the
// event names CLIENT_ID_NOT_APPLICABLE, as the pool's other triggers do
// (the guide is silent).
func TestCustomMessageForgotPassword(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: branded}
	p := messagePool(t, rc)
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice",
		"ClientMetadata": map[string]string{"via": "app"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	assert.Equal(t, "CustomMessage_ForgotPassword", ev.TriggerSource)
	assert.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	assert.Equal(t, map[string]string{"via": "app"}, ev.Request.ClientMetadata)
	m := lastMessage(t, p, "alice", MessageForgotPassword)
	assert.Equal(t, "Thank you for signing up. "+m.Code+" is your code", m.Message)

	status, out = call(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice",
		"ClientMetadata": map[string]string{"by": "ops"}})
	require.Equal(t, http.StatusOK, status, out)
	ev = rc.last(t)
	assert.Equal(t, "CustomMessage_ForgotPassword", ev.TriggerSource)
	assert.Equal(t, "CLIENT_ID_NOT_APPLICABLE", ev.CallerContext.ClientID)
	assert.Equal(t, map[string]string{"by": "ops"}, ev.Request.ClientMetadata)
	assert.Len(t, p.Messages(MessageFilter{Username: "alice", Kind: MessageForgotPassword}), 2)
}

// The guide does not say what an empty answer does: the pool sends its
// own message, as without the trigger; an email subject answered alone
// replaces the subject only.
func TestCustomMessageEmptyAnswerKeepsThePoolsMessage(t *testing.T) {
	rc := &recorderOf[messageEvent]{}
	p := messagePool(t, rc)
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, rc.all(), 1)
	m := lastMessage(t, p, "bob", MessageSignUp)
	assert.Equal(t, verificationText(m.Code), m.Message)
	assert.Empty(t, m.Subject)
}

// "Must include the codeParameter value received in the request": the
// guide does not say what Cognito does with a message that lacks it. The
// pool refuses it with InvalidLambdaResponseException (a response it
// cannot use), sends nothing, and the sign-up stands, the user
// unconfirmed, as a code that never arrived leaves it.
func TestCustomMessageWithoutTheCodeIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		medium string
	}{{"email", "email"}, {"sms", "phone_number"}} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &recorderOf[messageEvent]{respond: func(ev *messageEvent) error {
				ev.Response.EmailMessage = "Welcome, no code here"
				ev.Response.SMSMessage = "Welcome, no code here"
				return nil
			}}
			p := newPool(t, Config{AutoVerifiedAttributes: []string{tc.medium}, CustomMessage: rc.trigger})
			attr := emailAttr("bob@example.com")
			if tc.medium == "phone_number" {
				attr = map[string]string{"Name": "phone_number", "Value": "+12065550100"}
			}
			requireAPIError(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, attr), codeInvalidLambdaResp,
				"CustomMessage answered a message without the codeParameter.")
			assert.Empty(t, p.Messages(MessageFilter{Username: "bob"}))
			status, out := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob"})
			require.Equal(t, http.StatusOK, status, out)
			assert.Equal(t, "UNCONFIRMED", out["UserStatus"])
		})
	}
}

// "For email, the maximum length for the message is 20,000 UTF-8
// characters, including the verification code"; "For SMS, the maximum
// length is 140 UTF-8 characters, including the verification code".
// Characters, not bytes: a message of multi-byte characters at the limit
// goes out. One past it is refused (InvalidLambdaResponseException; the
// guide does not name the error).
func TestCustomMessageLengthLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		attr   map[string]string
		verify string
		limit  int
	}{
		{"email", emailAttr("bob@example.com"), "email", 20000},
		{"sms", map[string]string{"Name": "phone_number", "Value": "+12065550100"}, "phone_number", 140},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pad int
			rc := &recorderOf[messageEvent]{respond: func(ev *messageEvent) error {
				// The code is six digits: the message is pad+6 characters.
				text := strings.Repeat("é", pad) + ev.Request.CodeParameter
				ev.Response.EmailMessage, ev.Response.SMSMessage = text, text
				return nil
			}}
			p := newPool(t, Config{AutoVerifiedAttributes: []string{tc.verify}, CustomMessage: rc.trigger})
			pad = tc.limit - 6
			status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, tc.attr))
			require.Equal(t, http.StatusOK, status, out)
			m := lastMessage(t, p, "bob", MessageSignUp)
			assert.Equal(t, tc.limit, len([]rune(m.Message)))
			assert.True(t, strings.HasSuffix(m.Message, m.Code))

			pad = tc.limit - 5
			requireAPIError(t, p, "ResendConfirmationCode", map[string]any{"ClientId": DefaultClientID, "Username": "bob"},
				codeInvalidLambdaResp, "CustomMessage answered a message longer than Cognito sends.")
			assert.Empty(t, p.Messages(MessageFilter{Username: "bob", Kind: MessageResendCode}))
		})
	}
}

// A failing function fails the operation as every trigger's failure
// does (UserLambdaValidationException "<trigger> failed with error
// <message>."); the guide is silent on this trigger's failure. Nothing
// is sent, and the code the operation issued stands: ForgotPassword's
// answer is the error, the code no one received.
func TestCustomMessageFailureFailsTheOperation(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: func(*messageEvent) error { return errors.New("template missing") }}
	p := messagePool(t, rc)
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"},
		codeUserLambdaValidate, "CustomMessage failed with error template missing.")
	assert.Empty(t, p.Messages(MessageFilter{}))
	requireAPIError(t, p, "AdminResetUserPassword", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice"},
		codeUserLambdaValidate, "CustomMessage failed with error template missing.")
	assert.Empty(t, p.Messages(MessageFilter{}))
}

// The function runs without the pool's lock: one that reads the pool
// (here its outbox) while the pool sends answers, as a deployed function
// calling the pool's API would. Were the lock held, the read would wait
// for the 5-second limit and the operation fail.
func TestCustomMessageRunsWithoutThePoolsLock(t *testing.T) {
	var p *Pool
	var seen []Message
	rc := &recorderOf[messageEvent]{respond: func(ev *messageEvent) error {
		seen = p.Messages(MessageFilter{})
		return branded(ev)
	}}
	p = messagePool(t, rc)
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	assert.Empty(t, seen, "the message is in the outbox once the function answered")
	assert.Len(t, p.Messages(MessageFilter{}), 1)
}

// LambdaConfig.CustomMessage, its ARN mapped to an HTTPFunction (a
// function in another language, dev-issuer --lambda ARN=URL): the event
// goes out as JSON with the guide's member names and the answer comes
// back. Unmapped, the ARN fails the operation as an unreachable function
// would.
func TestCustomMessageLambdaConfigOverHTTP(t *testing.T) {
	got := make(chan map[string]any, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		_ = json.NewDecoder(r.Body).Decode(&ev)
		got <- ev
		req := ev["request"].(map[string]any)
		ev["response"] = map[string]any{"emailMessage": "Code: " + req["codeParameter"].(string), "emailSubject": "Hi"}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:messages"
	p := newPool(t, Config{AutoVerifiedAttributes: []string{"email"}})
	status, out := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": p.PoolID(), "AutoVerifiedAttributes": []string{"email"},
		"LambdaConfig": map[string]any{"CustomMessage": arn}})
	require.Equal(t, http.StatusOK, status, out)
	p.Service().SetLambda(arn, NewHTTPFunction(srv.URL))
	status, out = call(t, p, "SignUp", signUp(DefaultClientID, "bob", testPassword, emailAttr("bob@example.com")))
	require.Equal(t, http.StatusOK, status, out)
	ev := <-got
	assert.Equal(t, "CustomMessage_SignUp", ev["triggerSource"])
	req := ev["request"].(map[string]any)
	assert.Equal(t, "{####}", req["codeParameter"])
	assert.Equal(t, "bob@example.com", req["userAttributes"].(map[string]any)["email"])
	m := lastMessage(t, p, "bob", MessageSignUp)
	assert.Equal(t, "Code: "+m.Code, m.Message)
	assert.Equal(t, "Hi", m.Subject)

	p.Service().SetLambda(arn, nil)
	requireAPIError(t, p, "ResendConfirmationCode", map[string]any{"ClientId": DefaultClientID, "Username": "bob"}, codeUnexpectedLambda,
		"CustomMessage invocation failed: no local trigger is mapped to the pool's Lambda ARN (dev-issuer --lambda ARN=URL, or Service.SetLambda).")
}

// CustomMessage_AdminCreateUser: "To send the temporary password to a
// new user". The event has usernameParameter ("usually {username}") and
// the answer "must include placeholder variables for the username and
// code": the pool puts in the username and the temporary password. The
// guide does not list AdminCreateUser among the operations whose
// ClientMetadata the function receives (that goes to the pre sign-up
// trigger): the event has none.
func TestCustomMessageAdminCreateUser(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: func(ev *messageEvent) error {
		ev.Response.EmailSubject = "Your account"
		ev.Response.EmailMessage = "User " + ev.Request.UsernameParameter + ", password " + ev.Request.CodeParameter
		return nil
	}}
	p := messagePool(t, rc)
	status, out := call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "carol",
		"TemporaryPassword": "Temp-Passw0rd!", "DesiredDeliveryMediums": []string{"EMAIL"},
		"UserAttributes": []map[string]string{emailAttr("carol@example.com")}, "ClientMetadata": map[string]string{"x": "y"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	assert.Equal(t, "CustomMessage_AdminCreateUser", ev.TriggerSource)
	assert.Equal(t, "{username}", ev.Request.UsernameParameter)
	assert.Equal(t, "{####}", ev.Request.CodeParameter)
	assert.Equal(t, "CLIENT_ID_NOT_APPLICABLE", ev.CallerContext.ClientID)
	assert.Empty(t, ev.Request.ClientMetadata)
	assert.Equal(t, "FORCE_CHANGE_PASSWORD", ev.Request.UserAttributes["cognito:user_status"])
	m := lastMessage(t, p, "carol", MessageAdminCreateUser)
	assert.Equal(t, "User carol, password Temp-Passw0rd!", m.Message)
	assert.Equal(t, "Your account", m.Subject)
}

// An invitation without the username placeholder is refused as one
// without the code (the guide: the response "must include" both; it
// does not name the error). The user is created all the same, and
// MessageAction RESEND sends the invitation again.
func TestCustomMessageInvitationNeedsBothPlaceholders(t *testing.T) {
	withUsername := false
	rc := &recorderOf[messageEvent]{respond: func(ev *messageEvent) error {
		ev.Response.EmailMessage = "Password " + ev.Request.CodeParameter
		if withUsername {
			ev.Response.EmailMessage += " for " + ev.Request.UsernameParameter
		}
		return nil
	}}
	p := messagePool(t, rc)
	in := map[string]any{"UserPoolId": p.PoolID(), "Username": "carol", "DesiredDeliveryMediums": []string{"EMAIL"},
		"UserAttributes": []map[string]string{emailAttr("carol@example.com")}}
	requireAPIError(t, p, "AdminCreateUser", in, codeInvalidLambdaResp, "CustomMessage answered an invitation without the usernameParameter.")
	assert.Empty(t, p.Messages(MessageFilter{Username: "carol"}))
	withUsername = true
	in["MessageAction"] = "RESEND"
	status, out := call(t, p, "AdminCreateUser", in)
	require.Equal(t, http.StatusOK, status, out)
	m := lastMessage(t, p, "carol", MessageAdminCreateUser)
	assert.Equal(t, "Password "+m.Code+" for carol", m.Message)
}

// CustomMessage_UpdateUserAttribute: "When a user's email or phone
// number is changed, this trigger sends a verification code
// automatically", from UpdateUserAttributes (the app client of the
// access token in the event) and AdminUpdateUserAttributes, each with
// its ClientMetadata.
func TestCustomMessageUpdateUserAttribute(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: branded}
	p := messagePool(t, rc)
	tok := signIn(t, p)
	status, out := call(t, p, "UpdateUserAttributes", map[string]any{"AccessToken": tok.AccessToken,
		"UserAttributes": []map[string]string{emailAttr("alice@new.example.com")}, "ClientMetadata": map[string]string{"from": "app"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	assert.Equal(t, "CustomMessage_UpdateUserAttribute", ev.TriggerSource)
	assert.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	assert.Equal(t, map[string]string{"from": "app"}, ev.Request.ClientMetadata)
	m := lastMessage(t, p, "alice", MessageUpdateUserAttribute)
	assert.Equal(t, "alice@new.example.com", m.Destination)
	assert.Equal(t, "Thank you for signing up. "+m.Code+" is your code", m.Message)

	status, out = call(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice",
		"UserAttributes": []map[string]string{emailAttr("alice@third.example.com")}, "ClientMetadata": map[string]string{"from": "ops"}})
	require.Equal(t, http.StatusOK, status, out)
	ev = rc.last(t)
	assert.Equal(t, "CustomMessage_UpdateUserAttribute", ev.TriggerSource)
	assert.Equal(t, "CLIENT_ID_NOT_APPLICABLE", ev.CallerContext.ClientID)
	assert.Equal(t, map[string]string{"from": "ops"}, ev.Request.ClientMetadata)
	assert.Equal(t, "alice@third.example.com", lastMessage(t, p, "alice", MessageUpdateUserAttribute).Destination)
}

// A failing function fails UpdateUserAttributes after the change: the
// guide is silent; the new address stands, unverified, and
// GetUserAttributeVerificationCode sends another code.
func TestCustomMessageFailureAfterAnAttributeChange(t *testing.T) {
	fail := true
	rc := &recorderOf[messageEvent]{respond: func(ev *messageEvent) error {
		if fail {
			return errors.New("down")
		}
		return branded(ev)
	}}
	p := messagePool(t, rc)
	tok := signIn(t, p)
	requireAPIError(t, p, "UpdateUserAttributes", map[string]any{"AccessToken": tok.AccessToken,
		"UserAttributes": []map[string]string{emailAttr("alice@new.example.com")}}, codeUserLambdaValidate, "CustomMessage failed with error down.")
	assert.Empty(t, p.Messages(MessageFilter{}))
	status, out := call(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken})
	require.Equal(t, http.StatusOK, status, out)
	assert.Contains(t, out["UserAttributes"], map[string]any{"Name": "email", "Value": "alice@new.example.com"})
	fail = false
	status, out = call(t, p, "GetUserAttributeVerificationCode", map[string]any{"AccessToken": tok.AccessToken, "AttributeName": "email"})
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "CustomMessage_VerifyUserAttribute", rc.last(t).TriggerSource)
}

// CustomMessage_VerifyUserAttribute: "sends a verification code to the
// user when they manually request it", GetUserAttributeVerificationCode
// with its ClientMetadata; the code verifies the attribute.
func TestCustomMessageVerifyUserAttribute(t *testing.T) {
	rc := &recorderOf[messageEvent]{respond: branded}
	p := newPool(t, Config{CustomMessage: rc.trigger})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+12065550100"}))
	tok := signIn(t, p)
	status, out := call(t, p, "GetUserAttributeVerificationCode", map[string]any{"AccessToken": tok.AccessToken,
		"AttributeName": "phone_number", "ClientMetadata": map[string]string{"k": "v"}})
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	assert.Equal(t, "CustomMessage_VerifyUserAttribute", ev.TriggerSource)
	assert.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	assert.Equal(t, map[string]string{"k": "v"}, ev.Request.ClientMetadata)
	assert.Equal(t, "+12065550100", ev.Request.UserAttributes["phone_number"])
	m := lastMessage(t, p, "alice", MessageVerifyUserAttribute)
	assert.Equal(t, "Welcome. Your code is "+m.Code, m.Message)
	status, out = call(t, p, "VerifyUserAttribute", map[string]any{"AccessToken": tok.AccessToken, "AttributeName": "phone_number", "Code": m.Code})
	require.Equal(t, http.StatusOK, status, out)
}
