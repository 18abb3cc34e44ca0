package cognitolocal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// HTTPFunction: a Lambda function served over HTTP. The JSON it posts
// and reads is the event as Lambda passes it to a function ("User pool
// Lambda trigger event" of "Customizing user pool workflows with Lambda
// triggers": "Amazon Cognito passes event information to your Lambda
// function which returns the same event object back to Amazon Cognito
// with any changes in the response"). How a failed function reports its
// error ({"errorMessage": …}) is Lambda's Invoke answer for a function
// error; the guide is silent on a trigger served over HTTP.

func TestHTTPTrigger(t *testing.T) {
	var got event
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, http.MethodPost, r.Method)
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		_ = department(&got)
		_ = json.NewEncoder(w).Encode(got)
	}))
	defer srv.Close()
	p := newPool(t, Config{PreTokenGeneration: HTTPTrigger(srv.URL)})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"custom:department": "ops"}))
	tok := signIn(t, p)
	require.Equal(t, "ops", payload(t, tok.AccessToken)["department"])
	require.Equal(t, sourceAuthentication, got.TriggerSource)
}

// A bad answer fails the exchange, in the V2_0 shape and the V1_0 one
// (version "1") alike.
func TestHTTPTriggerFailures(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"status":   func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusInternalServerError) },
		"not json": func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"too big": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"version":"` + strings.Repeat("x", maxTriggerResponse) + `"}`))
		},
	} {
		srv := httptest.NewServer(h)
		for _, version := range []string{"2", "1"} {
			_, err := HTTPTrigger(srv.URL)(context.Background(), event{CognitoEventUserPoolsHeader: events.CognitoEventUserPoolsHeader{Version: version}})
			require.Error(t, err, name+" "+version)
		}
		srv.Close()
	}
}

// A function's error, reported as Lambda reports one, gives its message;
// another non-2xx answer, its status. Neither echoes the answer's body.
func TestHTTPFunctionErrorMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"errorMessage":"Not on the list.","errorType":"Error"}`: "Not on the list.",
		`{"errorType":"Error"}`:                                   "trigger endpoint answered status 400",
		`secret-looking body`:                                     "trigger endpoint answered status 400",
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(body))
		}))
		_, err := NewHTTPFunction(srv.URL).PreSignUp(context.Background(), events.CognitoEventUserPoolsPreSignup{})
		srv.Close()
		require.EqualError(t, err, want)
	}
}

// Each trigger of an HTTPFunction posts its own event and reads the
// answer as a fresh event: what the endpoint leaves out is not merged
// from the request.
func TestHTTPFunctionAnswersEachTrigger(t *testing.T) {
	var mu sync.Mutex
	var sources []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		_ = json.NewDecoder(r.Body).Decode(&ev)
		source, _ := ev["triggerSource"].(string)
		mu.Lock()
		sources = append(sources, source)
		mu.Unlock()
		_, _ = w.Write([]byte(`{"triggerSource":"answered","response":{"autoConfirmUser":true}}`))
	}))
	defer srv.Close()
	f := NewHTTPFunction(srv.URL)
	ctx := context.Background()
	attrs := map[string]string{"email": "a@example.com"}
	su := events.CognitoEventUserPoolsPreSignup{}
	su.TriggerSource, su.Request.UserAttributes = sourceSignUp, attrs
	out, err := f.PreSignUp(ctx, su)
	require.NoError(t, err)
	require.True(t, out.Response.AutoConfirmUser)
	require.Nil(t, out.Request.UserAttributes, "the answer is read as it came")
	pc := events.CognitoEventUserPoolsPostConfirmation{}
	pc.TriggerSource = sourceConfirmSignUp
	_, err = f.PostConfirmation(ctx, pc)
	require.NoError(t, err)
	pa := events.CognitoEventUserPoolsPreAuthentication{}
	pa.TriggerSource = sourcePreAuth
	_, err = f.PreAuthentication(ctx, pa)
	require.NoError(t, err)
	po := events.CognitoEventUserPoolsPostAuthentication{}
	po.TriggerSource = sourcePostAuth
	_, err = f.PostAuthentication(ctx, po)
	require.NoError(t, err)
	cm := events.CognitoEventUserPoolsCustomMessage{}
	cm.TriggerSource = "CustomMessage_SignUp"
	require.NoError(t, f.invoke(ctx, &cm))
	mu.Lock()
	require.Equal(t, []string{sourceSignUp, sourceConfirmSignUp, sourcePreAuth, sourcePostAuth, "CustomMessage_SignUp"}, sources)
	mu.Unlock()
	// An event of no trigger it knows is refused, as a Go trigger of
	// another kind refuses one.
	require.ErrorIs(t, f.invoke(ctx, &events.CognitoEventUserPoolsPreTokenGen{}), errOtherTrigger)
}

