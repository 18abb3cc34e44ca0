package cognitolocal

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// The custom authentication challenge triggers served over HTTP
// (customauth.go). The create and verify requests carry userNotFound,
// which aws-lambda-go's events lack and the developer guide's event shapes
// have; the define request has it in both.

// DefineAuthChallenge is a define auth challenge trigger.
func (f *HTTPFunction) DefineAuthChallenge(ctx context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
	return postAs(ctx, f, ev)
}

// CreateAuthChallenge is a create auth challenge trigger. Its request
// carries userNotFound: true for a name no user has, signing in through
// an app client that prevents user existence errors.
func (f *HTTPFunction) CreateAuthChallenge(ctx context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
	type request struct {
		events.CognitoEventUserPoolsCreateAuthChallengeRequest
		UserNotFound bool `json:"userNotFound"`
	}
	in := struct {
		events.CognitoEventUserPoolsHeader
		Request  request                                                 `json:"request"`
		Response events.CognitoEventUserPoolsCreateAuthChallengeResponse `json:"response"`
	}{ev.CognitoEventUserPoolsHeader, request{ev.Request, userNotFound(ctx)}, ev.Response}
	var out events.CognitoEventUserPoolsCreateAuthChallenge
	if err := f.post(ctx, in, &out); err != nil {
		return ev, err
	}
	return out, nil
}

// VerifyAuthChallengeResponse is a verify auth challenge response
// trigger. Its request carries userNotFound, as CreateAuthChallenge's
// does.
func (f *HTTPFunction) VerifyAuthChallengeResponse(ctx context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
	type request struct {
		events.CognitoEventUserPoolsVerifyAuthChallengeRequest
		UserNotFound bool `json:"userNotFound"`
	}
	in := struct {
		events.CognitoEventUserPoolsHeader
		Request  request                                                 `json:"request"`
		Response events.CognitoEventUserPoolsVerifyAuthChallengeResponse `json:"response"`
	}{ev.CognitoEventUserPoolsHeader, request{ev.Request, userNotFound(ctx)}, ev.Response}
	var out events.CognitoEventUserPoolsVerifyAuthChallenge
	if err := f.post(ctx, in, &out); err != nil {
		return ev, err
	}
	return out, nil
}
