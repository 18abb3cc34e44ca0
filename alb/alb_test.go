package alb_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
	"github.com/cognitojwt/cognitojwt/revocation"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestALBVerifiesPaddedTokenAndMapsClaims(t *testing.T) {
	f := newALBFixture(t, nil)
	tok := f.token(nil, nil)
	require.Contains(t, tok, "=", "the token under test must carry padding")

	c, err := f.verify(tok)
	require.NoError(t, err)
	require.Equal(t, "7d8ca528-4931-4254-9273-ea5ee853f271", c.Subject)
	require.Equal(t, "alice", c.Username)
	require.Equal(t, "alice@example.com", c.Email)
	require.True(t, c.EmailVerified)
	require.Equal(t, albIssuer, c.Issuer)
	require.Equal(t, albClient, c.ClientID)
	require.Equal(t, f.kid, c.KeyID)
	require.Equal(t, f.clk.Now().Add(2*time.Minute), c.ExpiresAt)
	tenant, ok := c.Attribute("tenant_id")
	require.True(t, ok)
	require.Equal(t, "acme", tenant)
	got, ok := c.Get("email_verified")
	require.True(t, ok)
	require.Equal(t, "true", got)
	var decoded struct {
		Email string `json:"email"`
	}
	require.NoError(t, c.Decode(&decoded))
	require.Equal(t, "alice@example.com", decoded.Email)

	// The key is cached per kid: later tokens cost no fetch.
	for range 3 {
		_, err := f.verify(f.token(nil, nil))
		require.NoError(t, err)
	}
	require.Equal(t, 1, f.keys.total())
}

func TestALBLifetimeIsTheEarlierOfHeaderAndPayloadExp(t *testing.T) {
	f := newALBFixture(t, nil)
	tok := f.token(nil, func(p map[string]any) { p["exp"] = f.clk.Now().Add(30 * time.Second).Unix() })
	c, err := f.verify(tok)
	require.NoError(t, err)
	require.Equal(t, f.clk.Now().Add(30*time.Second), c.ExpiresAt)
	f.clk.Advance(30 * time.Second)
	_, err = f.verify(tok)
	requireKind(t, cognitojwt.ErrExpired, err)

	// A payload without exp leaves the header's.
	tok = f.token(nil, func(p map[string]any) { delete(p, "exp") })
	c, err = f.verify(tok)
	require.NoError(t, err)
	require.Equal(t, f.clk.Now().Add(2*time.Minute), c.ExpiresAt)
}

// TestALBPayloadNameFoldingToCognitoClaimIsMalformed: the payload is read
// by the same claim reader as a Cognito token's, so a member name that
// equals a Cognito claim name only under case folding is refused here too;
// otherwise Decode would read it where the typed fields read nothing.
func TestALBPayloadNameFoldingToCognitoClaimIsMalformed(t *testing.T) {
	f := newALBFixture(t, nil)
	for _, tt := range []struct{ canonical, spelling string }{
		{"sub", "SUB"}, {"sub", "\u017fub"}, {"email", "Email"}, {"username", "USERNAME"},
		{"cognito:groups", "Cognito:Groups"}, {"exp", "EXP"}, {"iss", "Iss"},
		{"phone_number_verified", "Phone_Number_Verified"}, {"token_use", "TOKEN_USE"},
	} {
		t.Run(tt.spelling, func(t *testing.T) {
			before := f.keys.total()
			tok := f.token(nil, func(p map[string]any) {
				v, ok := p[tt.canonical]
				if !ok {
					v = "admin"
				}
				delete(p, tt.canonical)
				p[tt.spelling] = v
			})
			c, err := f.verify(tok)
			require.Nil(t, c)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
			require.NotContains(t, err.Error(), tt.spelling, "the error names the claim, not the token's spelling")
			require.Equal(t, before, f.keys.total(), "rejected before any network")
		})
	}

	// A name that folds to no Cognito claim is an ordinary claim.
	c, err := f.verify(f.token(nil, func(p map[string]any) { p["Department"] = "R&D" }))
	require.NoError(t, err)
	got, ok := c.Get("Department")
	require.True(t, ok)
	require.Equal(t, "R&D", got)
}

// padSegments rewrites every segment of tok with fn.
func mapSegments(tok string, fn func(i int, seg string) string) string {
	segs := strings.Split(tok, ".")
	for i := range segs {
		segs[i] = fn(i, segs[i])
	}
	return strings.Join(segs, ".")
}

