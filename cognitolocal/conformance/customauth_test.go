package conformance

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// The custom authentication flow, driven by the AWS CLI (initiate-auth
// --auth-flow CUSTOM_AUTH, respond-to-auth-challenge --challenge-name
// CUSTOM_CHALLENGE) against a dev-issuer whose --lambda flag maps the
// three challenge triggers' ARN to a function the test serves over HTTP.
// Developer guide, "Custom authentication challenge Lambda triggers"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-challenge.html)
// and the pages of the define, create and verify triggers: the define
// trigger reads request.session and answers issueTokens,
// failAuthentication or challengeName; the create trigger's
// publicChallengeParameters reach the client, its
// privateChallengeParameters the verify trigger, which compares them
// with request.challengeAnswer and answers answerCorrect. API reference,
// InitiateAuth: a challenge answer carries ChallengeName, Session and
// ChallengeParameters.

// quizFunction serves the three challenge triggers: a challenge until
// one is answered right, at most three tries; the answer is "blue". A
// sign-in that starts with SRP_A checks the password first
// (PASSWORD_VERIFIER), as the define trigger's example in the guide does.
type quizFunction struct {
	mu      sync.Mutex
	answers []any // the challengeAnswer of each verify event
}

func (f *quizFunction) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, `{"errorMessage":"not an event"}`, http.StatusBadRequest)
		return
	}
	req, _ := ev["request"].(map[string]any)
	switch ev["triggerSource"] {
	case "DefineAuthChallenge_Authentication":
		session, _ := req["session"].([]any)
		last := map[string]any{}
		if len(session) > 0 {
			last, _ = session[len(session)-1].(map[string]any)
		}
		custom := 0
		for _, s := range session {
			if s.(map[string]any)["challengeName"] == "CUSTOM_CHALLENGE" {
				custom++
			}
		}
		switch {
		case last["challengeName"] == "SRP_A" && len(session) == 1:
			ev["response"] = map[string]any{"issueTokens": false, "failAuthentication": false, "challengeName": "PASSWORD_VERIFIER"}
		case last["challengeName"] == "PASSWORD_VERIFIER" && last["challengeResult"] != true:
			ev["response"] = map[string]any{"issueTokens": false, "failAuthentication": true}
		case last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true && last["challengeMetadata"] == "COLOUR":
			ev["response"] = map[string]any{"issueTokens": true, "failAuthentication": false}
		case custom >= 3:
			ev["response"] = map[string]any{"issueTokens": false, "failAuthentication": true}
		default:
			ev["response"] = map[string]any{"issueTokens": false, "failAuthentication": false, "challengeName": "CUSTOM_CHALLENGE"}
		}
	case "CreateAuthChallenge_Authentication":
		ev["response"] = map[string]any{
			"publicChallengeParameters":  map[string]string{"question": "What colour is the sky?"},
			"privateChallengeParameters": map[string]string{"answer": "blue"},
			"challengeMetadata":          "COLOUR",
		}
	case "VerifyAuthChallengeResponse_Authentication":
		private, _ := req["privateChallengeParameters"].(map[string]any)
		f.mu.Lock()
		f.answers = append(f.answers, req["challengeAnswer"])
		f.mu.Unlock()
		ev["response"] = map[string]any{"answerCorrect": private["answer"] != nil && req["challengeAnswer"] == private["answer"]}
	default:
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": "unexpected trigger"})
		return
	}
	_ = json.NewEncoder(w).Encode(ev)
}

// quizARN names quizFunction in the pools' LambdaConfig (the identity-js
// case's script names it too).
const quizARN = "arn:aws:lambda:us-east-1:000000000000:function:quiz"

