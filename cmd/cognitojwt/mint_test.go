package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

func TestMintOffline(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.json")
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)

	// Minted without the server, for the address it will have.
	const addr = "localhost:9339"
	r := cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--addr", addr, "--pool", "local_Dev",
		"--username", "judy", "--groups", "admin", "--trigger-claim", `roles=["a","b"]`)
	require.Equal(t, 0, r.code, r)
	claims, err := verifierFor(t, "http://127.0.0.1:9339/local_Dev", d.jwks, cognitojwt.AccessToken).
		Verify(context.Background(), strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	assert.Equal(t, "judy", claims.Username)
	assert.Equal(t, []string{"admin"}, claims.Groups.Slice())
	roles, _ := claims.Get("roles")
	assert.Equal(t, []any{"a", "b"}, roles)

	r = cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--addr", addr, "--token-use", "id",
		"--username", "judy", "--attr", "tenant_id=acme")
	require.Equal(t, 0, r.code, r)
	idClaims, err := verifierFor(t, "http://127.0.0.1:9339/local_Dev", d.jwks, cognitojwt.IDToken).
		Verify(context.Background(), strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	tenant, _ := idClaims.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)
	assert.Equal(t, claims.Subject, idClaims.Subject, "one user, one sub")

	// Cognito puts attributes into ID tokens only: asking for them in an
	// access token is a mistake the command names.
	r = cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--attr", "tenant_id=acme")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "--trigger-claim")
	assert.Empty(t, r.stdout)

	r = cli(t, "", nil, "mint", "--offline", "--key-file", filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "cognitojwt dev-issuer")

	r = cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--lifetime", "25h")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "24h")
}

func TestMintUsageAndNetworkErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no server", []string{"--server", closedURL(t)}, 3, "cannot reach the dev-issuer"},
		{"not a URL", []string{"--server", "ftp://127.0.0.1"}, 2, "--server"},
		{"bad lifetime", []string{"--lifetime", "soon"}, 2, "lifetime"},
		{"bad attribute", []string{"--attr", "tenant"}, 2, "NAME=VALUE"},
		{"bad trigger claim", []string{"--trigger-claim", "level"}, 2, "NAME=VALUE"},
		{"bad token use", []string{"--token-use", "refresh"}, 2, "--token-use"},
		{"argument", []string{"alice"}, 2, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", nil, append([]string{"mint"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
			assert.Empty(t, r.stdout)
		})
	}
}
