package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestDevIssuerServesAndMints(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.json")
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)
	assert.True(t, strings.HasSuffix(d.issuer, "/local_Dev"), d.issuer)
	assert.Contains(t, d.stdout.String(), "(created, kid ")

	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	resp, err := http.Get(d.issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var discovery map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&discovery))
	resp.Body.Close()
	assert.Equal(t, d.issuer, discovery["issuer"])
	assert.Equal(t, d.jwks, discovery["jwks_uri"])

	status, out := d.post(t, "application/json", `{"username":"frank","groups":["admin","ops"],"scopes":["orders/read"],
		"attributes":{"tenant_id":"acme","given_name":"Frank"},"claims":{"department":"sales"},
		"trigger_claims":{"level":3},"lifetime":"15m"}`)
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "Bearer", out["token_type"])
	assert.Equal(t, float64(900), out["expires_in"])
	assert.Equal(t, d.issuer, out["issuer"])

	ctx := context.Background()
	claims, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, out["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "frank", claims.Username)
	assert.Equal(t, []string{"admin", "ops"}, claims.Groups.Slice())
	assert.Equal(t, []string{"orders/read"}, claims.Scopes.Slice())
	level, _ := claims.Get("level")
	assert.Equal(t, float64(3), level, "a trigger's claim is in the access token")
	for _, absent := range []string{"custom:tenant_id", "given_name", "department", "email"} {
		_, ok := claims.Get(absent)
		assert.False(t, ok, "Cognito's access tokens carry no %s", absent)
	}
	assert.WithinDuration(t, time.Now().Add(15*time.Minute), claims.ExpiresAt, time.Minute)

	idClaims, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, out["id_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "frank", idClaims.Username)
	assert.Equal(t, "frank@example.com", idClaims.Email)
	assert.Equal(t, claims.Subject, idClaims.Subject, "one user, one sub")
	tenant, _ := idClaims.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)
	given, _ := idClaims.Get("given_name")
	assert.Equal(t, "Frank", given, "standard attributes keep their name")
	department, _ := idClaims.Get("department")
	assert.Equal(t, "sales", department)
	_, ok := idClaims.Get("level")
	assert.False(t, ok, "a trigger_claim goes into the access token only")

	// Form fields, as curl -d sends them; sub stays the same per user.
	status, form := d.post(t, "application/x-www-form-urlencoded",
		"username=frank&groups=admin,ops&trigger_claim=level%3D3&token_use=access")
	require.Equal(t, http.StatusOK, status, form)
	assert.Nil(t, form["id_token"], "token_use=access mints the access token only")
	formClaims, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, form["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, claims.Subject, formClaims.Subject)
	assert.Equal(t, claims.Groups, formClaims.Groups)
	formLevel, _ := formClaims.Get("level")
	assert.Equal(t, float64(3), formLevel)
	status, grace := d.post(t, "application/x-www-form-urlencoded", "username=grace")
	require.Equal(t, http.StatusOK, status, grace)
	graceClaims, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, grace["access_token"].(string))
	require.NoError(t, err)
	assert.NotEqual(t, claims.Subject, graceClaims.Subject)

	status, machine := d.post(t, "application/json", `{"machine":true,"scopes":["orders/write"],"client_id":"batch"}`)
	require.Equal(t, http.StatusOK, status, machine)
	mc, err := cognitojwt.New(cognitojwt.Config{Issuer: d.issuer, ClientIDs: []string{"batch"}})
	require.NoError(t, err)
	machineClaims, err := mc.Verify(ctx, machine["access_token"].(string))
	require.NoError(t, err)
	assert.Empty(t, machineClaims.Username)
	assert.Equal(t, "batch", machineClaims.Subject)

	// The mint command talks to the running server; verify accepts the result.
	r := cli(t, "", nil, "mint", "--server", d.base, "--username", "heidi", "--groups", "admin")
	require.Equal(t, 0, r.code, r)
	token := strings.TrimSpace(r.stdout)
	r = cli(t, "", nil, "verify", "--issuer", d.issuer, "--client-id", cognitotest.DefaultClientID, token)
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, `"username": "heidi"`)

	r = cli(t, "", nil, "mint", "--server", d.base, "--token-use", "id", "--email", "h@example.org")
	require.Equal(t, 0, r.code, r)
	idc, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	assert.Equal(t, "h@example.org", idc.Email)

	r = cli(t, "", nil, "mint", "--server", d.base, "--json", "--lifetime", "-5m")
	require.Equal(t, 0, r.code, r)
	var minted mintResponse
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &minted))
	assert.NotEmpty(t, minted.IDToken)
	_, err = verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, minted.AccessToken)
	assert.ErrorIs(t, err, cognitojwt.ErrExpired, "a negative lifetime mints an expired token")

	assert.Contains(t, d.stderr.String(), "minted access+id token for frank")
	assert.Equal(t, 0, d.stop(t))
	assert.Contains(t, d.stderr.String(), "stopping")
}

func TestDevIssuerFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	corrupt := filepath.Join(t.TempDir(), "corrupt.json")
	require.NoError(t, os.WriteFile(corrupt, []byte("not json"), 0o600))
	key := filepath.Join(t.TempDir(), "key.json")

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"all interfaces", []string{"--addr", ":0"}, 2, "loopback only"},
		{"public address", []string{"--addr", "0.0.0.0:9229"}, 2, "loopback only"},
		{"no port", []string{"--addr", "127.0.0.1"}, 2, "--addr"},
		{"bad pool", []string{"--addr", "127.0.0.1:0", "--pool", "a/b"}, 2, "--pool"},
		{"argument", []string{"--addr", "127.0.0.1:0", "extra"}, 2, "unexpected argument"},
		{"port in use", []string{"--addr", busy.Addr().String(), "--key-file", key}, 3, "cannot listen"},
		{"corrupt key file", []string{"--addr", "127.0.0.1:0", "--key-file", corrupt}, 3, "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", nil, append([]string{"dev-issuer"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
		})
	}
}

// TestMintHostMustBeLoopback: /mint answers only requests whose Host
// header names this machine, in any of the spellings a browser sends.
func TestMintHostMustBeLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:9229":       true,
		"[::1]:9229":           true,
		"localhost:9229":       true,
		"LOCALHOST":            true,
		"127.0.0.2":            true,
		"rebound.example:9229": false,
		"0.0.0.0:9229":         false,
		"[::]:9229":            false,
		"10.0.0.1:9229":        false,
		"":                     false,
	} {
		assert.Equal(t, want, loopbackHost(host), host)
	}
}

func TestDevIssuerCallsAnHTTPPreTokenGenerationTrigger(t *testing.T) {
	trigger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		attrs := ev["request"].(map[string]any)["userAttributes"].(map[string]any)
		ev["response"] = map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
			"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{
				"department": attrs["custom:department"], "source": ev["triggerSource"],
			}},
		}}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer trigger.Close()

	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"),
		"--custom-attribute", "department", "--pre-token-generation", trigger.URL+"/")
	r := cli(t, "", nil, "users", "add", "ada", "--password", "Passw0rd!", "--attr", "department=engineering", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	tokens, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "ada", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	access, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(context.Background(), tokens["AccessToken"].(string))
	require.NoError(t, err)
	department, _ := access.Get("department")
	assert.Equal(t, "engineering", department)
	source, _ := access.Get("source")
	assert.Equal(t, "TokenGeneration_Authentication", source)

	r = cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--pre-token-generation", "localhost:9000")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "--pre-token-generation")
	r = cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--pre-token-generation", trigger.URL, "--trigger-version", "V9_0")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "V9_0")
}

// --trigger-version V1_0 sends the V1_0 event ("version": "1", no
// scopes) and applies its claimsOverrideDetails to the ID token only
// (developer guide, "Pre token generation Lambda trigger": "Amazon
// Cognito sends a V1_0 event as a request to your function with data
// that it would write to the ID token").
func TestDevIssuerTriggerV1(t *testing.T) {
	var version any
	trigger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		version = ev["version"]
		ev["response"] = map[string]any{"claimsOverrideDetails": map[string]any{
			"claimsToAddOrOverride": map[string]any{"tier": "gold"},
		}}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer trigger.Close()
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"), "--state-file", "none",
		"--pre-token-generation", trigger.URL, "--trigger-version", "V1_0")
	r := cli(t, "", nil, "users", "add", "vic", "--password", "Passw0rd!", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	tokens, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "vic", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	assert.Equal(t, "1", version)
	id, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(context.Background(), tokens["IdToken"].(string))
	require.NoError(t, err)
	tier, _ := id.Get("tier")
	assert.Equal(t, "gold", tier)
	access, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(context.Background(), tokens["AccessToken"].(string))
	require.NoError(t, err)
	_, has := access.Get("tier")
	assert.False(t, has, "a V1_0 trigger does not change the access token")
}

func TestDevIssuerServesManagedLogin(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"), "--state-file", "none")
	resp, err := http.Get(d.issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var discovery map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&discovery))
	resp.Body.Close()
	assert.Equal(t, d.base+"/oauth2/authorize", discovery["authorization_endpoint"])
	assert.Equal(t, d.base+"/oauth2/token", discovery["token_endpoint"])

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := "client_id=local-client&response_type=code&scope=openid&redirect_uri=" + "http%3A%2F%2Flocalhost%3A8080%2Fcallback"
	resp, err = client.Get(d.base + "/oauth2/authorize?" + q)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/login?"), resp.Header.Get("Location"))

	resp, err = http.Get(d.base + "/")
	require.NoError(t, err)
	help, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(help), "login:    /oauth2/authorize")
}
