package cognitolocal

import (
	"context"
	"maps"

	"github.com/aws/aws-lambda-go/events"
)

// The pre sign-up trigger (developer guide, "Pre sign-up Lambda
// trigger"): "Immediately before Amazon Cognito completes creation of a
// new local … user, it activates the pre sign-up Lambda function", on
// SignUp (trigger source PreSignUp_SignUp) and AdminCreateUser
// (PreSignUp_AdminCreateUser). The event carries the attributes the
// request gives, its ValidationData and ClientMetadata; an error refuses
// the user. On SignUp the response may confirm the user
// (autoConfirmUser) and verify its email address (autoVerifyEmail) or
// phone number (autoVerifyPhone); "Response parameters autoVerifyPhone,
// autoVerifyEmail and autoConfirmUser are ignored by Amazon Cognito when
// the Pre Sign-up lambda is triggered by the AdminCreateUser API".

// Pre sign-up trigger sources.
const (
	sourceSignUp      = "PreSignUp_SignUp"
	sourceAdminCreate = "PreSignUp_AdminCreateUser"
)

// newUserRequest is what the pre sign-up event says of a user about to
// be created.
type newUserRequest struct {
	source   string
	clientID string // empty for AdminCreateUser
	// username is the name the user will have: in a pool whose usernames
	// are email addresses or phone numbers, its sub.
	username                    string
	attrs, validation, metadata map[string]string
}

// signUpResponse is what the pool does with a pre sign-up response.
type signUpResponse struct {
	confirm, verifyEmail, verifyPhone bool
}

// preSignUp runs the pool's pre sign-up trigger, if it has one, and
// returns its response, checked: verifying an address needs the address,
// and, on SignUp, a user the trigger confirms. With no trigger, and for
// AdminCreateUser, the response is the zero one.
func (p *Pool) preSignUp(ctx context.Context, r newUserRequest) (signUpResponse, error) {
	ev := events.CognitoEventUserPoolsPreSignup{CognitoEventUserPoolsHeader: p.eventHeader(r.source, r.clientID, r.username)}
	ev.Request.UserAttributes = maps.Clone(r.attrs)
	if ev.Request.UserAttributes == nil {
		ev.Request.UserAttributes = map[string]string{}
	}
	// Absent ValidationData and ClientMetadata go out as null, as
	// clientMetadata does in the pre-token-generation event.
	ev.Request.ValidationData = maps.Clone(r.validation)
	ev.Request.ClientMetadata = maps.Clone(r.metadata)
	ran, err := p.runLambda(ctx, lambdaPreSignUp, &ev)
	if err != nil || !ran || r.source == sourceAdminCreate {
		return signUpResponse{}, err
	}
	out := ev.Response
	if (out.AutoVerifyEmail || out.AutoVerifyPhone) && !out.AutoConfirmUser {
		return signUpResponse{}, apiErr(codeInvalidLambdaResp, "Phone or email cannot be auto verified, when user is not being auto confirmed.")
	}
	if out.AutoVerifyEmail && r.attrs["email"] == "" {
		return signUpResponse{}, apiErr(codeInvalidLambdaResp, "Invalid lambda response: autoVerifyEmail needs the user's email attribute.")
	}
	if out.AutoVerifyPhone && r.attrs["phone_number"] == "" {
		return signUpResponse{}, apiErr(codeInvalidLambdaResp, "Invalid lambda response: autoVerifyPhone needs the user's phone_number attribute.")
	}
	return signUpResponse{confirm: out.AutoConfirmUser, verifyEmail: out.AutoVerifyEmail, verifyPhone: out.AutoVerifyPhone}, nil
}

// verifiedAttributes returns attrs with the addresses the response
// verifies marked verified.
func (r signUpResponse) verifiedAttributes(attrs map[string]string) map[string]string {
	if !r.verifyEmail && !r.verifyPhone {
		return attrs
	}
	attrs = maps.Clone(attrs)
	if r.verifyEmail {
		attrs["email_verified"] = "true"
	}
	if r.verifyPhone {
		attrs["phone_number_verified"] = "true"
	}
	return attrs
}
