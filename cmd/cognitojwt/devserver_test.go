package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"context"
	"os"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// api calls the JSON API of a running dev-issuer and returns the status
// and the decoded answer. host, when set, is the Host header sent.
func api(t *testing.T, client *http.Client, base, host, op string, in any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(in)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func get(t *testing.T, client *http.Client, target, host string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// The JSON API and Managed Login answer only requests whose Host names a
// loopback address: a page whose DNS name was rebound to 127.0.0.1 sends
// its own name. The issuer's public documents answer anyone.
func TestDevIssuerRefusesForeignHosts(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	const rebound = "rebound.example:9229"
	status, _ := api(t, http.DefaultClient, d.base, rebound, "ListUserPools", map[string]any{"MaxResults": 10})
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = api(t, http.DefaultClient, d.base, rebound, "InitiateAuth", map[string]any{})
	assert.Equal(t, http.StatusForbidden, status)
	authorize := d.base + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"local-client"},
		"redirect_uri": {"http://localhost:8080/callback"}}.Encode()
	assert.Equal(t, http.StatusForbidden, get(t, noRedirects, authorize, rebound))
	assert.Equal(t, http.StatusForbidden, get(t, noRedirects, d.base+"/login", rebound))
	assert.Equal(t, http.StatusForbidden, get(t, noRedirects, d.base+"/local/outbox", rebound))
	assert.Equal(t, http.StatusOK, get(t, noRedirects, d.jwks, rebound))
	assert.Equal(t, http.StatusOK, get(t, noRedirects, d.issuer+"/.well-known/openid-configuration", rebound))
	// Only a pool's own documents: the paths cognitolocal refuses, which
	// the dev-issuer once let through for holding "/.well-known/" and
	// three slashes, are refused too.
	for _, path := range []string{"/local_Dev/.well-known/", "/.well-known/x/", "/.well-known//", "/a/.well-known/"} {
		assert.Equal(t, http.StatusForbidden, get(t, noRedirects, d.base+path, rebound), path)
	}
	assert.Equal(t, http.StatusForbidden, get(t, noRedirects, d.base+"/mint", rebound))
	// The loopback names work.
	status, _ = api(t, http.DefaultClient, d.base, "localhost", "ListUserPools", map[string]any{"MaxResults": 10})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, http.StatusFound, get(t, noRedirects, authorize, ""))
}

// docs/cli.md says dev-issuer logs every Managed Login request: one line
// each, without codes or secrets.
func TestDevIssuerLogsManagedLoginRequests(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	authorize := d.base + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"local-client"},
		"redirect_uri": {"http://localhost:8080/callback"}, "state": {"s3cr3t-state"}}.Encode()
	require.Equal(t, http.StatusFound, get(t, noRedirects, authorize, ""))
	resp, err := http.PostForm(d.base+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"local-client"}, "code": {"not-a-code"}})
	require.NoError(t, err)
	resp.Body.Close()
	// The lines reach this process through a pipe: wait for them.
	waitForOutput(t, d.stderr, `managed login: POST /oauth2/token client_id="local-client": 400`)
	logged := d.stderr.String()
	assert.Contains(t, logged, `managed login: GET /oauth2/authorize client_id="local-client": 302`)
	assert.NotContains(t, logged, "s3cr3t-state")
	assert.NotContains(t, logged, "not-a-code")
	assert.Equal(t, 2, strings.Count(logged, "managed login:"))
}

// Every acknowledged change is in the state file before its answer: a
// dev-issuer killed with SIGKILL right after the answers (no shutdown, no
// final save) comes back with the new pool, the new user, the group
// change and the sign-in's refresh token.
func TestDevIssuerLosesNothingToKill9(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.json")
	args := []string{"--addr", "127.0.0.1:0", "--key-file", keyFile}
	first := startDevIssuer(t, args...)
	c := http.DefaultClient
	status, out := api(t, c, first.base, "", "CreateUserPool", map[string]any{"PoolName": "second"})
	require.Equal(t, http.StatusOK, status, out)
	poolID := out["UserPool"].(map[string]any)["Id"].(string)
	for _, call := range []struct {
		op string
		in map[string]any
	}{
		{"AdminCreateUser", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "TemporaryPassword": "Passw0rd!", "MessageAction": "SUPPRESS"}},
		{"AdminSetUserPassword", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "Password": "Passw0rd!", "Permanent": true}},
		{"CreateGroup", map[string]any{"UserPoolId": "local_Dev", "GroupName": "admin"}},
		{"AdminAddUserToGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "admin"}},
	} {
		status, out := api(t, c, first.base, "", call.op, call.in)
		require.Equal(t, http.StatusOK, status, "%s: %v", call.op, out)
	}
	tokens, refusal := initiateAuth(t, first.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	<-first.done

	second := startDevIssuer(t, args...)
	refreshed, refusal := initiateAuth(t, second.base, map[string]string{"REFRESH_TOKEN": tokens["RefreshToken"].(string)})
	require.Empty(t, refusal, "the refresh token of the last answer survived")
	id := verifierFor(t, second.issuer, "", cognitojwt.IDToken)
	claims, err := id.Verify(t.Context(), refreshed["IdToken"].(string))
	require.NoError(t, err)
	assert.Equal(t, []string{"admin"}, claims.Groups.Slice())
	status, _ = api(t, c, second.base, "", "DescribeUserPool", map[string]any{"UserPoolId": poolID})
	assert.Equal(t, http.StatusOK, status, "the created pool survived")
}

