package cognitolocal

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitojwt/cognitojwt/internal/safe"
)

// How a pool invokes its Lambda triggers, whichever the trigger: it finds
// the function (a Go function of Config, else the local stand-in the
// Service maps the ARN of the pool's LambdaConfig to), builds the event's
// common part, calls the function with Cognito's 5-second limit and turns
// a failure into the exception Cognito answers. Each trigger's event and
// the use of its response live in a file of their own (presignup.go,
// postconfirm.go, authtriggers.go, trigger.go for pre token generation,
// customauth.go for the custom authentication challenge triggers,
// usermigration.go for user migration, custommessage.go for custom
// messages);
// an HTTPFunction (lambdahttp.go) serves a trigger written in another
// language.

// Lambda stands in for a Lambda function that a pool's LambdaConfig names
// by its ARN (Service.SetLambda). Each trigger type of this package
// (Trigger, PreSignUpTrigger, PostConfirmationTrigger,
// PreAuthenticationTrigger, PostAuthenticationTrigger, the custom
// challenge triggers of customauth.go, UserMigrationTrigger,
// CustomMessageTrigger) is a Lambda that
// answers its own trigger; an *HTTPFunction answers every trigger, as
// one Lambda function can serve several. The set is closed: a Lambda is
// one of these.
type Lambda interface {
	// invoke calls the function with ev, a pointer to an event of
	// aws-lambda-go's events package, and writes the event answered,
	// response filled in, back through it. errOtherTrigger: the function
	// answers another trigger.
	invoke(ctx context.Context, ev any) error
}

// PreSignUpTrigger is a pre sign-up trigger, in the shape lambda.Start
// accepts, so one handler runs in Lambda and locally.
type PreSignUpTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error)

// PostConfirmationTrigger is a post confirmation trigger, in the shape
// lambda.Start accepts.
type PostConfirmationTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error)

// PreAuthenticationTrigger is a pre authentication trigger, in the shape
// lambda.Start accepts.
type PreAuthenticationTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error)

// PostAuthenticationTrigger is a post authentication trigger, in the
// shape lambda.Start accepts.
type PostAuthenticationTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error)

func (t Trigger) invoke(ctx context.Context, ev any) error          { return invokeAs(ctx, t, ev) }
func (t PreSignUpTrigger) invoke(ctx context.Context, ev any) error { return invokeAs(ctx, t, ev) }
func (t PostConfirmationTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}
func (t PreAuthenticationTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}
func (t PostAuthenticationTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}

// errOtherTrigger refuses an event a Go trigger was not written for.
var errOtherTrigger = errors.New("the function answers another trigger")

// errPanicked is the error of a function that panicked, as Lambda fails
// an invocation whose function crashed.
var errPanicked = errors.New("trigger panicked")

