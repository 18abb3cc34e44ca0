package cognitojwt_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/issuer"
)

// multiPools is two fake pools: A accepts access tokens of client "a",
// B accepts ID tokens of client "b".
type multiPools struct {
	a, b *cognitotest.Issuer
	cfgA cognitojwt.Config
	cfgB cognitojwt.Config
	m    *cognitojwt.MultiVerifier
}

func newMultiPools(t *testing.T) *multiPools {
	t.Helper()
	p := &multiPools{
		a: depIssuer(t, "us-east-1_PoolA", 0),
		b: depIssuer(t, "eu-west-1_PoolB", 1),
	}
	p.cfgA = p.a.Config("a")
	p.cfgB = p.b.Config("b")
	p.cfgB.TokenUse = cognitojwt.IDToken
	var err error
	p.m, err = cognitojwt.NewMulti(p.cfgA, p.cfgB)
	require.NoError(t, err)
	return p
}

func (p *multiPools) fetches() int { return p.a.JWKSFetches() + p.b.JWKSFetches() }

func TestMultiRoutesEachPoolWithItsOwnRules(t *testing.T) {
	p := newMultiPools(t)
	ctx := context.Background()

	c, err := p.m.Verify(ctx, p.a.AccessToken(cognitotest.WithClientID("a"), cognitotest.WithGroups("admin")))
	require.NoError(t, err)
	require.Equal(t, p.a.URL(), c.Issuer)
	require.Equal(t, "a", c.ClientID)
	require.True(t, c.InGroup("admin"))

	c, err = p.m.Verify(ctx, p.b.IDToken(cognitotest.WithClientID("b"), cognitotest.WithEmail("bob@example.com")))
	require.NoError(t, err)
	require.Equal(t, p.b.URL(), c.Issuer)
	require.Equal(t, cognitojwt.IDToken, c.TokenUse)
	require.Equal(t, "bob@example.com", c.Email)

	// Each pool keeps its own token use and clients.
	_, err = p.m.Verify(ctx, p.b.AccessToken(cognitotest.WithClientID("b")))
	requireKind(t, cognitojwt.ErrWrongTokenUse, err)
	_, err = p.m.Verify(ctx, p.a.AccessToken(cognitotest.WithClientID("b")))
	requireKind(t, cognitojwt.ErrWrongClient, err)
	_, err = p.m.Verify(ctx, p.b.IDToken(cognitotest.WithClientID("a")))
	requireKind(t, cognitojwt.ErrWrongClient, err)

	require.Equal(t, 1, p.a.JWKSFetches())
	require.Equal(t, 1, p.b.JWKSFetches())
}

func TestMultiUnknownIssuerFailsBeforeAnyFetch(t *testing.T) {
	p := newMultiPools(t)
	other := depIssuer(t, "us-west-2_Other", 2)
	ctx := context.Background()

	_, err := p.m.Verify(ctx, other.AccessToken(cognitotest.WithClientID("a")))
	requireKind(t, cognitojwt.ErrWrongIssuer, err)

	// A look-alike of A's issuer (trailing slash, other case) is another issuer.
	for _, iss := range []string{p.a.URL() + "/", strings.ToUpper(p.a.URL()), p.a.URL() + "x", ""} {
		tok := p.a.AccessToken(cognitotest.WithClientID("a"), cognitotest.WithClaim("iss", iss))
		_, err := p.m.Verify(ctx, tok)
		requireKind(t, cognitojwt.ErrWrongIssuer, err)
	}
	_, err = p.m.Verify(ctx, p.a.AccessToken(cognitotest.WithClientID("a"), cognitotest.WithoutClaim("iss")))
	requireKind(t, cognitojwt.ErrWrongIssuer, err)

	require.Zero(t, p.fetches(), "a token of no configured pool must not cause a JWKS fetch")
	require.Zero(t, other.JWKSFetches())
}

