// Package cognitotest is the test kit: testing.TB wrappers over
// cognitolocal, the local Cognito user pool. NewUserPool starts a whole
// pool (JSON API, Managed Login, triggers) for a test; NewIssuer starts a
// lighter issuer that serves a JWKS and mints access and ID tokens with
// the claim sets Cognito issues, for any username, without users; Claims
// builds verified Claims for handler tests.
//
// Minted tokens carry what Cognito would put there: user attributes
// (WithEmail, WithAttribute) go into ID tokens only, and a claim reaches
// an access token only through WithPreTokenGenerationClaim, as a
// pre-token-generation trigger puts it there. WithClaim stays the raw
// tool for tokens Cognito would never issue.
package cognitotest

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// DefaultPoolID is the user-pool ID an Issuer uses unless told otherwise.
const DefaultPoolID = "us-east-1_LocalTest"

// Issuer is a fake Cognito user pool. Its JWKS is served at
// URL() + "/.well-known/jwks.json", like Cognito's.
type Issuer struct {
	poolID string
	now    func() time.Time
	server *httptest.Server
	// pool builds the claim sets, as the local user pool issues them.
	pool *cognitolocal.Pool

	mu      sync.Mutex
	keys    []*SigningKey // published, in order
	current *SigningKey   // signs new tokens
	// jwks, when set, replaces the JWKS handler (fault injection).
	jwks    http.Handler
	fetches atomic.Int64
	// extra answers every other path (a development server's own
	// endpoints).
	extra http.Handler
}

// SigningKey is one RSA key of the issuer.
type SigningKey struct {
	KeyID   string
	Private *rsa.PrivateKey
}

// IssuerOption configures an Issuer.
type IssuerOption func(*Issuer)

// WithPoolID sets the user-pool ID (default DefaultPoolID).
func WithPoolID(id string) IssuerOption { return func(i *Issuer) { i.poolID = id } }

// WithClock sets the clock tokens are minted against (default time.Now).
func WithClock(now func() time.Time) IssuerOption { return func(i *Issuer) { i.now = now } }

// WithSigningKey makes key the issuer's first key instead of a fresh one,
// so tokens can survive restarts.
func WithSigningKey(key SigningKey) IssuerOption {
	return func(i *Issuer) {
		k := key
		i.keys = []*SigningKey{&k}
		i.current = &k
	}
}

// WithHandler serves h for every request the issuer does not answer itself
// (anything but the JWKS and discovery documents), so a development server
// can add its own endpoints, a token endpoint say, on the issuer's address.
func WithHandler(h http.Handler) IssuerOption { return func(i *Issuer) { i.extra = h } }

// NewIssuer starts an Issuer on a loopback port and stops it when the test
// ends. It fails the test if it cannot start.
func NewIssuer(t testing.TB, opts ...IssuerOption) *Issuer {
	t.Helper()
	i, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("cognitotest: %v", err)
	}
	t.Cleanup(i.Close)
	return i
}

