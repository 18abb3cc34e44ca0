package alb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/revocation"
)

const (
	albARN    = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
	albOther  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/evil/0123456789abcdef"
	albClient = "alb-client"
	albIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AlbPool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// requireKind asserts that err wraps want and no other sentinel.
func requireKind(t *testing.T, want, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	require.Truef(t, errors.Is(err, want), "error %q does not wrap %q", err, want)
	require.Equal(t, want, cognitojwt.ErrorKind(err), "error %q", err)
}

// depClock is a manual clock, so lifetimes and cooldowns are exact and no
// test sleeps.
type depClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *depClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *depClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// albKeyServer stands in for the regional ELB public-key endpoint: it
// serves a PEM public key per kid and counts requests by path.
type albKeyServer struct {
	srv *httptest.Server

	mu       sync.Mutex
	pems     map[string][]byte
	requests map[string]int
	handler  http.Handler // replaces the normal answer when set
}

func newALBKeyServer(t *testing.T) *albKeyServer {
	t.Helper()
	s := &albKeyServer{pems: map[string][]byte{}, requests: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		pemBytes, h := s.pems[strings.TrimPrefix(r.URL.Path, "/keys/")], s.handler
		s.mu.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		if pemBytes == nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(pemBytes)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *albKeyServer) publish(kid string, pub any) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	s.publishRaw(kid, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func (s *albKeyServer) publishRaw(kid string, body []byte) {
	s.mu.Lock()
	s.pems[kid] = body
	s.mu.Unlock()
}

func (s *albKeyServer) setHandler(h http.Handler) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

func (s *albKeyServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

func (s *albKeyServer) template() string { return s.srv.URL + "/keys/{kid}" }

// albFixture is an ALB signing key published on a loopback key server and
// a verifier configured for it.
type albFixture struct {
	clk  *depClock
	keys *albKeyServer
	priv *ecdsa.PrivateKey
	kid  string
	cfg  alb.Config
	v    *alb.Verifier
}

func newUUIDString() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func newP256() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func newALBFixture(t *testing.T, edit func(*alb.Config)) *albFixture {
	t.Helper()
	f := &albFixture{
		clk:  &depClock{t: time.Unix(1_750_000_000, 0).UTC()},
		keys: newALBKeyServer(t),
		priv: newP256(),
		kid:  newUUIDString(),
	}
	f.keys.publish(f.kid, &f.priv.PublicKey)
	f.cfg = alb.Config{
		ALBARNs:   []string{albARN},
		ClientIDs: []string{albClient},
		Issuer:    albIssuer,
		KeyURL:    f.keys.template(),
		Now:       f.clk.Now,
		// The fixture's tokens sit on the second boundaries of the rules;
		// TestALBDefaultLeeway covers the default.
		Leeway: -1,
	}
	if edit != nil {
		edit(&f.cfg)
	}
	var err error
	f.v, err = alb.New(f.cfg)
	require.NoError(t, err)
	return f
}

func (f *albFixture) header() map[string]any {
	return map[string]any{
		"typ":    "JWT",
		"alg":    "ES256",
		"kid":    f.kid,
		"signer": albARN,
		"iss":    albIssuer,
		"client": albClient,
		"exp":    f.clk.Now().Add(2 * time.Minute).Unix(),
	}
}

func (f *albFixture) payload() map[string]any {
	return map[string]any{
		"sub":              "7d8ca528-4931-4254-9273-ea5ee853f271",
		"email_verified":   "true",
		"email":            "alice@example.com",
		"username":         "alice",
		"custom:tenant_id": "acme",
		"exp":              f.clk.Now().Add(2 * time.Minute).Unix(),
		"iss":              albIssuer,
	}
}

// albSign builds a token the way the load balancer does: each segment
// base64url with its "=" padding, the signature (raw r||s) computed over
// the padded header and payload segments as sent.
func albSign(priv *ecdsa.PrivateKey, header, payload []byte) string {
	enc := base64.URLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	return signing + "." + enc.EncodeToString(albSignature(priv, signing))
}

func albSignature(priv *ecdsa.PrivateKey, signing string) []byte {
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

func albJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// token signs header and payload edited by the callers.
func (f *albFixture) token(editHeader, editPayload func(map[string]any)) string {
	h, p := f.header(), f.payload()
	if editHeader != nil {
		editHeader(h)
	}
	if editPayload != nil {
		editPayload(p)
	}
	return albSign(f.priv, albJSON(h), albJSON(p))
}

func (f *albFixture) verify(tok string) (*cognitojwt.Claims, error) {
	return f.v.Verify(context.Background(), tok)
}

func TestALBVerifiesPaddedTokenAndMapsClaims(t *testing.T) {
	f := newALBFixture(t, nil)
	tok := f.token(nil, nil)
	require.Contains(t, tok, "=", "the token under test must carry padding")

	c, err := f.verify(tok)
	require.NoError(t, err)
	require.Equal(t, "7d8ca528-4931-4254-9273-ea5ee853f271", c.Subject)
	require.Equal(t, "alice", c.Username)
	require.Equal(t, "alice@example.com", c.Email)
	require.True(t, c.EmailVerified)
	require.Equal(t, albIssuer, c.Issuer)
	require.Equal(t, albClient, c.ClientID)
	require.Equal(t, f.kid, c.KeyID)
	require.Equal(t, f.clk.Now().Add(2*time.Minute), c.ExpiresAt)
	tenant, ok := c.Attribute("tenant_id")
	require.True(t, ok)
	require.Equal(t, "acme", tenant)
	got, ok := c.Get("email_verified")
	require.True(t, ok)
	require.Equal(t, "true", got)
	var decoded struct {
		Email string `json:"email"`
	}
	require.NoError(t, c.Decode(&decoded))
	require.Equal(t, "alice@example.com", decoded.Email)

	// The key is cached per kid: later tokens cost no fetch.
	for range 3 {
		_, err := f.verify(f.token(nil, nil))
		require.NoError(t, err)
	}
	require.Equal(t, 1, f.keys.total())
}

func TestALBLifetimeIsTheEarlierOfHeaderAndPayloadExp(t *testing.T) {
	f := newALBFixture(t, nil)
	tok := f.token(nil, func(p map[string]any) { p["exp"] = f.clk.Now().Add(30 * time.Second).Unix() })
	c, err := f.verify(tok)
	require.NoError(t, err)
	require.Equal(t, f.clk.Now().Add(30*time.Second), c.ExpiresAt)
	f.clk.Advance(30 * time.Second)
	_, err = f.verify(tok)
	requireKind(t, cognitojwt.ErrExpired, err)

	// A payload without exp leaves the header's.
	tok = f.token(nil, func(p map[string]any) { delete(p, "exp") })
	c, err = f.verify(tok)
	require.NoError(t, err)
	require.Equal(t, f.clk.Now().Add(2*time.Minute), c.ExpiresAt)
}

// TestALBPayloadNameFoldingToCognitoClaimIsMalformed: the payload is read
// by the same claim reader as a Cognito token's, so a member name that
// equals a Cognito claim name only under case folding is refused here too;
// otherwise Decode would read it where the typed fields read nothing.
func TestALBPayloadNameFoldingToCognitoClaimIsMalformed(t *testing.T) {
	f := newALBFixture(t, nil)
	for _, tt := range []struct{ canonical, spelling string }{
		{"sub", "SUB"}, {"sub", "\u017fub"}, {"email", "Email"}, {"username", "USERNAME"},
		{"cognito:groups", "Cognito:Groups"}, {"exp", "EXP"}, {"iss", "Iss"},
		{"phone_number_verified", "Phone_Number_Verified"}, {"token_use", "TOKEN_USE"},
	} {
		t.Run(tt.spelling, func(t *testing.T) {
			before := f.keys.total()
			tok := f.token(nil, func(p map[string]any) {
				v, ok := p[tt.canonical]
				if !ok {
					v = "admin"
				}
				delete(p, tt.canonical)
				p[tt.spelling] = v
			})
			c, err := f.verify(tok)
			require.Nil(t, c)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
			require.NotContains(t, err.Error(), tt.spelling, "the error names the claim, not the token's spelling")
			require.Equal(t, before, f.keys.total(), "rejected before any network")
		})
	}

	// A name that folds to no Cognito claim is an ordinary claim.
	c, err := f.verify(f.token(nil, func(p map[string]any) { p["Department"] = "R&D" }))
	require.NoError(t, err)
	got, ok := c.Get("Department")
	require.True(t, ok)
	require.Equal(t, "R&D", got)
}

// padSegments rewrites every segment of tok with fn.
func mapSegments(tok string, fn func(i int, seg string) string) string {
	segs := strings.Split(tok, ".")
	for i := range segs {
		segs[i] = fn(i, segs[i])
	}
	return strings.Join(segs, ".")
}

func TestALBRejectsHostileTokens(t *testing.T) {
	f := newALBFixture(t, nil)
	other := newP256()
	valid := f.token(nil, nil)
	hdr := func(edit func(map[string]any)) string { return f.token(edit, nil) }
	pl := func(edit func(map[string]any)) string { return f.token(nil, edit) }
	raw := func(header, payload string) string { return albSign(f.priv, []byte(header), []byte(payload)) }
	goodPayload := string(albJSON(f.payload()))
	// A header whose JSON length needs padding, to strip or double it.
	paddedHeader := func() string {
		h := f.header()
		for n := 0; ; n++ {
			h["x"] = strings.Repeat("p", n)
			if len(albJSON(h))%3 != 0 {
				return string(albJSON(h))
			}
		}
	}()

	cases := []struct {
		name     string
		tok      string
		want     error
		mayFetch bool
	}{
		{"empty", "", cognitojwt.ErrNoToken, false},
		{"too large", valid + strings.Repeat("A", cognitojwt.DefaultMaxTokenSize), cognitojwt.ErrMalformedToken, false},
		{"two segments", valid[:strings.LastIndexByte(valid, '.')], cognitojwt.ErrMalformedToken, false},
		{"four segments", valid + ".AAAA", cognitojwt.ErrMalformedToken, false},
		{"empty segment", ".." + strings.Split(valid, ".")[2], cognitojwt.ErrMalformedToken, false},
		{"unpadded segments", strings.ReplaceAll(valid, "=", ""), cognitojwt.ErrMalformedToken, false},
		{"unpadded header", mapSegments(raw(paddedHeader, goodPayload), func(i int, s string) string {
			if i == 0 {
				return strings.TrimRight(s, "=")
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"double-padded header", mapSegments(raw(paddedHeader, goodPayload), func(i int, s string) string {
			if i == 0 {
				return s + "="
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"double-padded signature", valid + "==", cognitojwt.ErrMalformedToken, false},
		{"padding on an unpadded segment", mapSegments(valid, func(_ int, s string) string {
			if !strings.HasSuffix(s, "=") {
				return s + "===="
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"padding mid-segment", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				return "=" + s[1:]
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"std alphabet", mapSegments(valid, func(_ int, s string) string {
			return strings.NewReplacer("-", "+", "_", "/").Replace(s)
		}) + "+/", cognitojwt.ErrMalformedToken, false},
		{"newline inside", valid[:10] + "\n" + valid[10:], cognitojwt.ErrMalformedToken, false},
		{"header not JSON", raw("not json", goodPayload), cognitojwt.ErrMalformedToken, false},
		{"duplicate header member", raw(`{"alg":"ES256","alg":"ES256","kid":"`+f.kid+`","signer":"`+albARN+`","iss":"`+albIssuer+`","client":"`+albClient+`","exp":9999999999}`, goodPayload), cognitojwt.ErrMalformedToken, false},
		{"payload not an object", raw(string(albJSON(f.header())), `["sub"]`), cognitojwt.ErrMalformedToken, false},
		{"alg RS256", hdr(func(h map[string]any) { h["alg"] = "RS256" }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg none", hdr(func(h map[string]any) { h["alg"] = "none" }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg es256", hdr(func(h map[string]any) { h["alg"] = "es256" }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg missing", hdr(func(h map[string]any) { delete(h, "alg") }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg number", hdr(func(h map[string]any) { h["alg"] = 256 }), cognitojwt.ErrMalformedToken, false},
		{"jku", hdr(func(h map[string]any) { h["jku"] = "https://evil.example/keys" }), cognitojwt.ErrMalformedToken, false},
		{"jwk", hdr(func(h map[string]any) { h["jwk"] = map[string]any{"kty": "EC"} }), cognitojwt.ErrMalformedToken, false},
		{"x5u", hdr(func(h map[string]any) { h["x5u"] = "https://evil.example/cert" }), cognitojwt.ErrMalformedToken, false},
		{"crit", hdr(func(h map[string]any) { h["crit"] = []string{"exp"} }), cognitojwt.ErrMalformedToken, false},
		{"typ JOSE", hdr(func(h map[string]any) { h["typ"] = "JOSE" }), cognitojwt.ErrMalformedToken, false},
		{"kid missing", hdr(func(h map[string]any) { delete(h, "kid") }), cognitojwt.ErrUnknownKey, false},
		{"kid empty", hdr(func(h map[string]any) { h["kid"] = "" }), cognitojwt.ErrUnknownKey, false},
		{"kid number", hdr(func(h map[string]any) { h["kid"] = 1 }), cognitojwt.ErrMalformedToken, false},
		{"kid path traversal", hdr(func(h map[string]any) { h["kid"] = "../../admin" }), cognitojwt.ErrUnknownKey, false},
		{"kid uuid with path", hdr(func(h map[string]any) { h["kid"] = f.kid + "/../x" }), cognitojwt.ErrUnknownKey, false},
		{"kid uuid with query", hdr(func(h map[string]any) { h["kid"] = f.kid[:35] + "?" }), cognitojwt.ErrUnknownKey, false},
		{"kid non-hex", hdr(func(h map[string]any) { h["kid"] = "0000000g-0000-0000-0000-000000000000" }), cognitojwt.ErrUnknownKey, false},
		{"kid without dashes", hdr(func(h map[string]any) { h["kid"] = strings.ReplaceAll(f.kid, "-", "") + "abcd" }), cognitojwt.ErrUnknownKey, false},
		{"kid url-encoded", hdr(func(h map[string]any) { h["kid"] = "%2e%2e%2f" + f.kid[9:] }), cognitojwt.ErrUnknownKey, false},
		{"kid host", hdr(func(h map[string]any) { h["kid"] = "@evil.example/00-0000-0000-000000000000" }), cognitojwt.ErrUnknownKey, false},
		{"exp missing from header", hdr(func(h map[string]any) { delete(h, "exp") }), cognitojwt.ErrMalformedToken, false},
		{"exp string", hdr(func(h map[string]any) { h["exp"] = "tomorrow" }), cognitojwt.ErrMalformedToken, false},
		{"signer missing", hdr(func(h map[string]any) { delete(h, "signer") }), cognitojwt.ErrWrongIssuer, false},
		{"wrong signer", hdr(func(h map[string]any) { h["signer"] = albOther }), cognitojwt.ErrWrongIssuer, false},
		{"signer prefix", hdr(func(h map[string]any) { h["signer"] = albARN[:len(albARN)-1] }), cognitojwt.ErrWrongIssuer, false},
		{"signer array", hdr(func(h map[string]any) { h["signer"] = []string{albARN} }), cognitojwt.ErrMalformedToken, false},
		{"iss missing", hdr(func(h map[string]any) { delete(h, "iss") }), cognitojwt.ErrWrongIssuer, false},
		{"wrong iss", hdr(func(h map[string]any) { h["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" }), cognitojwt.ErrWrongIssuer, false},
		{"payload iss differs", pl(func(p map[string]any) { p["iss"] = "https://evil.example" }), cognitojwt.ErrWrongIssuer, false},
		{"payload sub number", pl(func(p map[string]any) { p["sub"] = 1 }), cognitojwt.ErrMalformedToken, false},
		{"payload exp string", pl(func(p map[string]any) { p["exp"] = "1" }), cognitojwt.ErrMalformedToken, false},
		{"payload email_verified object", pl(func(p map[string]any) { p["email_verified"] = map[string]any{} }), cognitojwt.ErrMalformedToken, false},
		{"wrong client", hdr(func(h map[string]any) { h["client"] = "other-client" }), cognitojwt.ErrWrongClient, true},
		{"client missing", hdr(func(h map[string]any) { delete(h, "client") }), cognitojwt.ErrWrongClient, true},
		{"client number", hdr(func(h map[string]any) { h["client"] = 7 }), cognitojwt.ErrMalformedToken, false},
		{"expired", hdr(func(h map[string]any) { h["exp"] = f.clk.Now().Unix() }), cognitojwt.ErrExpired, true},
		{"exp zero", hdr(func(h map[string]any) { h["exp"] = 0 }), cognitojwt.ErrExpired, true},
		{"payload expired", pl(func(p map[string]any) { p["exp"] = f.clk.Now().Add(-time.Second).Unix() }), cognitojwt.ErrExpired, true},
		{"nbf in the future", pl(func(p map[string]any) { p["nbf"] = f.clk.Now().Add(time.Minute).Unix() }), cognitojwt.ErrNotYetValid, true},
		{"iat in the future", pl(func(p map[string]any) { p["iat"] = f.clk.Now().Add(time.Minute).Unix() }), cognitojwt.ErrNotYetValid, true},
		{"other key", albSign(other, albJSON(f.header()), albJSON(f.payload())), cognitojwt.ErrInvalidSignature, true},
		{"signature over unpadded segments", func() string {
			h, p := albJSON(f.header()), albJSON(f.payload())
			unpadded := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
			sig := albSignature(f.priv, unpadded)
			return base64.URLEncoding.EncodeToString(h) + "." + base64.URLEncoding.EncodeToString(p) + "." + base64.URLEncoding.EncodeToString(sig)
		}(), cognitojwt.ErrInvalidSignature, true},
		{"signature too short", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				return base64.URLEncoding.EncodeToString(make([]byte, 63))
			}
			return s
		}), cognitojwt.ErrInvalidSignature, true},
		{"signature DER", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				digest := sha256.Sum256([]byte(valid[:strings.LastIndexByte(valid, '.')]))
				der, _ := ecdsa.SignASN1(rand.Reader, f.priv, digest[:])
				return base64.URLEncoding.EncodeToString(der)
			}
			return s
		}), cognitojwt.ErrInvalidSignature, true},
		{"signature zero", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				return base64.URLEncoding.EncodeToString(make([]byte, 64))
			}
			return s
		}), cognitojwt.ErrInvalidSignature, true},
		{"payload swapped", func() string {
			segs := strings.Split(valid, ".")
			segs[1] = base64.URLEncoding.EncodeToString(albJSON(map[string]any{"sub": "admin", "exp": 9999999999}))
			return strings.Join(segs, ".")
		}(), cognitojwt.ErrInvalidSignature, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.keys.total()
			c, err := f.verify(tc.tok)
			require.Nil(t, c)
			requireKind(t, tc.want, err)
			if !tc.mayFetch {
				require.Equal(t, before, f.keys.total(), "rejected before any network")
			}
		})
	}
	// Only the one published kid was ever requested.
	f.keys.mu.Lock()
	defer f.keys.mu.Unlock()
	require.Equal(t, map[string]int{"/keys/" + f.kid: 1}, f.keys.requests)
}

func TestALBAcceptsAnyConfiguredSignerClientAndIssuer(t *testing.T) {
	updated := "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AlbPool"
	f := newALBFixture(t, func(c *alb.Config) {
		c.ALBARNs = append(c.ALBARNs, albOther)
		c.ClientIDs = append(c.ClientIDs, "second")
		c.AdditionalIssuers = []string{updated}
	})
	c, err := f.verify(f.token(func(h map[string]any) {
		h["signer"], h["client"], h["iss"] = albOther, "second", updated
	}, func(p map[string]any) { p["iss"] = updated }))
	require.NoError(t, err)
	require.Equal(t, "second", c.ClientID)
	require.Equal(t, updated, c.Issuer)

	anyClient := newALBFixture(t, func(c *alb.Config) { c.ClientIDs, c.AllowAnyClient = nil, true })
	_, err = anyClient.verify(anyClient.token(func(h map[string]any) { h["client"] = "whatever" }, nil))
	require.NoError(t, err)
}

func TestALBUnknownKidFetchPolicy(t *testing.T) {
	f := newALBFixture(t, nil)
	unknown := newUUIDString()
	tokFor := func(kid string) string { return f.token(func(h map[string]any) { h["kid"] = kid }, nil) }

	// Before any key was obtained a missing key is an outage (503), with
	// a retry hint.
	_, err := f.verify(tokFor(unknown))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	status, _, _ := cognitojwt.ErrorStatus(err)
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, 1, f.keys.total())

	// Once a key worked, a missing one is an unknown key.
	_, err = f.verify(tokFor(f.kid))
	require.NoError(t, err)
	_, err = f.verify(tokFor(newUUIDString()))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 3, f.keys.total())

	// A kid that failed is not fetched again within the cooldown...
	_, err = f.verify(tokFor(unknown))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	require.Equal(t, 3, f.keys.total())
	// ...and is once the cooldown is over, when it may have been published.
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	f.keys.publish(unknown, &f.priv.PublicKey)
	_, err = f.verify(tokFor(unknown))
	require.NoError(t, err)
	require.Equal(t, 4, f.keys.total())
}

func TestALBUnknownKidsAreRateLimited(t *testing.T) {
	var cooldowns atomic.Int32
	f := newALBFixture(t, func(c *alb.Config) {
		c.Hooks.OnCooldown = func() { cooldowns.Add(1) }
	})
	_, err := f.verify(f.token(nil, nil))
	require.NoError(t, err)
	require.Equal(t, 1, f.keys.total())

	spray := func() error {
		_, err := f.verify(f.token(func(h map[string]any) { h["kid"] = newUUIDString() }, nil))
		return err
	}
	// The good kid's fetch used one of the burst; three more unknown kids
	// are fetched, then no more within the window.
	for range 3 {
		requireKind(t, cognitojwt.ErrUnknownKey, spray())
	}
	require.Equal(t, 4, f.keys.total())
	for range 20 {
		requireKind(t, cognitojwt.ErrUnknownKey, spray())
	}
	require.Equal(t, 4, f.keys.total(), "unknown kids beyond the burst must not reach the endpoint")
	require.EqualValues(t, 20, cooldowns.Load())

	// Known kids keep working meanwhile.
	_, err = f.verify(f.token(nil, nil))
	require.NoError(t, err)

	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	requireKind(t, cognitojwt.ErrUnknownKey, spray())
	require.Equal(t, 5, f.keys.total())
}

func TestALBConcurrentRequestsShareOneFetch(t *testing.T) {
	f := newALBFixture(t, nil)
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	pemBytes := func() []byte {
		der, _ := x509.MarshalPKIXPublicKey(&f.priv.PublicKey)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	f.keys.setHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		_, _ = w.Write(pemBytes)
	}))
	tok := f.token(nil, nil)
	errs := make(chan error, 16)
	go func() { _, err := f.verify(tok); errs <- err }()
	<-arrived
	for range 15 {
		go func() { _, err := f.verify(tok); errs <- err }()
	}
	close(release)
	for range 16 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, 1, f.keys.total())
}

// TestALBCanceledCallerStartsNoFetch: a caller whose context has ended
// gets ErrCanceled wrapping the context's error and starts no fetch; one
// whose context ends while it waits leaves the fetch to the others, who
// get the key.
func TestALBCanceledCallerStartsNoFetch(t *testing.T) {
	// Registered first, so it runs after the key server has closed: the
	// abandoned fetch must not outlive it.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	f := newALBFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.v.Verify(ctx, f.token(nil, nil))
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, f.keys.total(), "an ended context starts no fetch")

	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	der, err := x509.MarshalPKIXPublicKey(&f.priv.PublicKey)
	require.NoError(t, err)
	f.keys.setHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		_, _ = w.Write(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}))
	waiting, stop := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() { _, err := f.v.Verify(waiting, f.token(nil, nil)); impatient <- err }()
	<-arrived
	patient := make(chan error, 1)
	go func() { _, err := f.verify(f.token(nil, nil)); patient <- err }()
	stop()
	err = <-impatient
	requireKind(t, cognitojwt.ErrCanceled, err)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	require.NoError(t, <-patient)
	require.Equal(t, 1, f.keys.total())
}

