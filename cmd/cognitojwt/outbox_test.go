package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// apiCall sends one user-pool JSON API request and returns the HTTP
// status and the decoded answer.
func apiCall(t *testing.T, base, op string, in map[string]any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(in)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestUsersOutboxReadsCodesAScriptNeeds(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	users := func(args ...string) result {
		return cli(t, "", nil, append(append([]string{"users"}, args...), "--server", d.base)...)
	}
	r := users("outbox")
	require.Equal(t, 0, r.code, r)
	assert.Equal(t, []string{"TIME", "USERNAME", "KIND", "MEDIUM", "DESTINATION", "CODE"}, strings.Fields(r.stdout), "an empty outbox prints the header only")
	r = users("outbox", "--last")
	assert.Equal(t, 1, r.code, "no code to print is a refusal: %v", r)

	for _, name := range []string{"bob", "carol"} {
		r = users("add", name, "--password", "Passw0rd!", "--attr", "email="+name+"@example.com", "--attr", "email_verified=true")
		require.Equal(t, 0, r.code, r)
		status, out := apiCall(t, d.base, "ForgotPassword", map[string]any{"ClientId": cognitotest.DefaultClientID, "Username": name})
		require.Equal(t, http.StatusOK, status, out)
	}

	r = users("outbox", "--username", "bob", "--last")
	require.Equal(t, 0, r.code, r)
	code := strings.TrimSpace(r.stdout)
	require.Regexp(t, regexp.MustCompile(`^[0-9]{6}$`), code)
	status, out := apiCall(t, d.base, "ConfirmForgotPassword", map[string]any{
		"ClientId": cognitotest.DefaultClientID, "Username": "bob", "ConfirmationCode": code, "Password": "N3w-Passw0rd!",
	})
	require.Equal(t, http.StatusOK, status, out)
	_, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "bob", "PASSWORD": "N3w-Passw0rd!"})
	assert.Empty(t, refusal, "the code from the outbox reset the password")

	r = users("outbox")
	require.Equal(t, 0, r.code, r)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Equal(t, []string{"bob", "ForgotPassword", "EMAIL", "bob@example.com", code}, strings.Fields(lines[1])[1:])
	assert.Equal(t, "carol", strings.Fields(lines[2])[1])

	r = users("outbox", "--json", "--username", "carol", "--kind", "ForgotPassword")
	require.Equal(t, 0, r.code, r)
	var msgs []outboxMessage
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &msgs), r)
	require.Len(t, msgs, 1)
	assert.Equal(t, "carol@example.com", msgs[0].Destination)
	assert.Equal(t, "local_Dev", msgs[0].PoolID)
	assert.Contains(t, msgs[0].Message, msgs[0].Code)

	r = users("outbox", "--pool", "other_Pool", "--json")
	require.Equal(t, 0, r.code, r)
	assert.JSONEq(t, "[]", r.stdout, "another pool's outbox is empty")

	r = users("outbox", "--last", "--json")
	assert.Equal(t, 2, r.code, r)
	r = users("outbox", "stray")
	assert.Equal(t, 2, r.code, r)
}
