package cognitojwt_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// testClient is the app client every test verifier accepts.
const testClient = cognitotest.DefaultClientID

// clock is a manual clock shared by an issuer and a verifier, so that
// lifetime boundaries and cooldowns are exact and no test sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts on a whole second: Cognito dates are whole seconds.
func newClock() *clock { return &clock{t: time.Unix(1_750_000_000, 0).UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// RSA key generation dominates the suite's run time under -race, so
// issuers share a few pre-generated keys unless a test rotates.
var testKeys = sync.OnceValue(func() []*cognitotest.SigningKey {
	keys := make([]*cognitotest.SigningKey, 3)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := cognitotest.NewSigningKey()
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	return keys
})

// primaryKey signs tokens of every issuer built by newIssuer; spareKey is
// published by nobody unless a test adds it.
func primaryKey() *cognitotest.SigningKey { return testKeys()[0] }
func spareKey() *cognitotest.SigningKey   { return testKeys()[1] }
func thirdKey() *cognitotest.SigningKey   { return testKeys()[2] }

func newIssuer(t *testing.T, clk *clock, opts ...cognitotest.IssuerOption) *cognitotest.Issuer {
	t.Helper()
	base := []cognitotest.IssuerOption{cognitotest.WithSigningKey(*primaryKey()), cognitotest.WithClock(clk.Now)}
	return cognitotest.NewIssuer(t, append(base, opts...)...)
}

// depIssuer starts a fake pool of its own, signing with the i-th shared
// key: for tests of several pools.
func depIssuer(t *testing.T, poolID string, key int) *cognitotest.Issuer {
	t.Helper()
	return cognitotest.NewIssuer(t, cognitotest.WithPoolID(poolID), cognitotest.WithSigningKey(*testKeys()[key]))
}

// newVerifier builds a verifier for iss on clk; edit adjusts the config.
func newVerifier(t *testing.T, iss *cognitotest.Issuer, clk *clock, edit func(*cognitojwt.Config)) *cognitojwt.Verifier {
	t.Helper()
	cfg := iss.Config(testClient)
	cfg.Now = clk.Now
	if edit != nil {
		edit(&cfg)
	}
	v, err := cognitojwt.New(cfg)
	require.NoError(t, err)
	return v
}

// fixture is an issuer and a verifier on one manual clock.
type fixture struct {
	clk *clock
	iss *cognitotest.Issuer
	v   *cognitojwt.Verifier
}

func newFixture(t *testing.T, edit func(*cognitojwt.Config)) *fixture {
	t.Helper()
	clk := newClock()
	iss := newIssuer(t, clk)
	return &fixture{clk: clk, iss: iss, v: newVerifier(t, iss, clk, edit)}
}

func (f *fixture) verify(token string) (*cognitojwt.Claims, error) {
	return f.v.Verify(context.Background(), token)
}

// exactLeeway is the Config.Leeway that allows exactly d of skew: an
// unset Leeway means DefaultLeeway, so zero is asked for as a negative.
func exactLeeway(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// allSentinels are the package's error kinds.
var allSentinels = []error{
	cognitojwt.ErrNoToken, cognitojwt.ErrMalformedToken, cognitojwt.ErrUnsupportedAlgorithm,
	cognitojwt.ErrUnknownKey, cognitojwt.ErrInvalidSignature, cognitojwt.ErrExpired,
	cognitojwt.ErrNotYetValid, cognitojwt.ErrWrongIssuer, cognitojwt.ErrWrongClient,
	cognitojwt.ErrWrongTokenUse, cognitojwt.ErrKeysUnavailable, cognitojwt.ErrInvalidRequest,
	cognitojwt.ErrInsufficientScope, cognitojwt.ErrInvalidConfig, cognitojwt.ErrRevoked,
	cognitojwt.ErrCanceled,
}

// requireKind asserts that err wraps want and no other sentinel; want nil
// means success.
func requireKind(t testing.TB, want, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	require.Truef(t, errors.Is(err, want), "error %q does not wrap %q", err, want)
	for _, other := range allSentinels {
		require.Falsef(t, other != want && errors.Is(err, other), "error %q is both %q and %q", err, want, other)
	}
}

// fetchWatch reports every JWKS fetch the verifier completes, so tests can
// wait for background fetches instead of sleeping.
type fetchWatch chan cognitojwt.JWKSFetch

func watchFetches(cfg *cognitojwt.Config) fetchWatch {
	ch := make(fetchWatch, 64)
	cfg.Hooks.OnJWKSFetch = func(f cognitojwt.JWKSFetch) { ch <- f }
	return ch
}

func (w fetchWatch) next(t *testing.T) cognitojwt.JWKSFetch {
	t.Helper()
	select {
	case f := <-w:
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no JWKS fetch completed")
		return cognitojwt.JWKSFetch{}
	}
}

// jwkOf is the public half of k as a JWK object, ready to be altered.
func jwkOf(k *cognitotest.SigningKey) map[string]any {
	return rsaJWK(k.KeyID, &k.Private.PublicKey)
}

func rsaJWK(kid string, pub *rsa.PublicKey) map[string]any {
	enc := base64.RawURLEncoding
	return map[string]any{
		"kty": "RSA",
		"kid": kid,
		"alg": "RS256",
		"use": "sig",
		"n":   enc.EncodeToString(pub.N.Bytes()),
		"e":   enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func jwksDoc(keys ...map[string]any) []byte {
	if keys == nil {
		keys = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// rsaKey1024 is a key below the 2048-bit floor the verifier demands.
func rsaKey1024() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 1024) }
