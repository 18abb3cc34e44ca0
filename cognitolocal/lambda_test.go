package cognitolocal

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// The invocation every trigger shares (lambda.go): the developer guide's
// "Customizing user pool workflows with Lambda triggers" for the common
// event fields and the 5-second limit; the exception names are
// botocore's (UserLambdaValidationException, UnexpectedLambdaException).
// The guide is silent on the timeout's message: "<trigger> invocation
// failed due to error Socket timeout while invoking Lambda function." is
// the one Cognito answers, as quoted in
// furaiev/amazon-cognito-identity-dart-2 issue 204.

// A Go trigger answers only its own event.
func TestInvokeAsRefusesAnotherTriggersEvent(t *testing.T) {
	ran := false
	pre := PreSignUpTrigger(func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		ran = true
		ev.Response.AutoConfirmUser = true
		return ev, nil
	})
	var other events.CognitoEventUserPoolsPostConfirmation
	require.ErrorIs(t, pre.invoke(context.Background(), &other), errOtherTrigger)
	require.False(t, ran)
	var own events.CognitoEventUserPoolsPreSignup
	require.NoError(t, pre.invoke(context.Background(), &own))
	require.True(t, own.Response.AutoConfirmUser, "the answer is written back")
}

// callLambda's answers: the function's error, a panic, the limit, an
// event of another trigger.
func TestCallLambdaFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		f          PostConfirmationTrigger
		code, want string
	}{
		"error": {func(context.Context, confirmEvent) (confirmEvent, error) { return confirmEvent{}, errors.New("no") },
			codeUserLambdaValidate, "PostConfirmation failed with error no."},
		"panic": {func(context.Context, confirmEvent) (confirmEvent, error) { panic("boom") },
			codeUserLambdaValidate, "PostConfirmation failed with error trigger panicked."},
		"timeout": {func(ctx context.Context, ev confirmEvent) (confirmEvent, error) { <-ctx.Done(); return ev, ctx.Err() },
			codeUnexpectedLambda, "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function."},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if name == "timeout" {
				// An expired deadline stands in for the 5 seconds.
				ctx, cancel = context.WithTimeout(context.Background(), 0)
			}
			defer cancel()
			err := callLambda(ctx, lambdaPostConfirm, tc.f, &confirmEvent{})
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, tc.want, e.Message)
		})
	}
	err := callLambda(context.Background(), lambdaPreAuth, Trigger((&recorder{}).trigger), &preAuthEvent{})
	require.ErrorContains(t, err, "answers another trigger")
}

// A Go trigger that ignores its context is still held to the limit: the
// call answers the timeout and the function, once it returns, changes
// nothing.
func TestCallLambdaTimesOutAFunctionIgnoringItsContext(t *testing.T) {
	release, returned := make(chan struct{}), make(chan struct{})
	f := PreSignUpTrigger(func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		defer close(returned)
		<-release
		ev.Response.AutoConfirmUser = true
		return ev, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	var ev events.CognitoEventUserPoolsPreSignup
	err := callLambda(ctx, lambdaPreSignUp, f, &ev)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, codeUnexpectedLambda, e.Code)
	close(release)
	<-returned
	require.False(t, ev.Response.AutoConfirmUser, "a late answer is not read")
}

// A typed nil, like nil, removes a mapping: it would not be a function
// to call.
func TestSetLambdaNilRemoves(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:f"
	p := newPool(t, Config{})
	svc := p.Service()
	for _, none := range []Lambda{nil, Trigger(nil), PreSignUpTrigger(nil), PostConfirmationTrigger(nil),
		PreAuthenticationTrigger(nil), PostAuthenticationTrigger(nil), (*HTTPFunction)(nil)} {
		svc.SetLambda(arn, NewHTTPFunction("http://127.0.0.1:1/"))
		require.NotNil(t, svc.lambda(arn))
		svc.SetLambda(arn, none)
		require.Nil(t, svc.lambda(arn))
	}
}

// Config's Go triggers are the pool's, by LambdaConfig member name, and
// only those set.
func TestGoTriggersOnlyThoseSet(t *testing.T) {
	require.Empty(t, goTriggers(Config{}))
	got := goTriggers(Config{PreSignUp: (&signUpRecorder{}).trigger, PostAuthentication: (&recorderOf[postAuthEvent]{}).trigger})
	require.Len(t, got, 2)
	require.NotNil(t, got[lambdaPreSignUp])
	require.NotNil(t, got[lambdaPostAuth])
}

// The common part of every event; a pool ID not of AWS's form names the
// region "local".
func TestEventHeader(t *testing.T) {
	p := newPool(t, Config{})
	h := p.eventHeader(sourcePreAuth, "", "alice")
	require.Equal(t, events.CognitoEventUserPoolsHeader{
		Version: "1", TriggerSource: sourcePreAuth, Region: "local", UserPoolID: "local_Dev", UserName: "alice",
		CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: awsSdkVersion, ClientID: "CLIENT_ID_NOT_APPLICABLE"},
	}, h)
	require.Equal(t, DefaultClientID, p.eventHeader(sourcePreAuth, DefaultClientID, "alice").CallerContext.ClientID)
}