// TestALBUnknownKidDuringOutageIsUnavailable: once keys were obtained, a
// kid whose fetch failed otherwise than "no such key", or that the rate
// limit holds back after such a failure, is ErrKeysUnavailable with a
// Retry-After hint; a kid the endpoint does not have is ErrUnknownKey.
func TestALBUnknownKidDuringOutageIsUnavailable(t *testing.T) {
	f := newALBFixture(t, nil)
	_, err := f.verify(f.token(nil, nil))
	require.NoError(t, err)
	withKid := func(kid string) string { return f.token(func(h map[string]any) { h["kid"] = kid }, nil) }

	f.keys.setHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	var hint interface{ RetryAfter() time.Duration }
	rotated := newUUIDString()
	_, err = f.verify(withKid(rotated))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	require.True(t, errors.As(err, &hint))
	require.Equal(t, cognitojwt.DefaultRefetchCooldown, hint.RetryAfter())
	require.NotContains(t, err.Error(), rotated)

	// The same kid within its cooldown, and other kids once the burst is
	// spent, are outages too.
	_, err = f.verify(withKid(rotated))
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	for range 5 {
		_, err = f.verify(withKid(newUUIDString()))
		requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	}
	require.Contains(t, err.Error(), "rate-limited after a failed one")

	// The endpoint is back: the rotated key is served, a kid it does not
	// have is unknown.
	f.keys.setHandler(nil)
	f.keys.publish(rotated, &f.priv.PublicKey)
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	_, err = f.verify(withKid(rotated))
	require.NoError(t, err)
	_, err = f.verify(withKid(newUUIDString()))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
}

