package cognitolocal

import (
	"context"
	"maps"

	"github.com/aws/aws-lambda-go/events"
)

// The pre and post authentication triggers (developer guide, "Pre
// authentication Lambda trigger" and "Post authentication Lambda
// trigger"). Pre authentication runs "when a user attempts to sign in":
// here when a sign-in that names its user begins (USER_PASSWORD_AUTH,
// ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH, Managed Login's
// password and code sign-in), before the credentials are checked, with
// the request's ClientMetadata as validationData; an error refuses the
// sign-in. "Renewal of an existing authentication session also doesn't
// activate this trigger": refreshes run neither. Post authentication
// runs "after authentication is complete, before a user has received
// tokens", MFA and the device's proof included; its error fails the
// sign-in ("A post authentication Lambda that doesn't return the request
// body to Amazon Cognito can still cause authentication to fail to
// complete"). Its clientMetadata is that of the challenge answer that
// ended the sign-in: "Amazon Cognito doesn't include data from the
// ClientMetadata parameter in AdminInitiateAuth and InitiateAuth API
// operations in the request that it passes to the post authentication
// function."

// Authentication trigger sources.
const (
	sourcePreAuth  = "PreAuthentication_Authentication"
	sourcePostAuth = "PostAuthentication_Authentication"
)

// preAuthentication runs the pool's pre authentication trigger, if it
// has one, for typed (a username or an alias) signing in through c. A
// name no user has runs it only for a client that prevents user
// existence errors ("This Lambda trigger doesn't activate when a user
// doesn't exist unless the PreventUserExistenceErrors setting of a user
// pool app client is set to ENABLED"), with the name typed and no
// attributes; request.userNotFound, which Cognito then sets, reaches an
// HTTPFunction (aws-lambda-go's event has no place for it).
func (p *Pool) preAuthentication(ctx context.Context, c AppClient, typed string, metadata map[string]string) error {
	if typed == "" {
		// No one attempts to sign in (a sign-in form posted empty); the
		// API's flows refuse a missing USERNAME before.
		return nil
	}
	l, err := p.lambda(lambdaPreAuth)
	if err != nil || l == nil {
		return err
	}
	p.mu.Lock()
	u := p.userNamed(typed)
	var snap snapshot
	if u != nil {
		snap = u.snapshot()
	}
	p.mu.Unlock()
	ev := events.CognitoEventUserPoolsPreAuthentication{CognitoEventUserPoolsHeader: p.eventHeader(sourcePreAuth, c.ClientID, snap.username)}
	ev.Request.UserAttributes = snap.eventAttributes()
	if u == nil {
		if !c.hidesUsers() {
			return nil
		}
		ev.UserName, ev.Request.UserAttributes = typed, map[string]string{}
		ctx = context.WithValue(ctx, userNotFoundKey{}, true)
	}
	ev.Request.ValidationData = maps.Clone(metadata)
	return callLambda(ctx, lambdaPreAuth, l, &ev)
}

// postAuthentication runs the pool's post authentication trigger, if it
// has one, for the user u authenticated through c. newDevice is the
// event's newDeviceUsed: the sign-in presented no device key in a pool
// that remembers devices ("Amazon Cognito only sets this flag if the
// remembered devices value of the user pool is Always or User Opt-In").
func (p *Pool) postAuthentication(ctx context.Context, c AppClient, u snapshot, newDevice bool, metadata map[string]string) error {
	ev := events.CognitoEventUserPoolsPostAuthentication{CognitoEventUserPoolsHeader: p.eventHeader(sourcePostAuth, c.ClientID, u.username)}
	ev.Request.UserAttributes = u.eventAttributes()
	ev.Request.NewDeviceUsed = newDevice
	ev.Request.ClientMetadata = maps.Clone(metadata)
	_, err := p.runLambda(ctx, lambdaPostAuth, &ev)
	return err
}

// userNotFoundKey marks, in the context of a pre authentication
// invocation, an event for a name no user has.
type userNotFoundKey struct{}

// userNotFound reports whether ctx is a pre authentication invocation for
// a name no user has.
func userNotFound(ctx context.Context) bool {
	v, _ := ctx.Value(userNotFoundKey{}).(bool)
	return v
}

// eventAttributes are the user's attributes as the trigger events carry
// them: sub included, with cognito:user_status, as the pre-token-
// generation event has it.
func (u snapshot) eventAttributes() map[string]string {
	attrs := maps.Clone(u.attrs)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["cognito:user_status"] = u.status
	return attrs
}