// The state file always loads, whenever the process dies: changes race a
// SIGKILL, and the restarted dev-issuer loads whatever was saved last.
func TestDevIssuerStateFileAlwaysLoadsAfterKill9(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--addr", "127.0.0.1:0", "--key-file", filepath.Join(dir, "key.json")}
	first := startDevIssuer(t, args...)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				name := "user-" + string(rune('a'+w)) + "-" + strings.Repeat("x", i%5) + string(rune('0'+i%10))
				body, _ := json.Marshal(map[string]any{"UserPoolId": "local_Dev", "Username": name, "MessageAction": "SUPPRESS"})
				req, _ := http.NewRequest(http.MethodPost, first.base+"/", bytes.NewReader(body))
				req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminCreateUser")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the process is gone
				}
				resp.Body.Close()
			}
		}()
	}
	// Kill it while the writers are busy.
	for strings.Count(first.stderr.String(), "AdminCreateUser") < 20 {
		select {
		case <-first.done:
			t.Fatal("dev-issuer exited early")
		case <-time.After(time.Millisecond):
		}
	}
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	<-first.done
	wg.Wait()
	second := startDevIssuer(t, args...)
	status, out := api(t, http.DefaultClient, second.base, "", "ListUsers", map[string]any{"UserPoolId": "local_Dev"})
	require.Equal(t, http.StatusOK, status, out)
	assert.NotEmpty(t, out["Users"])
}

func TestDevIssuerLambdaFlag(t *testing.T) {
	for _, bad := range []string{"arn:aws:lambda:us-east-1:0:function:f=ftp://x", "notanarn=http://127.0.0.1:1/", "arn:aws:lambda:us-east-1:0:function:f"} {
		r := cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--lambda", bad)
		assert.Equal(t, 2, r.code, r)
	}
}

// waitForOutput waits until out holds want: a child's output reaches the
// test through a pipe, some time after the child wrote it.
func waitForOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.After(testwait.Limit(t))
	for !strings.Contains(out.String(), want) {
		select {
		case <-deadline:
			t.Fatalf("no %q in:\n%s", want, out)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func TestDevIssuerStateKeepsUsersSignedInAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.json")
	args := []string{"--addr", "127.0.0.1:0", "--key-file", keyFile, "--custom-attribute", "tenant_id"}
	first := startDevIssuer(t, args...)
	stateFile := filepath.Join(dir, "dev-issuer-state-local_Dev.json")
	assert.Contains(t, first.stdout.String(), "State file     "+stateFile)
	r := cli(t, "", nil, "users", "add", "alice", "--password", "Passw0rd!", "--groups", "admin", "--attr", "tenant_id=acme", "--server", first.base)
	require.Equal(t, 0, r.code, r)
	tokens, refusal := initiateAuth(t, first.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	require.Equal(t, 0, first.stop(t))

	info, err := os.Stat(stateFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the state holds password hashes and client secrets")
	raw, err := os.ReadFile(stateFile)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "Passw0rd!")
	assert.NotContains(t, string(raw), tokens["RefreshToken"].(string))

	// The same flags again: the declared attribute is not declared twice.
	second := startDevIssuer(t, args...)
	refreshed, refusal := initiateAuth(t, second.base, map[string]string{"REFRESH_TOKEN": tokens["RefreshToken"].(string)})
	require.Empty(t, refusal, "the refresh token outlives the restart")
	id, err := verifierFor(t, second.issuer, "", cognitojwt.IDToken).Verify(context.Background(), refreshed["IdToken"].(string))
	require.NoError(t, err)
	assert.Equal(t, "alice", id.Username)
	assert.Equal(t, []string{"admin"}, id.Groups.Slice())
	tenant, _ := id.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)

	fresh := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile, "--state-file", "none")
	assert.Contains(t, fresh.stdout.String(), "State file     none")
	_, refusal = initiateAuth(t, fresh.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	assert.NotEmpty(t, refusal, "--state-file none starts empty")
}

func TestDevIssuerRefusesACorruptStateFile(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(state, []byte(`{"version":1,"poolId":"other"}`), 0o600))
	r := cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--key-file", filepath.Join(dir, "key.json"), "--state-file", state)
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "another pool")
	assert.Contains(t, r.stderr, "start afresh")
}
