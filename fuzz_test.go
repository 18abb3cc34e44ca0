package cognitojwt_test

// Fuzz targets for Verify and the middleware, seeded from the adversarial
// corpus (tokens signed at run time) and from testdata/fuzz. Without
// -fuzz they run their seeds as tests; .ci/fuzz runs them for a while
// (SECURITY.md tells how to run them long).

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// verifyErrorKinds are the error kinds Verify may return.
var verifyErrorKinds = []error{
	cognitojwt.ErrNoToken, cognitojwt.ErrMalformedToken, cognitojwt.ErrUnsupportedAlgorithm,
	cognitojwt.ErrUnknownKey, cognitojwt.ErrInvalidSignature, cognitojwt.ErrExpired,
	cognitojwt.ErrNotYetValid, cognitojwt.ErrWrongIssuer, cognitojwt.ErrWrongClient,
	cognitojwt.ErrWrongTokenUse, cognitojwt.ErrKeysUnavailable,
}

// fuzzIssuer is the iss of fuzzing tokens. The local issuer's own URL
// has a port that differs between the processes of a fuzzing run, and the
// seeds built in one must verify in the others.
const fuzzIssuer = "https://cognito-idp.us-east-1.amazonaws.com/" + cognitotest.DefaultPoolID

// fuzzEnv is a warmed verifier of a local pool on a clock that never
// moves, so every unknown kid after the first fetch fails fast.
type fuzzEnv struct {
	*corpusEnv
	v *cognitojwt.Verifier
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	checkGoroutineLeaks(f)
	e := &fuzzEnv{corpusEnv: newCorpusEnv(f)}
	e.issuer = fuzzIssuer
	e.v = e.verifier("access", 0)
	if err := e.v.Warm(context.Background()); err != nil {
		f.Fatal(err)
	}
	return e
}