func TestALBRejectsHostileTokens(t *testing.T) {
	f := newALBFixture(t, nil)
	other := newP256()
	valid := f.token(nil, nil)
	hdr := func(edit func(map[string]any)) string { return f.token(edit, nil) }
	pl := func(edit func(map[string]any)) string { return f.token(nil, edit) }
	raw := func(header, payload string) string { return albSign(f.priv, []byte(header), []byte(payload)) }
	goodPayload := string(albJSON(f.payload()))
	// A header whose JSON length needs padding, to strip or double it.
	paddedHeader := func() string {
		h := f.header()
		for n := 0; ; n++ {
			h["x"] = strings.Repeat("p", n)
			if len(albJSON(h))%3 != 0 {
				return string(albJSON(h))
			}
		}
	}()

	cases := []struct {
		name     string
		tok      string
		want     error
		mayFetch bool
	}{
		{"empty", "", cognitojwt.ErrNoToken, false},
		{"too large", valid + strings.Repeat("A", cognitojwt.DefaultMaxTokenSize), cognitojwt.ErrMalformedToken, false},
		{"two segments", valid[:strings.LastIndexByte(valid, '.')], cognitojwt.ErrMalformedToken, false},
		{"four segments", valid + ".AAAA", cognitojwt.ErrMalformedToken, false},
		{"empty segment", ".." + strings.Split(valid, ".")[2], cognitojwt.ErrMalformedToken, false},
		{"unpadded segments", strings.ReplaceAll(valid, "=", ""), cognitojwt.ErrMalformedToken, false},
		{"unpadded header", mapSegments(raw(paddedHeader, goodPayload), func(i int, s string) string {
			if i == 0 {
				return strings.TrimRight(s, "=")
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"double-padded header", mapSegments(raw(paddedHeader, goodPayload), func(i int, s string) string {
			if i == 0 {
				return s + "="
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"double-padded signature", valid + "==", cognitojwt.ErrMalformedToken, false},
		{"padding on an unpadded segment", mapSegments(valid, func(_ int, s string) string {
			if !strings.HasSuffix(s, "=") {
				return s + "===="
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"padding mid-segment", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				return "=" + s[1:]
			}
			return s
		}), cognitojwt.ErrMalformedToken, false},
		{"std alphabet", mapSegments(valid, func(_ int, s string) string {
			return strings.NewReplacer("-", "+", "_", "/").Replace(s)
		}) + "+/", cognitojwt.ErrMalformedToken, false},
		{"newline inside", valid[:10] + "\n" + valid[10:], cognitojwt.ErrMalformedToken, false},
		{"header not JSON", raw("not json", goodPayload), cognitojwt.ErrMalformedToken, false},
		{"duplicate header member", raw(`{"alg":"ES256","alg":"ES256","kid":"`+f.kid+`","signer":"`+albARN+`","iss":"`+albIssuer+`","client":"`+albClient+`","exp":9999999999}`, goodPayload), cognitojwt.ErrMalformedToken, false},
		{"payload not an object", raw(string(albJSON(f.header())), `["sub"]`), cognitojwt.ErrMalformedToken, false},
		{"alg RS256", hdr(func(h map[string]any) { h["alg"] = "RS256" }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg none", hdr(func(h map[string]any) { h["alg"] = "none" }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg es256", hdr(func(h map[string]any) { h["alg"] = "es256" }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg missing", hdr(func(h map[string]any) { delete(h, "alg") }), cognitojwt.ErrUnsupportedAlgorithm, false},
		{"alg number", hdr(func(h map[string]any) { h["alg"] = 256 }), cognitojwt.ErrMalformedToken, false},
		{"jku", hdr(func(h map[string]any) { h["jku"] = "https://evil.example/keys" }), cognitojwt.ErrMalformedToken, false},
		{"jwk", hdr(func(h map[string]any) { h["jwk"] = map[string]any{"kty": "EC"} }), cognitojwt.ErrMalformedToken, false},
		{"x5u", hdr(func(h map[string]any) { h["x5u"] = "https://evil.example/cert" }), cognitojwt.ErrMalformedToken, false},
		{"crit", hdr(func(h map[string]any) { h["crit"] = []string{"exp"} }), cognitojwt.ErrMalformedToken, false},
		{"typ JOSE", hdr(func(h map[string]any) { h["typ"] = "JOSE" }), cognitojwt.ErrMalformedToken, false},
		{"kid missing", hdr(func(h map[string]any) { delete(h, "kid") }), cognitojwt.ErrUnknownKey, false},
		{"kid empty", hdr(func(h map[string]any) { h["kid"] = "" }), cognitojwt.ErrUnknownKey, false},
		{"kid number", hdr(func(h map[string]any) { h["kid"] = 1 }), cognitojwt.ErrMalformedToken, false},
		{"kid path traversal", hdr(func(h map[string]any) { h["kid"] = "../../admin" }), cognitojwt.ErrUnknownKey, false},
		{"kid uuid with path", hdr(func(h map[string]any) { h["kid"] = f.kid + "/../x" }), cognitojwt.ErrUnknownKey, false},
		{"kid uuid with query", hdr(func(h map[string]any) { h["kid"] = f.kid[:35] + "?" }), cognitojwt.ErrUnknownKey, false},
		{"kid non-hex", hdr(func(h map[string]any) { h["kid"] = "0000000g-0000-0000-0000-000000000000" }), cognitojwt.ErrUnknownKey, false},
		{"kid without dashes", hdr(func(h map[string]any) { h["kid"] = strings.ReplaceAll(f.kid, "-", "") + "abcd" }), cognitojwt.ErrUnknownKey, false},
		{"kid url-encoded", hdr(func(h map[string]any) { h["kid"] = "%2e%2e%2f" + f.kid[9:] }), cognitojwt.ErrUnknownKey, false},
		{"kid host", hdr(func(h map[string]any) { h["kid"] = "@evil.example/00-0000-0000-000000000000" }), cognitojwt.ErrUnknownKey, false},
		{"exp missing from header", hdr(func(h map[string]any) { delete(h, "exp") }), cognitojwt.ErrMalformedToken, false},
		{"exp string", hdr(func(h map[string]any) { h["exp"] = "tomorrow" }), cognitojwt.ErrMalformedToken, false},
		{"signer missing", hdr(func(h map[string]any) { delete(h, "signer") }), cognitojwt.ErrWrongIssuer, false},
		{"wrong signer", hdr(func(h map[string]any) { h["signer"] = albOther }), cognitojwt.ErrWrongIssuer, false},
		{"signer prefix", hdr(func(h map[string]any) { h["signer"] = albARN[:len(albARN)-1] }), cognitojwt.ErrWrongIssuer, false},
		{"signer array", hdr(func(h map[string]any) { h["signer"] = []string{albARN} }), cognitojwt.ErrMalformedToken, false},
		{"iss missing", hdr(func(h map[string]any) { delete(h, "iss") }), cognitojwt.ErrWrongIssuer, false},
		{"wrong iss", hdr(func(h map[string]any) { h["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" }), cognitojwt.ErrWrongIssuer, false},
		{"payload iss differs", pl(func(p map[string]any) { p["iss"] = "https://evil.example" }), cognitojwt.ErrWrongIssuer, false},
		{"payload sub number", pl(func(p map[string]any) { p["sub"] = 1 }), cognitojwt.ErrMalformedToken, false},
		{"payload exp string", pl(func(p map[string]any) { p["exp"] = "1" }), cognitojwt.ErrMalformedToken, false},
		{"payload email_verified object", pl(func(p map[string]any) { p["email_verified"] = map[string]any{} }), cognitojwt.ErrMalformedToken, false},
		{"wrong client", hdr(func(h map[string]any) { h["client"] = "other-client" }), cognitojwt.ErrWrongClient, true},
		{"client missing", hdr(func(h map[string]any) { delete(h, "client") }), cognitojwt.ErrWrongClient, true},
		{"client number", hdr(func(h map[string]any) { h["client"] = 7 }), cognitojwt.ErrMalformedToken, false},
		{"expired", hdr(func(h map[string]any) { h["exp"] = f.clk.Now().Unix() }), cognitojwt.ErrExpired, true},
		{"exp zero", hdr(func(h map[string]any) { h["exp"] = 0 }), cognitojwt.ErrExpired, true},
		{"payload expired", pl(func(p map[string]any) { p["exp"] = f.clk.Now().Add(-time.Second).Unix() }), cognitojwt.ErrExpired, true},
		{"nbf in the future", pl(func(p map[string]any) { p["nbf"] = f.clk.Now().Add(time.Minute).Unix() }), cognitojwt.ErrNotYetValid, true},
		{"iat in the future", pl(func(p map[string]any) { p["iat"] = f.clk.Now().Add(time.Minute).Unix() }), cognitojwt.ErrNotYetValid, true},
		{"other key", albSign(other, albJSON(f.header()), albJSON(f.payload())), cognitojwt.ErrInvalidSignature, true},
		{"signature over unpadded segments", func() string {
			h, p := albJSON(f.header()), albJSON(f.payload())
			unpadded := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
			sig := albSignature(f.priv, unpadded)
			return base64.URLEncoding.EncodeToString(h) + "." + base64.URLEncoding.EncodeToString(p) + "." + base64.URLEncoding.EncodeToString(sig)
		}(), cognitojwt.ErrInvalidSignature, true},
		{"signature too short", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				return base64.URLEncoding.EncodeToString(make([]byte, 63))
			}
			return s
		}), cognitojwt.ErrInvalidSignature, true},
		{"signature DER", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				digest := sha256.Sum256([]byte(valid[:strings.LastIndexByte(valid, '.')]))
				der, _ := ecdsa.SignASN1(rand.Reader, f.priv, digest[:])
				return base64.URLEncoding.EncodeToString(der)
			}
			return s
		}), cognitojwt.ErrInvalidSignature, true},
		{"signature zero", mapSegments(valid, func(i int, s string) string {
			if i == 2 {
				return base64.URLEncoding.EncodeToString(make([]byte, 64))
			}
			return s
		}), cognitojwt.ErrInvalidSignature, true},
		{"payload swapped", func() string {
			segs := strings.Split(valid, ".")
			segs[1] = base64.URLEncoding.EncodeToString(albJSON(map[string]any{"sub": "admin", "exp": 9999999999}))
			return strings.Join(segs, ".")
		}(), cognitojwt.ErrInvalidSignature, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.keys.total()
			c, err := f.verify(tc.tok)
			require.Nil(t, c)
			requireKind(t, tc.want, err)
			if !tc.mayFetch {
				require.Equal(t, before, f.keys.total(), "rejected before any network")
			}
		})
	}
	// Only the one published kid was ever requested.
	f.keys.mu.Lock()
	defer f.keys.mu.Unlock()
	require.Equal(t, map[string]int{"/keys/" + f.kid: 1}, f.keys.requests)
}

func TestALBAcceptsAnyConfiguredSignerClientAndIssuer(t *testing.T) {
	updated := "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AlbPool"
	f := newALBFixture(t, func(c *alb.Config) {
		c.ALBARNs = append(c.ALBARNs, albOther)
		c.ClientIDs = append(c.ClientIDs, "second")
		c.AdditionalIssuers = []string{updated}
	})
	c, err := f.verify(f.token(func(h map[string]any) {
		h["signer"], h["client"], h["iss"] = albOther, "second", updated
	}, func(p map[string]any) { p["iss"] = updated }))
	require.NoError(t, err)
	require.Equal(t, "second", c.ClientID)
	require.Equal(t, updated, c.Issuer)

	anyClient := newALBFixture(t, func(c *alb.Config) { c.ClientIDs, c.AllowAnyClient = nil, true })
	_, err = anyClient.verify(anyClient.token(func(h map[string]any) { h["client"] = "whatever" }, nil))
	require.NoError(t, err)
}

// TestALBHonoursRevocations: a token of a subject revoked after it was
// issued fails with ErrRevoked once every other check passed.
func TestALBHonoursRevocations(t *testing.T) {
	var list *revocation.List
	f := newALBFixture(t, func(c *alb.Config) {
		// The list's clock is the verifier's, so its entries live as long
		// in the fixture's time as tokens do.
		var err error
		list, err = revocation.New(revocation.Config{Now: c.Now})
		require.NoError(t, err)
		c.Revocations = list
	})
	withIat := func(p map[string]any) { p["iat"] = f.clk.Now().Unix() }
	_, err := f.verify(f.token(nil, withIat))
	require.NoError(t, err)
	list.RevokeSubject(f.payload()["sub"].(string), f.clk.Now().Add(time.Second))
	_, err = f.verify(f.token(nil, withIat))
	requireKind(t, cognitojwt.ErrRevoked, err)
	_, err = f.verify(f.token(nil, func(p map[string]any) { p["sub"] = "someone-else"; withIat(p) }))
	require.NoError(t, err)
}

func TestALBHooksSeeEveryVerification(t *testing.T) {
	var outcomes []error
	f := newALBFixture(t, func(c *alb.Config) {
		c.Hooks.OnVerify = func(o cognitojwt.VerifyOutcome) { outcomes = append(outcomes, o.Err) }
	})
	_, _ = f.verify(f.token(nil, nil))
	_, _ = f.verify("nope")
	require.Len(t, outcomes, 2)
	require.NoError(t, outcomes[0])
	requireKind(t, cognitojwt.ErrMalformedToken, outcomes[1])
}