func TestMultiPoolKeysVerifyOnlyThatPool(t *testing.T) {
	p := newMultiPools(t)
	ctx := context.Background()
	keyA, keyB := p.a.CurrentKey(), p.b.CurrentKey()

	// Pool B's key, claiming pool A: A's key set does not hold B's kid.
	forged := p.a.AccessToken(cognitotest.WithClientID("a"), cognitotest.WithKey(keyB))
	_, err := p.m.Verify(ctx, forged)
	requireKind(t, cognitojwt.ErrUnknownKey, err)

	// Pool B's key under pool A's kid: the signature does not verify.
	forged = p.a.AccessToken(cognitotest.WithClientID("a"), cognitotest.WithKey(keyB),
		cognitotest.WithHeader("kid", keyA.KeyID))
	_, err = p.m.Verify(ctx, forged)
	requireKind(t, cognitojwt.ErrInvalidSignature, err)

	// A token of pool B, made out for pool A's client, is still B's token
	// and B does not accept that client.
	_, err = p.m.Verify(ctx, p.b.IDToken(cognitotest.WithClientID("a")))
	requireKind(t, cognitojwt.ErrWrongClient, err)

	// Pool A's key claiming pool B.
	forged = p.b.IDToken(cognitotest.WithClientID("b"), cognitotest.WithKey(keyA))
	_, err = p.m.Verify(ctx, forged)
	requireKind(t, cognitojwt.ErrUnknownKey, err)
}

func TestMultiTokenOfPoolBPresentedToPoolAOnly(t *testing.T) {
	a := depIssuer(t, "us-east-1_PoolA", 0)
	b := depIssuer(t, "eu-west-1_PoolB", 1)
	onlyA, err := cognitojwt.NewMulti(a.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	_, err = onlyA.Verify(context.Background(), b.AccessToken())
	requireKind(t, cognitojwt.ErrWrongIssuer, err)
	require.Zero(t, a.JWKSFetches()+b.JWKSFetches())
}

// A token that names no pool fails with the kind a single Verifier would
// report, so swapping New for NewMulti changes no error a client sees.
func TestMultiRejectsLikeASingleVerifier(t *testing.T) {
	p := newMultiPools(t)
	single, err := cognitojwt.New(p.cfgA)
	require.NoError(t, err)
	stranger := "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger"
	claims := func(edit func(map[string]any)) map[string]any {
		c := p.a.Claims("access", cognitotest.WithClientID("a"))
		c["iss"] = stranger
		edit(c)
		return c
	}
	cases := map[string]string{
		"empty":                "",
		"garbage":              "not-a-token",
		"too large":            strings.Repeat("a", cognitojwt.DefaultMaxTokenSize+1),
		"padded":               p.a.AccessToken() + "=",
		"alg none, stranger":   p.a.Sign(map[string]any{"alg": "none"}, claims(func(map[string]any) {})),
		"kid missing":          p.a.Sign(map[string]any{"kid": nil}, claims(func(map[string]any) {})),
		"jku header":           p.a.Sign(map[string]any{"jku": "https://evil.example/jwks"}, claims(func(map[string]any) {})),
		"exp as string":        p.a.Sign(nil, claims(func(c map[string]any) { c["exp"] = "never" })),
		"iss as number":        p.a.Sign(nil, claims(func(c map[string]any) { c["iss"] = 7 })),
		"iss as array":         p.a.Sign(nil, claims(func(c map[string]any) { c["iss"] = []string{p.a.URL()} })),
		"iss missing":          p.a.Sign(nil, claims(func(c map[string]any) { delete(c, "iss") })),
		"iss empty":            p.a.Sign(nil, claims(func(c map[string]any) { c["iss"] = "" })),
		"stranger":             p.a.Sign(nil, claims(func(map[string]any) {})),
		"duplicate iss":        string(cognitotest.SignRaw(p.a.CurrentKey().Private, []byte(`{"alg":"RS256","kid":"k"}`), []byte(`{"iss":"`+p.a.URL()+`","iss":"x","exp":1}`))),
		"payload not object":   cognitotest.SignRaw(p.a.CurrentKey().Private, []byte(`{"alg":"RS256","kid":"k"}`), []byte(`["iss"]`)),
		"header not object":    cognitotest.SignRaw(p.a.CurrentKey().Private, []byte(`"x"`), []byte(`{"iss":"`+stranger+`","exp":1}`)),
		"groups wrong type":    p.a.Sign(nil, claims(func(c map[string]any) { c["cognito:groups"] = "admin" })),
		"exp beyond year 9999": p.a.Sign(nil, claims(func(c map[string]any) { c["exp"] = 1e13 })),
	}
	ctx := context.Background()
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, want := single.Verify(ctx, tok)
			require.Error(t, want)
			_, got := p.m.Verify(ctx, tok)
			requireKind(t, cognitojwt.ErrorKind(want), got)
		})
	}
	require.Zero(t, p.fetches())
}

