package cognitolocal

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// One custom challenge answered many times at once: "Invalid session for
// the user, session can only be used once." for all answers but one,
// which alone reaches the verify trigger and signs the user in (the
// guide's "Each round's Session answers once").
func TestCustomAuthSessionAnsweredConcurrently(t *testing.T) {
	t.Parallel()
	p, rc := customPool(t, Config{})
	secret, err := p.CreateAppClient(AppClient{ClientID: "confidential", ExplicitAuthFlows: []string{"ALLOW_CUSTOM_AUTH"}, GenerateSecret: true})
	require.NoError(t, err)
	hash := secretHash(secret.ClientSecret, "alice", secret.ClientID)
	for range 30 {
		in := customAuthIn(secret.ClientID, "alice")
		in["AuthParameters"].(map[string]string)["SECRET_HASH"] = hash
		status, out := call(t, p, "InitiateAuth", in)
		require.Equal(t, http.StatusOK, status, out)
		verified := len(rc.verify.all())
		const answers = 8
		answered := make(chan *httptest.ResponseRecorder, answers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ans := customAnswer(secret.ClientID, out["Session"], "alice", "42")
				ans["ChallengeResponses"].(map[string]string)["SECRET_HASH"] = hash
				<-start
				answered <- callRaw(t, p, "RespondToAuthChallenge", ans)
			}()
		}
		close(start)
		wg.Wait()
		close(answered)
		ok, refused := 0, []string{}
		for rec := range answered {
			if rec.Code == http.StatusOK {
				ok++
			} else {
				refused = append(refused, rec.Body.String())
			}
		}
		require.Equal(t, 1, ok, "one answer of a session signs in; the others got %v", refused)
		require.Len(t, rc.verify.all(), verified+1, "one answer of a session reaches the verify trigger")
	}
}
