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
	assert.Equal(t, []string{"TIME", "USERNAME", "KIND", "MEDIUM", "DESTINATION", "CODE", "SUBJECT"}, strings.Fields(r.stdout), "an empty outbox prints the header only")
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
	assert.Equal(t, []string{"bob", "ForgotPassword", "EMAIL", "bob@example.com", code, "-"}, strings.Fields(lines[1])[1:], "no subject: a dash")
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

// An email with a subject, as the sign-in codes of email MFA have
// (EmailMfaConfiguration's Subject), shows it last on its row and in
// the JSON; one line however the subject was written.
func TestUsersOutboxPrintsSubjects(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	users := func(args ...string) result {
		return cli(t, "", nil, append(append([]string{"users"}, args...), "--server", d.base)...)
	}
	r := users("add", "dana", "--password", "Passw0rd!", "--attr", "email=dana@example.com", "--attr", "email_verified=true")
	require.Equal(t, 0, r.code, r)
	status, out := apiCall(t, d.base, "SetUserPoolMfaConfig", map[string]any{"UserPoolId": "local_Dev", "MfaConfiguration": "OPTIONAL",
		"EmailMfaConfiguration": map[string]string{"Message": "Your code is {####}", "Subject": "Your sign-in\ncode"}})
	require.Equal(t, http.StatusOK, status, out)
	status, out = apiCall(t, d.base, "AdminSetUserMFAPreference", map[string]any{"UserPoolId": "local_Dev", "Username": "dana",
		"EmailMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}})
	require.Equal(t, http.StatusOK, status, out)
	status, out = apiCall(t, d.base, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cognitotest.DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "dana", "PASSWORD": "Passw0rd!"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"])

	r = users("outbox", "--username", "dana")
	require.Equal(t, 0, r.code, r)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, r.stdout)
	fields := strings.Fields(lines[1])
	require.Len(t, fields, 9, lines[1])
	assert.Equal(t, []string{"dana", "Authentication", "EMAIL", "dana@example.com"}, fields[1:5])
	assert.Regexp(t, `^[0-9]{6}$`, fields[5])
	assert.True(t, strings.HasSuffix(lines[1], "  Your sign-in code"), lines[1])

	r = users("outbox", "--username", "dana", "--json")
	require.Equal(t, 0, r.code, r)
	var msgs []outboxMessage
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &msgs), r)
	require.Len(t, msgs, 1)
	assert.Equal(t, "Your sign-in\ncode", msgs[0].Subject)
}