// TestALBKnownKidTakesNoLock: a kid whose key is cached is verified
// without the lock that fetches take.
func TestALBKnownKidTakesNoLock(t *testing.T) {
	f := newALBFixture(t, nil)
	tok := f.token(nil, nil)
	_, err := f.verify(tok)
	require.NoError(t, err)
	unlock := alb.LockKeySource(f.v)
	var unlockOnce sync.Once
	defer unlockOnce.Do(unlock)
	done := make(chan error, 1)
	go func() { _, err := f.verify(tok); done <- err }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("a known kid waited for the key source's lock")
	}
	unlockOnce.Do(unlock)
}

// TestALBDefaultLeeway: by default a token whose iat is a few seconds
// ahead of the server's clock passes, as with the core verifier; a
// negative Leeway demands zero skew.
func TestALBDefaultLeeway(t *testing.T) {
	ahead := func(f *albFixture) func(map[string]any) {
		return func(p map[string]any) { p["iat"] = f.clk.Now().Add(5 * time.Second).Unix() }
	}
	f := newALBFixture(t, func(c *alb.Config) { c.Leeway = 0 })
	_, err := f.verify(f.token(nil, ahead(f)))
	require.NoError(t, err)

	strict := newALBFixture(t, func(c *alb.Config) { c.Leeway = -1 })
	_, err = strict.verify(strict.token(nil, ahead(strict)))
	requireKind(t, cognitojwt.ErrNotYetValid, err)
}