// A function's error answered with status 200, as Lambda's Invoke API
// (with X-Amz-Function-Error) and the Lambda runtime interface emulator
// (without; aws/aws-lambda-runtime-interface-emulator issue 20) answer a
// function that throws, refuses as well: it is not an event to accept.
func TestHTTPFunctionErrorAnsweredWith200(t *testing.T) {
	for name, tc := range map[string]struct {
		header, body, want string
	}{
		"emulator":       {"", `{"errorType":"Error","errorMessage":"Not on the list.","trace":[]}`, "Not on the list."},
		"invoke":         {"Unhandled", `{"errorType":"Error","errorMessage":"Not on the list."}`, "Not on the list."},
		"no message":     {"", `{"errorType":"Error"}`, "the function failed"},
		"header only":    {"Unhandled", `"boom"`, "the function failed"},
		"message number": {"", `{"errorMessage":5}`, "the function failed"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("X-Amz-Function-Error", tc.header)
				}
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := NewHTTPFunction(srv.URL).PreAuthentication(context.Background(), events.CognitoEventUserPoolsPreAuthentication{})
			require.EqualError(t, err, tc.want)
		})
	}
}

// A URL that is not one, or where nothing answers, fails the call.
func TestHTTPFunctionBadURL(t *testing.T) {
	_, err := NewHTTPFunction("http://bad host/").PreSignUp(context.Background(), events.CognitoEventUserPoolsPreSignup{})
	require.ErrorContains(t, err, "trigger URL")
	require.ErrorIs(t, err, errUnreachable)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err = NewHTTPFunction(url).PreSignUp(context.Background(), events.CognitoEventUserPoolsPreSignup{})
	require.ErrorIs(t, err, errUnreachable)
}

// How a pool answers an HTTPFunction that fails: a 2xx answer that is
// not the event is Cognito's InvalidLambdaResponseException
// "Unrecognizable lambda output" (the guide is silent on the message;
// it is the one Cognito answers a function returning something other
// than the event), not a refusal by the function; an endpoint that does
// not answer fails the invocation, as a function Lambda cannot run does,
// with UnexpectedLambdaException. Neither echoes the answer or the URL.
func TestHTTPFunctionFailureExceptions(t *testing.T) {
	for name, body := range map[string]string{
		"not json": "<html>", "array": "[]", "string": `"event"`, "null": "null", "empty": "",
		"too big":     `{"version":"` + strings.Repeat("x", maxTriggerResponse) + `"}`,
		"wrong types": `{"response":{"autoConfirmUser":"yes"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
			defer srv.Close()
			err := callLambda(context.Background(), lambdaPreSignUp, NewHTTPFunction(srv.URL), &events.CognitoEventUserPoolsPreSignup{})
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, codeInvalidLambdaResp, e.Code)
			require.Equal(t, "Unrecognizable lambda output", e.Message)
		})
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := callLambda(context.Background(), lambdaPreSignUp, NewHTTPFunction(url), &events.CognitoEventUserPoolsPreSignup{})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, codeUnexpectedLambda, e.Code)
	require.Equal(t, "PreSignUp invocation failed: the local trigger's endpoint did not answer.", e.Message)
	require.NotContains(t, e.Message, url)
}