func TestMultiAdditionalIssuerOnlyWhenConfigured(t *testing.T) {
	a := depIssuer(t, "us-east-1_PoolA", 0)
	updated, err := issuer.Updated(a.PoolID())
	require.NoError(t, err)
	tok := a.AccessToken(cognitotest.WithClaim("iss", updated))
	ctx := context.Background()

	plain, err := cognitojwt.NewMulti(a.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	_, err = plain.Verify(ctx, tok)
	requireKind(t, cognitojwt.ErrWrongIssuer, err)
	require.Zero(t, a.JWKSFetches())

	cfg := a.Config(cognitotest.DefaultClientID)
	cfg.AdditionalIssuers = []string{updated}
	withUpdated, err := cognitojwt.NewMulti(cfg)
	require.NoError(t, err)
	c, err := withUpdated.Verify(ctx, tok)
	require.NoError(t, err)
	require.Equal(t, updated, c.Issuer)
	// The original form keeps working with the same keys.
	_, err = withUpdated.Verify(ctx, a.AccessToken())
	require.NoError(t, err)
	require.Equal(t, 1, a.JWKSFetches())
	v, ok := withUpdated.Pool(updated)
	require.True(t, ok)
	require.Equal(t, a.URL(), v.Issuer())
}

func TestNewMultiRejectsAmbiguousOrEmptyConfigs(t *testing.T) {
	a := depIssuer(t, "us-east-1_PoolA", 0)
	b := depIssuer(t, "eu-west-1_PoolB", 1)

	_, err := cognitojwt.NewMulti()
	requireKind(t, cognitojwt.ErrInvalidConfig, err)

	// The same pool twice, say for two token uses, would make routing
	// ambiguous: it must be one Config with TokenUse AnyToken instead.
	idCfg := a.Config("x")
	idCfg.TokenUse = cognitojwt.IDToken
	_, err = cognitojwt.NewMulti(a.Config("x"), idCfg)
	requireKind(t, cognitojwt.ErrInvalidConfig, err)

	// An extra issuer of one pool equal to another pool's issuer.
	cfgB := b.Config("b")
	cfgB.AdditionalIssuers = []string{a.URL()}
	_, err = cognitojwt.NewMulti(a.Config("a"), cfgB)
	requireKind(t, cognitojwt.ErrInvalidConfig, err)

	// A Config New rejects is rejected, naming its position.
	bad := b.Config("b")
	bad.ClientIDs = nil
	_, err = cognitojwt.NewMulti(a.Config("a"), bad)
	requireKind(t, cognitojwt.ErrInvalidConfig, err)
	require.Contains(t, err.Error(), "config 1")

	// One pool listing its own issuer again is fine.
	same := a.Config("a")
	same.AdditionalIssuers = []string{a.URL()}
	_, err = cognitojwt.NewMulti(same, b.Config("b"))
	require.NoError(t, err)
	require.Zero(t, a.JWKSFetches()+b.JWKSFetches(), "NewMulti must not fetch")
}

func TestMultiWarmFetchesEveryPool(t *testing.T) {
	p := newMultiPools(t)
	ctx := context.Background()
	require.NoError(t, p.m.Warm(ctx))
	require.Equal(t, 1, p.a.JWKSFetches())
	require.Equal(t, 1, p.b.JWKSFetches())
	// Warm keys serve requests without another fetch.
	_, err := p.m.Verify(ctx, p.a.AccessToken(cognitotest.WithClientID("a")))
	require.NoError(t, err)
	require.Equal(t, 1, p.a.JWKSFetches())

	fresh := newMultiPools(t)
	fresh.b.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	err = fresh.m.Warm(ctx)
	requireKind(t, cognitojwt.ErrKeysUnavailable, err)
	require.Contains(t, err.Error(), fresh.b.URL())
	require.NotContains(t, err.Error(), fresh.a.URL(), "the healthy pool is not reported")
	// The healthy pool is warm regardless.
	_, err = fresh.m.Verify(ctx, fresh.a.AccessToken(cognitotest.WithClientID("a")))
	require.NoError(t, err)
	require.Equal(t, 1, fresh.a.JWKSFetches())
}

func TestMultiBehindMiddleware(t *testing.T) {
	p := newMultiPools(t)
	other := depIssuer(t, "us-west-2_Other", 2)
	h := cognitojwt.Middleware(p.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		_, _ = w.Write([]byte(c.Issuer))
	}))
	call := func(tok string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := call(p.a.AccessToken(cognitotest.WithClientID("a")))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, p.a.URL(), w.Body.String())
	w = call(p.b.IDToken(cognitotest.WithClientID("b")))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, p.b.URL(), w.Body.String())
	w = call(other.AccessToken())
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
	require.NotContains(t, w.Body.String(), other.URL())
}

