package peers_test

import (
	"context"
	"go.uber.org/goleak"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/bench/internal/fixture"
	"github.com/cognitojwt/cognitojwt/bench/peers"
)

// The comparison is only fair if every library really verifies: each must
// accept the benchmark token and refuse what it claims to check.
//
// scs.New starts a memory store that cleans up every minute before the
// benchmark replaces it with one that does not: that goroutine is scs's.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup"))
}

func TestEveryVerifierChecksWhatItClaims(t *testing.T) {
	pool, err := fixture.NewPool()
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := pool.Serve()
	if err != nil {
		t.Fatal(err)
	}
	defer jwks.Close()
	set, err := peers.New(jwks.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()

	mint := func(aud bool, change func(*fixture.Claims)) string {
		c := pool.Claims(time.Hour)
		if aud {
			c.Aud = fixture.ClientID
		}
		change(&c)
		return pool.Sign(c).Raw
	}
	bad := map[string]func(*fixture.Claims){
		"wrong issuer":    func(c *fixture.Claims) { c.Iss = fixture.Issuer + "x" },
		"expired":         func(c *fixture.Claims) { c.Exp = time.Now().Add(-time.Hour).Unix() },
		"wrong client":    func(c *fixture.Claims) { c.ClientID = "other-client" },
		"wrong token_use": func(c *fixture.Claims) { c.TokenUse = "id" },
	}
	ctx := context.Background()
	for _, v := range set.Verifiers {
		t.Run(v.Name, func(t *testing.T) {
			good := mint(v.NeedsAud, func(*fixture.Claims) {})
			if err := v.Verify(ctx, good); err != nil {
				t.Fatalf("rejected the benchmark token: %v", err)
			}
			tampered := good[:len(good)-4] + flip(good[len(good)-4:])
			if err := v.Verify(ctx, tampered); err == nil {
				t.Error("accepted a token with a changed signature")
			}
			for name, change := range bad {
				if err := v.Verify(ctx, mint(v.NeedsAud, change)); err == nil {
					t.Errorf("accepted a token with %s", name)
				}
			}
		})
	}
	t.Run("cognitojwt (repeated)", func(t *testing.T) {
		good := mint(false, func(*fixture.Claims) {})
		for range 2 {
			if _, err := set.Cognito.Verify(ctx, good); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// flip changes every character of a base64url tail to another one.
func flip(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

// TestEveryPageNeedsItsSession: each page row serves the signed-in
// user's request with their claims, and refuses the same request without
// its cookies, so that no row is fast because it lets anyone in.
func TestEveryPageNeedsItsSession(t *testing.T) {
	pages, err := peers.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	defer pages.Close()
	if len(pages.List) != 4 {
		t.Fatalf("%d pages, want web (cookies, store), gorilla/sessions and scs", len(pages.List))
	}
	for _, p := range pages.List {
		for range 3 {
			if err := p.Serve(); err != nil {
				t.Errorf("%s: %v", p.Name, err)
			}
		}
		if err := p.Anonymous(); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		inCookies := strings.Contains(p.Name, "in cookies") || strings.Contains(p.Name, "CookieStore")
		if inCookies && p.CookieBytes < 2000 {
			t.Errorf("%s: a cookie session of %d bytes cannot hold the tokens", p.Name, p.CookieBytes)
		}
	}
	if err := pages.Verify(); err != nil {
		t.Fatal(err)
	}
}
