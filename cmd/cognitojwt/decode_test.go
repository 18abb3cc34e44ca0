package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestDecode(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	exp := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	token := iss.AccessToken(cognitotest.WithUsername("dora"), cognitotest.WithGroups("admin"),
		cognitotest.WithIssuedAt(exp.Add(-time.Hour)), cognitotest.WithExpiresAt(exp))

	r := cli(t, "", []string{"TZ=Asia/Tokyo"}, "decode", token)
	require.Equal(t, 0, r.code, r)
	assert.True(t, strings.HasPrefix(r.stdout, "NOT VERIFIED"), "the first line warns: %s", r.stdout)
	assert.Contains(t, r.stdout, `"username": "dora"`)
	assert.Contains(t, r.stdout, `"alg": "RS256"`)
	assert.Contains(t, r.stdout, `"kid": "`+iss.CurrentKey().KeyID+`"`)
	assert.Contains(t, r.stdout, "2031-01-02 12:04:05 +0900 JST", "exp in local time")
	assert.Contains(t, r.stdout, "2031-01-02 03:04:05 UTC", "exp in UTC")
	assert.Contains(t, r.stdout, "expires in ")
	assert.NotContains(t, r.stdout, "Warning")

	// From standard input, as pasted from an Authorization header.
	r2 := cli(t, "Bearer "+token+"\n", []string{"TZ=Asia/Tokyo"}, "decode", "-")
	require.Equal(t, 0, r2.code, r2)
	assert.Equal(t, r.stdout[:strings.Index(r.stdout, "Times")], r2.stdout[:strings.Index(r2.stdout, "Times")])

	r = cli(t, "", nil, "decode", "--json", token)
	require.Equal(t, 0, r.code, r)
	var out struct {
		Verified *bool
		Header   map[string]any
		Claims   map[string]any
		Times    map[string]string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r)
	require.NotNil(t, out.Verified)
	assert.False(t, *out.Verified)
	assert.Equal(t, "dora", out.Claims["username"])
	assert.Equal(t, iss.CurrentKey().KeyID, out.Header["kid"])
	assert.Equal(t, exp.Format(time.RFC3339), out.Times["exp"])

	// An expired token decodes all the same, and says so.
	r = cli(t, "", nil, "decode", iss.AccessToken(cognitotest.WithLifetime(-2*time.Hour)))
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "expired 2h")
}

func TestDecodeToleratesOddEncodingWithWarning(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	parts := strings.Split(iss.AccessToken(), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	for len(payload)%3 == 0 {
		payload = append(payload, ' ')
	}
	parts[1] = base64.URLEncoding.EncodeToString(payload) // padded
	require.Contains(t, parts[1], "=")
	r := cli(t, "", nil, "decode", strings.Join(parts, "."))
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "Warning: payload is not canonical")
}

func TestDecodeFailures(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string
	}{
		{"one segment", []string{"abc"}, "", 1, "not a JWT: 1"},
		{"two segments", []string{"a.b"}, "", 1, "not a JWT: 2"},
		{"bad base64", []string{"!!!." + b64([]byte("{}")) + ".c2ln"}, "", 1, "header is not base64url"},
		{"header array", []string{b64([]byte("[]")) + "." + b64([]byte("{}")) + ".c2ln"}, "", 1, "header is not a JSON object"},
		{"payload text", []string{b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte("hello")) + ".c2ln"}, "", 1, "payload is not a JSON object"},
		{"encrypted", []string{b64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + ".a.b.c.d"}, "", 1, "encrypted token"},
		{"no argument", nil, "", 2, "missing TOKEN"},
		{"two arguments", []string{"a.b.c", "d.e.f"}, "", 2, "expected one TOKEN"},
		{"empty stdin", []string{"-"}, "  \n", 2, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.stdin, nil, append([]string{"decode"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
			assert.NotContains(t, r.stdout, "Claims:")
		})
	}
}
