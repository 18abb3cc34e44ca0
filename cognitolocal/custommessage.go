package cognitolocal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// The custom message trigger (developer guide, "Custom message Lambda
// trigger",
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html):
// Cognito hands the function each message before it sends it, with the
// user's attributes, the request's ClientMetadata and the placeholder
// codeParameter ("{####}") in place of the code; the function answers
// smsMessage, emailMessage and emailSubject, "Must include the
// codeParameter value", and Cognito puts the code in the placeholder. An
// email is at most 20,000 UTF-8 characters and an SMS 140, the code
// included.
//
// The trigger runs without the pool's lock: an operation that sends
// holds its messages back (holdMessagesLocked) while it runs under the
// lock, and sendHeld, after the lock is released, runs the trigger on
// each and puts the result in the outbox. Operations that do not hold
// their messages put them in the outbox directly, untouched by the
// trigger. SignUp, ResendConfirmationCode, ForgotPassword,
// AdminResetUserPassword, AdminCreateUser, UpdateUserAttributes,
// AdminUpdateUserAttributes and GetUserAttributeVerificationCode hold
// theirs (every trigger source but CustomMessage_Authentication); sign-in
// codes and a migrated user's welcome message do not run the trigger.
//
// Where the page is silent, the pool does what follows. An empty
// smsMessage or emailMessage leaves the pool's own message, and an empty
// emailSubject its subject. A message without the codeParameter, or past
// the length limit once the code is in, fails the operation with
// InvalidLambdaResponseException, as an answer the pool cannot use; the
// function's own failure fails it as every trigger's does
// (UserLambdaValidationException "CustomMessage failed with error …").
// Either way what the operation changed stands (the user signed up, the
// previous code replaced) and nothing goes to the outbox: the caller gets
// the error, and a new code (ResendConfirmationCode, ForgotPassword) is
// the way on, as after a message that never arrived.

// lambdaCustomMessage names the trigger in LambdaConfig and in errors.
const lambdaCustomMessage = "CustomMessage"

// codeParameter and usernameParameter are the placeholders the event
// offers for the code (an invitation's temporary password) and, in an
// invitation, the username: "These values are usually {username} and
// {####}".
const (
	codeParameter     = "{####}"
	usernameParameter = "{username}"
)

// Message length limits, in characters, the code included.
const (
	maxCustomEmail = 20000
	maxCustomSMS   = 140
)

// CustomMessageTrigger is a custom message trigger, in the shape
// lambda.Start accepts.
type CustomMessageTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error)

func (t CustomMessageTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}

// heldMessage is a message an operation sends, held back until its lock
// is released: the message as the pool writes it, and the user's
// attributes for the event.
type heldMessage struct {
	msg  Message
	user snapshot
}

// heldMessages collects what one operation sends.
type heldMessages struct{ msgs []heldMessage }

// holdMessagesLocked makes the messages the pool sends, until the
// returned function is called, go to h instead of the outbox. The caller
// holds the lock from the call to the returned function's, so that only
// its own messages are held.
func (p *Pool) holdMessagesLocked(h *heldMessages) (release func()) {
	p.held = h
	return func() { p.held = nil }
}

// messageTrigger says on whose behalf the held messages go out: the app
// client (empty for an administrator's operation) and the request's
// ClientMetadata, both for the event.
type messageTrigger struct {
	clientID string
	metadata map[string]string
}

// sendHeld runs the pool's custom message trigger, if it has one, on
// each held message and puts the messages in the outbox. Called without
// the lock. The first failure stops it: the messages not yet sent are
// not sent.
func (p *Pool) sendHeld(ctx context.Context, h *heldMessages, t messageTrigger) error {
	for _, hm := range h.msgs {
		m := hm.msg
		if err := p.customMessage(ctx, &m, hm.user, t); err != nil {
			return err
		}
		p.mu.Lock()
		p.appendOutboxLocked(m)
		p.mu.Unlock()
	}
	return nil
}

// customMessage runs the trigger on m and, when it answers a message,
// puts it, code in, in m.
func (p *Pool) customMessage(ctx context.Context, m *Message, u snapshot, t messageTrigger) error {
	ev := events.CognitoEventUserPoolsCustomMessage{
		CognitoEventUserPoolsHeader: p.eventHeader("CustomMessage_"+string(m.Kind), t.clientID, u.username),
	}
	ev.Request.UserAttributes = eventAttributesAny(u.eventAttributes())
	ev.Request.CodeParameter = codeParameter
	invitation := m.Kind == MessageAdminCreateUser
	if invitation {
		ev.Request.UsernameParameter = usernameParameter
	}
	ev.Request.ClientMetadata = maps.Clone(t.metadata)
	ran, err := p.runLambda(ctx, lambdaCustomMessage, &ev)
	if err != nil || !ran {
		return err
	}
	text, limit := ev.Response.SMSMessage, maxCustomSMS
	if m.DeliveryMedium == MediumEmail {
		text, limit = ev.Response.EmailMessage, maxCustomEmail
		if ev.Response.EmailSubject != "" {
			m.Subject = ev.Response.EmailSubject
		}
	}
	if text == "" {
		return nil
	}
	if !strings.Contains(text, codeParameter) {
		return apiErr(codeInvalidLambdaResp, "CustomMessage answered a message without the codeParameter.")
	}
	if invitation && !strings.Contains(text, usernameParameter) {
		return apiErr(codeInvalidLambdaResp, "CustomMessage answered an invitation without the usernameParameter.")
	}
	// One pass, so that a code or username holding the other placeholder
	// is not replaced in turn.
	pairs := []string{codeParameter, m.Code}
	if invitation {
		pairs = append(pairs, usernameParameter, m.Username)
	}
	text = strings.NewReplacer(pairs...).Replace(text)
	if utf8.RuneCountInString(text) > limit {
		return apiErr(codeInvalidLambdaResp, "CustomMessage answered a message longer than Cognito sends.")
	}
	m.Message = text
	return nil
}

// eventAttributesAny is attrs as the custom message event types them.
func eventAttributesAny(attrs map[string]string) map[string]interface{} {
	out := make(map[string]interface{}, len(attrs))
	for k, v := range attrs {
		out[k] = v
	}
	return out
}

// tokenClientID is the app client an access token was issued to, read
// from a token the pool has verified already; empty when unreadable.
func tokenClientID(token string) string {
	_, payload, _ := strings.Cut(token, ".")
	payload, _, _ = strings.Cut(payload, ".")
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var claims struct {
		ClientID string `json:"client_id"`
	}
	_ = json.Unmarshal(b, &claims)
	return claims.ClientID
}
