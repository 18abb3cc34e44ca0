package online_test

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// closeAfterRequest reads a request whole, then closes its connection
// without a word: a keep-alive connection dropped under a request, as
// aws-sdk-go-v2 issue #2737 reports it.
func closeAfterRequest(t *testing.T, w http.ResponseWriter, r *http.Request) {
	t.Helper()
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = conn.Close()
}

// dropFirst makes the server close the connection of the first n API
// requests after reading them, and serve the pool after that.
func (e *env) dropFirst(t *testing.T, n int64) {
	var seen atomic.Int64
	e.answer(t, func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			closeAfterRequest(t, w, r)
			return
		}
		e.pool.ServeHTTP(w, r)
	})
}

// A check whose connection is closed before any answer is sent again,
// once, on a new connection, and passes.
func TestClosedConnectionRetriedOnce(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.signIn(t, "alice", map[string]string{"email": "alice@example.com"})
	e.dropFirst(t, 1)
	var s seen
	w := request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, 1, s.ran)
	require.Equal(t, "alice@example.com", s.user.Attributes["email"])
	require.Equal(t, int64(2), e.count("GetUser"))

	// The sign-out helpers use the same client.
	bob, claims := e.signInVerified(t, "bob")
	e.dropFirst(t, 1)
	require.NoError(t, e.checker.GlobalSignOut(t.Context(), bob.AccessToken, claims))
	require.Equal(t, int64(2), e.count("GlobalSignOut"))
}

// Closed again, the check gives up after the one retry and fails closed.
func TestClosedConnectionRetriedOnlyOnce(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.signIn(t, "alice", nil)
	e.dropFirst(t, 3)
	var s seen
	w := request(e.handler(&s), tok.AccessToken)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Zero(t, s.ran)
	require.Equal(t, int64(2), e.count("GetUser"))
	require.Contains(t, e.logs.String(), "failing closed")
}

// A request that got an answer is never sent again: an error Cognito
// answered, and an answer cut short after its status line.
func TestAnsweredRequestNotRetried(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"internal error": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("x-amzn-ErrorType", "InternalErrorException")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"__type":"InternalErrorException","message":"x"}`))
		},
		"cut short": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"Username\":")
			_ = buf.Flush()
			_ = conn.Close()
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			tok := e.signIn(t, "alice", nil)
			e.answer(t, h)
			w := request(e.handler(&seen{}), tok.AccessToken)
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			require.Equal(t, int64(1), e.count("GetUser"))
		})
	}
}