// TestALBHonoursRevocations: a token of a subject revoked after it was
// issued fails with ErrRevoked once every other check passed.
func TestALBHonoursRevocations(t *testing.T) {
	var list *revocation.List
	f := newALBFixture(t, func(c *alb.Config) {
		// The list's clock is the verifier's, so its entries live as long
		// in the fixture's time as tokens do.
		var err error
		list, err = revocation.New(revocation.Config{Now: c.Now})
		require.NoError(t, err)
		c.Revocations = list
	})
	withIat := func(p map[string]any) { p["iat"] = f.clk.Now().Unix() }
	_, err := f.verify(f.token(nil, withIat))
	require.NoError(t, err)
	list.RevokeSubject(f.payload()["sub"].(string), f.clk.Now().Add(time.Second))
	_, err = f.verify(f.token(nil, withIat))
	requireKind(t, cognitojwt.ErrRevoked, err)
	_, err = f.verify(f.token(nil, func(p map[string]any) { p["sub"] = "someone-else"; withIat(p) }))
	require.NoError(t, err)
}

func TestALBRejectsUnusableKeyDocuments(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // only its shape matters
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	pemOf := func(typ string, pub any) []byte {
		der, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	}
	p256 := newP256()
	good := pemOf("PUBLIC KEY", &p256.PublicKey)
	bodies := map[string][]byte{
		"garbage":          []byte("hello"),
		"empty":            nil,
		"RSA key":          pemOf("PUBLIC KEY", &rsaKey.PublicKey),
		"P-384 key":        pemOf("PUBLIC KEY", &p384.PublicKey),
		"wrong block type": pemOf("CERTIFICATE", &p256.PublicKey),
		"two blocks":       append(append([]byte{}, good...), good...),
		"trailing data":    append(append([]byte{}, good...), "junk"...),
		"leading data":     append([]byte("junk\n"), good...),
		"oversized":        append(append([]byte{}, good...), strings.Repeat(" ", 9<<10)...),
		"corrupt DER":      pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0x03, 0x01}}),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newALBFixture(t, nil)
			f.priv = p256
			f.keys.publishRaw(f.kid, body)
			_, err := f.verify(f.token(nil, nil))
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
		})
	}
	t.Run("control", func(t *testing.T) {
		f := newALBFixture(t, nil)
		f.priv = p256
		f.keys.publishRaw(f.kid, good)
		_, err := f.verify(f.token(nil, nil))
		require.NoError(t, err)
	})
}

