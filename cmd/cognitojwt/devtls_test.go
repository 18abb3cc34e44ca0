package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dev-issuer --tls serves https with a certificate from a local CA kept
// beside the key file, says how to trust it, and names https issuers.
func TestDevIssuerServesTLSFromALocalCA(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.json")
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile, "--tls")
	caFile := filepath.Join(dir, "dev-issuer-ca.pem")
	require.True(t, strings.HasPrefix(d.issuer, "https://127.0.0.1:"), d.issuer)
	out := d.stdout.String()
	// The line startDevIssuer waits for comes last, after the trust hints.
	assert.True(t, strings.HasSuffix(out, "\nPress Ctrl+C to stop.\n"), out)
	for _, hint := range []string{"NODE_EXTRA_CA_CERTS=" + caFile, "SSL_CERT_FILE=" + caFile} {
		assert.Contains(t, out, hint)
	}
	info, err := os.Stat(filepath.Join(dir, "dev-issuer-ca-key.pem"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	caPEM, err := os.ReadFile(caFile)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(caPEM))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for _, base := range []string{d.base, strings.Replace(d.base, "127.0.0.1", "localhost", 1)} {
		resp, err := client.Get(base + "/local_Dev/.well-known/openid-configuration")
		require.NoError(t, err, "the certificate names %s", base)
		var doc map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		resp.Body.Close()
		assert.Equal(t, d.issuer, doc["issuer"])
		assert.True(t, strings.HasPrefix(doc["jwks_uri"].(string), "https://"))
	}
	status, _ := api(t, client, d.base, "", "ListUserPools", map[string]any{"MaxResults": 5})
	assert.Equal(t, http.StatusOK, status)
	// Without the CA, the certificate is not trusted.
	_, err = http.Get(d.base + "/local_Dev/.well-known/jwks.json")
	require.Error(t, err)
	require.Equal(t, 0, d.stop(t))

	// The CA is kept: a restart serves a certificate the same file trusts.
	again := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile, "--tls")
	resp, err := client.Get(again.jwks)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	caAgain, err := os.ReadFile(caFile)
	require.NoError(t, err)
	assert.Equal(t, caPEM, caAgain)
}

func TestDevIssuerRefusesABrokenCA(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dev-issuer-ca.pem"), []byte("not pem"), 0o644))
	r := cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--key-file", filepath.Join(dir, "key.json"), "--tls")
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "dev-issuer-ca")
}
