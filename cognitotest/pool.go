package cognitotest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// NewUserPool starts a local user pool on a free loopback port for the
// test and closes it when the test ends: the JSON API (for the AWS SDK,
// with BaseEndpoint set to its URL), Managed Login and the issuer's JWKS,
// as cognitolocal documents them. It fails the test if it cannot start.
func NewUserPool(t testing.TB, cfg cognitolocal.Config) *cognitolocal.Server {
	t.Helper()
	s, err := cognitolocal.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("cognitotest: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// claimsPool mints and verifies the tokens behind Claims: one pool for the
// process, served by no listener, since its verifier reads its keys in
// process.
var claimsPool = sync.OnceValues(func() (*cognitolocal.Pool, error) {
	return cognitolocal.New(cognitolocal.Config{PoolID: DefaultPoolID})
})

// Claims returns the Claims a Verifier would return for a token of use
// minted with opts, for handler tests that put them in a context with
// cognitojwt.ContextWithAuthentication. The token is minted and verified for real
// (client opts' client ID, the current time), so Claims.Get, Attribute and
// Decode read what a real token of that shape carries: attributes only in
// ID tokens, trigger claims (WithPreTokenGenerationClaim) in access
// tokens. Options that make the token unverifiable (WithKey, an expired
// lifetime, a broken WithClaim) fail the test.
func Claims(t testing.TB, use cognitojwt.TokenUse, opts ...TokenOption) *cognitojwt.Claims {
	t.Helper()
	pool, err := claimsPool()
	if err != nil {
		t.Fatalf("cognitotest: %v", err)
	}
	s := newSpec(time.Now, opts)
	kind := string(use)
	if use == cognitojwt.AnyToken {
		kind = string(cognitojwt.AccessToken)
	}
	key := pool.CurrentSigningKey()
	if s.key != nil {
		key = s.key
	}
	claims, err := mint(pool, kind, s)
	if err != nil {
		t.Fatalf("%v", err)
	}
	token, err := cognitolocal.Sign(key, s.header, claims)
	if err != nil {
		t.Fatalf("cognitotest: %v", err)
	}
	v, err := pool.Verifier(s.mint.ClientID, use)
	if err != nil {
		t.Fatalf("cognitotest: %v", err)
	}
	c, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("cognitotest: Claims: the options make a token the verifier refuses: %v", err)
	}
	return c
}