func TestAWSCLICustomAuth(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	const arn = quizARN
	function := &quizFunction{}
	fn := httptest.NewServer(function)
	t.Cleanup(fn.Close)
	iss := startIssuer(t, "--lambda", arn+"="+fn.URL)

	pool := iss.awsOK(t, "create-user-pool", "--pool-name", "custom", "--lambda-config",
		"DefineAuthChallenge="+arn+",CreateAuthChallenge="+arn+",VerifyAuthChallengeResponse="+arn)
	poolID, _ := path(t, pool, "UserPool", "Id").(string)
	client := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	clientID, _ := path(t, client, "UserPoolClient", "ClientId").(string)
	for _, name := range []string{"cara", "dov"} {
		iss.awsOK(t, "admin-create-user", "--user-pool-id", poolID, "--username", name, "--message-action", "SUPPRESS")
		iss.awsOK(t, "admin-set-user-password", "--user-pool-id", poolID, "--username", name, "--password", "Custom-Pass-1", "--permanent")
	}
	initiate := func(t *testing.T, name string) map[string]any {
		t.Helper()
		out := iss.awsOK(t, "initiate-auth", "--client-id", clientID, "--auth-flow", "CUSTOM_AUTH", "--auth-parameters", "USERNAME="+name)
		if out["ChallengeName"] != "CUSTOM_CHALLENGE" || out["Session"] == nil {
			t.Fatalf("initiate-auth answered %v, want CUSTOM_CHALLENGE with a Session", out)
		}
		if got := path(t, out, "ChallengeParameters", "question"); got != "What colour is the sky?" {
			t.Fatalf("ChallengeParameters.question %v", got)
		}
		if got := path(t, out, "ChallengeParameters", "answer"); got != nil {
			t.Fatalf("the private challenge parameters reached the client: %v", out["ChallengeParameters"])
		}
		return out
	}
	answer := func(name string, out map[string]any, answer string) []string {
		return []string{"respond-to-auth-challenge", "--client-id", clientID, "--challenge-name", "CUSTOM_CHALLENGE",
			"--session", out["Session"].(string), "--challenge-responses", "USERNAME=" + name + ",ANSWER=" + answer}
	}

	runCase(t, "aws", "custom_auth_wrong_then_right", "", func(t *testing.T) {
		out := initiate(t, "cara")
		again := iss.awsOK(t, answer("cara", out, "green")...)
		if again["ChallengeName"] != "CUSTOM_CHALLENGE" || again["Session"] == out["Session"] {
			t.Fatalf("a wrong answer got %v, want another CUSTOM_CHALLENGE with a new Session", again)
		}
		done := iss.awsOK(t, answer("cara", again, "blue")...)
		if path(t, done, "AuthenticationResult", "AccessToken") == nil || path(t, done, "AuthenticationResult", "RefreshToken") == nil {
			t.Fatalf("no tokens: %v", done)
		}
		msg := iss.awsRefused(t, "NotAuthorizedException", answer("cara", again, "blue")...)
		if want := "Invalid session for the user, session can only be used once."; msg != want {
			t.Fatalf("a replayed session: %q, want %q", msg, want)
		}
		function.mu.Lock()
		defer function.mu.Unlock()
		if len(function.answers) < 2 || function.answers[0] != "green" || function.answers[1] != "blue" {
			t.Fatalf("the verify trigger saw %v, want green then blue", function.answers)
		}
	})

	runCase(t, "aws", "custom_auth_fails_after_three_wrong_answers", "", func(t *testing.T) {
		out := initiate(t, "dov")
		for range 2 {
			out = iss.awsOK(t, answer("dov", out, "red")...)
		}
		msg := iss.awsRefused(t, "NotAuthorizedException", answer("dov", out, "red")...)
		if want := "Incorrect username or password."; msg != want {
			t.Fatalf("message %q, want %q", msg, want)
		}
	})

	runCase(t, "aws", "custom_auth_refusals", "", func(t *testing.T) {
		iss.awsRefused(t, "UserNotFoundException", "initiate-auth", "--client-id", clientID, "--auth-flow", "CUSTOM_AUTH",
			"--auth-parameters", "USERNAME=nobody")
		plain := iss.awsOK(t, "create-user-pool", "--pool-name", "plain")
		plainID, _ := path(t, plain, "UserPool", "Id").(string)
		pc := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", plainID, "--client-name", "app")
		pcID, _ := path(t, pc, "UserPoolClient", "ClientId").(string)
		msg := iss.awsRefused(t, "InvalidParameterException", "initiate-auth", "--client-id", pcID, "--auth-flow", "CUSTOM_AUTH",
			"--auth-parameters", "USERNAME=cara")
		if want := "Custom auth lambda trigger is not configured for the user pool."; msg != want {
			t.Fatalf("message %q, want %q", msg, want)
		}
	})
}