func TestALBKeyEndpointFaults(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("redirect to another host was followed")
	}))
	defer elsewhere.Close()
	handlers := map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) },
		"403 as S3 answers": func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "AccessDenied", http.StatusForbidden)
		},
		"redirect to another host": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			var fetches []cognitojwt.JWKSFetch
			var mu sync.Mutex
			f := newALBFixture(t, func(c *alb.Config) {
				c.Hooks.OnJWKSFetch = func(j cognitojwt.JWKSFetch) { mu.Lock(); fetches = append(fetches, j); mu.Unlock() }
			})
			f.keys.setHandler(h)
			_, err := f.verify(f.token(nil, nil))
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
			require.NotContains(t, err.Error(), f.kid, "error details never carry a kid")
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, fetches, 1)
			require.Error(t, fetches[0].Err)
			require.Equal(t, f.keys.template(), fetches[0].URL, "hooks see the template, not the kid")
		})
	}
}

func TestALBKeyCacheIsBounded(t *testing.T) {
	f := newALBFixture(t, func(c *alb.Config) { c.KeyCacheSize = 2 })
	kids := []string{f.kid, newUUIDString(), newUUIDString()}
	for _, kid := range kids[1:] {
		f.keys.publish(kid, &f.priv.PublicKey)
	}
	verifyKid := func(kid string) {
		t.Helper()
		_, err := f.verify(f.token(func(h map[string]any) { h["kid"] = kid }, nil))
		require.NoError(t, err)
	}
	for _, kid := range kids {
		f.clk.Advance(time.Second)
		verifyKid(kid)
	}
	require.Equal(t, 3, f.keys.total())
	verifyKid(kids[2])
	verifyKid(kids[1])
	require.Equal(t, 3, f.keys.total(), "the two newest keys stay cached")
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	verifyKid(kids[0])
	require.Equal(t, 4, f.keys.total(), "the oldest key was evicted and fetched again")
}