// checkVerifyOutcome holds for every input: an error is exactly one token
// kind and maps to 401 (503 only for unavailable keys, which a warmed
// verifier never reports); a success is a canonical RS256 token of this
// pool, client and token use, whose claims encoding/json reads alike.
func (e *fuzzEnv) checkVerifyOutcome(t *testing.T, token string, c *cognitojwt.Claims, err error) {
	t.Helper()
	if err != nil {
		if c != nil {
			t.Fatal("claims returned with an error")
		}
		kind := cognitojwt.ErrorKind(err)
		found := false
		for _, k := range verifyErrorKinds {
			if k == kind {
				found = true
			} else if errors.Is(err, k) {
				t.Fatalf("error %v is both %v and %v", err, kind, k)
			}
		}
		if !found {
			t.Fatalf("error %v is not a token error kind", err)
		}
		if status, _, _ := cognitojwt.ErrorStatus(err); status != http.StatusUnauthorized {
			t.Fatalf("error %v answered %d", err, status)
		}
		for _, seg := range strings.Split(token, ".") {
			if len(seg) >= 24 && strings.Contains(err.Error(), seg) && !strings.Contains(e.iss.JWKSURL(), seg) {
				t.Fatalf("error text %q reveals token bytes", err)
			}
		}
		return
	}
	if c.Issuer != e.issuer || c.TokenUse != cognitojwt.AccessToken || c.ClientID != cognitotest.DefaultClientID {
		t.Fatalf("accepted iss %q, token_use %q, client %q", c.Issuer, c.TokenUse, c.ClientID)
	}
	if !c.ExpiresAt.After(e.clock.Now()) {
		t.Fatalf("accepted a token that expired at %v", c.ExpiresAt)
	}
	segs := strings.Split(token, ".")
	if len(segs) != 3 {
		t.Fatalf("accepted %d segments", len(segs))
	}
	var raw [3][]byte
	for i, s := range segs {
		b, err := segmentEncoding.Strict().DecodeString(s)
		if err != nil || segmentEncoding.EncodeToString(b) != s {
			t.Fatalf("accepted non-canonical segment %d", i)
		}
		raw[i] = b
	}
	var header map[string]any
	if err := json.Unmarshal(raw[0], &header); err != nil || header["alg"] != "RS256" {
		t.Fatalf("accepted header %q", raw[0])
	}
	for _, banned := range []string{"crit", "jku", "jwk", "x5u", "x5c", "cty", "enc", "zip", "segmentEncoding"} {
		if _, ok := header[banned]; ok {
			t.Fatalf("accepted header with %s", banned)
		}
	}
	digest := sha256.Sum256([]byte(segs[0] + "." + segs[1]))
	if rsa.VerifyPKCS1v15(&e.iss.CurrentKey().Private.PublicKey, crypto.SHA256, digest[:], raw[2]) != nil {
		t.Fatal("accepted a signature the pool key does not verify")
	}
	if !utf8.Valid(raw[0]) || !utf8.Valid(raw[1]) || foldDuplicates(raw[0]) || foldDuplicates(raw[1]) {
		t.Fatal("accepted invalid UTF-8 or duplicate member names")
	}
	// What was validated is what every reader sees: encoding/json into a
	// map, and into a struct through Claims.Decode.
	var asMap map[string]any
	if err := json.Unmarshal(raw[1], &asMap); err != nil {
		t.Fatalf("encoding/json rejects an accepted payload: %v", err)
	}
	var asStruct struct {
		Iss      string `json:"iss"`
		ClientID string `json:"client_id"`
		TokenUse string `json:"token_use"`
		Sub      string `json:"sub"`
		Exp      float64
	}
	if err := c.Decode(&asStruct); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if asMap["iss"] != c.Issuer || asMap["client_id"] != c.ClientID || asMap["token_use"] != string(c.TokenUse) ||
		asStruct.Iss != c.Issuer || asStruct.ClientID != c.ClientID || asStruct.TokenUse != string(c.TokenUse) ||
		asStruct.Sub != c.Subject || int64(math.Floor(asStruct.Exp)) != c.ExpiresAt.Unix() {
		t.Fatalf("validated claims differ from what encoding/json reads: %+v vs %+v", c, asStruct)
	}
}

// foldDuplicates reports whether any object in the JSON text has two
// member names that encoding/json would match to one struct field.
func foldDuplicates(text []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(text))
	type frame struct {
		object   bool
		names    []string
		wantName bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantName {
			if name, ok := tok.(string); ok {
				for _, n := range top.names {
					if strings.EqualFold(n, name) {
						return true
					}
				}
				top.names = append(top.names, name)
				top.wantName = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantName: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantName = true
		}
	}
}

func FuzzVerify(f *testing.F) {
	e := newFuzzEnv(f)
	for _, c := range loadTokenCorpus(f) {
		f.Add(e.build(c))
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := e.v.Verify(context.Background(), token)
		e.checkVerifyOutcome(t, token, c, err)
	})
}

// FuzzVerifyClaims signs whatever header and payload the fuzzer makes with
// the pool's key, so that every check after the signature is reached.
func FuzzVerifyClaims(f *testing.F) {
	e := newFuzzEnv(f)
	for _, c := range loadTokenCorpus(f) {
		if c.Token != nil || (c.Sign != "" && c.Sign != "RS256") || len(c.Mutate) > 0 {
			continue
		}
		header, payload, _ := e.parts(c)
		f.Add(header, payload)
	}
	key := e.iss.CurrentKey().Private
	f.Fuzz(func(t *testing.T, header, payload []byte) {
		if len(header)+len(payload) > cognitojwt.DefaultMaxTokenSize {
			return // rejected by size before anything else; FuzzVerify covers it
		}
		token := cognitotest.SignRaw(key, header, payload)
		c, err := e.v.Verify(context.Background(), token)
		if errors.Is(err, cognitojwt.ErrInvalidSignature) {
			t.Fatalf("a token the pool signed failed its signature: %v", err)
		}
		e.checkVerifyOutcome(t, token, c, err)
	})
}

