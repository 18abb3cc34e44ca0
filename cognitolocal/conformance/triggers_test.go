package conformance

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Lambda triggers, driven by the AWS CLI against a dev-issuer whose
// --lambda flag maps the function's ARN to a trigger served over HTTP
// (here, by the test). Developer guide, "Pre sign-up Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html):
// the function runs on SignUp with trigger source PreSignUp_SignUp; its
// response autoConfirmUser confirms the user and autoVerifyEmail verifies
// the email address; an error it returns refuses the sign-up. API_SignUp:
// UserConfirmed tells whether the user was confirmed, and a function's
// refusal is UserLambdaValidationException (Errors); the message
// "PreSignUp failed with error <message>." is the form Cognito answers
// (the guide is silent on it). "Post confirmation Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-post-confirmation.html):
// the function runs on AdminConfirmSignUp with trigger source
// PostConfirmation_ConfirmSignUp and the user's attributes; one function
// may serve both triggers, telling them apart by triggerSource.

// signUpFunction is one Lambda function serving both triggers, as the
// test's stand-in. On pre sign-up it refuses addresses of
// blocked.example with an error, the way Lambda reports a function that
// throws, leaves those of later.example for an administrator to
// confirm, and confirms and verifies every other user. On post
// confirmation it records the user, and fails for addresses of
// flaky.example.
type signUpFunction struct {
	mu        sync.Mutex
	confirmed []string
}

func (f *signUpFunction) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, `{"errorMessage":"not an event"}`, http.StatusBadRequest)
		return
	}
	req, _ := ev["request"].(map[string]any)
	attrs, _ := req["userAttributes"].(map[string]any)
	email, _ := attrs["email"].(string)
	fail := func(message string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"errorType": "Error", "errorMessage": message})
	}
	switch ev["triggerSource"] {
	case "PreSignUp_SignUp":
		if strings.HasSuffix(email, "@blocked.example") {
			fail("Sign-ups from this domain are closed.")
			return
		}
		confirm := !strings.HasSuffix(email, "@later.example") && !strings.HasSuffix(email, "@flaky.example")
		ev["response"] = map[string]any{"autoConfirmUser": confirm, "autoVerifyEmail": confirm && email != ""}
	case "PostConfirmation_ConfirmSignUp":
		if strings.HasSuffix(email, "@flaky.example") {
			fail("The profile store is down.")
			return
		}
		f.mu.Lock()
		f.confirmed = append(f.confirmed, ev["userName"].(string)+" "+email+" "+attrs["cognito:user_status"].(string))
		f.mu.Unlock()
	default:
		fail("unexpected trigger")
		return
	}
	_ = json.NewEncoder(w).Encode(ev)
}

func TestAWSCLISignUpTriggers(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up"
	function := &signUpFunction{}
	fn := httptest.NewServer(function)
	t.Cleanup(fn.Close)
	iss := startIssuer(t, "--lambda", arn+"="+fn.URL)

	pool := iss.awsOK(t, "create-user-pool", "--pool-name", "triggers", "--lambda-config", "PreSignUp="+arn+",PostConfirmation="+arn)
	poolID, _ := path(t, pool, "UserPool", "Id").(string)
	if got := path(t, pool, "UserPool", "LambdaConfig", "PreSignUp"); got != arn {
		t.Fatalf("LambdaConfig.PreSignUp %v, want %s", got, arn)
	}
	client := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	clientID, _ := path(t, client, "UserPoolClient", "ClientId").(string)

	runCase(t, "aws", "pre_sign_up_auto_confirms", "", func(t *testing.T) {
		out := iss.awsOK(t, "sign-up", "--client-id", clientID, "--username", "una", "--password", "Sign-Up-Pass-1",
			"--user-attributes", "Name=email,Value=una@example.com")
		if out["UserConfirmed"] != true {
			t.Fatalf("UserConfirmed %v, want true", out["UserConfirmed"])
		}
		if out["CodeDeliveryDetails"] != nil {
			t.Fatalf("a code was sent to a user the trigger confirmed: %v", out["CodeDeliveryDetails"])
		}
		user := iss.awsOK(t, "admin-get-user", "--user-pool-id", poolID, "--username", "una")
		if user["UserStatus"] != "CONFIRMED" {
			t.Fatalf("UserStatus %v, want CONFIRMED", user["UserStatus"])
		}
		verified := false
		for _, a := range user["UserAttributes"].([]any) {
			a := a.(map[string]any)
			verified = verified || (a["Name"] == "email_verified" && a["Value"] == "true")
		}
		if !verified {
			t.Fatalf("email not verified: %v", user["UserAttributes"])
		}
		signedIn := iss.awsOK(t, "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=una,PASSWORD=Sign-Up-Pass-1")
		if path(t, signedIn, "AuthenticationResult", "AccessToken") == nil {
			t.Fatalf("no tokens for the confirmed user: %v", signedIn)
		}
	})

	runCase(t, "aws", "pre_sign_up_refuses", "", func(t *testing.T) {
		msg := iss.awsRefused(t, "UserLambdaValidationException", "sign-up", "--client-id", clientID, "--username", "vic",
			"--password", "Sign-Up-Pass-1", "--user-attributes", "Name=email,Value=vic@blocked.example")
		if want := "PreSignUp failed with error Sign-ups from this domain are closed.."; msg != want {
			t.Fatalf("message %q, want %q", msg, want)
		}
		iss.awsRefused(t, "UserNotFoundException", "admin-get-user", "--user-pool-id", poolID, "--username", "vic")
	})

	runCase(t, "aws", "post_confirmation_runs", "", func(t *testing.T) {
		out := iss.awsOK(t, "sign-up", "--client-id", clientID, "--username", "wes", "--password", "Sign-Up-Pass-1",
			"--user-attributes", "Name=email,Value=wes@later.example")
		if out["UserConfirmed"] != false {
			t.Fatalf("UserConfirmed %v, want false", out["UserConfirmed"])
		}
		iss.awsOK(t, "admin-confirm-sign-up", "--user-pool-id", poolID, "--username", "wes")
		function.mu.Lock()
		confirmed := append([]string{}, function.confirmed...)
		function.mu.Unlock()
		if len(confirmed) != 1 || confirmed[0] != "wes wes@later.example CONFIRMED" {
			t.Fatalf("post confirmation saw %q, want one event for wes, confirmed", confirmed)
		}
	})

	runCase(t, "aws", "post_confirmation_error_keeps_user_confirmed", "", func(t *testing.T) {
		iss.awsOK(t, "sign-up", "--client-id", clientID, "--username", "xia", "--password", "Sign-Up-Pass-1",
			"--user-attributes", "Name=email,Value=xia@flaky.example")
		msg := iss.awsRefused(t, "UserLambdaValidationException", "admin-confirm-sign-up", "--user-pool-id", poolID, "--username", "xia")
		if want := "PostConfirmation failed with error The profile store is down.."; msg != want {
			t.Fatalf("message %q, want %q", msg, want)
		}
		if got := iss.awsOK(t, "admin-get-user", "--user-pool-id", poolID, "--username", "xia")["UserStatus"]; got != "CONFIRMED" {
			t.Fatalf("UserStatus %v, want CONFIRMED: the confirmation stands", got)
		}
	})
}