func TestALBHooksSeeEveryVerification(t *testing.T) {
	var outcomes []error
	f := newALBFixture(t, func(c *alb.Config) {
		c.Hooks.OnVerify = func(o cognitojwt.VerifyOutcome) { outcomes = append(outcomes, o.Err) }
	})
	_, _ = f.verify(f.token(nil, nil))
	_, _ = f.verify("nope")
	require.Len(t, outcomes, 2)
	require.NoError(t, outcomes[0])
	requireKind(t, cognitojwt.ErrMalformedToken, outcomes[1])
}

// recordingRT answers every request 404 and records its URL, so endpoint
// derivation is tested with no network.
type recordingRT struct {
	mu   sync.Mutex
	urls []string
}

func (rt *recordingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.urls = append(rt.urls, r.URL.String())
	rt.mu.Unlock()
	return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

func TestALBKeyEndpointPerRegion(t *testing.T) {
	kid := "6db77464-4ac6-4968-9ec9-a6c669649ba1"
	cases := []struct {
		arn, region, want string
	}{
		{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1", "",
			"https://public-keys.auth.elb.eu-west-1.amazonaws.com/" + kid},
		{"arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/app/web/1", "ap-southeast-2",
			"https://public-keys.auth.elb.ap-southeast-2.amazonaws.com/" + kid},
		{"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/1", "",
			"https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1/" + kid},
		{"arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:123456789012:loadbalancer/app/web/1", "",
			"https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1/" + kid},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			rt := &recordingRT{}
			v, err := alb.New(alb.Config{
				ALBARNs: []string{tc.arn}, Region: tc.region, ClientIDs: []string{albClient}, Issuer: albIssuer,
				HTTPClient: &http.Client{Transport: rt},
			})
			require.NoError(t, err)
			h := map[string]any{"alg": "ES256", "kid": kid, "signer": tc.arn, "iss": albIssuer, "client": albClient, "exp": 9999999999}
			_, err = v.Verify(context.Background(), albSign(newP256(), albJSON(h), []byte(`{"sub":"x"}`)))
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
			require.Equal(t, []string{tc.want}, rt.urls)
		})
	}
}

