package cognitolocal

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// API Reference page the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetSigningCertificate.html

func TestGetSigningCertificate(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "GetSigningCertificate", map[string]any{"UserPoolId": DefaultPoolID})
	require.Equal(t, http.StatusOK, status, out)
	der, err := base64.StdEncoding.DecodeString(out["Certificate"].(string))
	require.NoError(t, err, "the certificate is base64 DER (the docs do not give its encoding)")
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	// "The issued certificate is valid for 10 years from the date of
	// issue."
	require.Equal(t, cert.NotBefore.AddDate(10, 0, 0), cert.NotAfter)
	require.NoError(t, cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature), "self-signed")
	// Of the key that signs the pool's tokens.
	require.True(t, cert.PublicKey.(*rsa.PublicKey).Equal(&p.CurrentSigningKey().Private.PublicKey))
	// The same certificate at each call while the key stands.
	_, again := call(t, p, "GetSigningCertificate", map[string]any{"UserPoolId": DefaultPoolID})
	require.Equal(t, out["Certificate"], again["Certificate"])

	requireAPIError(t, p, "GetSigningCertificate", map[string]any{}, codeInvalidParameter,
		"1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "GetSigningCertificate", map[string]any{"UserPoolId": "us-east-1_Nobody"}, codeResourceNotFound, "")
}
