package cognitolocal

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStartRefusesNonLoopbackAddress(t *testing.T) {
	_, err := Start("0.0.0.0:0", Config{})
	require.ErrorContains(t, err, "loopback")
}

func TestStartAcceptsLocalhostInAnyCase(t *testing.T) {
	s, err := Start("LocalHost:0", Config{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

// Start's server answers by loopback names only (RequireLoopbackHost,
// host_test.go): over a real connection, a request naming another host
// is refused before the pool sees it, and the same request by the
// server's own address is served.
func TestStartRefusesForeignHostHeaders(t *testing.T) {
	s, err := Start("127.0.0.1:0", Config{Key: testKey(t)})
	require.NoError(t, err)
	defer s.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	send := func(host string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(`{"MaxResults":10}`))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", targetPrefix+"ListUserPools")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if host != "" {
			req.Host = host
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}
	status, body := send("rebound.example:9229")
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, errForeignHost+"\n", body)
	status, body = send("")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, s.PoolID())
}
