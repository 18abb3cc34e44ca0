package cognitojwt_test

// Adversarial suite, tokens: every class of hostile token in
// testdata/tokens.jsonl is built at run time (signatures need this run's
// keys), then driven through Verify and through the middleware. Each line
// names the exact error kind and HTTP answer it must get. SECURITY.md maps
// the classes to the rules that stop them. adversarial_tokens_forge_test.go
// signs and edits them.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

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

// beforeNetwork are the kinds Verify must decide without touching the JWKS
// endpoint: untrusted input never causes a fetch.
func beforeNetwork(kind error) bool {
	return kind == cognitojwt.ErrMalformedToken || kind == cognitojwt.ErrUnsupportedAlgorithm ||
		kind == cognitojwt.ErrWrongIssuer || kind == cognitojwt.ErrNoToken
}

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
		guard = authz.RequireAnyGroup(c.RequireAnyGroup)
	case c.RequireAllScopes != "":
		guard = authz.RequireAllScopes(c.RequireAllScopes)
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
