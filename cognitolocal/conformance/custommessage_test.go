package conformance

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The custom message trigger, driven by the AWS CLI against a
// dev-issuer whose --lambda flag maps the function's ARN to a trigger
// served by the test. Developer guide, "Custom message Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html):
// the function receives CustomMessage_SignUp with codeParameter, answers
// emailMessage and emailSubject, and "Amazon Cognito replaces the
// codeParameter string with the actual verification code". A message
// without the codeParameter ("Must include the codeParameter value")
// answers InvalidLambdaResponseException in the local pool; the guide
// does not name the error.

// messageFunction answers every custom message with a branded email,
// but leaves the code out for users whose address is at nocode.example.
func messageFunction(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev["triggerSource"] != "CustomMessage_SignUp" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"errorType": "Error", "errorMessage": "unexpected event"})
		return
	}
	req, _ := ev["request"].(map[string]any)
	attrs, _ := req["userAttributes"].(map[string]any)
	code, _ := req["codeParameter"].(string)
	email, _ := attrs["email"].(string)
	if strings.HasSuffix(email, "@nocode.example") {
		code = "(no code)"
	}
	ev["response"] = map[string]any{"emailSubject": "Welcome", "emailMessage": "Hello " + ev["userName"].(string) + ", your code is " + code}
	_ = json.NewEncoder(w).Encode(ev)
}

func TestAWSCLICustomMessage(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:messages"
	fn := httptest.NewServer(http.HandlerFunc(messageFunction))
	t.Cleanup(fn.Close)
	iss := startIssuer(t, "--lambda", arn+"="+fn.URL)
	pool := iss.awsOK(t, "create-user-pool", "--pool-name", "messages", "--auto-verified-attributes", "email",
		"--lambda-config", "CustomMessage="+arn)
	poolID, _ := path(t, pool, "UserPool", "Id").(string)
	client := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app")
	clientID, _ := path(t, client, "UserPoolClient", "ClientId").(string)

	runCase(t, "aws", "custom_message_sign_up", "", func(t *testing.T) {
		iss.awsOK(t, "sign-up", "--client-id", clientID, "--username", "uma", "--password", "Sign-Up-Pass-1",
			"--user-attributes", "Name=email,Value=uma@example.com")
		q := url.Values{"pool": {poolID}, "username": {"uma"}, "kind": {"SignUp"}}
		resp, err := iss.httpClient(t).Get(iss.Endpoint + "/local/outbox?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var msgs []struct{ Code, Message, Subject string }
		if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil || len(msgs) != 1 {
			t.Fatalf("outbox %v (%v), want one sign-up message", msgs, err)
		}
		m := msgs[0]
		if want := "Hello uma, your code is " + m.Code; m.Message != want || m.Subject != "Welcome" || m.Code == "" {
			t.Fatalf("message %q subject %q, want %q and Welcome", m.Message, m.Subject, want)
		}
		iss.awsOK(t, "confirm-sign-up", "--client-id", clientID, "--username", "uma", "--confirmation-code", m.Code)
	})

	runCase(t, "aws", "custom_message_without_code", "", func(t *testing.T) {
		iss.awsRefused(t, "InvalidLambdaResponseException", "sign-up", "--client-id", clientID, "--username", "vin",
			"--password", "Sign-Up-Pass-1", "--user-attributes", "Name=email,Value=vin@nocode.example")
		if got := iss.awsOK(t, "admin-get-user", "--user-pool-id", poolID, "--username", "vin")["UserStatus"]; got != "UNCONFIRMED" {
			t.Fatalf("UserStatus %v, want UNCONFIRMED: the sign-up stands", got)
		}
	})
}
