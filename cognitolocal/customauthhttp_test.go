package cognitolocal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// quizFunction is one Lambda function serving the three challenge
// triggers over HTTP, as a Node.js function would: it reads the event as
// JSON and answers it, response filled in, and records the requests.
type quizFunction struct {
	mu       sync.Mutex
	requests map[string][]map[string]any
}

func (f *quizFunction) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := ev["request"].(map[string]any)
	f.mu.Lock()
	if f.requests == nil {
		f.requests = map[string][]map[string]any{}
	}
	source, _ := ev["triggerSource"].(string)
	f.requests[source] = append(f.requests[source], req)
	f.mu.Unlock()
	switch source {
	case sourceDefineAuth:
		session, _ := req["session"].([]any)
		if n := len(session); n > 0 && session[n-1].(map[string]any)["challengeResult"] == true {
			ev["response"] = map[string]any{"issueTokens": true, "failAuthentication": false}
		} else {
			ev["response"] = map[string]any{"issueTokens": false, "failAuthentication": false, "challengeName": challengeCustom}
		}
	case sourceCreateAuth:
		ev["response"] = map[string]any{"publicChallengeParameters": map[string]string{"hint": "the answer"},
			"privateChallengeParameters": map[string]string{"answer": "42"}, "challengeMetadata": "HTTP-QUIZ"}
	case sourceVerifyAuth:
		private := req["privateChallengeParameters"].(map[string]any)
		ev["response"] = map[string]any{"answerCorrect": req["challengeAnswer"] == private["answer"]}
	}
	_ = json.NewEncoder(w).Encode(ev)
}

func (f *quizFunction) seen(source string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any{}, f.requests[source]...)
}

// LambdaConfig's DefineAuthChallenge, CreateAuthChallenge and
// VerifyAuthChallengeResponse name one function by ARN, served over HTTP
// (dev-issuer --lambda ARN=URL): the events go out in the guide's JSON
// shapes (session an array, empty at first; clientMetadata an object;
// challengeAnswer the ANSWER string; userNotFound in each request, which
// aws-lambda-go's create and verify events lack).
func TestCustomAuthLambdaConfigOverHTTP(t *testing.T) {
	t.Parallel()
	fn := &quizFunction{}
	srv := httptest.NewServer(fn)
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:quiz"
	root := newPool(t, Config{})
	p, _ := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{
		"DefineAuthChallenge": arn, "CreateAuthChallenge": arn, "VerifyAuthChallengeResponse": arn}})
	p.Service().SetLambda(arn, NewHTTPFunction(srv.URL))
	_, err := p.CreateAppClient(AppClient{ClientID: hidingClient, ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}, PreventUserExistenceErrors: existenceEnabled})
	require.NoError(t, err)
	_, err = p.CreateUser("quinn", testPassword, map[string]string{"email": "quinn@example.com"})
	require.NoError(t, err)

	out := startCustom(t, p, hidingClient, "quinn")
	require.Equal(t, map[string]any{"hint": "the answer", "USERNAME": "quinn"}, out["ChallengeParameters"])
	status, done := call(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], "quinn", "42"))
	require.Equal(t, http.StatusOK, status, done)
	require.NotNil(t, done["AuthenticationResult"])

	define := fn.seen(sourceDefineAuth)
	require.Len(t, define, 2)
	require.Equal(t, []any{}, define[0]["session"])
	require.Equal(t, map[string]any{}, define[0]["clientMetadata"])
	require.Equal(t, false, define[0]["userNotFound"])
	require.Equal(t, "quinn@example.com", define[0]["userAttributes"].(map[string]any)["email"])
	require.Equal(t, []any{map[string]any{"challengeName": challengeCustom, "challengeResult": true, "challengeMetadata": "HTTP-QUIZ"}}, define[1]["session"])
	create := fn.seen(sourceCreateAuth)
	require.Equal(t, challengeCustom, create[0]["challengeName"])
	require.Equal(t, false, create[0]["userNotFound"])
	verify := fn.seen(sourceVerifyAuth)
	require.Equal(t, "42", verify[0]["challengeAnswer"])
	require.Equal(t, false, verify[0]["userNotFound"])

	out = startCustom(t, p, hidingClient, "nobody")
	requireAPIError(t, p, "RespondToAuthChallenge", customAnswer(hidingClient, out["Session"], "nobody", "42"), codeNotAuthorized, "Incorrect username or password.")
	require.Equal(t, true, fn.seen(sourceDefineAuth)[2]["userNotFound"])
	require.Equal(t, true, fn.seen(sourceCreateAuth)[1]["userNotFound"])
	require.Equal(t, true, fn.seen(sourceVerifyAuth)[1]["userNotFound"])
}
