package cognitolocal

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// A one-time code's session answered many times at once with the right
// code signs in once: the code is one-time ("Passwordless sign-in with
// one-time passwords") and each Session answers once.
func TestCodeSessionAnsweredConcurrently(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	for range 20 {
		status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
		require.Equal(t, http.StatusOK, status, out)
		ans := answer(factorEmail, out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": lastSignInCode(t, p, "alice")})
		const answers = 8
		codes := make(chan int, answers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes <- callRaw(t, p, "RespondToAuthChallenge", ans).Code
			}()
		}
		close(start)
		wg.Wait()
		close(codes)
		ok := 0
		for c := range codes {
			if c == http.StatusOK {
				ok++
			}
		}
		require.Equal(t, 1, ok, "one answer of a session signs in")
	}
}
