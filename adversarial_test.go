package cognitojwt_test

// Adversarial corpus: every class of hostile token in testdata/tokens.jsonl
// and every hostile key set in testdata/jwks.jsonl is built at run time
// (signatures need this run's keys), then driven through Verify and through
// the middleware. Each line names the exact error kind and HTTP answer it
// must get. SECURITY.md maps the classes to the rules that stop them.

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// ---- shared fixtures -------------------------------------------------------

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

// trapListener is a loopback listener that header URLs (jku, x5u, kid
// values shaped like URLs) point at. The verifier must never connect to it.
type trapListener struct {
	ln    net.Listener
	conns atomic.Int64
	done  chan struct{}
}

func newTrapListener(t testing.TB) *trapListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := &trapListener{ln: ln, done: make(chan struct{})}
	go func() {
		defer close(tl.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tl.conns.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-tl.done
	})
	return tl
}

func (tl *trapListener) URL() string { return "http://" + tl.ln.Addr().String() + "/keys.json" }

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

// beforeNetwork are the kinds Verify must decide without touching the JWKS
// endpoint: untrusted input never causes a fetch.
func beforeNetwork(kind error) bool {
	return kind == cognitojwt.ErrMalformedToken || kind == cognitojwt.ErrUnsupportedAlgorithm ||
		kind == cognitojwt.ErrWrongIssuer || kind == cognitojwt.ErrNoToken
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

// ---- the token corpus ------------------------------------------------------

// tokenCase is one line of testdata/tokens.jsonl.
type tokenCase struct {
	Name  string `json:"name"`
	Class string `json:"class"`
	// Use is the token kind and the verifier's TokenUse: "access" or "id".
	Use string `json:"use"`
	// Token is a literal token; it skips building and signing.
	Token *string `json:"token"`
	// Header and Claims patch the default header {"kid","alg":"RS256"} and
	// the issuer's claim set; "$delete" removes a member.
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
	// RawHeader and RawPayload give the exact JSON text instead.
	RawHeader  *string `json:"raw_header"`
	RawPayload *string `json:"raw_payload"`
	// Sign is how the signature is made (see signingInput); "" is RS256
	// with the issuer's current key.
	Sign string `json:"sign"`
	// Mutate lists edits of the finished token string, applied in order.
	Mutate []string `json:"mutate"`
	// Edit patches the claims of the re-encoded payload for the
	// "keep_sig_with_edit" mutation.
	Edit map[string]any `json:"edit"`
	// RequireAnyGroup / RequireAllScopes guard the route with a policy.
	RequireAnyGroup  string `json:"require_group"`
	RequireAllScopes string `json:"require_scope"`
	// Want is the error kind Verify returns; Status the middleware's answer.
	Want   string `json:"want"`
	Status int    `json:"status"`
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

func loadTokenCorpus(t testing.TB) []tokenCase {
	cases := loadJSONLines[tokenCase](t, "testdata/tokens.jsonl")
	seen := map[string]bool{}
	for _, c := range cases {
		if _, ok := errorKinds[c.Want]; !ok || c.Status == 0 || c.Name == "" || c.Class == "" {
			t.Fatalf("corpus case %q: want %q / status %d / class %q incomplete", c.Name, c.Want, c.Status, c.Class)
		}
		if seen[c.Class+"/"+c.Name] {
			t.Fatalf("corpus case %q listed twice", c.Name)
		}
		seen[c.Class+"/"+c.Name] = true
	}
	return cases
}

// corpusEnv holds what building hostile tokens needs: the issuer, its
// clock, keys of strangers and the trap for header URLs.
type corpusEnv struct {
	t     testing.TB
	clock *clock
	iss   *cognitotest.Issuer
	// issuer is the iss tokens carry and the verifier expects: the local
	// issuer's URL, or a fixed one where several processes must agree.
	issuer   string
	stranger *cognitotest.SigningKey
	ecKey    *ecdsa.PrivateKey
	trap     *trapListener
	x5c      string // base64 DER of a self-signed certificate of stranger
	leeway   time.Duration
}

func newCorpusEnv(t testing.TB) *corpusEnv {
	t.Helper()
	clock := newClock()
	env := &corpusEnv{
		t:        t,
		clock:    clock,
		iss:      cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool"))),
		stranger: sharedKey(t, "stranger"),
		trap:     newTrapListener(t),
	}
	env.issuer = env.iss.URL()
	var err error
	if env.ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "cognito-idp.us-east-1.amazonaws.com"},
		NotBefore:    clock.Now().Add(-time.Hour),
		NotAfter:     clock.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, env.stranger.Private.Public(), env.stranger.Private)
	if err != nil {
		t.Fatal(err)
	}
	env.x5c = base64.StdEncoding.EncodeToString(der)
	return env
}

