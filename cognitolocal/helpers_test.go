package cognitolocal

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	newPoolKey = poolKeyRing
	// No limit on triggers: five seconds of a starved process would
	// otherwise fail a sign-in whose triggers answer at once (trigger.go).
	triggerLimit = 0
	goleak.VerifyTestMain(m)
}

// poolKeys are made once and handed in turn to the pools the tests create
// without a key (CreateUserPool, Service.CreatePool): any four pools made
// one after another have keys of their own, and none has sharedKey.
var poolKeys = sync.OnceValues(func() ([]*SigningKey, error) {
	ring := make([]*SigningKey, 4)
	for i := range ring {
		k, err := NewSigningKey()
		if err != nil {
			return nil, err
		}
		ring[i] = k
	}
	return ring, nil
})

var poolKeyTurn atomic.Uint32

func poolKeyRing() (*SigningKey, error) {
	ring, err := poolKeys()
	if err != nil {
		return nil, err
	}
	return ring[int(poolKeyTurn.Add(1))%len(ring)], nil
}

const testPassword = "Passw0rd!"

// newPool returns a pool with user alice (email, custom:tenant_id, group
// admin) and resource server "orders" (scopes read and write).
func newPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	if cfg.Key == nil {
		// One key for the package's pools: RSA generation dominates a
		// pool's creation under the race detector.
		cfg.Key = testKey(t)
	}
	p, err := New(cfg)
	require.NoError(t, err)
	_, err = p.CreateUser("alice", testPassword, map[string]string{
		"email": "alice@example.com", "email_verified": "true", "custom:tenant_id": "acme",
	})
	require.NoError(t, err)
	require.NoError(t, p.CreateGroup("admin"))
	require.NoError(t, p.AddUserToGroup("alice", "admin"))
	require.NoError(t, p.CreateResourceServer(ResourceServer{Identifier: "orders", Name: "Orders", Scopes: []ResourceServerScope{
		{Name: "read", Description: "Read orders"}, {Name: "write", Description: "Write orders"},
	}}))
	return p
}

// call sends one JSON API request to p and returns the status and the
// decoded answer.
func call(t *testing.T, p http.Handler, op string, in any) (int, map[string]any) {
	t.Helper()
	rec := callRaw(t, p, op, in)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

func callRaw(t *testing.T, p http.Handler, op string, in any) *httptest.ResponseRecorder {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	r.Header.Set("X-Amz-Target", targetPrefix+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	return rec
}

// requireAPIError asserts a Cognito error answer of type code.
func requireAPIError(t *testing.T, p http.Handler, op string, in any, code, message string) {
	t.Helper()
	rec := callRaw(t, p, op, in)
	require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
	require.Equal(t, code, rec.Header().Get("x-amzn-ErrorType"))
	var out map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Equal(t, code, out["__type"])
	if message != "" {
		require.Equal(t, message, out["message"])
	}
}

// payload decodes a token's claims without verifying it.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func signIn(t *testing.T, p *Pool) Tokens {
	t.Helper()
	tok, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.NoError(t, err)
	return tok
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func secretHash(secret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

var sharedKey = sync.OnceValues(NewSigningKey)

func testKey(t *testing.T) *SigningKey {
	k, err := sharedKey()
	require.NoError(t, err)
	return k
}