// TestMultiReportsWhatAVerifierReports: every token of the adversarial
// corpus, and each again under an issuer no pool accepts, gets the same
// error kind from a MultiVerifier as from a Verifier of its pool. The
// token is parsed once, so a defect found while parsing (a non-canonical
// signature segment, a bad header) wins over the issuer for both.
func TestMultiReportsWhatAVerifierReports(t *testing.T) {
	env := newCorpusEnv(t)
	other := depIssuer(t, "eu-west-1_OtherPool", 1)
	ctx := context.Background()
	stranger := "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger"
	for _, c := range loadTokenCorpus(t) {
		single := env.verifier(c.Use, 0)
		cfg := env.iss.Config(cognitotest.DefaultClientID)
		cfg.Now, cfg.Issuer, cfg.Leeway = env.clock.Now, env.issuer, exactLeeway(0)
		if c.Use == "id" {
			cfg.TokenUse = cognitojwt.IDToken
		}
		multi, err := cognitojwt.NewMulti(cfg, other.Config("b"))
		require.NoError(t, err)
		token := env.build(c)
		t.Run(c.Class+"/"+c.Name, func(t *testing.T) {
			_, want := single.Verify(ctx, token)
			_, got := multi.Verify(ctx, token)
			require.Equal(t, cognitojwt.ErrorKind(want), cognitojwt.ErrorKind(got), "Verifier: %v; MultiVerifier: %v", want, got)
		})
		if alien, ok := withIssuer(token, stranger); ok {
			t.Run(c.Class+"/"+c.Name+"/unknown issuer", func(t *testing.T) {
				_, want := single.Verify(ctx, alien)
				_, got := multi.Verify(ctx, alien)
				require.Equal(t, cognitojwt.ErrorKind(want), cognitojwt.ErrorKind(got), "Verifier: %v; MultiVerifier: %v", want, got)
			})
		}
	}
}

