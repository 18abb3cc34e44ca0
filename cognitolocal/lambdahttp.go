package cognitolocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// maxTriggerResponse bounds the response an HTTPFunction reads.
const maxTriggerResponse = 1 << 20

// HTTPFunction is a Lambda function served over HTTP, for triggers that
// are not written in Go: each invocation POSTs the event as JSON to the
// URL and reads the event back, response filled in, from a 2xx answer of
// at most 1 MiB, with Cognito's 5-second limit. An answer of another
// status fails the invocation; a JSON body {"errorMessage": "…"}, the
// error Lambda reports for a function that throws, fails it whatever the
// status (Lambda's Invoke API and its runtime interface emulator answer
// 200) and gives the message Cognito passes on ("PreSignUp failed with
// error …"), as does the header X-Amz-Function-Error. A 2xx answer that
// is not an event fails with InvalidLambdaResponseException
// "Unrecognizable lambda output"; an endpoint that does not answer, with
// UnexpectedLambdaException. Like a Lambda function,
// it answers every trigger whose ARN names it (Service.SetLambda): the
// endpoint tells one event from another by its triggerSource. Its methods
// are triggers of each kind, for Config.
type HTTPFunction struct {
	url    string
	client *http.Client
}

// NewHTTPFunction returns the function served at url.
func NewHTTPFunction(url string) *HTTPFunction {
	// No keep-alive: a pool that is closed leaves no idle connection (and
	// no goroutine) behind, and a local trigger costs little to reach.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	return &HTTPFunction{url: url, client: &http.Client{Timeout: triggerLimit, Transport: tr}}
}

// HTTPTrigger returns the pre-token-generation trigger of the function
// served at url: NewHTTPFunction(url).PreTokenGeneration.
func HTTPTrigger(url string) Trigger { return NewHTTPFunction(url).PreTokenGeneration }

// PreTokenGeneration is a pre-token-generation trigger. An event of
// version "1" (a V1_0 trigger) goes out and comes back in the V1_0
// shape, response.claimsOverrideDetails, as a V1_0 function reads and
// writes it.
func (f *HTTPFunction) PreTokenGeneration(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	if ev.Version == "1" {
		var out v1Event
		if err := f.post(ctx, toV1Event(ev), &out); err != nil {
			return ev, err
		}
		return fromV1Response(ev, out), nil
	}
	return postAs(ctx, f, ev)
}

// PreSignUp is a pre sign-up trigger.
func (f *HTTPFunction) PreSignUp(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	return postAs(ctx, f, ev)
}

// PostConfirmation is a post confirmation trigger.
func (f *HTTPFunction) PostConfirmation(ctx context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
	return postAs(ctx, f, ev)
}

// PreAuthentication is a pre authentication trigger. Its request carries
// userNotFound, which aws-lambda-go's event lacks: true for a name no user
// has, signing in through an app client that prevents user existence
// errors.
func (f *HTTPFunction) PreAuthentication(ctx context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
	type request struct {
		events.CognitoEventUserPoolsPreAuthenticationRequest
		UserNotFound bool `json:"userNotFound"`
	}
	in := struct {
		events.CognitoEventUserPoolsHeader
		Request  request                                               `json:"request"`
		Response events.CognitoEventUserPoolsPreAuthenticationResponse `json:"response"`
	}{ev.CognitoEventUserPoolsHeader, request{ev.Request, userNotFound(ctx)}, ev.Response}
	var out events.CognitoEventUserPoolsPreAuthentication
	if err := f.post(ctx, in, &out); err != nil {
		return ev, err
	}
	return out, nil
}

// PostAuthentication is a post authentication trigger.
func (f *HTTPFunction) PostAuthentication(ctx context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
	return postAs(ctx, f, ev)
}

// CustomMessage is a custom message trigger.
func (f *HTTPFunction) CustomMessage(ctx context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
	return postAs(ctx, f, ev)
}

