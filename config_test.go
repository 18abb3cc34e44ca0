package cognitojwt_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

func TestNewRejectsInvalidConfig(t *testing.T) {
	valid := func() cognitojwt.Config {
		return cognitojwt.Config{UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"client"}}
	}
	tests := []struct {
		name string
		edit func(*cognitojwt.Config)
	}{
		{"empty pool id", func(c *cognitojwt.Config) { c.UserPoolID = "" }},
		{"region only", func(c *cognitojwt.Config) { c.UserPoolID = "us-east-1" }},
		{"empty suffix", func(c *cognitojwt.Config) { c.UserPoolID = "us-east-1_" }},
		{"upper-case region", func(c *cognitojwt.Config) { c.UserPoolID = "US-EAST-1_AbC123" }},
		{"region without digit", func(c *cognitojwt.Config) { c.UserPoolID = "us-east_AbC123" }},
		{"dash in suffix", func(c *cognitojwt.Config) { c.UserPoolID = "us-east-1_AbC-123" }},
		{"trailing newline", func(c *cognitojwt.Config) { c.UserPoolID = "us-east-1_AbC123\n" }},
		{"leading space", func(c *cognitojwt.Config) { c.UserPoolID = " us-east-1_AbC123" }},
		{"path in pool id", func(c *cognitojwt.Config) { c.UserPoolID = "us-east-1_AbC123/../x" }},
		{"no clients", func(c *cognitojwt.Config) { c.ClientIDs = nil }},
		{"empty client list", func(c *cognitojwt.Config) { c.ClientIDs = []string{} }},
		{"empty client entry", func(c *cognitojwt.Config) { c.ClientIDs = []string{"client", ""} }},
		{"empty client entry with AllowAnyClient", func(c *cognitojwt.Config) {
			c.ClientIDs = []string{""}
			c.AllowAnyClient = true
		}},
		{"unknown token use", func(c *cognitojwt.Config) { c.TokenUse = "refresh" }},
		{"token use in capitals", func(c *cognitojwt.Config) { c.TokenUse = "ACCESS" }},
		{"http issuer off loopback", func(c *cognitojwt.Config) { c.Issuer = "http://cognito.example.com/pool" }},
		{"issuer of another scheme", func(c *cognitojwt.Config) { c.Issuer = "ftp://127.0.0.1/pool" }},
		{"relative issuer", func(c *cognitojwt.Config) { c.Issuer = "/us-east-1_AbC123" }},
		{"http jwks off loopback", func(c *cognitojwt.Config) { c.JWKSURL = "http://cognito.example.com/jwks.json" }},
		{"http jwks to a name that merely starts with localhost", func(c *cognitojwt.Config) {
			c.JWKSURL = "http://localhost.example.com/jwks.json"
		}},
		{"relative jwks url", func(c *cognitojwt.Config) { c.JWKSURL = "jwks.json" }},
		{"empty additional issuer", func(c *cognitojwt.Config) { c.AdditionalIssuers = []string{""} }},
		{"negative fetch timeout", func(c *cognitojwt.Config) { c.FetchTimeout = -time.Second }},
		{"negative refetch cooldown", func(c *cognitojwt.Config) { c.RefetchCooldown = -time.Second }},
		{"negative refresh interval", func(c *cognitojwt.Config) { c.RefreshInterval = -time.Second }},
		{"negative jwks size", func(c *cognitojwt.Config) { c.MaxJWKSSize = -1 }},
		{"negative token size", func(c *cognitojwt.Config) { c.MaxTokenSize = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.edit(&cfg)
			v, err := cognitojwt.New(cfg)
			require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
			require.Nil(t, v)
		})
	}
}

