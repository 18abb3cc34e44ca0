package conformance

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// The user migration trigger, driven by the AWS CLI against a dev-issuer
// whose --lambda flag maps the function's ARN to a trigger served by the
// test. Developer guide, "Migrate user Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html):
// "When a user doesn't exist in the user pool at sign-in with a password,
// or in the forgot-password flow, Amazon Cognito invokes this trigger.
// After the Lambda function returns successfully, Amazon Cognito creates
// the user in the user pool"; the sign-in event carries the password and
// InitiateAuth's ClientMetadata as validationData, the forgot-password
// event no password; finalUserStatus CONFIRMED lets the user "sign-in with
// their previous passwords"; for a forgotten password "Amazon Cognito
// sends the user a reset password code" ("Importing users with a user
// migration Lambda trigger"). What a refusing function answers is not
// documented: the pool answers as for a name no user has, here through
// an API-made client (PreventUserExistenceErrors LEGACY by default),
// UserNotFoundException.

// migrationFunction stands in for a function over the old directory: at
// sign-in it knows lee with the password old-pass, for a forgotten
// password it knows mae; it refuses everyone else as the guide's example
// does ("Bad password").
type migrationFunction struct {
	mu     sync.Mutex
	events []map[string]any
}

func (f *migrationFunction) seen() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any{}, f.events...)
}

func (f *migrationFunction) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, `{"errorMessage":"not an event"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.events = append(f.events, ev)
	f.mu.Unlock()
	req, _ := ev["request"].(map[string]any)
	name, _ := ev["userName"].(string)
	known := false
	switch ev["triggerSource"] {
	case "UserMigration_Authentication":
		known = name == "lee" && req["password"] == "old-pass"
	case "UserMigration_ForgotPassword":
		known = name == "mae"
	}
	if !known {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"errorType": "Error", "errorMessage": "Bad password"})
		return
	}
	response := map[string]any{
		"userAttributes": map[string]string{"email": name + "@example.com", "email_verified": "true"},
		"messageAction":  "SUPPRESS",
	}
	if ev["triggerSource"] == "UserMigration_Authentication" {
		response["finalUserStatus"] = "CONFIRMED"
	}
	ev["response"] = response
	_ = json.NewEncoder(w).Encode(ev)
}

func TestAWSCLIUserMigration(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:migrate"
	function := &migrationFunction{}
	fn := httptest.NewServer(function)
	t.Cleanup(fn.Close)
	iss := startIssuer(t, "--lambda", arn+"="+fn.URL)
	pool := iss.awsOK(t, "create-user-pool", "--pool-name", "migration", "--lambda-config", "UserMigration="+arn)
	poolID, _ := path(t, pool, "UserPool", "Id").(string)
	client := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	clientID, _ := path(t, client, "UserPoolClient", "ClientId").(string)

	runCase(t, "aws", "user_migration_on_sign_in", "", func(t *testing.T) {
		signedIn := iss.awsOK(t, "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=lee,PASSWORD=old-pass", "--client-metadata", "app=shop")
		if path(t, signedIn, "AuthenticationResult", "AccessToken") == nil {
			t.Fatalf("no tokens for the migrated user: %v", signedIn)
		}
		evs := function.seen()
		if len(evs) != 1 {
			t.Fatalf("the function ran %d times, want once", len(evs))
		}
		req, _ := evs[0]["request"].(map[string]any)
		validation, _ := req["validationData"].(map[string]any)
		if evs[0]["triggerSource"] != "UserMigration_Authentication" || evs[0]["userName"] != "lee" || req["password"] != "old-pass" || validation["app"] != "shop" {
			t.Fatalf("event %v: want UserMigration_Authentication for lee with the password and validationData app=shop", evs[0])
		}
		user := iss.awsOK(t, "admin-get-user", "--user-pool-id", poolID, "--username", "lee")
		if user["UserStatus"] != "CONFIRMED" {
			t.Fatalf("UserStatus %v, want CONFIRMED", user["UserStatus"])
		}
		// The user now exists: the next sign-in does not ask the function.
		iss.awsOK(t, "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=lee,PASSWORD=old-pass")
		if n := len(function.seen()); n != 1 {
			t.Fatalf("the function ran %d times, want once", n)
		}
	})

	runCase(t, "aws", "user_migration_refused", "", func(t *testing.T) {
		iss.awsRefused(t, "UserNotFoundException", "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=kim,PASSWORD=old-pass")
		iss.awsRefused(t, "UserNotFoundException", "admin-get-user", "--user-pool-id", poolID, "--username", "kim")
	})

	runCase(t, "aws", "user_migration_on_forgot_password", "", func(t *testing.T) {
		out := iss.awsOK(t, "forgot-password", "--client-id", clientID, "--username", "mae", "--client-metadata", "via=app")
		if got := path(t, out, "CodeDeliveryDetails", "DeliveryMedium"); got != "EMAIL" {
			t.Fatalf("DeliveryMedium %v, want EMAIL: %v", got, out)
		}
		evs := function.seen()
		last := evs[len(evs)-1]
		req, _ := last["request"].(map[string]any)
		metadata, _ := req["clientMetadata"].(map[string]any)
		if last["triggerSource"] != "UserMigration_ForgotPassword" || req["password"] != nil && req["password"] != "" || metadata["via"] != "app" {
			t.Fatalf("event %v: want UserMigration_ForgotPassword without a password, clientMetadata via=app", last)
		}
		code := lastOutboxCode(t, iss, poolID, "mae", "ForgotPassword")
		iss.awsOK(t, "confirm-forgot-password", "--client-id", clientID, "--username", "mae",
			"--confirmation-code", code, "--password", "New-Pass-Word-1")
		signedIn := iss.awsOK(t, "initiate-auth", "--client-id", clientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=mae,PASSWORD=New-Pass-Word-1")
		if path(t, signedIn, "AuthenticationResult", "AccessToken") == nil {
			t.Fatalf("no tokens after the reset: %v", signedIn)
		}
	})
}

// lastOutboxCode reads the code of the newest message of kind sent to
// username in pool, from the dev-issuer's outbox.
func lastOutboxCode(t *testing.T, iss *issuer, poolID, username, kind string) string {
	t.Helper()
	q := url.Values{"pool": {poolID}, "username": {username}, "kind": {kind}}
	resp, err := iss.httpClient(t).Get(iss.Endpoint + "/local/outbox?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || msgs[len(msgs)-1].Code == "" {
		t.Fatalf("no %s code for %s in the outbox", kind, username)
	}
	return msgs[len(msgs)-1].Code
}
