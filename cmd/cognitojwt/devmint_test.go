package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDevIssuerRefusesBadMintRequests(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"unknown JSON field", "application/json", `{"usrname":"x"}`, "usrname"},
		{"not JSON", "application/json", `{`, "JSON body"},
		{"two JSON values", "application/json", `{} {}`, "more than one"},
		{"unknown form field", "application/x-www-form-urlencoded", "usrname=x", "usrname"},
		{"bad lifetime", "application/json", `{"lifetime":"forever"}`, "lifetime"},
		{"too long lifetime", "application/json", `{"lifetime":"48h"}`, "24h"},
		{"machine without scope", "application/json", `{"machine":true}`, "scope"},
		{"machine id token", "application/json", `{"machine":true,"scopes":["a"],"token_use":"id"}`, "access tokens only"},
		{"bad token use", "application/json", `{"token_use":"refresh"}`, "token_use"},
		{"space in username", "application/json", `{"username":"a b"}`, "username"},
		{"attribute without value", "application/x-www-form-urlencoded", "attribute=tenant", "NAME=VALUE"},
		{"bad machine flag", "application/x-www-form-urlencoded", "machine=maybe", "machine"},
		{"attribute in an access token", "application/json", `{"token_use":"access","attributes":{"tenant_id":"acme"}}`, "trigger_claims"},
		{"claim in an access token", "application/x-www-form-urlencoded", "token_use=access&claim=x%3D1", "ID tokens only"},
		{"claim in a machine token", "application/json", `{"machine":true,"scopes":["a"],"claims":{"x":1}}`, "ID tokens only"},
		{"trigger claim without value", "application/x-www-form-urlencoded", "trigger_claim=level", "NAME=VALUE"},
		{"huge body", "application/x-www-form-urlencoded", "username=" + strings.Repeat("a", maxMintBody), "larger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := d.post(t, tc.contentType, tc.body)
			assert.Equal(t, http.StatusBadRequest, status, out)
			assert.Equal(t, "invalid_request", out["error"])
			assert.Contains(t, out["error_description"], tc.want)
			assert.Nil(t, out["access_token"])
		})
	}

	resp, err := http.Get(d.base + "/mint")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.MethodPost, resp.Header.Get("Allow"))

	resp, err = http.Get(d.base + "/elsewhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	req, err := http.NewRequest(http.MethodPost, d.base+"/mint", strings.NewReader("username=x"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "rebound.example:9229"
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.NotContains(t, string(body), "access_token")

	r := cli(t, "", nil, "mint", "--server", d.base, "--machine")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "at least one scope")
}