func (e *corpusEnv) verifier(use string, leeway time.Duration) *cognitojwt.Verifier {
	e.t.Helper()
	cfg := e.iss.Config(cognitotest.DefaultClientID)
	cfg.Now = e.clock.Now
	cfg.Issuer = e.issuer
	cfg.Leeway = exactLeeway(leeway)
	if use == "id" {
		cfg.TokenUse = cognitojwt.IDToken
	}
	v, err := cognitojwt.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

var templatePattern = regexp.MustCompile(`\$\{([A-Z_]+)(?:([+-])(\d+)|:([0-9a-fA-F]{2}))?\}`)

// expand replaces ${NAME} templates: ISS, HOST, PORT, POOL, POOL_UPPER,
// KID, KID_LOWER, STRANGER_KID, CLIENT, TRAP, VALID (a valid access token), NOW and
// NOW±seconds (numbers as text), and BYTE:xx (one raw byte).
func (e *corpusEnv) expand(s string) string {
	return templatePattern.ReplaceAllStringFunc(s, func(m string) string {
		p := templatePattern.FindStringSubmatch(m)
		host := strings.TrimPrefix(strings.TrimSuffix(e.iss.URL(), "/"+e.iss.PoolID()), "http://")
		switch p[1] {
		case "ISS":
			return e.issuer
		case "HOST":
			return host
		case "PORT":
			_, port, _ := net.SplitHostPort(host)
			return port
		case "POOL":
			return e.iss.PoolID()
		case "POOL_UPPER":
			return strings.ToUpper(e.iss.PoolID())
		case "KID":
			return e.iss.CurrentKey().KeyID
		case "KID_LOWER":
			return strings.ToLower(e.iss.CurrentKey().KeyID)
		case "STRANGER_KID":
			return e.stranger.KeyID
		case "CLIENT":
			return cognitotest.DefaultClientID
		case "TRAP":
			return e.trap.URL()
		case "VALID":
			return e.iss.AccessToken(cognitotest.WithClaim("iss", e.issuer))
		case "NOW":
			n, _ := strconv.ParseInt(p[3], 10, 64)
			if p[2] == "-" {
				n = -n
			}
			return strconv.FormatInt(e.clock.Now().Unix()+n, 10)
		case "BYTE":
			b, _ := strconv.ParseUint(p[4], 16, 8)
			return string([]byte{byte(b)})
		}
		e.t.Fatalf("unknown template %s", m)
		return ""
	})
}

// resolve turns corpus values into JSON values: templates in strings, and
// the generator objects {"$now": s, "$leeway": k} (now + s + k*leeway),
// {"$repeat": str, "$n": n}, {"$nest": depth} (nested arrays) and
// {"$strings": n} (n distinct strings); "$JWK" and "$X5C" are the
// stranger's key as a JWK and as a certificate chain.
func (e *corpusEnv) resolve(v any) any {
	switch v := v.(type) {
	case string:
		switch v {
		case "$JWK":
			return publicJWKOf(e.stranger)
		case "$X5C":
			return []any{e.x5c}
		}
		return e.expand(v)
	case map[string]any:
		if n, ok := v["$now"]; ok {
			secs := e.number(n) + e.number(v["$leeway"])*e.leeway.Seconds()
			f := float64(e.clock.Now().Unix()) + secs
			if f == float64(int64(f)) {
				return int64(f)
			}
			return f
		}
		if s, ok := v["$repeat"]; ok {
			return strings.Repeat(s.(string), int(e.number(v["$n"])))
		}
		if d, ok := v["$nest"]; ok {
			depth := int(e.number(d))
			return json.RawMessage(strings.Repeat("[", depth) + strings.Repeat("]", depth))
		}
		if n, ok := v["$strings"]; ok {
			out := make([]string, int(e.number(n)))
			for i := range out {
				out[i] = "group-" + strconv.Itoa(i)
			}
			return out
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = e.resolve(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = e.resolve(x)
		}
		return out
	}
	return v
}

func (e *corpusEnv) number(v any) float64 {
	switch n := v.(type) {
	case nil:
		return 0
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			e.t.Fatalf("bad number %v", n)
		}
		return f
	}
	e.t.Fatalf("not a number: %v", v)
	return 0
}

func (e *corpusEnv) patch(base map[string]any, p map[string]any) map[string]any {
	for k, v := range p {
		if v == "$delete" {
			delete(base, k)
			continue
		}
		base[k] = e.resolve(v)
	}
	return base
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

// build makes the case's token for this run.
func (e *corpusEnv) build(c tokenCase) string {
	e.t.Helper()
	if c.Token != nil {
		return e.mutate(c, e.expand(*c.Token))
	}
	header, payload, claims := e.parts(c)
	input := segmentEncoding.EncodeToString(header) + "." + segmentEncoding.EncodeToString(payload)
	token := input + "." + segmentEncoding.EncodeToString(e.sign(c.Sign, input))
	for _, m := range c.Mutate {
		if m == "keep_sig_with_edit" {
			edited := mustJSON(e.t, e.patch(claims, c.Edit))
			h, _, _ := strings.Cut(token, ".")
			token = h + "." + segmentEncoding.EncodeToString(edited) + token[strings.LastIndex(token, "."):]
		}
	}
	return e.mutate(c, token)
}

// parts returns the case's header and payload JSON, and the claim set the
// payload started from.
func (e *corpusEnv) parts(c tokenCase) (header, payload []byte, claims map[string]any) {
	use := c.Use
	if use == "" {
		use = "access"
	}
	kid := e.iss.CurrentKey().KeyID
	if c.Sign == "stranger" {
		kid = e.stranger.KeyID
	}
	if c.RawHeader != nil {
		header = []byte(e.expand(*c.RawHeader))
	} else {
		header = mustJSON(e.t, e.patch(map[string]any{"kid": kid, "alg": "RS256"}, c.Header))
	}
	claims = e.iss.Claims(use)
	claims["iss"] = e.issuer
	if c.RawPayload != nil {
		payload = []byte(e.expand(*c.RawPayload))
	} else {
		payload = mustJSON(e.t, e.patch(claims, c.Claims))
	}
	return header, payload, claims
}

// sign produces the signature of input as the case asks: RS256 (the pool's
// key), RS384/RS512/PS256 (the pool's key, other algorithms), ES256 (an EC
// key), HS256:<form> (HMAC keyed with the pool's public key as PEM, DER,
// JWK or modulus), stranger (another pool's key), none (empty) and
// garbage (256 fixed bytes).
func (e *corpusEnv) sign(how, input string) []byte {
	poolKey := e.iss.CurrentKey().Private
	rsaSign := func(k *rsa.PrivateKey, h crypto.Hash, pss bool) []byte {
		hh := h.New()
		hh.Write([]byte(input))
		var sig []byte
		var err error
		if pss {
			sig, err = rsa.SignPSS(rand.Reader, k, h, hh.Sum(nil), nil)
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, h, hh.Sum(nil))
		}
		if err != nil {
			e.t.Fatal(err)
		}
		return sig
	}
	macWith := func(h func() hash.Hash, key []byte) []byte {
		m := hmac.New(h, key)
		m.Write([]byte(input))
		return m.Sum(nil)
	}
	pub := &poolKey.PublicKey
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		e.t.Fatal(err)
	}
	switch how {
	case "", "RS256":
		return rsaSign(poolKey, crypto.SHA256, false)
	case "RS384":
		return rsaSign(poolKey, crypto.SHA384, false)
	case "RS512":
		return rsaSign(poolKey, crypto.SHA512, false)
	case "PS256":
		return rsaSign(poolKey, crypto.SHA256, true)
	case "stranger":
		return rsaSign(e.stranger.Private, crypto.SHA256, false)
	case "ES256":
		d := sha256.Sum256([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, e.ecKey, d[:])
		if err != nil {
			e.t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	case "HS256:pem":
		return macWith(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}))
	case "HS256:pem-pkcs1":
		return macWith(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}))
	case "HS256:der":
		return macWith(sha256.New, pkix)
	case "HS256:jwk":
		return macWith(sha256.New, publishedJWK(e.t, e.iss))
	case "HS256:modulus":
		return macWith(sha256.New, pub.N.Bytes())
	case "HS512:pem":
		return macWith(sha512.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}))
	case "none":
		return nil
	case "garbage":
		return bytes.Repeat([]byte{0x5a}, 256)
	}
	e.t.Fatalf("unknown signing mode %q", how)
	return nil
}

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

