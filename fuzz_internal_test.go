package cognitojwt

// Fuzz targets for the tokenizer and the JWKS parser, which only this
// package can reach, and a test of a fetcher race that needs its insides.
// Run them long with .ci/fuzz (see SECURITY.md).

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/rules"
)

func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"", ".", "..", "...", "a.b.c", "a.b.c.", ".b.c", "a..c", "a.b.", "a.b.c.d.e",
		"eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln=", "a+b.c/d.e",
		"a b.c.d", "a.b.c\n", "{\"payload\":\"e30\"}", strings.Repeat(".", 64), "a.b.c" + strings.Repeat(".", 64),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		// split checks the shape and refuses line breaks; the strict
		// decoder refuses every other byte outside the alphabet. Together
		// they accept exactly three non-empty base64url segments.
		h, p, s, err := split(token)
		if err == nil {
			if h+"."+p+"."+s != token {
				t.Fatalf("segments %q %q %q do not rebuild %q", h, p, s, token)
			}
			for _, seg := range []string{h, p, s} {
				if _, derr := decodeSegment(nil, seg); derr != nil {
					err = derr
					break
				}
			}
		}
		segs := strings.Split(token, ".")
		wellFormed := len(segs) == 3 && !slices.Contains(segs, "") &&
			!strings.ContainsFunc(strings.Join(segs, ""), func(r rune) bool { return r > 0x7f || !rules.IsB64URL(byte(r)) })
		if err != nil {
			if !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("split error %v is not ErrMalformedToken", err)
			}
			if wellFormed && !nonCanonical(segs) {
				t.Fatalf("split rejected well-formed %q: %v", token, err)
			}
			return
		}
		if !wellFormed {
			t.Fatalf("split and decoding accepted %q", token)
		}
	})
}

// nonCanonical reports a segment whose length or final character no
// canonical unpadded encoding produces.
func nonCanonical(segs []string) bool {
	for _, seg := range segs {
		if _, err := base64.RawURLEncoding.Strict().DecodeString(seg); err != nil {
			return true
		}
	}
	return false
}

// fuzzKey is a fixed RSA-2048 public key for the JWKS seeds, generated once
// per process.
var fuzzKey = func() func(testing.TB) *rsa.PublicKey {
	var key *rsa.PublicKey
	return func(t testing.TB) *rsa.PublicKey {
		if key == nil {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			key = &k.PublicKey
		}
		return key
	}
}()

// lenientBase64 decodes what jwx accepts for n and e: either alphabet,
// with or without padding.
func lenientBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func FuzzParseJWKS(f *testing.F) {
	pub := fuzzKey(f)
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	good := `{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":"` + n + `","e":"AQAB"}`
	for _, seed := range []string{
		`{"keys":[` + good + `]}`,
		`{"keys":[` + good + `,` + strings.Replace(good, `"k1"`, `"k2"`, 1) + `]}`,
		`{"keys":[` + good + `,` + strings.Replace(good, `"AQAB"`, `"Aw"`, 1) + `]}`,
		`{"keys":[` + strings.Replace(good, `"sig"`, `"enc"`, 1) + `]}`,
		`{"keys":[` + strings.Replace(good, `"e":"AQAB"`, `"e":"AQAB","d":"AQAB"`, 1) + `]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","kid":"e","x":"AQ","y":"AQ"},` + good + `,null,1,"x",[]]}`,
		`{"keys":[]}`, `{"keys":{}}`, `{}`, `[]`, `{"keys":[],"keys":[]}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, _, err := parseJWKS(body)
		if err != nil {
			return
		}
		var doc struct {
			Elements []json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("parseJWKS accepted a document encoding/json rejects: %v", err)
		}
		// Members are read as encoding/json reads struct fields; jsonscan
		// rejects any document where that could differ from exact names.
		type member struct {
			Kty, Kid, N, E string
		}
		var rsaKeys []member
		for _, e := range doc.Elements {
			var k map[string]json.RawMessage
			if json.Unmarshal(e, &k) != nil {
				continue
			}
			for _, m := range privateMembers {
				if _, ok := k[m]; ok {
					t.Fatalf("set with private member %q accepted", m)
				}
			}
			var m member
			if json.Unmarshal(e, &m) == nil && m.Kty == "RSA" {
				rsaKeys = append(rsaKeys, m)
			}
		}
		for kid, pub := range keys {
			if kid == "" {
				t.Fatal("key without kid accepted")
			}
			if bits := pub.N.BitLen(); bits < minRSABits || bits > maxRSABits {
				t.Fatalf("key of %d bits accepted", bits)
			}
			if pub.E < 3 || pub.E%2 == 0 {
				t.Fatalf("exponent %d accepted", pub.E)
			}
			// The key served must be one the document gives for kid
			// (entries that are not usable keys may share the kid).
			matched := false
			for _, k := range rsaKeys {
				nb, ok1 := lenientBase64(k.N)
				eb, ok2 := lenientBase64(k.E)
				if k.Kid == kid && ok1 && ok2 && new(big.Int).SetBytes(nb).Cmp(pub.N) == 0 && new(big.Int).SetBytes(eb).Int64() == int64(pub.E) {
					matched = true
				}
			}
			if !matched {
				t.Fatalf("key %q does not match the document", kid)
			}
		}
	})
}

// TestKeyLookupSeesFetchFinishedMeanwhile: a request misses the key set
// just as a fetch that another request started publishes its kid. The
// cooldown then refuses a fetch of its own, but the key is there and must
// be used: otherwise every request of a rotation burst that lands in that
// instant is refused.
func TestKeyLookupSeesFetchFinishedMeanwhile(t *testing.T) {
	pub := fuzzKey(t)
	start := time.Unix(1_750_000_000, 0)
	oldKey, newKey := &publicKey{kid: "old", pub: pub}, &publicKey{kid: "new", pub: pub}
	staged, finished := false, false
	var j *jwksSource
	j = newJWKSSource("https://cognito-idp.us-east-1.amazonaws.com/x/.well-known/jwks.json", nil,
		time.Second, 10*time.Second, time.Hour, 1<<20, func() time.Time {
			if staged && !finished {
				// Called as the fetch is decided, after the lookup
				// missed: the other request's fetch completes right now.
				finished = true
				j.set.Store(&keySet{keys: map[string]*publicKey{"old": oldKey, "new": newKey}, fetched: start})
			}
			return start
		}, nil, Hooks{})
	old := &keySet{keys: map[string]*publicKey{"old": oldKey}, fetched: start.Add(-time.Minute)}
	j.set.Store(old)
	j.src.Get = func(context.Context, string) ([]byte, int, error) { return nil, 200, nil }
	j.src.Install = func(string, []byte) (*keySet, int, error) { return old, 1, nil }

	// The other request's unknown kid: its fetch opens the cooldown.
	if _, err := j.key(context.Background(), "gone", start); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	staged = true
	got, err := j.key(context.Background(), "new", start)
	if err != nil || got != newKey {
		t.Fatalf("key published by a concurrent fetch not used: %v", err)
	}
	if !finished {
		t.Fatal("the lookup never consulted the clock; the race was not staged")
	}
}