// invokeAs calls f when ev points to f's event type. The limit holds for
// a function that ignores ctx too: past it, invokeAs answers ctx's error
// and leaves the function to finish on its own, its answer unread, as
// Lambda abandons a function it timed out.
func invokeAs[E any](ctx context.Context, f func(context.Context, E) (E, error), ev any) error {
	e, ok := ev.(*E)
	if !ok {
		return errOtherTrigger
	}
	type result struct {
		out E
		err error
	}
	done := make(chan result, 1)
	in := *e
	go func() {
		var out E
		err := safe.Call(func() (err error) {
			out, err = f(ctx, in)
			return err
		})
		if errors.Is(err, safe.ErrPanicked) {
			err = errPanicked
		}
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return r.err
		}
		*e = r.out
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LambdaConfig member names, which also name the trigger in Cognito's
// error messages ("PreSignUp failed with error …").
const (
	lambdaPreSignUp   = "PreSignUp"
	lambdaPostConfirm = "PostConfirmation"
	lambdaPreAuth     = "PreAuthentication"
	lambdaPostAuth    = "PostAuthentication"
	lambdaPreToken    = "PreTokenGeneration"
)

// The event's common part: Cognito's version of the events but pre
// token generation's V2_0 and V3_0, the SDK the pool names (it cannot
// know the caller's), and the client named where no app client calls.
const (
	commonEventVersion = "1"
	awsSdkVersion      = "aws-sdk-unknown-unknown"
	adminCallerID      = "CLIENT_ID_NOT_APPLICABLE"
)

// errNoMappedLocal completes "<trigger>" for an ARN mapped to nothing.
const errNoMappedLocal = " invocation failed: no local trigger is mapped to the pool's Lambda ARN (dev-issuer --lambda ARN=URL, or Service.SetLambda)."

// goTriggers are the Go functions of cfg by LambdaConfig member name,
// only those set: a nil function in an interface would not be nil.
func goTriggers(cfg Config) map[string]Lambda {
	out := map[string]Lambda{}
	if cfg.PreTokenGeneration != nil {
		out[lambdaPreToken] = cfg.PreTokenGeneration
	}
	if cfg.PreSignUp != nil {
		out[lambdaPreSignUp] = cfg.PreSignUp
	}
	if cfg.PostConfirmation != nil {
		out[lambdaPostConfirm] = cfg.PostConfirmation
	}
	if cfg.PreAuthentication != nil {
		out[lambdaPreAuth] = cfg.PreAuthentication
	}
	if cfg.PostAuthentication != nil {
		out[lambdaPostAuth] = cfg.PostAuthentication
	}
	if cfg.DefineAuthChallenge != nil {
		out[lambdaDefineAuth] = cfg.DefineAuthChallenge
	}
	if cfg.CreateAuthChallenge != nil {
		out[lambdaCreateAuth] = cfg.CreateAuthChallenge
	}
	if cfg.VerifyAuthChallengeResponse != nil {
		out[lambdaVerifyAuth] = cfg.VerifyAuthChallengeResponse
	}
	if cfg.UserMigration != nil {
		out[lambdaUserMigration] = cfg.UserMigration
	}
	if cfg.CustomMessage != nil {
		out[lambdaCustomMessage] = cfg.CustomMessage
	}
	return out
}

// lambdaARN is the ARN the pool's LambdaConfig gives the trigger name, as
// CreateUserPool or UpdateUserPool set it; empty when none.
func (s *poolSettings) lambdaARN(name string) string {
	if name == lambdaPreToken {
		return s.PreTokenLambdaARN
	}
	arn, _ := objectOf(s.Extra["LambdaConfig"])[name].(string)
	return arn
}

// lambda returns the pool's trigger name: its Go function, else the local
// trigger the Service maps the pool's ARN to; nil when the pool has none.
// An ARN mapped to nothing fails the operation, as an unreachable function
// would.
func (p *Pool) lambda(name string) (Lambda, error) {
	if l := p.triggers[name]; l != nil {
		return l, nil
	}
	arn := p.conf().lambdaARN(name)
	if arn == "" {
		return nil, nil
	}
	l := p.svc.lambda(arn)
	if l == nil {
		return nil, apiErr(codeUnexpectedLambda, name+errNoMappedLocal)
	}
	return l, nil
}

// runLambda invokes the pool's trigger name with ev, a pointer to its
// event, as Cognito does; ran is false when the pool has no such trigger.
// The function's error refuses the operation with
// UserLambdaValidationException "<name> failed with error <message>.";
// running past the 5-second limit, an event the function does not
// answer or an endpoint that does not answer, with
// UnexpectedLambdaException; an answer that is not the event, with
// InvalidLambdaResponseException "Unrecognizable lambda output".
func (p *Pool) runLambda(ctx context.Context, name string, ev any) (ran bool, err error) {
	l, err := p.lambda(name)
	if err != nil || l == nil {
		return false, err
	}
	return true, callLambda(ctx, name, l, ev)
}

// callLambda calls l with Cognito's limit, a panic failing the call as
// Lambda turns a crash into a failed invocation.
func callLambda(ctx context.Context, name string, l Lambda, ev any) error {
	if triggerLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, triggerLimit)
		defer cancel()
	}
	err := l.invoke(ctx, ev)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errPanicked):
		return apiErr(codeUserLambdaValidate, name+" failed with error trigger panicked.")
	case errors.Is(err, errOtherTrigger):
		return apiErr(codeUnexpectedLambda, fmt.Sprintf("%s invocation failed: the local trigger mapped to the pool's Lambda ARN answers another trigger.", name))
	case errors.Is(err, context.DeadlineExceeded):
		return apiErr(codeUnexpectedLambda, name+" invocation failed due to error Socket timeout while invoking Lambda function.")
	case errors.Is(err, errUnrecognizable):
		return apiErr(codeInvalidLambdaResp, "Unrecognizable lambda output")
	case errors.Is(err, errUnreachable):
		return apiErr(codeUnexpectedLambda, name+" invocation failed: the local trigger's endpoint did not answer.")
	}
	return apiErr(codeUserLambdaValidate, name+" failed with error "+err.Error()+".")
}

// eventHeader is the part every trigger's event shares: version "1" but
// for pre token generation's V2_0 and V3_0, the trigger source, the
// pool's region and ID, the SDK and app client of the caller, the user.
// Operations no app client makes (AdminCreateUser) name the client
// CLIENT_ID_NOT_APPLICABLE.
func (p *Pool) eventHeader(source, clientID, username string) events.CognitoEventUserPoolsHeader {
	if clientID == "" {
		clientID = adminCallerID
	}
	return events.CognitoEventUserPoolsHeader{
		Version: commonEventVersion, TriggerSource: source, Region: p.region(), UserPoolID: p.poolID, UserName: username,
		CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: awsSdkVersion, ClientID: clientID},
	}
}

// isNilTrigger reports whether l holds a nil function or *HTTPFunction,
// which an interface does not tell from a function.
func isNilTrigger(l Lambda) bool {
	switch f := l.(type) {
	case Trigger:
		return f == nil
	case PreSignUpTrigger:
		return f == nil
	case PostConfirmationTrigger:
		return f == nil
	case PreAuthenticationTrigger:
		return f == nil
	case PostAuthenticationTrigger:
		return f == nil
	case DefineAuthChallengeTrigger:
		return f == nil
	case CreateAuthChallengeTrigger:
		return f == nil
	case VerifyAuthChallengeResponseTrigger:
		return f == nil
	case UserMigrationTrigger:
		return f == nil
	case CustomMessageTrigger:
		return f == nil
	case *HTTPFunction:
		return f == nil
	}
	return false
}

// isLambdaFailure reports whether an exception name is one a trigger's
// failure answers.
func isLambdaFailure(code string) bool {
	return code == codeUserLambdaValidate || code == codeUnexpectedLambda || code == codeInvalidLambdaResp
}