// TestMultiNonCanonicalSignatureIsMalformedForUnknownIssuers is the
// reproduction: a token naming no pool whose signature segment is not
// canonical base64url is malformed, as a Verifier says, not of a wrong
// issuer.
func TestMultiNonCanonicalSignatureIsMalformedForUnknownIssuers(t *testing.T) {
	p := newMultiPools(t)
	claims := p.a.Claims("access", cognitotest.WithClientID("a"))
	claims["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger"
	token := p.a.Sign(nil, claims)
	dot := strings.LastIndexByte(token, '.')
	input, sig := token[:dot], token[dot+1:]
	last := sig[len(sig)-1]
	stray := strings.IndexByte(b64Alphabet, last) | 1 // 342 characters: the last one carries 4 unused bits
	single, err := cognitojwt.New(p.cfgA)
	require.NoError(t, err)
	for name, bad := range map[string]string{
		"standard alphabet plus":  input + "." + "+" + sig[1:],
		"standard alphabet slash": input + "." + "/" + sig[1:],
		"padding":                 input + "." + sig + "==",
		"one character":           input + ".A",
		"stray trailing bits":     input + "." + sig[:len(sig)-1] + string(b64Alphabet[stray]),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := single.Verify(context.Background(), bad)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
			_, err = p.m.Verify(context.Background(), bad)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
		})
	}
	require.Zero(t, p.fetches())
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// withIssuer returns token with its payload's iss replaced, keeping header
// and signature, when the payload is a JSON object with a string iss.
func withIssuer(token, iss string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var payload map[string]any
	if json.Unmarshal(raw, &payload) != nil {
		return "", false
	}
	if _, ok := payload["iss"].(string); !ok {
		return "", false
	}
	payload["iss"] = iss
	edited, err := json.Marshal(payload)
	if err != nil {
		return "", false
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(edited) + "." + parts[2], true
}

// TestMultiParsesEachTokenOnce: routing costs no second decode or scan of
// the payload, so a MultiVerifier allocates what a Verifier of the pool
// allocates, for a token of the pool and for one of no pool.
func TestMultiParsesEachTokenOnce(t *testing.T) {
	p := newMultiPools(t)
	p.cfgA.CacheSize, p.cfgB.CacheSize = -1, -1
	m, err := cognitojwt.NewMulti(p.cfgA, p.cfgB)
	require.NoError(t, err)
	single, err := cognitojwt.New(p.cfgA)
	require.NoError(t, err)
	ctx := context.Background()
	own := p.a.AccessToken(cognitotest.WithClientID("a"))
	claims := p.a.Claims("access", cognitotest.WithClientID("a"))
	claims["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger"
	for name, tok := range map[string]string{"pool's token": own, "no pool's token": p.a.Sign(nil, claims)} {
		t.Run(name, func(t *testing.T) {
			_, want := single.Verify(ctx, tok)
			_, got := m.Verify(ctx, tok)
			require.Equal(t, cognitojwt.ErrorKind(want), cognitojwt.ErrorKind(got))
			a := testing.AllocsPerRun(20, func() { _, _ = single.Verify(ctx, tok) })
			b := testing.AllocsPerRun(20, func() { _, _ = m.Verify(ctx, tok) })
			require.Equal(t, a, b, "Verifier %v allocations, MultiVerifier %v", a, b)
		})
	}
}

// TestMultiBehindMiddlewareAnswersHitsAsAVerifier: behind Middleware, a
// MultiVerifier's cache hit costs what a Verifier's does (the claims are
// copied into the request's context value), a handler that scribbles over
// its claims changes nothing for the next request, and a token outside
// b64token is still refused as a malformed request.
func TestMultiBehindMiddlewareAnswersHitsAsAVerifier(t *testing.T) {
	p := newMultiPools(t)
	single, err := cognitojwt.New(p.cfgA)
	require.NoError(t, err)
	tok := p.a.AccessToken(cognitotest.WithClientID("a"), cognitotest.WithGroups("readers"))
	serve := func(v cognitojwt.TokenVerifier) (h http.Handler, served *int) {
		served = new(int)
		return cognitojwt.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := cognitojwt.ClaimsFromContext(r.Context())
			if !ok || c.Username == "mallory" || !c.InGroup("readers") {
				t.Error("the handler got changed claims")
			}
			*c = cognitojwt.Claims{Username: "mallory", Groups: cognitojwt.NamesOf("admin")}
			*served++
		})), served
	}
	request := func(tok string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	allocs := map[string]float64{}
	for name, v := range map[string]cognitojwt.TokenVerifier{"Verifier": single, "MultiVerifier": p.m} {
		h, served := serve(v)
		r, w := request(tok), httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code)
		allocs[name] = testing.AllocsPerRun(50, func() { h.ServeHTTP(w, r) })
		require.Equal(t, 52, *served, name)

		w = httptest.NewRecorder()
		h.ServeHTTP(w, request(tok[:10]+"!"+tok[11:]))
		require.Equal(t, http.StatusBadRequest, w.Code, name)
		require.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_request"`, name)
	}
	require.Equal(t, allocs["Verifier"], allocs["MultiVerifier"], "allocations of a hit behind Middleware")
}

// TestMultiVerifyIntoFillsTheCallersClaims: a MultiVerifier's VerifyInto
// gives what its Verify gives, for a token of either pool, allocates
// nothing on a hit, and zeroes the struct for a refused token.
func TestMultiVerifyIntoFillsTheCallersClaims(t *testing.T) {
	p := newMultiPools(t)
	ctx := context.Background()
	for _, tok := range []string{p.a.AccessToken(cognitotest.WithClientID("a")), p.b.IDToken(cognitotest.WithClientID("b"))} {
		want, err := p.m.Verify(ctx, tok)
		require.NoError(t, err)
		var dst cognitojwt.Claims
		require.NoError(t, p.m.VerifyInto(ctx, tok, &dst))
		require.Equal(t, *want, dst)
		require.Zero(t, testing.AllocsPerRun(50, func() {
			if p.m.VerifyInto(ctx, tok, &dst) != nil {
				t.Fatal("the cached token is refused")
			}
		}))
	}
	dst := cognitojwt.Claims{Username: "stale"}
	require.ErrorIs(t, p.m.VerifyInto(ctx, p.a.AccessToken(cognitotest.WithClientID("b")), &dst), cognitojwt.ErrWrongClient)
	require.Equal(t, cognitojwt.Claims{}, dst)
	require.ErrorIs(t, p.m.VerifyInto(ctx, "", &dst), cognitojwt.ErrNoToken)
	require.ErrorIs(t, p.m.VerifyInto(ctx, "x", nil), cognitojwt.ErrInvalidConfig)
}
