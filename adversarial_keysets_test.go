package cognitojwt_test

// Adversarial suite, key sets: every hostile key set in testdata/jwks.jsonl
// is served by the pool's JWKS endpoint, and tokens signed by each test key
// are driven through Verify and the middleware.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// jwksCase is one line of testdata/jwks.jsonl: a key set the pool's JWKS
// endpoint serves, and what tokens signed by each test key get.
type jwksCase struct {
	Name string `json:"name"`
	// Keys are JWKs: {"$key": letter, ...overrides} is that key's public
	// JWK with members replaced (null removes one; "$kid": letter takes
	// another key's kid); anything else is served as written.
	Keys []any `json:"keys"`
	// Body, when set, is served instead of {"keys": Keys}.
	Body *string `json:"body"`
	// Want maps key letters (A: the pool's key, B: a second good key,
	// S: a stranger's key, W: an RSA-1024 key) to the error kind of a
	// token that key signed under its own kid.
	Want map[string]string `json:"want"`
}

// jwksKeys are the keys the key-set corpus names by letter.
func jwksKeys(t testing.TB, iss *cognitotest.Issuer) map[string]*cognitotest.SigningKey {
	return map[string]*cognitotest.SigningKey{
		"A": iss.CurrentKey(),
		"B": sharedKey(t, "second"),
		"S": sharedKey(t, "stranger"),
		"W": sharedKey(t, "weak"),
	}
}

func (c jwksCase) document(t testing.TB, keys map[string]*cognitotest.SigningKey) []byte {
	t.Helper()
	if c.Body != nil {
		pairs := []string{}
		for letter, k := range keys {
			pairs = append(pairs, "${KID_"+letter+"}", k.KeyID, "${N_"+letter+"}", segmentEncoding.EncodeToString(k.Private.N.Bytes()))
		}
		return []byte(strings.NewReplacer(pairs...).Replace(*c.Body))
	}
	out := make([]any, 0, len(c.Keys))
	for _, spec := range c.Keys {
		m, ok := spec.(map[string]any)
		letter, _ := m["$key"].(string)
		if !ok || letter == "" {
			out = append(out, spec)
			continue
		}
		jwk := publicJWKOf(keys[letter])
		for name, v := range m {
			switch {
			case name == "$key":
			case name == "$kid":
				jwk["kid"] = keys[v.(string)].KeyID
			case v == nil:
				delete(jwk, name)
			default:
				jwk[name] = v
			}
		}
		out = append(out, jwk)
	}
	return mustJSON(t, map[string]any{"keys": out})
}

// middlewareStatusFor is the middleware's answer for a Verify outcome.
var middlewareStatusFor = map[error]int{
	nil:                           http.StatusNoContent,
	cognitojwt.ErrKeysUnavailable: http.StatusServiceUnavailable,
}

func TestAdversarialKeySets(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	keys := jwksKeys(t, iss)
	tokens := map[string]string{}
	for letter, k := range keys {
		tokens[letter] = iss.AccessToken(cognitotest.WithKey(k))
	}
	cases := loadJSONLines[jwksCase](t, "testdata/jwks.jsonl")
	if len(cases) < 20 {
		t.Fatalf("key-set corpus has only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Want) == 0 {
				t.Fatal("case names no expectation")
			}
			doc := c.document(t, keys)
			iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(doc)
			}))
			defer iss.SetJWKSHandler(nil)
			cfg := iss.Config(cognitotest.DefaultClientID)
			cfg.Now = clock.Now
			v, err := cognitojwt.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// Letters in a fixed order: the first verification fetches,
			// later ones see the same set.
			for _, letter := range []string{"A", "B", "S", "W"} {
				kind, ok := c.Want[letter]
				if !ok {
					continue
				}
				want, known := errorKinds[kind]
				if !known {
					t.Fatalf("unknown kind %q", kind)
				}
				_, err := v.Verify(context.Background(), tokens[letter])
				requireKind(t, want, err)
				status, ok := middlewareStatusFor[want]
				if !ok {
					status = http.StatusUnauthorized
				}
				res := serveProtected(v, []string{"Bearer " + tokens[letter]}, nil)
				if status == http.StatusNoContent {
					if !res.reached || res.claims == nil {
						t.Fatalf("key %s: valid token refused with %d", letter, res.rec.Code)
					}
					continue
				}
				assertRejection(t, res, status, append(secretsOf(tokens[letter]), keys[letter].KeyID))
			}
		})
	}
}
