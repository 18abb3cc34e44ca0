package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestVerifyAccepts(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	access := iss.AccessToken(cognitotest.WithUsername("erin"), cognitotest.WithGroups("admin"))
	id := iss.IDToken(cognitotest.WithUsername("erin"))
	base := []string{"verify", "--issuer", iss.URL(), "--client-id", cognitotest.DefaultClientID}

	r := cli(t, "", nil, append(base, access)...)
	require.Equal(t, 0, r.code, r)
	assert.True(t, strings.HasPrefix(r.stdout, "VERIFIED access token"), r)
	assert.Contains(t, r.stdout, `"username": "erin"`)
	assert.Contains(t, r.stdout, "expires in ")
	assert.Empty(t, r.stderr)

	// Flags after the token, a client list and standard input work too.
	r = cli(t, access, nil, "verify", "-", "--client-id", "other,"+cognitotest.DefaultClientID, "--issuer", iss.URL())
	assert.Equal(t, 0, r.code, r)

	r = cli(t, "", nil, append(base, "--token-use", "id", id)...)
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "VERIFIED id token")
	assert.Contains(t, r.stdout, `"cognito:username": "erin"`)

	r = cli(t, "", nil, append(base, "--token-use", "any", id)...)
	assert.Equal(t, 0, r.code, r)

	r = cli(t, "", nil, "verify", "--issuer", iss.URL(), "--any-client", iss.AccessToken(cognitotest.WithClientID("whoever")))
	assert.Equal(t, 0, r.code, r)

	// --jwks-url overrides where the keys come from.
	r = cli(t, "", nil, append(base, "--jwks-url", iss.JWKSURL(), access)...)
	assert.Equal(t, 0, r.code, r)

	r = cli(t, "", nil, append(base, "--json", access)...)
	require.Equal(t, 0, r.code, r)
	var out struct {
		Verified bool
		TokenUse string `json:"token_use"`
		Claims   map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r)
	assert.True(t, out.Verified)
	assert.Equal(t, "access", out.TokenUse)
	assert.Equal(t, "erin", out.Claims["username"])
	assert.Equal(t, []any{"admin"}, out.Claims["cognito:groups"])

	r = cli(t, "", nil, append(base, "--quiet", access)...)
	assert.Equal(t, 0, r.code, r)
	assert.Empty(t, r.stdout+r.stderr)

	r = cli(t, "", nil, append(base, "--verbose", access)...)
	assert.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stderr, "JWKS fetched")
	assert.Contains(t, r.stderr, "keys=1")
}

func TestVerifyRejects(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	other := cognitotest.NewIssuer(t, cognitotest.WithPoolID("us-west-2_Other"))
	unpublished, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	good := iss.AccessToken()
	dot := strings.LastIndex(good, ".")
	tampered := good[:dot+1] + flip(good[dot+1:dot+2]) + good[dot+2:]

	for _, tc := range []struct {
		name  string
		token string
		extra []string
		kind  string
		hint  string
	}{
		{"expired", iss.AccessToken(cognitotest.WithLifetime(-10 * time.Minute)), nil, "expired", "expired 10m"},
		{"wrong client", iss.AccessToken(cognitotest.WithClientID("mobile-app")), nil, "wrong_client", `token client_id: "mobile-app"`},
		{"id token as access", iss.IDToken(), nil, "wrong_token_use", "--token-use id"},
		{"access token as id", good, []string{"--token-use", "id"}, "wrong_token_use", "--token-use access"},
		{"other pool", other.AccessToken(), nil, "wrong_issuer", other.URL()},
		{"tampered", tampered, nil, "invalid_signature", "changed after signing"},
		{"unknown key", iss.AccessToken(cognitotest.WithKey(unpublished)), nil, "unknown_key", iss.JWKSURL()},
		{"alg none", iss.AccessToken(cognitotest.WithHeader("alg", "none")), nil, "unsupported_algorithm", `"none"`},
		{"future iat", iss.AccessToken(cognitotest.WithIssuedAt(time.Now().Add(time.Hour))), nil, "not_yet_valid", "in the future: is this machine's clock right"},
		{"garbage", "a.b.c", nil, "malformed_token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--issuer", iss.URL(), "--client-id", cognitotest.DefaultClientID}, tc.extra...)
			r := cli(t, "", nil, append(args, tc.token)...)
			assert.Equal(t, 1, r.code, r)
			assert.Contains(t, r.stderr, "token rejected ("+tc.kind+")", r)
			assert.Contains(t, r.stderr, tc.hint, r)
			assert.NotContains(t, r.stdout, "VERIFIED")

			r = cli(t, "", nil, append(append(args, "--json"), tc.token)...)
			assert.Equal(t, 1, r.code, r)
			var out struct {
				Verified *bool
				Error    string
			}
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r)
			require.NotNil(t, out.Verified)
			assert.False(t, *out.Verified)
			assert.Equal(t, tc.kind, out.Error)
		})
	}
}

// flip returns another base64url character than the one-byte s.
func flip(s string) string {
	if s == "A" {
		return "B"
	}
	return "A"
}

func TestVerifyDerivesIssuerFromPool(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	r := cli(t, "", nil, "verify", "--pool", "eu-west-1_AbC123", "--jwks-url", iss.JWKSURL(),
		"--client-id", cognitotest.DefaultClientID, iss.AccessToken())
	assert.Equal(t, 1, r.code, r)
	assert.Contains(t, r.stderr, `expected:  "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"`)
	assert.Equal(t, 0, iss.JWKSFetches(), "iss is checked before any fetch")
}

func TestVerifyKeysUnavailable(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	token := iss.AccessToken()
	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	r := cli(t, "", nil, "verify", "--issuer", iss.URL(), "--client-id", cognitotest.DefaultClientID, token)
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "signing keys unavailable from "+iss.JWKSURL())
	assert.Contains(t, r.stderr, "HTTP 500")

	closed := closedURL(t)
	r = cli(t, "", nil, "verify", "--issuer", closed+"/pool", "--client-id", "c", "--timeout", "2s",
		iss.AccessToken(cognitotest.WithClaim("iss", closed+"/pool")))
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "signing keys unavailable")
}

func TestVerifyUsageErrors(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	token := iss.AccessToken()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no pool", []string{"--client-id", "c", token}, "--pool"},
		{"no client", []string{"--issuer", iss.URL(), token}, "--client-id"},
		{"bad pool", []string{"--pool", "not-a-pool", "--client-id", "c", token}, "UserPoolID"},
		{"plain http", []string{"--issuer", "http://example.com/pool", "--client-id", "c", token}, "loopback"},
		{"bad token use", []string{"--issuer", iss.URL(), "--client-id", "c", "--token-use", "refresh", token}, "TokenUse"},
		{"bad timeout", []string{"--issuer", iss.URL(), "--client-id", "c", "--timeout", "0s", token}, "--timeout"},
		{"bad duration", []string{"--issuer", iss.URL(), "--client-id", "c", "--leeway", "soon", token}, "leeway"},
		{"no token", []string{"--issuer", iss.URL(), "--client-id", "c"}, "missing TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", nil, append([]string{"verify"}, tc.args...)...)
			assert.Equal(t, 2, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
		})
	}
	assert.Equal(t, 0, iss.JWKSFetches(), "usage errors stop before the network")
}
