package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

func TestDevIssuerKeySurvivesRestart(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.json")
	first := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)
	status, out := first.post(t, "application/json", `{"username":"ivan"}`)
	require.Equal(t, http.StatusOK, status, out)
	token := out["access_token"].(string)
	require.Equal(t, 0, first.stop(t))

	second := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)
	assert.Contains(t, second.stdout.String(), "(loaded, kid ")
	// The restarted server listens on another port, hence another issuer;
	// its keys are what must carry over.
	_, err := verifierFor(t, first.issuer, second.jwks, cognitojwt.AccessToken).Verify(context.Background(), token)
	assert.NoError(t, err)

	fresh := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "other.json"))
	_, err = verifierFor(t, first.issuer, fresh.jwks, cognitojwt.AccessToken).Verify(context.Background(), token)
	assert.ErrorIs(t, err, cognitojwt.ErrUnknownKey, "another key file, another key")
}

func TestDevIssuerDefaultKeyFile(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0")
	var keyFile string
	for _, line := range strings.Split(d.stdout.String(), "\n") {
		if fields := strings.Fields(line); len(fields) > 2 && fields[0] == "Key" && fields[1] == "file" {
			keyFile = fields[2]
		}
	}
	require.NotEmpty(t, keyFile)
	assert.Equal(t, filepath.Join(d.configDir, "cognitojwt", keyFileName), keyFile)
	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	dir, err := os.Stat(filepath.Dir(keyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dir.Mode().Perm())
}