func TestNewAcceptsValidConfig(t *testing.T) {
	tests := []struct {
		name       string
		cfg        cognitojwt.Config
		wantIssuer string
	}{
		{
			name:       "commercial region",
			cfg:        cognitojwt.Config{UserPoolID: "eu-west-1_AbC123", ClientIDs: []string{"c"}},
			wantIssuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
		},
		{
			name:       "GovCloud region",
			cfg:        cognitojwt.Config{UserPoolID: "us-gov-west-1_AbC123", ClientIDs: []string{"c"}},
			wantIssuer: "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123",
		},
		{
			name:       "any client",
			cfg:        cognitojwt.Config{UserPoolID: "ap-southeast-2_x", AllowAnyClient: true},
			wantIssuer: "https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_x",
		},
		{
			name:       "ID tokens",
			cfg:        cognitojwt.Config{UserPoolID: "us-east-1_x", ClientIDs: []string{"c"}, TokenUse: cognitojwt.IDToken},
			wantIssuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
		},
		{
			name:       "any token",
			cfg:        cognitojwt.Config{UserPoolID: "us-east-1_x", ClientIDs: []string{"c"}, TokenUse: cognitojwt.AnyToken},
			wantIssuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
		},
		{
			name:       "https issuer override, trailing slash dropped",
			cfg:        cognitojwt.Config{Issuer: "https://issuer.example.com/pool/", ClientIDs: []string{"c"}},
			wantIssuer: "https://issuer.example.com/pool",
		},
		{
			name:       "http issuer on localhost",
			cfg:        cognitojwt.Config{Issuer: "http://localhost:9229/local_pool", ClientIDs: []string{"c"}},
			wantIssuer: "http://localhost:9229/local_pool",
		},
		{
			name:       "http issuer on IPv6 loopback",
			cfg:        cognitojwt.Config{Issuer: "http://[::1]:9229/local_pool", ClientIDs: []string{"c"}},
			wantIssuer: "http://[::1]:9229/local_pool",
		},
		{
			name: "explicit jwks url",
			cfg: cognitojwt.Config{UserPoolID: "us-east-1_x", ClientIDs: []string{"c"},
				JWKSURL: "http://127.0.0.2:8080/keys"},
			wantIssuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
		},
		{
			name:       "zero durations take defaults",
			cfg:        cognitojwt.Config{UserPoolID: "us-east-1_x", ClientIDs: []string{"c"}, CacheSize: -1},
			wantIssuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := cognitojwt.New(tt.cfg)
			require.NoError(t, err)
			require.Equal(t, tt.wantIssuer, v.Issuer())
		})
	}
}

// recordingTransport answers every request with a fixed JWKS and records
// the URLs asked for, so derived endpoints are checked without network.
type recordingTransport struct {
	mu   sync.Mutex
	urls []string
	body []byte
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.urls = append(rt.urls, r.URL.String())
	rt.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(rt.body)),
		Request:    r,
	}, nil
}

func (rt *recordingTransport) requested() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.urls...)
}

func TestJWKSURLDerivesFromPoolID(t *testing.T) {
	clk := newClock()
	iss := newIssuer(t, clk)
	for _, pool := range []string{"eu-central-1_Zx9", "us-gov-east-1_Q1"} {
		t.Run(pool, func(t *testing.T) {
			rt := &recordingTransport{body: jwksDoc(jwkOf(primaryKey()))}
			v, err := cognitojwt.New(cognitojwt.Config{
				UserPoolID: pool,
				ClientIDs:  []string{testClient},
				HTTPClient: &http.Client{Transport: rt},
				Now:        clk.Now,
			})
			require.NoError(t, err)
			require.Empty(t, rt.requested(), "New must not fetch")

			claims := iss.Claims("access")
			claims["iss"] = v.Issuer()
			_, err = v.Verify(context.Background(), iss.Sign(nil, claims))
			require.NoError(t, err)
			require.Equal(t, []string{v.Issuer() + "/.well-known/jwks.json"}, rt.requested())
		})
	}
}

func TestNewDoesNoNetworkIO(t *testing.T) {
	clk := newClock()
	iss := newIssuer(t, clk)
	for range 3 {
		newVerifier(t, iss, clk, nil)
	}
	require.Zero(t, iss.JWKSFetches())
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	base := cognitojwt.Config{UserPoolID: "us-east-1_AbC123", ClientIDs: []string{"client"}}
	for _, c := range []struct {
		name string
		edit func(*cognitojwt.Config)
		ok   bool
	}{
		{"issuer over http to a public host", func(c *cognitojwt.Config) { c.Issuer = "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123" }, false},
		{"JWKS over http to a public host", func(c *cognitojwt.Config) { c.JWKSURL = "http://cognito-idp.us-east-1.amazonaws.com/x/jwks.json" }, false},
		{"JWKS over http to a private address", func(c *cognitojwt.Config) { c.JWKSURL = "http://10.0.0.1/jwks.json" }, false},
		{"JWKS over http to a loopback lookalike", func(c *cognitojwt.Config) { c.JWKSURL = "http://127.0.0.1.evil.example/jwks.json" }, false},
		{"JWKS over http to localhost lookalike", func(c *cognitojwt.Config) { c.JWKSURL = "http://localhost.evil.example/jwks.json" }, false},
		{"JWKS over ftp", func(c *cognitojwt.Config) { c.JWKSURL = "ftp://127.0.0.1/jwks.json" }, false},
		{"JWKS relative", func(c *cognitojwt.Config) { c.JWKSURL = "/jwks.json" }, false},
		{"JWKS over http to loopback", func(c *cognitojwt.Config) { c.JWKSURL = "http://127.0.0.1:9/jwks.json" }, true},
		{"JWKS over http to IPv6 loopback", func(c *cognitojwt.Config) { c.JWKSURL = "http://[::1]:9/jwks.json" }, true},
		{"derived https issuer", func(c *cognitojwt.Config) {}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.edit(&cfg)
			_, err := cognitojwt.New(cfg)
			if c.ok {
				requireKind(t, nil, err)
			} else {
				requireKind(t, cognitojwt.ErrInvalidConfig, err)
			}
		})
	}
}