// FuzzMiddleware sends arbitrary Authorization headers (one, or two when
// second is not empty) to a verifier with keys and to one whose JWKS
// endpoint is down: the answer is always a well-formed RFC 6750 response,
// 503 only for unavailable keys, and the handler runs only with claims.
func FuzzMiddleware(f *testing.F) {
	e := newFuzzEnv(f)
	for _, c := range loadTokenCorpus(f) {
		f.Add("Bearer "+e.build(c), "")
	}
	valid := e.iss.AccessToken(cognitotest.WithClaim("iss", e.issuer))
	for _, v := range []string{"", "Bearer", "Bearer ", "bearer " + valid, "Basic dXNlcjpwYXNz", "Bearer " + valid + " x",
		"Bearer\t" + valid, "Bearer " + valid + "==", "Bearer  " + valid, "Negotiate", "Bearer =", "Bearer ~+/"} {
		f.Add(v, "")
	}
	f.Add("Bearer "+valid, "Bearer "+valid)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String() + "/jwks.json"
	ln.Close()
	cfg := e.iss.Config(cognitotest.DefaultClientID)
	cfg.Now = e.clock.Now
	cfg.Issuer = e.issuer
	cfg.JWKSURL = deadURL
	down, err := cognitojwt.New(cfg)
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, value, second string) {
		values := []string{value}
		if second != "" {
			values = append(values, second)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			req.Header.Add("Authorization", v)
		}
		token, srcErr := cognitojwt.BearerToken(req)
		for _, v := range []*cognitojwt.Verifier{e.v, down} {
			res := serveProtected(v, values, nil)
			var verifyErr error
			if srcErr == nil {
				_, verifyErr = v.Verify(context.Background(), token)
			}
			want, wantCode := http.StatusNoContent, ""
			switch {
			case errors.Is(srcErr, cognitojwt.ErrNoToken):
				want = http.StatusUnauthorized
			case srcErr != nil:
				want, wantCode = http.StatusBadRequest, "invalid_request"
			case errors.Is(verifyErr, cognitojwt.ErrKeysUnavailable):
				if v == e.v {
					t.Fatalf("a verifier with keys reported them unavailable: %v", verifyErr)
				}
				want, wantCode = http.StatusServiceUnavailable, "temporarily_unavailable"
			case verifyErr != nil:
				want, wantCode = http.StatusUnauthorized, "invalid_token"
			}
			if res.rec.Code != want {
				t.Fatalf("status %d, want %d (source %v, verify %v)", res.rec.Code, want, srcErr, verifyErr)
			}
			if want == http.StatusNoContent {
				if !res.reached || res.claims == nil || res.claims.Issuer != e.issuer {
					t.Fatal("accepted request reached the handler without claims")
				}
				continue
			}
			if res.reached {
				t.Fatalf("handler ran for a %d answer", want)
			}
			body, _ := io.ReadAll(res.rec.Body)
			var answer struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatalf("body %q is not JSON", body)
			}
			challenge := res.rec.Header().Get("WWW-Authenticate")
			switch {
			case wantCode == "":
				if challenge != `Bearer realm="api"` {
					t.Fatalf("no-credentials challenge %q", challenge)
				}
			case want == http.StatusServiceUnavailable:
				if answer.Error != wantCode || res.rec.Header().Get("Retry-After") == "" {
					t.Fatalf("503 answer %q without Retry-After", body)
				}
			case answer.Error != wantCode || !strings.HasPrefix(challenge, `Bearer realm="api", error="`+wantCode+`"`):
				t.Fatalf("answer %q / %q, want %s", body, challenge, wantCode)
			}
			if len(token) >= 24 && (bytes.Contains(body, []byte(token)) || strings.Contains(challenge, token)) {
				t.Fatal("answer reveals the token")
			}
		}
	})
}