func TestNewALBRejectsInvalidConfig(t *testing.T) {
	base := func() alb.Config {
		return alb.Config{ALBARNs: []string{albARN}, ClientIDs: []string{albClient}, Issuer: albIssuer}
	}
	east2 := "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/1"
	cases := map[string]func(*alb.Config){
		"no ARNs":    func(c *alb.Config) { c.ALBARNs = nil },
		"not an ARN": func(c *alb.Config) { c.ALBARNs = []string{"web"} },
		"classic ELB ARN": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/web"}
		},
		"NLB ARN": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web/1"}
		},
		"bad region in ARN": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:evil.com:123456789012:loadbalancer/app/web/1"}
		},
		"bad account": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:1234:loadbalancer/app/web/1"}
		},
		"two regions":     func(c *alb.Config) { c.ALBARNs = append(c.ALBARNs, east2) },
		"region mismatch": func(c *alb.Config) { c.Region = "us-east-2" },
		"bad region":      func(c *alb.Config) { c.Region = "evil.example/x" },
		"China without KeyURL": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/1"}
		},
		"no issuer":          func(c *alb.Config) { c.Issuer = "" },
		"empty extra issuer": func(c *alb.Config) { c.AdditionalIssuers = []string{""} },
		"no clients":         func(c *alb.Config) { c.ClientIDs = nil },
		"empty client":       func(c *alb.Config) { c.ClientIDs = []string{""} },
		"negative cache":     func(c *alb.Config) { c.KeyCacheSize = -1 },
		"KeyURL without kid": func(c *alb.Config) { c.KeyURL = "https://keys.example/" },
		"KeyURL two kids":    func(c *alb.Config) { c.KeyURL = "https://keys.example/{kid}/{kid}" },
		"KeyURL kid in host": func(c *alb.Config) { c.KeyURL = "https://{kid}.keys.example/" },
		"KeyURL kid after host": func(c *alb.Config) {
			c.KeyURL = "https://keys.example{kid}"
		},
		"KeyURL kid in query":   func(c *alb.Config) { c.KeyURL = "https://keys.example/?k={kid}" },
		"KeyURL kid mid-name":   func(c *alb.Config) { c.KeyURL = "https://keys.example/key-{kid}" },
		"KeyURL query after":    func(c *alb.Config) { c.KeyURL = "https://keys.example/{kid}?x=1" },
		"KeyURL userinfo":       func(c *alb.Config) { c.KeyURL = "https://user:pw@keys.example/{kid}" },
		"KeyURL plain http":     func(c *alb.Config) { c.KeyURL = "http://keys.example/{kid}" },
		"KeyURL other scheme":   func(c *alb.Config) { c.KeyURL = "file:///etc/{kid}" },
		"KeyURL not a template": func(c *alb.Config) { c.KeyURL = "{kid}" },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base()
			edit(&cfg)
			_, err := alb.New(cfg)
			requireKind(t, cognitojwt.ErrInvalidConfig, err)
		})
	}
	for _, ok := range []func(*alb.Config){
		func(c *alb.Config) {},
		func(c *alb.Config) { c.Region = "us-east-1" },
		func(c *alb.Config) {
			c.ALBARNs = append(c.ALBARNs, east2)
			c.Region = ""
			c.KeyURL = "https://keys.example/{kid}"
		},
		func(c *alb.Config) { c.KeyURL = "https://keys.example/prefix/{kid}.pem" },
		func(c *alb.Config) { c.KeyURL = "http://127.0.0.1:8080/{kid}" },
		func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/1"}
			c.KeyURL = "https://keys.example.cn/{kid}"
		},
	} {
		cfg := base()
		ok(&cfg)
		_, err := alb.New(cfg)
		require.NoError(t, err)
	}
}