func (f *HTTPFunction) invoke(ctx context.Context, ev any) error {
	switch ev.(type) {
	case *events.CognitoEventUserPoolsPreTokenGenV2_0:
		return invokeAs(ctx, f.PreTokenGeneration, ev)
	case *events.CognitoEventUserPoolsPreSignup:
		return invokeAs(ctx, f.PreSignUp, ev)
	case *events.CognitoEventUserPoolsPostConfirmation:
		return invokeAs(ctx, f.PostConfirmation, ev)
	case *events.CognitoEventUserPoolsPreAuthentication:
		return invokeAs(ctx, f.PreAuthentication, ev)
	case *events.CognitoEventUserPoolsPostAuthentication:
		return invokeAs(ctx, f.PostAuthentication, ev)
	case *events.CognitoEventUserPoolsCustomMessage:
		return invokeAs(ctx, f.CustomMessage, ev)
	case *events.CognitoEventUserPoolsMigrateUser:
		return invokeAs(ctx, f.UserMigration, ev)
	case *events.CognitoEventUserPoolsDefineAuthChallenge:
		return invokeAs(ctx, f.DefineAuthChallenge, ev)
	case *events.CognitoEventUserPoolsCreateAuthChallenge:
		return invokeAs(ctx, f.CreateAuthChallenge, ev)
	case *events.CognitoEventUserPoolsVerifyAuthChallenge:
		return invokeAs(ctx, f.VerifyAuthChallengeResponse, ev)
	}
	return errOtherTrigger
}

// postAs POSTs ev and reads the answer as a fresh event of its type, so
// that nothing of the request is merged into the response.
func postAs[E any](ctx context.Context, f *HTTPFunction, ev E) (E, error) {
	var out E
	if err := f.post(ctx, ev, &out); err != nil {
		return ev, err
	}
	return out, nil
}

// post POSTs ev as JSON and decodes the answer into out.
func (f *HTTPFunction) post(ctx context.Context, ev, out any) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: trigger URL: %w", errUnreachable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", errUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTriggerResponse+1))
	if err != nil {
		return fmt.Errorf("%w: %w", errUnreachable, err)
	}
	if msg, failed := functionError(resp, data); failed {
		return errors.New(msg)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("trigger endpoint answered status %d", resp.StatusCode)
	}
	// An answer that is not an event (too big, not JSON, not an object)
	// is one Cognito cannot read, not the function's refusal.
	if len(data) > maxTriggerResponse || !json.Valid(data) || bytes.TrimSpace(data)[0] != '{' {
		return errUnrecognizable
	}
	if err := json.Unmarshal(data, out); err != nil {
		return errUnrecognizable
	}
	return nil
}

// functionError reads a function's error in the answer: a JSON object
// with errorMessage or errorType, which no event has at its top, as
// Lambda's Invoke API answers a function that throws (status 200 and
// X-Amz-Function-Error), as the Lambda runtime interface emulator does
// (status 200 alone), or with another status. Its message is the one
// Cognito puts in "<trigger> failed with error <message>."; failed is
// false for an answer that is not an error.
func functionError(resp *http.Response, data []byte) (msg string, failed bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		top = nil
	}
	_, hasMessage := top["errorMessage"]
	_, hasType := top["errorType"]
	if !hasMessage && !hasType && resp.Header.Get("X-Amz-Function-Error") == "" {
		return "", false
	}
	_ = json.Unmarshal(top["errorMessage"], &msg)
	if msg == "" {
		if resp.StatusCode/100 != 2 {
			return "", false // the status tells more
		}
		msg = "the function failed"
	}
	return msg, true
}

// errUnreachable fails an invocation whose endpoint did not answer, as
// Lambda fails one it cannot run: the trigger never decided.
var errUnreachable = errors.New("the trigger endpoint did not answer")

// errUnrecognizable fails an invocation answered with what is not the
// event.
var errUnrecognizable = errors.New("the trigger answered something that is not the event")
