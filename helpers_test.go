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

	"bufio"
	"bytes"
	"crypto/sha256"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"go.uber.org/goleak"
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

// claimsOf verifies a token minted with opts and returns its claims.
func claimsOf(t *testing.T, f *fixture, opts ...cognitotest.TokenOption) *cognitojwt.Claims {
	t.Helper()
	c, err := f.verify(f.iss.AccessToken(opts...))
	require.NoError(t, err)
	return c
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
	case <-time.After(livenessLimit(t)):
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

// sharedKeys are generated once per test binary: one RSA key costs up to a
// second under the race detector.
var sharedKeys = struct {
	mu   sync.Mutex
	keys map[string]*cognitotest.SigningKey
}{keys: map[string]*cognitotest.SigningKey{}}

// sharedKey returns the named test key: "pool" is the same RSA-2048 key
// in every process (see deterministicKey), "weak" is RSA-1024, every other
// name a fresh RSA-2048 key with a Cognito-like random kid.
func sharedKey(t testing.TB, name string) *cognitotest.SigningKey {
	t.Helper()
	sharedKeys.mu.Lock()
	defer sharedKeys.mu.Unlock()
	if k := sharedKeys.keys[name]; k != nil {
		return k
	}
	k, err := cognitotest.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	switch name {
	case "pool":
		kid := sha256.Sum256([]byte("kid of the local test pool"))
		k = &cognitotest.SigningKey{KeyID: base64.StdEncoding.EncodeToString(kid[:]), Private: deterministicKey(t, "local test pool")}
	case "weak":
		if k.Private, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			t.Fatal(err)
		}
	}
	sharedKeys.keys[name] = k
	return k
}

// deterministicKey derives an RSA-2048 key from seed. A fuzzing run builds
// its seed tokens in one process and verifies them in others; they must
// share the signing key, and crypto/rsa.GenerateKey cannot be seeded.
func deterministicKey(t testing.TB, seed string) *rsa.PrivateKey {
	t.Helper()
	rng := mrand.NewChaCha8(sha256.Sum256([]byte(seed)))
	e := big.NewInt(65537)
	one := big.NewInt(1)
	prime := func() *big.Int {
		buf := make([]byte, 128)
		_, _ = rng.Read(buf)
		buf[0] |= 0xc0 // the product of two such primes has 2048 bits
		buf[len(buf)-1] |= 1
		p := new(big.Int).SetBytes(buf)
		for !p.ProbablyPrime(20) || new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) != 0 {
			p.Add(p, big.NewInt(2))
		}
		return p
	}
	p, q := prime(), prime()
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		D:         new(big.Int).ModInverse(e, phi),
		Primes:    []*big.Int{p, q},
	}
	k.Precompute()
	if err := k.Validate(); err != nil || k.N.BitLen() != 2048 {
		t.Fatalf("derived key: %v (%d bits)", err, k.N.BitLen())
	}
	return k
}

// checkGoroutineLeaks fails t if goroutines started during the test outlive
// it. Call it first, so that its cleanup runs after every other one
// (servers closed, fetches finished).
func checkGoroutineLeaks(t testing.TB) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// errorKinds maps the corpus's names to the sentinels; "ok" is success.
var errorKinds = map[string]error{
	"ok":                nil,
	"no_token":          cognitojwt.ErrNoToken,
	"malformed":         cognitojwt.ErrMalformedToken,
	"unsupported_alg":   cognitojwt.ErrUnsupportedAlgorithm,
	"unknown_key":       cognitojwt.ErrUnknownKey,
	"invalid_signature": cognitojwt.ErrInvalidSignature,
	"expired":           cognitojwt.ErrExpired,
	"not_yet_valid":     cognitojwt.ErrNotYetValid,
	"wrong_issuer":      cognitojwt.ErrWrongIssuer,
	"wrong_client":      cognitojwt.ErrWrongClient,
	"wrong_token_use":   cognitojwt.ErrWrongTokenUse,
	"keys_unavailable":  cognitojwt.ErrKeysUnavailable,
}

// protectedResult is what one request through Middleware produced.
type protectedResult struct {
	rec     *httptest.ResponseRecorder
	reached bool
	claims  *cognitojwt.Claims
}

