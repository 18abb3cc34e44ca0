package cognitojwt_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"encoding/base64"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestJWKSKeySelection(t *testing.T) {
	weak, err := rsaKey1024()
	require.NoError(t, err)
	weakKey := &cognitotest.SigningKey{KeyID: "weak-kid", Private: weak}

	with := func(name string, value any) map[string]any {
		k := jwkOf(primaryKey())
		if value == nil {
			delete(k, name)
		} else {
			k[name] = value
		}
		return k
	}
	backup := jwkOf(thirdKey())
	tests := []struct {
		name   string
		keys   []any
		signer *cognitotest.SigningKey // default primaryKey
		want   error
	}{
		{"control", []any{jwkOf(primaryKey()), backup}, nil, nil},
		{"no alg", []any{with("alg", nil), backup}, nil, nil},
		{"no use", []any{with("use", nil), backup}, nil, nil},
		{"key_ops with verify", []any{with("key_ops", []string{"verify"}), backup}, nil, nil},
		{"extra members", []any{with("x5t", "abc"), backup}, nil, nil},
		{"non-object entry skipped", []any{"junk", 7, jwkOf(primaryKey())}, nil, nil},
		{"same key listed twice", []any{jwkOf(primaryKey()), jwkOf(primaryKey()), backup}, nil, nil},
		{"EC key type", []any{with("kty", "EC"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"kty in lower case", []any{with("kty", "rsa"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"use enc", []any{with("use", "enc"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"key_ops without verify", []any{with("key_ops", []string{"encrypt"}), backup}, nil, cognitojwt.ErrUnknownKey},
		{"key_ops empty", []any{with("key_ops", []string{}), backup}, nil, cognitojwt.ErrUnknownKey},
		{"alg RS512", []any{with("alg", "RS512"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"alg HS256", []any{with("alg", "HS256"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"alg none", []any{with("alg", "none"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"exponent 1", []any{with("e", "AQ"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"even exponent", []any{with("e", "AQAA"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"no modulus", []any{with("n", nil), backup}, nil, cognitojwt.ErrUnknownKey},
		{"kid not a string", []any{with("kid", 5), backup}, nil, cognitojwt.ErrUnknownKey},
		{"zero modulus", []any{with("n", "AA"), backup}, nil, cognitojwt.ErrUnknownKey},
		{"modulus over 8192 bits", []any{with("n", hugeModulus), backup}, nil, cognitojwt.ErrUnknownKey},
		{"1024-bit key", []any{rsaJWK(weakKey.KeyID, &weak.PublicKey), backup}, weakKey, cognitojwt.ErrUnknownKey},
		{"kid listed twice with different keys", []any{jwkOf(primaryKey()), rsaJWK(primaryKey().KeyID, &thirdKey().Private.PublicKey), backup}, nil, cognitojwt.ErrUnknownKey},
		{"kid listed thrice, one different", []any{jwkOf(primaryKey()), rsaJWK(primaryKey().KeyID, &thirdKey().Private.PublicKey), jwkOf(primaryKey()), backup}, nil, cognitojwt.ErrUnknownKey},
		{"no kid is unusable", []any{with("kid", nil)}, nil, cognitojwt.ErrKeysUnavailable},
		{"private exponent rejects the set", []any{jwkOf(primaryKey()), with("d", "AQAB")}, thirdKey(), cognitojwt.ErrKeysUnavailable},
		{"private CRT member rejects the set", []any{with("qi", "AQAB"), backup}, thirdKey(), cognitojwt.ErrKeysUnavailable},
		{"multi-prime member rejects the set", []any{with("oth", []any{}), backup}, thirdKey(), cognitojwt.ErrKeysUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			body, err := jsonMarshal(map[string]any{"keys": tt.keys})
			require.NoError(t, err)
			f.iss.SetJWKSHandler(serveBytes(body))
			signer := tt.signer
			if signer == nil {
				signer = primaryKey()
			}
			c, err := f.verify(f.iss.AccessToken(cognitotest.WithKey(signer)))
			requireKind(t, tt.want, err)
			if tt.want == nil {
				require.Equal(t, signer.KeyID, c.KeyID)
			}
		})
	}
}

// TestJWKSSuppliedDocumentValidatedLikeFetched: New checks a supplied key
// set with the parser and rules of fetched sets; a bad one is
// ErrInvalidConfig, never a panic.
func TestJWKSSuppliedDocumentValidatedLikeFetched(t *testing.T) {
	good := jwksDoc(jwkOf(primaryKey()))
	private := jwkOf(primaryKey())
	private["d"] = "AQAB"
	weak := jwkOf(primaryKey())
	weak["use"] = "enc"
	missing := filepath.Join(t.TempDir(), "absent.json")
	big := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, os.WriteFile(big, good, 0o600))
	cases := []struct {
		name string
		edit func(*cognitojwt.Config)
	}{
		{"empty", func(c *cognitojwt.Config) { c.JWKS = []byte{} }},
		{"not JSON", func(c *cognitojwt.Config) { c.JWKS = []byte("<html>") }},
		{"array document", func(c *cognitojwt.Config) { c.JWKS = []byte("[]") }},
		{"keys not an array", func(c *cognitojwt.Config) { c.JWKS = []byte(`{"keys":{}}`) }},
		{"duplicate members", func(c *cognitojwt.Config) { c.JWKS = []byte(`{"keys":[],"keys":[]}`) }},
		{"no usable key", func(c *cognitojwt.Config) { c.JWKS = jwksDoc(weak) }},
		{"private key material", func(c *cognitojwt.Config) { c.JWKS = jwksDoc(jwkOf(thirdKey()), private) }},
		{"over MaxJWKSSize", func(c *cognitojwt.Config) { c.JWKS, c.MaxJWKSSize = good, int64(len(good)-1) }},
		{"file over MaxJWKSSize", func(c *cognitojwt.Config) { c.JWKSFile, c.MaxJWKSSize = big, int64(len(good)-1) }},
		{"file missing", func(c *cognitojwt.Config) { c.JWKSFile = missing }},
		{"bytes and file", func(c *cognitojwt.Config) { c.JWKS, c.JWKSFile = good, big }},
		{"DisableFetch without keys", func(c *cognitojwt.Config) { c.DisableFetch = true }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cognitojwt.Config{UserPoolID: "us-east-1_AbC123", ClientIDs: []string{testClient}}
			tc.edit(&cfg)
			_, err := cognitojwt.New(cfg)
			requireKind(t, cognitojwt.ErrInvalidConfig, err)
		})
	}
	t.Run("unusable keys beside a good one are skipped", func(t *testing.T) {
		f := newFixture(t, nil)
		v := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) {
			c.JWKS = jwksDoc(jwkOf(primaryKey()), map[string]any{"kty": "oct", "kid": "k", "k": "c2VjcmV0"})
			c.DisableFetch = true
		})
		_, err := v.Verify(context.Background(), f.iss.AccessToken())
		require.NoError(t, err)
	})
}

// hugeModulus is an odd 8200-bit number: past the size any real pool
// uses, and costly to verify with.
var hugeModulus = func() string {
	n := make([]byte, 1025)
	for i := range n {
		n[i] = 0xa5
	}
	n[0], n[len(n)-1] = 0xff, 0x01
	return base64.RawURLEncoding.EncodeToString(n)
}()
