package alb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
)

const (
	albARN    = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
	albOther  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/evil/0123456789abcdef"
	albClient = "alb-client"
	albIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AlbPool"
)

// requireKind asserts that err wraps want and no other sentinel.
func requireKind(t *testing.T, want, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	require.Truef(t, errors.Is(err, want), "error %q does not wrap %q", err, want)
	require.Equal(t, cognitojwt.ErrorCode(want), cognitojwt.ErrorCode(err), "error %q", err)
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