// serveProtected sends one request to Middleware(v) guarding a handler
// that records whether it ran and which claims it saw. guard, when set,
// wraps the handler inside the middleware (Authorize policies).
func serveProtected(v cognitojwt.TokenVerifier, authorization []string, guard func(http.Handler) http.Handler) protectedResult {
	var res protectedResult
	var next http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res.reached = true
		res.claims, _ = cognitojwt.ClaimsFromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	if guard != nil {
		next = guard(next)
	}
	h := cognitojwt.Middleware(v)(next)
	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	for _, a := range authorization {
		req.Header.Add("Authorization", a)
	}
	res.rec = httptest.NewRecorder()
	h.ServeHTTP(res.rec, req)
	return res
}

// assertRejection checks an error answer: status, RFC 6750 challenge and
// body, that the protected handler never ran, and that nothing secret
// (token segments, kid, claim values) appears anywhere in the answer.
func assertRejection(t testing.TB, res protectedResult, wantStatus int, secrets []string) {
	t.Helper()
	if res.reached {
		t.Fatalf("protected handler ran (claims %v) for a rejected request", res.claims != nil)
	}
	rec := res.rec
	if rec.Code != wantStatus {
		t.Fatalf("status %d, want %d (body %s)", rec.Code, wantStatus, rec.Body)
	}
	wantCode := map[int]string{
		http.StatusBadRequest:         "invalid_request",
		http.StatusUnauthorized:       "invalid_token",
		http.StatusForbidden:          "insufficient_scope",
		http.StatusServiceUnavailable: "temporarily_unavailable",
	}[wantStatus]
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not JSON: %q", rec.Body)
	}
	if body.Error != wantCode || body.Description == "" {
		t.Fatalf("body %+v, want error %q with a description", body, wantCode)
	}
	challenge := rec.Header().Get("WWW-Authenticate")
	if wantStatus == http.StatusServiceUnavailable {
		if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("503 without a usable Retry-After: %q", rec.Header().Get("Retry-After"))
		}
	} else if !strings.HasPrefix(challenge, `Bearer realm="api", error="`+wantCode+`"`) {
		t.Fatalf("WWW-Authenticate %q, want a Bearer challenge with error %q", challenge, wantCode)
	}
	var answer strings.Builder
	answer.Write(rec.Body.Bytes())
	for name, values := range rec.Header() {
		answer.WriteString(name + ": " + strings.Join(values, ",") + "\n")
	}
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(answer.String(), s) {
			t.Fatalf("answer reveals %q", s)
		}
	}
}

// secretsOf lists what must never appear in an answer or an error text:
// the token's segments, its kid and its claim values.
func secretsOf(token string) []string {
	out := strings.Split(token, ".")
	if len(out) >= 2 {
		if h, err := segmentEncoding.DecodeString(out[0]); err == nil {
			var hdr map[string]any
			if json.Unmarshal(h, &hdr) == nil {
				if kid, ok := hdr["kid"].(string); ok {
					out = append(out, kid)
				}
			}
		}
		if p, err := segmentEncoding.DecodeString(out[1]); err == nil {
			var claims map[string]any
			if json.Unmarshal(p, &claims) == nil {
				for _, name := range []string{"sub", "jti", "username", "cognito:username", "event_id", "origin_jti"} {
					if s, ok := claims[name].(string); ok {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

func loadJSONLines[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		var c T
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var segmentEncoding = base64.RawURLEncoding

// publicJWKOf is k's public half as Cognito publishes it.
func publicJWKOf(k *cognitotest.SigningKey) map[string]any {
	pub := &k.Private.PublicKey
	return map[string]any{
		"kty": "RSA",
		"kid": k.KeyID,
		"alg": "RS256",
		"use": "sig",
		"n":   segmentEncoding.EncodeToString(pub.N.Bytes()),
		"e":   segmentEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// unsignedTokenOf assembles a token from JSON texts with a signature that
// never verifies: enough for every check that runs before the signature.
func unsignedTokenOf(header, payload string) string {
	return segmentEncoding.EncodeToString([]byte(header)) + "." + segmentEncoding.EncodeToString([]byte(payload)) + "." +
		segmentEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 256))
}

func newCorpusVerifier(t testing.TB, iss *cognitotest.Issuer, clock *clock, edit func(*cognitojwt.Config)) *cognitojwt.Verifier {
	t.Helper()
	cfg := iss.Config(cognitotest.DefaultClientID)
	cfg.Now = clock.Now
	if edit != nil {
		edit(&cfg)
	}
	v, err := cognitojwt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func serveBytes(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

func serveStatus(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
}
