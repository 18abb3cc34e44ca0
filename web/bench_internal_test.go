package web

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// BenchmarkAccessToken is what AccessToken and AccessClaims add to a
// request: the access token is already open in the session, so the cost
// is one cache hit of its verifier and the check that it names the ID
// token's user.
func BenchmarkAccessToken(b *testing.B) {
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
