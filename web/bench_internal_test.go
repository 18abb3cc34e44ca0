package web

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// BenchmarkAccessToken is what AccessToken adds to a request: the access
// token is already open in the session, so the cost is its recheck and
// the check that it names the ID token's user.
//
//	opened  a cookie session opened before on this instance: the claims
//	        kept then, and Verifier.Check (a cache hit making no claims)
//	store   a session that holds no claims (a stored one): a cache hit of
//	        Verify, which copies the claims
func BenchmarkAccessToken(b *testing.B) {
	for _, mode := range []string{"opened", "store"} {
		b.Run(mode, func(b *testing.B) { benchmarkAccessToken(b, mode == "opened") })
	}
}

func benchmarkAccessToken(b *testing.B, opened bool) {
	iss := cognitotest.NewIssuer(b)
	a, err := New(Config{
		Domain: "http://127.0.0.1:1", ClientID: "c", RedirectURL: "http://127.0.0.1:2/callback",
		LogoutURL: "http://127.0.0.1:2/", Keys: [][]byte{NewKey()},
		Verify: cognitojwt.Config{Issuer: iss.URL()},
	})
	if err != nil {
		b.Fatal(err)
	}
	access := iss.AccessToken(cognitotest.WithClientID("c"), cognitotest.WithSubject("sub-1"), cognitotest.WithLifetime(time.Hour))
	req := httptest.NewRequest("GET", "/", nil)
	st := &state{auth: a, req: req, claims: &cognitojwt.Claims{Subject: "sub-1"}}
	st.sess.access = access
	if opened {
		st.sess.verified = new(verifiedTokens)
	}
	if st.access() == nil {
		b.Fatal("the access token does not verify")
	}
	b.ReportAllocs()
	for b.Loop() {
		st.once, st.accessClaims = sync.Once{}, nil
		if st.access() == nil {
			b.Fatal("the access token does not verify")
		}
	}
}