// publishedJWK returns the first key of the issuer's JWKS exactly as
// served: what an attacker would use as an HMAC secret.
func publishedJWK(t testing.TB, iss *cognitotest.Issuer) []byte {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(iss.JWKS(), &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("issuer JWKS: %v", err)
	}
	return set.Keys[0]
}

// mutate applies the case's edits of the token string. Each must change
// the token, or the case would prove nothing.
func (e *corpusEnv) mutate(c tokenCase, token string) string {
	for _, m := range c.Mutate {
		before := token
		op, arg, _ := strings.Cut(m, ":")
		segs := strings.Split(token, ".")
		switch op {
		case "keep_sig_with_edit":
			continue // applied while building
		case "keep":
			n, _ := strconv.Atoi(arg)
			token = strings.Join(segs[:n], ".")
		case "append_segment":
			token += "." + segs[len(segs)-1]
		case "empty":
			n, _ := strconv.Atoi(arg)
			segs[n] = ""
			token = strings.Join(segs, ".")
		case "dots":
			n, _ := strconv.Atoi(arg)
			token += strings.Repeat(".", n)
		case "dot_after":
			n, _ := strconv.Atoi(arg)
			segs[n] += "."
			token = strings.Join(segs, ".")
		case "pad":
			n, _ := strconv.Atoi(arg)
			for len(segs[n])%4 != 0 {
				segs[n] += "="
			}
			token = strings.Join(segs, ".")
		case "std_b64":
			token = strings.NewReplacer("-", "+", "_", "/").Replace(token)
		case "noncanonical":
			// Set a bit that only padding occupies: lenient decoders
			// ignore it, so the token would have two spellings.
			n, _ := strconv.Atoi(arg)
			s := segs[n]
			if len(s)%4 == 0 {
				e.t.Fatalf("segment %d has no padding bits", n)
			}
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			last := strings.IndexByte(alphabet, s[len(s)-1])
			segs[n] = s[:len(s)-1] + string(alphabet[last|1])
			token = strings.Join(segs, ".")
		case "insert_after_dot":
			// arg is "<dot index>:<text>", text JSON-unquoted.
			idx, text, _ := strings.Cut(arg, ":")
			n, _ := strconv.Atoi(idx)
			unq, err := strconv.Unquote(`"` + text + `"`)
			if err != nil {
				e.t.Fatalf("insert_after_dot text %q: %v", text, err)
			}
			segs[n] = unq + segs[n]
			token = strings.Join(segs, ".")
		case "flip_sig_bit":
			sig, err := segmentEncoding.DecodeString(segs[2])
			if err != nil {
				e.t.Fatal(err)
			}
			sig[len(sig)/2] ^= 0x01
			segs[2] = segmentEncoding.EncodeToString(sig)
			token = strings.Join(segs, ".")
		case "sig_bytes":
			n, _ := strconv.Atoi(arg)
			segs[2] = segmentEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, n))
			token = strings.Join(segs, ".")
		case "swap_sig":
			other := strings.Split(e.iss.AccessToken(cognitotest.WithClaim("iss", e.issuer)), ".")
			segs[2] = other[2]
			token = strings.Join(segs, ".")
		case "jws_json":
			token = string(mustJSON(e.t, map[string]any{
				"payload":    segs[1],
				"signatures": []any{map[string]any{"protected": segs[0], "signature": segs[2]}},
			}))
		case "jws_json_flat":
			token = string(mustJSON(e.t, map[string]any{"payload": segs[1], "protected": segs[0], "signature": segs[2]}))
		case "jwe":
			jweHeader := segmentEncoding.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"` + e.iss.CurrentKey().KeyID + `"}`))
			token = strings.Join([]string{jweHeader, segs[2], segmentEncoding.EncodeToString(make([]byte, 12)), segs[1], segmentEncoding.EncodeToString(make([]byte, 16))}, ".")
		default:
			e.t.Fatalf("unknown mutation %q", m)
		}
		if token == before {
			e.t.Fatalf("mutation %q left the token unchanged", m)
		}
	}
	return token
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

func TestAdversarialCorpus(t *testing.T) {
	checkGoroutineLeaks(t)
	env := newCorpusEnv(t)
	cases := loadTokenCorpus(t)
	classes := map[string]int{}
	for _, leeway := range []time.Duration{0, 30 * time.Second} {
		env.leeway = leeway
		for _, c := range cases {
			classes[c.Class]++
			token := env.build(c)
			t.Run(fmt.Sprintf("leeway=%s/%s/%s", leeway, c.Class, c.Name), func(t *testing.T) {
				runTokenCase(t, env, c, token, leeway)
			})
		}
	}
	for _, class := range []string{"structure", "algorithm", "signature", "claims", "authz"} {
		if classes[class] < 2*5 {
			t.Errorf("class %s has %d cases; every class needs several variants", class, classes[class]/2)
		}
	}
	if n := env.trap.conns.Load(); n != 0 {
		t.Errorf("header URLs caused %d connections to the trap listener", n)
	}
}

func runTokenCase(t *testing.T, env *corpusEnv, c tokenCase, token string, leeway time.Duration) {
	want := errorKinds[c.Want]
	v := env.verifier(c.Use, leeway)
	fetches := env.iss.JWKSFetches()
	secrets := secretsOf(token)

	claims, err := v.Verify(context.Background(), token)
	requireKind(t, want, err)
	if err != nil {
		if claims != nil {
			t.Fatal("claims returned with an error")
		}
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(err.Error(), s) {
				t.Fatalf("error text %q reveals %q", err, s)
			}
		}
		// Failures are never cached: the same token fails the same way.
		_, again := v.Verify(context.Background(), token)
		requireKind(t, want, again)
	} else if claims.Issuer != env.issuer {
		t.Fatalf("verified claims carry issuer %q", claims.Issuer)
	}

	var guard func(http.Handler) http.Handler
	switch {
	case c.RequireAnyGroup != "":
		guard = cognitojwt.RequireAnyGroup(c.RequireAnyGroup)
	case c.RequireAllScopes != "":
		guard = cognitojwt.RequireAllScopes(c.RequireAllScopes)
	}
	res := serveProtected(v, []string{"Bearer " + token}, guard)
	if c.Status == http.StatusNoContent {
		if !res.reached || res.claims == nil || res.rec.Code != http.StatusNoContent {
			t.Fatalf("valid request: status %d, reached %v", res.rec.Code, res.reached)
		}
		if res.claims.Subject != claims.Subject {
			t.Fatalf("context claims are of subject %q, Verify said %q", res.claims.Subject, claims.Subject)
		}
	} else {
		assertRejection(t, res, c.Status, secrets)
	}
	if beforeNetwork(want) && env.iss.JWKSFetches() != fetches {
		t.Fatalf("a token rejected as %v caused %d JWKS fetches", want, env.iss.JWKSFetches()-fetches)
	}
}

// ---- the key-set corpus ----------------------------------------------------

// jwksCase is one line of testdata/jwks.jsonl: a key set the pool's JWKS
// endpoint serves, and what tokens signed by each test key get.
type jwksCase struct {
	Name string `json:"name"`
	// Keys are JWKs: {"$key": letter, ...overrides} is that key's public
	// JWK with members replaced (null removes one; "$kid": letter takes
	// another key's kid); anything else is served as written.
	Keys []any `json:"keys"`
	// Body, when set, is served instead of {"keys": Keys}.
	Body *string `json:"body"`
	// Want maps key letters (A: the pool's key, B: a second good key,
	// S: a stranger's key, W: an RSA-1024 key) to the error kind of a
	// token that key signed under its own kid.
	Want map[string]string `json:"want"`
}

// jwksKeys are the keys the key-set corpus names by letter.
func jwksKeys(t testing.TB, iss *cognitotest.Issuer) map[string]*cognitotest.SigningKey {
	return map[string]*cognitotest.SigningKey{
		"A": iss.CurrentKey(),
		"B": sharedKey(t, "second"),
		"S": sharedKey(t, "stranger"),
		"W": sharedKey(t, "weak"),
	}
}

func (c jwksCase) document(t testing.TB, keys map[string]*cognitotest.SigningKey) []byte {
	t.Helper()
	if c.Body != nil {
		pairs := []string{}
		for letter, k := range keys {
			pairs = append(pairs, "${KID_"+letter+"}", k.KeyID, "${N_"+letter+"}", segmentEncoding.EncodeToString(k.Private.N.Bytes()))
		}
		return []byte(strings.NewReplacer(pairs...).Replace(*c.Body))
	}
	out := make([]any, 0, len(c.Keys))
	for _, spec := range c.Keys {
		m, ok := spec.(map[string]any)
		letter, _ := m["$key"].(string)
		if !ok || letter == "" {
			out = append(out, spec)
			continue
		}
		jwk := publicJWKOf(keys[letter])
		for name, v := range m {
			switch {
			case name == "$key":
			case name == "$kid":
				jwk["kid"] = keys[v.(string)].KeyID
			case v == nil:
				delete(jwk, name)
			default:
				jwk[name] = v
			}
		}
		out = append(out, jwk)
	}
	return mustJSON(t, map[string]any{"keys": out})
}

// middlewareStatusFor is the middleware's answer for a Verify outcome.
var middlewareStatusFor = map[error]int{
	nil:                           http.StatusNoContent,
	cognitojwt.ErrKeysUnavailable: http.StatusServiceUnavailable,
}

func TestAdversarialKeySets(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	keys := jwksKeys(t, iss)
	tokens := map[string]string{}
	for letter, k := range keys {
		tokens[letter] = iss.AccessToken(cognitotest.WithKey(k))
	}
	cases := loadJSONLines[jwksCase](t, "testdata/jwks.jsonl")
	if len(cases) < 20 {
		t.Fatalf("key-set corpus has only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Want) == 0 {
				t.Fatal("case names no expectation")
			}
			doc := c.document(t, keys)
			iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(doc)
			}))
			defer iss.SetJWKSHandler(nil)
			cfg := iss.Config(cognitotest.DefaultClientID)
			cfg.Now = clock.Now
			v, err := cognitojwt.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// Letters in a fixed order: the first verification fetches,
			// later ones see the same set.
			for _, letter := range []string{"A", "B", "S", "W"} {
				kind, ok := c.Want[letter]
				if !ok {
					continue
				}
				want, known := errorKinds[kind]
				if !known {
					t.Fatalf("unknown kind %q", kind)
				}
				_, err := v.Verify(context.Background(), tokens[letter])
				requireKind(t, want, err)
				status, ok := middlewareStatusFor[want]
				if !ok {
					status = http.StatusUnauthorized
				}
				res := serveProtected(v, []string{"Bearer " + tokens[letter]}, nil)
				if status == http.StatusNoContent {
					if !res.reached || res.claims == nil {
						t.Fatalf("key %s: valid token refused with %d", letter, res.rec.Code)
					}
					continue
				}
				assertRejection(t, res, status, append(secretsOf(tokens[letter]), keys[letter].KeyID))
			}
		})
	}
}

// ---- limits that need exact sizes or counts --------------------------------

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

func TestTokenSizeLimitBoundary(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, nil)
	key := iss.CurrentKey()
	// tokenOfLength signs a token of exactly n bytes by sizing a filler
	// claim; unpadded base64 cannot be 1 mod 4 long, so a space in the
	// header JSON shifts the payload length when needed.
	tokenOfLength := func(n int) string {
		claims := iss.Claims("access")
		header := `{"alg":"RS256","kid":"` + key.KeyID + `"}`
		sigLen := len(segmentEncoding.EncodeToString(make([]byte, 256)))
		for pad := 0; pad < 4; pad++ {
			h := header[:1] + strings.Repeat(" ", pad) + header[1:]
			claims["custom:filler"] = ""
			base := len(mustJSON(t, claims))
			want := n - len(segmentEncoding.EncodeToString([]byte(h))) - 2 - sigLen
			for filler := 0; filler < n; filler++ {
				if segmentEncoding.EncodedLen(base+filler) == want {
					claims["custom:filler"] = strings.Repeat("f", filler)
					tok := cognitotest.SignRaw(key.Private, []byte(h), mustJSON(t, claims))
					if len(tok) != n {
						t.Fatalf("built %d bytes, want %d", len(tok), n)
					}
					return tok
				}
				if segmentEncoding.EncodedLen(base+filler) > want {
					break
				}
			}
		}
		t.Fatalf("no token of %d bytes", n)
		return ""
	}
	limit := cognitojwt.DefaultMaxTokenSize
	_, err := v.Verify(context.Background(), tokenOfLength(limit))
	requireKind(t, nil, err)
	fetches := iss.JWKSFetches()
	for _, n := range []int{limit + 2, limit + 3} { // limit+1 is 1 mod 4
		_, err = v.Verify(context.Background(), tokenOfLength(n))
		requireKind(t, cognitojwt.ErrMalformedToken, err)
	}
	if iss.JWKSFetches() != fetches {
		t.Fatal("an oversized token reached the key lookup")
	}
	_, err = v.Verify(context.Background(), tokenOfLength(limit-1)+".")
	requireKind(t, cognitojwt.ErrMalformedToken, err)
}

func TestManyDotsCostNoMemory(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.MaxTokenSize = 8 << 20 })
	valid := iss.AccessToken()
	few := valid + strings.Repeat(".", 10)
	many := valid + strings.Repeat(".", 4<<20)
	allocs := func(tok string) float64 {
		return testing.AllocsPerRun(5, func() {
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, cognitojwt.ErrMalformedToken) {
				t.Fatalf("got %v", err)
			}
		})
	}
	if a, b := allocs(few), allocs(many); a != b || b > 2 {
		t.Fatalf("10 extra dots cost %v allocations, 4M dots %v: rejecting must not depend on the dot count", a, b)
	}
	var before, after runtimeMem
	before.read()
	_, err := v.Verify(context.Background(), many)
	after.read()
	requireKind(t, cognitojwt.ErrMalformedToken, err)
	if grew := after.total - before.total; grew > 64<<10 {
		t.Fatalf("rejecting a 4 MiB token of dots allocated %d bytes", grew)
	}
}

// TestWideJSONCostsLinear guards against duplicate-member detection that
// is quadratic in the number of members: a token of thousands of tiny
// members must cost about what a token of half as many costs, before any
// key is needed.
func TestWideJSONCostsLinear(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.MaxTokenSize = 1 << 20 })
	wide := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `"m%d":0,`, i)
		}
		return b.String()
	}
	claims := string(mustJSON(t, iss.Claims("access")))
	for _, where := range []string{"header", "payload"} {
		token := func(n int) string {
			h := `{"alg":"RS256","kid":"unknown",` + wide(n) + `"typ":"JWT"}`
			p := claims
			if where == "payload" {
				h = `{"alg":"RS256","kid":"unknown"}`
				p = "{" + wide(n) + claims[1:]
			}
			return unsignedTokenOf(h, p)
		}
		// Bytes allocated tell a quadratic scan apart: a set rebuilt per
		// member costs the square of the member count.
		cost := func(n int) uint64 {
			tok := token(n)
			var before, after runtimeMem
			before.read()
			for range 3 {
				if _, err := v.Verify(context.Background(), tok); !errors.Is(err, cognitojwt.ErrUnknownKey) {
					t.Fatalf("got %v", err)
				}
			}
			after.read()
			return after.total - before.total
		}
		small, large := cost(2000), cost(8000)
		if large > 6*small {
			t.Errorf("%s of 2000 members allocated %d bytes, of 8000 members %d: cost grows faster than the size", where, small, large)
		}
	}
}

func TestTenThousandGroupsWithinARaisedLimit(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.MaxTokenSize = 1 << 20 })
	groups := make([]string, 10000)
	for i := range groups {
		groups[i] = "group-" + strconv.Itoa(i)
	}
	token := iss.AccessToken(cognitotest.WithGroups(groups...))
	c, err := v.Verify(context.Background(), token)
	requireKind(t, nil, err)
	if c.Groups.Len() != len(groups) || !c.InGroup("group-9999") || c.InGroup("group-10000") {
		t.Fatalf("got %d groups", c.Groups.Len())
	}
	res := serveProtected(v, []string{"Bearer " + token}, cognitojwt.RequireAnyGroup("admin"))
	assertRejection(t, res, http.StatusForbidden, secretsOf(token))
	res = serveProtected(v, []string{"Bearer " + token}, cognitojwt.RequireAnyGroup("group-5000"))
	if !res.reached {
		t.Fatalf("member of group-5000 refused: %d", res.rec.Code)
	}
}

// TestHostileAuthorizationHeaders covers request shapes around a valid
// token: only one well-formed Bearer credential is ever accepted.
func TestHostileAuthorizationHeaders(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, nil)
	valid := iss.AccessToken()
	forged := iss.AccessToken(cognitotest.WithKey(sharedKey(t, "stranger")))
	for _, c := range []struct {
		name   string
		values []string
		status int
	}{
		{"valid then forged", []string{"Bearer " + valid, "Bearer " + forged}, http.StatusBadRequest},
		{"forged then valid", []string{"Bearer " + forged, "Bearer " + valid}, http.StatusBadRequest},
		{"valid twice", []string{"Bearer " + valid, "Bearer " + valid}, http.StatusBadRequest},
		{"two tokens in one header", []string{"Bearer " + valid + " " + valid}, http.StatusBadRequest},
		{"comma-joined credentials", []string{"Bearer " + valid + ", Bearer " + valid}, http.StatusBadRequest},
		{"tab after scheme", []string{"Bearer\t" + valid}, http.StatusBadRequest},
		{"scheme only", []string{"Bearer"}, http.StatusBadRequest},
		{"empty header", []string{""}, http.StatusBadRequest},
		{"quoted token", []string{`Bearer "` + valid + `"`}, http.StatusBadRequest},
		{"token with NUL", []string{"Bearer " + valid + "\x00"}, http.StatusBadRequest},
		{"forged token", []string{"Bearer " + forged}, http.StatusUnauthorized},
		{"token of another scheme", []string{"Basic " + valid}, http.StatusUnauthorized},
		{"scheme lookalike", []string{"Bearers " + valid}, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := serveProtected(v, c.values, nil)
			if c.name == "token of another scheme" || c.name == "scheme lookalike" {
				// Not a Bearer credential: a plain challenge, no error code.
				if res.reached || res.rec.Code != http.StatusUnauthorized || res.rec.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
					t.Fatalf("got %d %q", res.rec.Code, res.rec.Header().Get("WWW-Authenticate"))
				}
				return
			}
			assertRejection(t, res, c.status, append(secretsOf(valid), secretsOf(forged)...))
		})
	}
	// The scheme is case-insensitive (RFC 7235 §2.1), and surrounding
	// whitespace is not part of the field value.
	for _, value := range []string{"bearer " + valid, "BEARER " + valid, "  Bearer   " + valid + " \t"} {
		if res := serveProtected(v, []string{value}, nil); !res.reached {
			t.Errorf("%q refused with %d", value[:10], res.rec.Code)
		}
	}
	// Tokens in the URL are never read (RFC 6750 §5.3).
	req := httptest.NewRequest(http.MethodGet, "/orders?access_token="+valid, nil)
	rec := httptest.NewRecorder()
	reached := false
	cognitojwt.Middleware(v)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(rec, req)
	if reached || rec.Code != http.StatusUnauthorized {
		t.Fatalf("query-string token: %d, reached %v", rec.Code, reached)
	}
}

// runtimeMem reads the bytes allocated so far.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}