func TestALBDataTokenSource(t *testing.T) {
	req := func(values ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			r.Header.Add("X-Amzn-Oidc-Data", v)
		}
		return r
	}
	tok, err := alb.DataToken(req(" eyJ0=.eyJ9.c2ln== "))
	require.NoError(t, err)
	require.Equal(t, "eyJ0=.eyJ9.c2ln==", tok)
	_, err = alb.DataToken(req())
	requireKind(t, cognitojwt.ErrNoToken, err)
	_, err = alb.DataToken(req(""))
	requireKind(t, cognitojwt.ErrNoToken, err)
	_, err = alb.DataToken(req("a.b.c", "a.b.c"))
	requireKind(t, cognitojwt.ErrInvalidRequest, err)
	for _, bad := range []string{"a.b.c d", "a.b.c\"", "a+b.c.d", "Bearer a.b.c"} {
		_, err = alb.DataToken(req(bad))
		requireKind(t, cognitojwt.ErrInvalidRequest, err)
	}
}

func TestALBMiddlewareTakesIdentityFromTheDataHeader(t *testing.T) {
	f := newALBFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithTokenSource(alb.DataToken))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := cognitojwt.ClaimsFromContext(r.Context())
			require.True(t, ok)
			_, _ = w.Write([]byte(c.Email))
		}))
	serve := func(edit func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		edit(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := serve(func(r *http.Request) { r.Header.Set("X-Amzn-Oidc-Data", f.token(nil, nil)) })
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "alice@example.com", w.Body.String())

	// A bearer token is not the ALB's identity.
	w = serve(func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.token(nil, nil)) })
	require.Equal(t, http.StatusUnauthorized, w.Code)

	bad := f.token(func(h map[string]any) { h["signer"] = albOther }, nil)
	w = serve(func(r *http.Request) { r.Header.Set("X-Amzn-Oidc-Data", bad) })
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
	require.NotContains(t, w.Body.String(), albOther)
	require.NotContains(t, w.Body.String(), f.kid)
}

// The ALB also forwards the user's Cognito access token; it is an ordinary
// access token for the main Verifier.
func TestALBAccessTokenWithTheMainVerifier(t *testing.T) {
	iss := cognitotest.NewIssuer(t, cognitotest.WithPoolID("us-east-1_AlbPool"))
	v, err := cognitojwt.New(iss.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	h := cognitojwt.Middleware(v, cognitojwt.WithTokenSource(alb.AccessToken))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := cognitojwt.ClaimsFromContext(r.Context())
			_, _ = w.Write([]byte(c.Username))
		}))
	serve := func(tok string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tok != "" {
			r.Header.Set("X-Amzn-Oidc-Accesstoken", tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := serve(iss.AccessToken(cognitotest.WithUsername("carol")))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "carol", w.Body.String())
	require.Equal(t, http.StatusUnauthorized, serve("").Code)
	require.Equal(t, http.StatusUnauthorized, serve(iss.AccessToken(cognitotest.WithLifetime(-time.Minute))).Code)
	require.Equal(t, http.StatusUnauthorized, serve(iss.IDToken()).Code)
}

// BenchmarkALBVerify measures a verification with the key cached: the
// token parse plus one P-256 signature check, since ALB tokens are not
// kept in a verified-token cache.
func BenchmarkALBVerify(b *testing.B) {
	keys := &albKeyServer{pems: map[string][]byte{}, requests: map[string]int{}}
	keys.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys.mu.Lock()
		body := keys.pems[strings.TrimPrefix(r.URL.Path, "/keys/")]
		keys.mu.Unlock()
		_, _ = w.Write(body)
	}))
	defer keys.srv.Close()
	f := &albFixture{clk: &depClock{t: time.Now()}, priv: newP256(), kid: newUUIDString()}
	keys.publish(f.kid, &f.priv.PublicKey)
	v, err := alb.New(alb.Config{
		ALBARNs: []string{albARN}, ClientIDs: []string{albClient}, Issuer: albIssuer, KeyURL: keys.template(),
	})
	if err != nil {
		b.Fatal(err)
	}
	tok := f.token(nil, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
