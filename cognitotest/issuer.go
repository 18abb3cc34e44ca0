// Package cognitotest is the test kit: testing.TB wrappers over
// cognitolocal, the local Cognito user pool. NewUserPool starts a pool
// (JSON API, Managed Login, triggers) for a test. NewIssuer starts one
// too, and adds what a verifier's tests need: tokens with the claim sets
// Cognito issues, minted for any username without users; hostile tokens
// (WithClaim, WithHeader, WithKey, Sign); a count of JWKS fetches and
// faults injected into the JWKS endpoint. Claims builds verified Claims
// for handler tests.
//
// The keys, the JWKS and the discovery document are the pool's:
// SigningKey is cognitolocal's key type, so the test kit and the local
// pool never disagree on what a Cognito issuer publishes.
//
// Minted tokens carry what Cognito would put there: user attributes
// (WithEmail, WithAttribute) go into ID tokens only, and a claim reaches
// an access token only through WithPreTokenGenerationClaim, as a
// pre-token-generation trigger puts it there. WithClaim stays the raw
// tool for tokens Cognito would never issue.
package cognitotest

import (
	"crypto/rsa"
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

// Issuer is a cognitolocal.Pool served on a loopback port, with what a
// test needs beside it: tokens minted for any user without signing in
// (AccessToken, IDToken, MachineToken, with options Cognito would never
// honour for hostile tokens), a count of JWKS fetches, and faults injected
// into the JWKS endpoint. The keys, the JWKS, the discovery document and
// every endpoint are the pool's: its JWKS is served at URL() +
// "/.well-known/jwks.json", like Cognito's, and Pool reaches the rest.
type Issuer struct {
	now    func() time.Time
	server *httptest.Server
	pool   *cognitolocal.Pool
	// poolHandler serves the pool to loopback Host names only, as
	// cognitolocal.Start's server does (cognitolocal.RequireLoopbackHost).
	poolHandler http.Handler

	mu sync.Mutex
	// jwks, when set, replaces the JWKS handler (fault injection).
	jwks    http.Handler
	fetches atomic.Int64
	// extra answers every other path instead of the pool (a development
	// server's own endpoints).
	extra http.Handler
}

// SigningKey is one RSA key of the issuer: the local pool's key type, so
// a key moves between an Issuer, a cognitolocal.Pool and a development
// server's key file as it is.
type SigningKey = cognitolocal.SigningKey

// IssuerOption configures an Issuer.
type IssuerOption func(*issuerConfig)

// issuerConfig is what the options set before the pool exists.
type issuerConfig struct {
	pool  cognitolocal.Config
	extra http.Handler
}

// WithPoolID sets the user-pool ID (default DefaultPoolID).
func WithPoolID(id string) IssuerOption { return func(c *issuerConfig) { c.pool.PoolID = id } }

// WithClock sets the clock tokens are minted against (default time.Now).
func WithClock(now func() time.Time) IssuerOption {
	return func(c *issuerConfig) { c.pool.Now = now }
}

// WithSigningKey makes key the issuer's first key instead of a fresh one,
// so tokens can survive restarts.
func WithSigningKey(key SigningKey) IssuerOption {
	return func(c *issuerConfig) { c.pool.Key = &key }
}

// WithHandler serves h for every request the issuer does not answer itself
// (anything but the JWKS and discovery documents), instead of the pool's
// JSON API and Managed Login, so a development server can add its own
// endpoints, a token endpoint say, on the issuer's address.
func WithHandler(h http.Handler) IssuerOption { return func(c *issuerConfig) { c.extra = h } }

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

// Start starts an Issuer listening on addr, which must be a loopback
// address as for cognitolocal.Start ("127.0.0.1:0" picks a free port),
// for programs rather than tests. Call Close when done.
func Start(addr string, opts ...IssuerOption) (*Issuer, error) {
	c := issuerConfig{pool: cognitolocal.Config{PoolID: DefaultPoolID, Now: time.Now}}
	for _, o := range opts {
		o(&c)
	}
	ln, err := cognitolocal.Listen(addr)
	if err != nil {
		return nil, err
	}
	c.pool.BaseURL = "http://" + ln.Addr().String()
	pool, err := cognitolocal.New(c.pool)
	if err != nil {
		ln.Close()
		return nil, err
	}
	i := &Issuer{now: c.pool.Now, pool: pool, poolHandler: cognitolocal.RequireLoopbackHost(pool), extra: c.extra}
	i.server = httptest.NewUnstartedServer(http.HandlerFunc(i.serve))
	i.server.Listener.Close()
	i.server.Listener = ln
	i.server.Start()
	return i, nil
}

// Close stops the server.
func (i *Issuer) Close() { i.server.Close() }

// NewSigningKey generates an RSA-2048 key with a random kid: it is
// cognitolocal.NewSigningKey, here so that a test needs one import.
func NewSigningKey() (*SigningKey, error) { return cognitolocal.NewSigningKey() }

// Pool returns the local user pool behind the issuer, for what the test
// kit does not wrap: users, groups, app clients, sign-in, the outbox.
func (i *Issuer) Pool() *cognitolocal.Pool { return i.pool }

// PoolID returns the user-pool ID.
func (i *Issuer) PoolID() string { return i.pool.PoolID() }

// URL returns the issuer: the value of every token's iss.
func (i *Issuer) URL() string { return i.pool.Issuer() }

// JWKSURL returns the address of the key set.
func (i *Issuer) JWKSURL() string { return i.pool.JWKSURL() }

// Config returns a cognitojwt.Config that trusts this issuer for access
// tokens of clientID. Change TokenUse for ID tokens.
func (i *Issuer) Config(clientID string) cognitojwt.Config {
	return cognitojwt.Config{
		UserPoolID: i.PoolID(),
		ClientIDs:  []string{clientID},
		Issuer:     i.URL(),
		JWKSURL:    i.JWKSURL(),
	}
}

// JWKSFetches counts the requests the JWKS endpoint has answered.
func (i *Issuer) JWKSFetches() int { return int(i.fetches.Load()) }

// CurrentKey returns the key that signs new tokens.
func (i *Issuer) CurrentKey() *SigningKey { return i.pool.CurrentSigningKey() }

// RotateKey publishes a new key and signs new tokens with it; the old keys
// stay published until RemoveKey. It returns the new key.
func (i *Issuer) RotateKey() *SigningKey {
	k, err := NewSigningKey()
	if err != nil {
		panic("cognitotest: " + err.Error())
	}
	i.AddKey(k, true)
	return k
}

// AddKey publishes k, and signs new tokens with it if current. A key
// whose kid is already published is a mistake in the test: AddKey panics,
// since a key set with a kid twice is one no verifier can use.
func (i *Issuer) AddKey(k *SigningKey, current bool) {
	add := i.pool.PublishSigningKey
	if current {
		add = i.pool.AddSigningKey
	}
	if err := add(k); err != nil {
		panic("cognitotest: AddKey: " + err.Error())
	}
}

// RemoveKey withdraws the key with kid from the JWKS; a kid that is not
// published is ignored. The key that signs new tokens stays, as in the
// pool: RemoveKey panics if asked to withdraw it (rotate first, or sign
// with an unpublished key through WithKey).
func (i *Issuer) RemoveKey(kid string) {
	if i.CurrentKey().KeyID == kid {
		panic("cognitotest: RemoveKey: the key that signs new tokens cannot be withdrawn; rotate first")
	}
	// The only other refusal is a kid not published, which is ignored.
	_ = i.pool.RemoveSigningKey(kid)
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
func (i *Issuer) JWKS() []byte { return i.pool.JWKS() }

// serve counts JWKS fetches and applies the injected fault, and leaves
// every document to the pool, and every other path to the extra handler
// when there is one.
func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/" + i.PoolID() + "/.well-known/jwks.json":
		i.fetches.Add(1)
		i.mu.Lock()
		h := i.jwks
		i.mu.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
	case "/" + i.PoolID() + "/.well-known/openid-configuration":
	default:
		if i.extra != nil {
			i.extra.ServeHTTP(w, r)
			return
		}
	}
	i.poolHandler.ServeHTTP(w, r)
}

// Sign signs arbitrary header and claims with the current key: the raw
// tool for tests of hostile tokens. header gets the current kid and alg
// RS256 unless it sets them; a nil value deletes a member.
func (i *Issuer) Sign(header, claims map[string]any) string {
	return i.SignWith(i.CurrentKey(), header, claims)
}

// SignWith is Sign with a chosen key, which need not be published.
func (i *Issuer) SignWith(k *SigningKey, header, claims map[string]any) string {
	token, err := cognitolocal.Sign(k, header, claims)
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
