package cognitolocal

import (
	"context"
	"maps"

	"github.com/aws/aws-lambda-go/events"
)

// The post confirmation trigger (developer guide, "Post confirmation
// Lambda trigger"): "Your user pool invokes your post confirmation
// function on ConfirmSignUp, AdminConfirmSignUp, and
// ConfirmForgotPassword", with trigger source
// PostConfirmation_ConfirmSignUp or PostConfirmation_ConfirmForgotPassword;
// "The request contains the current attributes for the confirmed user"
// and the request's ClientMetadata; "No additional return information is
// expected in the response". It does not run for users an administrator
// creates (a NEW_PASSWORD_REQUIRED answer), nor for a user a pre sign-up
// trigger confirms: neither is one of those operations.

// Post confirmation trigger sources.
const (
	sourceConfirmSignUp     = "PostConfirmation_ConfirmSignUp"
	sourceConfirmForgotPass = "PostConfirmation_ConfirmForgotPassword"
)

// postConfirmation runs the pool's post confirmation trigger, if it has
// one, for the user just confirmed (u, read under the lock that confirmed
// it). The confirmation stands whatever the trigger answers, as in
// Cognito, where a failing function leaves the user confirmed and the
// caller with the error.
func (p *Pool) postConfirmation(ctx context.Context, source, clientID string, u snapshot, metadata map[string]string) error {
	ev := events.CognitoEventUserPoolsPostConfirmation{CognitoEventUserPoolsHeader: p.eventHeader(source, clientID, u.username)}
	ev.Request.UserAttributes = maps.Clone(u.attrs)
	if ev.Request.UserAttributes == nil {
		ev.Request.UserAttributes = map[string]string{}
	}
	ev.Request.UserAttributes["cognito:user_status"] = u.status
	ev.Request.ClientMetadata = maps.Clone(metadata)
	_, err := p.runLambda(ctx, lambdaPostConfirm, &ev)
	return err
}
