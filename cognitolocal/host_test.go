package cognitolocal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Host check of RequireLoopbackHost, which Start's server applies:
// a web page whose DNS name was rebound to 127.0.0.1 sends its own name
// as Host. Cognito has nothing of the kind (a real pool is reached by
// its own names); the rule is the dev-issuer's (docs/cli.md).

// hostRequest builds a request to the handler with the given Host.
func hostRequest(t *testing.T, method, target, host, op string, in any) *http.Request {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		require.NoError(t, json.NewEncoder(&body).Encode(in))
	}
	r := httptest.NewRequest(method, target, &body)
	r.Host = host
	if op != "" {
		r.Header.Set("X-Amz-Target", targetPrefix+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	}
	return r
}

func serveHost(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestRequireLoopbackHostRefusesForeignHosts(t *testing.T) {
	p := newPool(t, Config{})
	forgot(t, p, "alice")
	h := RequireLoopbackHost(p)
	create := pool(map[string]any{"Username": "mallory", "TemporaryPassword": testPassword, "MessageAction": "SUPPRESS"})
	authorize := "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {DefaultClientID},
		"redirect_uri": {"http://localhost:3000/callback"}}.Encode()
	for _, host := range []string{"evil.example", "evil.example:9229", "10.0.0.1:9229", "", "localhost.evil.example",
		"127.0.0.1.evil.example:9229", "[::2]:9229"} {
		for _, r := range []*http.Request{
			hostRequest(t, http.MethodPost, "/", host, "AdminCreateUser", create),
			hostRequest(t, http.MethodGet, authorize, host, "", nil),
			hostRequest(t, http.MethodPost, "/login", host, "", nil),
			hostRequest(t, http.MethodGet, OutboxPath, host, "", nil),
			// Only reading the public documents is let through.
			hostRequest(t, http.MethodPost, "/"+p.PoolID()+"/.well-known/jwks.json", host, "", nil),
			hostRequest(t, http.MethodGet, "/a/"+p.PoolID()+"/.well-known/jwks.json", host, "", nil),
			hostRequest(t, http.MethodGet, "//.well-known/jwks.json", host, "", nil),
		} {
			rec := serveHost(h, r)
			assert.Equal(t, http.StatusForbidden, rec.Code, "%s %s Host %q", r.Method, r.URL.Path, host)
			assert.Equal(t, errForeignHost+"\n", rec.Body.String())
		}
	}
	// Nothing was done on the refused requests.
	requireAPIError(t, p, "AdminGetUser", pool(map[string]any{"Username": "mallory"}), codeUserNotFound, "")
}

func TestRequireLoopbackHostServesLoopbackHosts(t *testing.T) {
	p := newPool(t, Config{})
	h := RequireLoopbackHost(p)
	for _, host := range []string{"127.0.0.1", "127.0.0.1:9229", "LocalHost:1", "localhost", "[::1]:9229", "127.0.0.2:80"} {
		rec := serveHost(h, hostRequest(t, http.MethodPost, "/", host, "AdminGetUser", pool(map[string]any{"Username": "alice"})))
		assert.Equal(t, http.StatusOK, rec.Code, "Host %q: %s", host, rec.Body.String())
		rec = serveHost(h, hostRequest(t, http.MethodGet, OutboxPath, host, "", nil))
		assert.Equal(t, http.StatusOK, rec.Code, "Host %q", host)
	}
}

// The JWKS and discovery documents hold nothing secret: any Host reads
// them, as from the dev-issuer.
func TestRequireLoopbackHostServesPublicDocuments(t *testing.T) {
	p := newPool(t, Config{})
	h := RequireLoopbackHost(p)
	for _, doc := range []string{"jwks.json", "openid-configuration"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := serveHost(h, hostRequest(t, method, "/"+p.PoolID()+"/.well-known/"+doc, "verifier.example:8080", "", nil))
			assert.Equal(t, http.StatusOK, rec.Code, "%s %s", method, doc)
		}
	}
	rec := serveHost(h, hostRequest(t, http.MethodGet, "/"+p.PoolID()+"/.well-known/jwks.json", "verifier.example", "", nil))
	assert.JSONEq(t, string(p.JWKS()), rec.Body.String())
}