// Start starts an Issuer listening on addr (use "127.0.0.1:0" for any
// port), for programs rather than tests. Call Close when done.
func Start(addr string, opts ...IssuerOption) (*Issuer, error) {
	i := &Issuer{poolID: DefaultPoolID, now: time.Now}
	for _, o := range opts {
		o(i)
	}
	if i.current == nil {
		k, err := NewSigningKey()
		if err != nil {
			return nil, err
		}
		i.keys = []*SigningKey{k}
		i.current = k
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	i.pool, err = cognitolocal.New(cognitolocal.Config{
		PoolID: i.poolID, BaseURL: "http://" + ln.Addr().String(), Key: i.current.local(), Now: i.now,
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	i.server = httptest.NewUnstartedServer(http.HandlerFunc(i.serve))
	i.server.Listener.Close()
	i.server.Listener = ln
	i.server.Start()
	return i, nil
}

// Close stops the server.
func (i *Issuer) Close() { i.server.Close() }

// NewSigningKey generates an RSA-2048 key with a random kid, as
// cognitolocal.NewSigningKey does.
func NewSigningKey() (*SigningKey, error) {
	k, err := cognitolocal.NewSigningKey()
	if err != nil {
		return nil, err
	}
	return &SigningKey{KeyID: k.Kid, Private: k.Private}, nil
}

func (k *SigningKey) local() *cognitolocal.SigningKey {
	return &cognitolocal.SigningKey{Kid: k.KeyID, Private: k.Private}
}

// PoolID returns the user-pool ID.
func (i *Issuer) PoolID() string { return i.poolID }

// URL returns the issuer: the value of every token's iss.
func (i *Issuer) URL() string { return i.server.URL + "/" + i.poolID }

// JWKSURL returns the address of the key set.
func (i *Issuer) JWKSURL() string { return i.URL() + "/.well-known/jwks.json" }

// Config returns a cognitojwt.Config that trusts this issuer for access
// tokens of clientID. Change TokenUse for ID tokens.
func (i *Issuer) Config(clientID string) cognitojwt.Config {
	return cognitojwt.Config{
		UserPoolID: i.poolID,
		ClientIDs:  []string{clientID},
		Issuer:     i.URL(),
		JWKSURL:    i.JWKSURL(),
	}
}

// JWKSFetches counts the requests the JWKS endpoint has answered.
func (i *Issuer) JWKSFetches() int { return int(i.fetches.Load()) }

// CurrentKey returns the key that signs new tokens.
func (i *Issuer) CurrentKey() *SigningKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.current
}

// RotateKey publishes a new key and signs new tokens with it; the old keys
// stay published until RemoveKey. It returns the new key.
func (i *Issuer) RotateKey() *SigningKey {
	k, err := NewSigningKey()
	if err != nil {
		panic("cognitotest: generating RSA key: " + err.Error())
	}
	i.AddKey(k, true)
	return k
}

// AddKey publishes k, and signs new tokens with it if current.
func (i *Issuer) AddKey(k *SigningKey, current bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append(i.keys, k)
	if current {
		i.current = k
	}
}

// RemoveKey withdraws the key with kid from the JWKS.
func (i *Issuer) RemoveKey(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := i.keys[:0]
	for _, k := range i.keys {
		if k.KeyID != kid {
			out = append(out, k)
		}
	}
	i.keys = out
}

// SetJWKSHandler replaces what the JWKS endpoint serves (nil restores the
// real key set), to simulate outages, slow or hostile responses. Requests
// are still counted by JWKSFetches.
func (i *Issuer) SetJWKSHandler(h http.Handler) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.jwks = h
}

// JWKS returns the key set document the issuer publishes.
func (i *Issuer) JWKS() []byte {
	i.mu.Lock()
	keys := make([]*cognitolocal.SigningKey, len(i.keys))
	for n, k := range i.keys {
		keys[n] = k.local()
	}
	i.mu.Unlock()
	b, err := cognitolocal.JWKS(keys...)
	if err != nil {
		panic("cognitotest: " + err.Error())
	}
	return b
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/" + i.poolID + "/.well-known/jwks.json":
		i.fetches.Add(1)
		i.mu.Lock()
		h := i.jwks
		i.mu.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(i.JWKS())
	case "/" + i.poolID + "/.well-known/openid-configuration":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                i.URL(),
			"jwks_uri":                              i.JWKSURL(),
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"subject_types_supported":               []string{"public"},
			"response_types_supported":              []string{"code", "token"},
		})
	default:
		if i.extra != nil {
			i.extra.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}
}

// Sign signs arbitrary header and claims with the current key: the raw
// tool for tests of hostile tokens. header gets the current kid and alg
// RS256 unless it sets them; a nil value deletes a member.
func (i *Issuer) Sign(header, claims map[string]any) string {
	return i.SignWith(i.CurrentKey(), header, claims)
}

// SignWith is Sign with a chosen key, which need not be published.
func (i *Issuer) SignWith(k *SigningKey, header, claims map[string]any) string {
	token, err := cognitolocal.Sign(k.local(), header, claims)
	if err != nil {
		panic("cognitotest: " + err.Error())
	}
	return token
}

// SignRaw signs the exact header and payload bytes with RS256, for tokens
// whose JSON encoding/json would not produce (duplicate members, odd
// spacing).
func SignRaw(key *rsa.PrivateKey, header, payload []byte) string {
	token, err := cognitolocal.SignRaw(key, header, payload)
	if err != nil {
		panic("cognitotest: " + err.Error())
	}
	return token
}
