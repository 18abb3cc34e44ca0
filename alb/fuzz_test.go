package alb_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/alb"
)

// FuzzALBVerify verifies arbitrary headers and payloads signed with the
// published key, and arbitrary x-amzn-oidc-data values as the load
// balancer would forward them: nothing panics, and whatever verifies
// names the configured signer's issuer and client and an unexpired
// lifetime.
func FuzzALBVerify(f *testing.F) {
	priv := newP256()
	kid := newUUIDString()
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	body := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.TrimPrefix(r.URL.Path, "/keys/") != kid {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	now := time.Unix(1_750_000_000, 0).UTC()
	v, err := alb.New(alb.Config{ALBARNs: []string{albARN}, ClientIDs: []string{albClient}, Issuer: albIssuer,
		KeyURL: srv.URL + "/keys/{kid}", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	exp := now.Add(2 * time.Minute).Unix()
	header := albJSON(map[string]any{"typ": "JWT", "alg": "ES256", "kid": kid, "signer": albARN, "iss": albIssuer, "client": albClient, "exp": exp})
	payload := albJSON(map[string]any{"sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "email": "a@example.com", "exp": exp, "iss": albIssuer})
	good := albSign(priv, header, payload)
	f.Add(header, payload, good)
	f.Add([]byte(`{"alg":"none","kid":"`+kid+`"}`), payload, strings.TrimRight(good, "="))
	f.Add([]byte(`{"alg":"ES256","kid":"../../etc","signer":"`+albARN+`","iss":"`+albIssuer+`","exp":1e99}`), []byte(`{"exp":"x"}`), "a.b.c")
	f.Add([]byte(`{"alg":"ES256","kid":"`+kid+`","signer":"`+albARN+`","iss":"`+albIssuer+`","client":"`+albClient+`","exp":`+
		"9999999999"+`,"crit":["x"]}`), []byte(`[]`), " \t"+good+"\t")
	f.Add([]byte(`{}`), []byte(`{"sub":1,"sub":"x"}`), base64.URLEncoding.EncodeToString([]byte(`{}`))+"..")
	f.Fuzz(func(t *testing.T, h, p []byte, raw string) {
		check := func(tok string) {
			c, err := v.Verify(context.Background(), tok)
			if err != nil {
				return
			}
			if c.Issuer != albIssuer || c.ClientID != albClient || !now.Before(c.ExpiresAt) {
				t.Fatalf("verified with issuer %q, client %q, exp %v", c.Issuer, c.ClientID, c.ExpiresAt)
			}
		}
		check(albSign(priv, h, p))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["X-Amzn-Oidc-Data"] = []string{raw}
		if tok, err := alb.ForwardedDataToken(r); err == nil {
			check(tok)
		}
	})
}
