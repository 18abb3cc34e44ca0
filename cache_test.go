package cognitojwt_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// outcomes records what Hooks.OnVerify reports.
type outcomes struct {
	mu  sync.Mutex
	all []cognitojwt.VerifyOutcome
}

func (o *outcomes) hook(c *cognitojwt.Config) {
	c.Hooks.OnVerify = func(v cognitojwt.VerifyOutcome) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.all = append(o.all, v)
	}
}

// check verifies token with f and asserts the error kind (nil: success)
// and whether the cache answered.
func (o *outcomes) check(t *testing.T, f *fixture, token string, want error, hit bool) {
	t.Helper()
	_, err := f.verify(token)
	requireKind(t, want, err)
	require.Equal(t, hit, o.last(t).CacheHit, "cache hit")
}

func (o *outcomes) last(t *testing.T) cognitojwt.VerifyOutcome {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	require.NotEmpty(t, o.all)
	return o.all[len(o.all)-1]
}

func TestCacheHit(t *testing.T) {
	var seen outcomes
	f := newFixture(t, seen.hook)
	token := f.iss.AccessToken(cognitotest.WithUsername("alice"))

	first, err := f.verify(token)
	require.NoError(t, err)
	require.False(t, seen.last(t).CacheHit)
	second, err := f.verify(token)
	require.NoError(t, err)
	require.True(t, seen.last(t).CacheHit)
	require.Equal(t, first, second)
	require.Equal(t, 1, cognitojwt.CachedTokens(f.v))

	_, err = f.verify(f.iss.AccessToken())
	require.NoError(t, err)
	require.False(t, seen.last(t).CacheHit, "another token is another entry")
	require.Equal(t, 2, cognitojwt.CachedTokens(f.v))
	require.Equal(t, cognitojwt.AccessToken, seen.last(t).TokenUse)
}

// A hit allocates the caller's Claims struct and nothing else, of the
// 320-byte size class: the collector's work on a busy server is
// proportional to these bytes. Claims is 304 bytes, so three more words
// would take it to the next class (352).
func TestCacheHitAllocatesOneClaims(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	token := f.iss.AccessToken(cognitotest.WithGroups("admin", "editors"), cognitotest.WithScopes("openid", "profile"))
	_, err := f.v.Verify(ctx, token)
	require.NoError(t, err)
	hit := func() {
		if _, err := f.v.Verify(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	require.Equal(t, 1.0, testing.AllocsPerRun(100, hit))
	require.LessOrEqual(t, allocatedPerRun(100, hit), 320.0)
}

// A handler that changes every part of the claims it can reach changes
// nothing for the next request with the same token: the struct is its
// own, and what it points to cannot be written.
func TestCacheReturnsPrivateCopies(t *testing.T) {
	var seen outcomes
	f := newFixture(t, seen.hook)
	token := f.iss.AccessToken(cognitotest.WithGroups("readers", "writers"), cognitotest.WithScopes("a", "b"))
	want, err := f.verify(token)
	require.NoError(t, err)
	wantPayload, wantUser, wantSub := string(want.RawPayload()), want.Username, want.Subject

	scribble := func(c *cognitojwt.Claims) {
		groups := c.Groups.Slice()
		groups[0] = "admin"
		scopes := c.Scopes.Slice()
		scopes[1] = "everything"
		c.RawPayload()[0] = 'X'
		*c = cognitojwt.Claims{Username: "mallory", Subject: "root", Groups: cognitojwt.NamesOf("admin"), Scopes: cognitojwt.NamesOf(groups...)}
	}
	requireUnchanged := func(c *cognitojwt.Claims) {
		t.Helper()
		require.Equal(t, []string{"readers", "writers"}, c.Groups.Slice())
		require.Equal(t, []string{"a", "b"}, c.Scopes.Slice())
		require.Equal(t, wantUser, c.Username)
		require.Equal(t, wantSub, c.Subject)
		require.Equal(t, wantPayload, string(c.RawPayload()))
		require.True(t, c.InGroup("readers"))
		require.False(t, c.InGroup("admin"))
	}

	// One request after another through Middleware, each handler
	// scribbling over what it received.
	requests := 0
	h := cognitojwt.Middleware(f.v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := cognitojwt.ClaimsFromContext(r.Context())
		require.True(t, ok)
		requireUnchanged(c)
		scribble(c)
		requests++
	}))
	for range 3 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		h.ServeHTTP(httptest.NewRecorder(), r)
		require.True(t, seen.last(t).CacheHit)
	}
	require.Equal(t, 3, requests)
	scribble(want)

	// Under -race, any write to memory concurrent callers share shows.
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := f.verify(token)
			if err != nil {
				t.Error(err)
				return
			}
			scribble(c)
		}()
	}
	wg.Wait()
	c, err := f.verify(token)
	require.NoError(t, err)
	requireUnchanged(c)
}

func TestCacheEntryExpiresAtExp(t *testing.T) {
	for _, leeway := range []time.Duration{0, 5 * time.Second} {
		t.Run("leeway "+leeway.String(), func(t *testing.T) {
			var seen outcomes
			f := newFixture(t, func(c *cognitojwt.Config) {
				c.Leeway = exactLeeway(leeway)
				seen.hook(c)
			})
			token := f.iss.AccessToken(cognitotest.WithLifetime(10 * time.Second))
			_, err := f.verify(token)
			require.NoError(t, err)

			f.clk.Advance(10*time.Second + leeway - time.Second)
			_, err = f.verify(token)
			require.NoError(t, err)
			require.True(t, seen.last(t).CacheHit)

			f.clk.Advance(time.Second)
			_, err = f.verify(token)
			requireKind(t, cognitojwt.ErrExpired, err)
			require.False(t, seen.last(t).CacheHit)
			require.Zero(t, cognitojwt.CachedTokens(f.v), "an expired entry is dropped")
		})
	}
}

func TestCacheIsBounded(t *testing.T) {
	tests := []struct {
		size, bound int
	}{
		// The bound is exact: one slot per entry.
		{64, 64},
		{7, 7},
		{1, 1},
	}
	f := newFixture(t, nil)
	tokens := make([]string, 3*64)
	for i := range tokens {
		tokens[i] = f.iss.AccessToken()
	}
	for _, tt := range tests {
		var seen outcomes
		v := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) {
			c.CacheSize = tt.size
			seen.hook(c)
		})
		for _, token := range tokens {
			_, err := v.Verify(t.Context(), token)
			require.NoError(t, err)
			require.LessOrEqual(t, cognitojwt.CachedTokens(v), tt.bound)
		}
		require.Positive(t, cognitojwt.CachedTokens(v))
		_, err := v.Verify(t.Context(), tokens[len(tokens)-1])
		require.NoError(t, err)
		require.True(t, seen.last(t).CacheHit, "the newest entry survives eviction")
	}
}

func TestCacheDisabled(t *testing.T) {
	var seen outcomes
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.CacheSize = -1
		seen.hook(c)
	})
	token := f.iss.AccessToken(cognitotest.WithGroups("g"))
	for range 3 {
		c, err := f.verify(token)
		require.NoError(t, err)
		require.False(t, seen.last(t).CacheHit)
		c.Groups = cognitojwt.NamesOf("changed")
	}
	require.Zero(t, cognitojwt.CachedTokens(f.v))

	// Without the cache a withdrawn key stops its tokens just the same.
	f.iss.SetJWKSHandler(serveBytes(jwksDoc(jwkOf(thirdKey()))))
	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	_, err := f.verify(f.iss.AccessToken(cognitotest.WithKey(thirdKey())))
	require.NoError(t, err)
	_, err = f.verify(token)
	requireKind(t, cognitojwt.ErrUnknownKey, err)
}

func TestCacheNeverServesRejectedTokens(t *testing.T) {
	var seen outcomes
	f := newFixture(t, seen.hook)

	t.Run("not yet valid, then valid", func(t *testing.T) {
		token := f.iss.AccessToken(cognitotest.WithClaim("nbf", f.clk.Now().Add(time.Minute).Unix()))
		seen.check(t, f, token, cognitojwt.ErrNotYetValid, false)
		seen.check(t, f, token, cognitojwt.ErrNotYetValid, false)
		f.clk.Advance(time.Minute)
		seen.check(t, f, token, nil, false)
	})

	t.Run("wrong client", func(t *testing.T) {
		before := cognitojwt.CachedTokens(f.v)
		token := f.iss.AccessToken(cognitotest.WithClientID("other"))
		for range 2 {
			_, err := f.verify(token)
			requireKind(t, cognitojwt.ErrWrongClient, err)
			require.False(t, seen.last(t).CacheHit)
		}
		require.Equal(t, before, cognitojwt.CachedTokens(f.v))
	})

	t.Run("a token cached by one verifier means nothing to another", func(t *testing.T) {
		token := f.iss.AccessToken()
		_, err := f.verify(token)
		require.NoError(t, err)
		strict := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) { c.ClientIDs = []string{"only-this"} })
		_, err = strict.Verify(t.Context(), token)
		requireKind(t, cognitojwt.ErrWrongClient, err)
	})

	t.Run("tampered copy of a cached token", func(t *testing.T) {
		token := f.iss.AccessToken()
		_, err := f.verify(token)
		require.NoError(t, err)
		parts := strings.Split(token, ".")
		forged := parts[0] + "." + parts[1] + "." + strings.Split(f.iss.AccessToken(), ".")[2]
		_, err = f.verify(forged)
		requireKind(t, cognitojwt.ErrInvalidSignature, err)
		require.False(t, seen.last(t).CacheHit)
	})
}

// A refetch that brings the same keys back must not cost every cached
// token a new RSA verification: otherwise anyone can empty the cache once
// per cooldown by sending unknown kids.
func TestCacheSurvivesRefetchOfUnchangedKeys(t *testing.T) {
	var seen outcomes
	var watch fetchWatch
	f := newFixture(t, func(c *cognitojwt.Config) {
		c.RefreshInterval = 30 * time.Minute
		seen.hook(c)
		watch = watchFetches(c)
	})
	token := f.iss.AccessToken()
	_, err := f.verify(token)
	require.NoError(t, err)
	watch.next(t)

	f.clk.Advance(cognitojwt.DefaultRefetchCooldown)
	_, err = f.verify(f.iss.AccessToken(cognitotest.WithKey(spareKey())))
	requireKind(t, cognitojwt.ErrUnknownKey, err)
	watch.next(t)
	_, err = f.verify(token)
	require.NoError(t, err)
	require.True(t, seen.last(t).CacheHit, "after an unknown-kid refetch")

	f.clk.Advance(30 * time.Minute)
	_, err = f.verify(token) // starts the background refresh
	require.NoError(t, err)
	watch.next(t)
	_, err = f.verify(token)
	require.NoError(t, err)
	require.True(t, seen.last(t).CacheHit, "after a background refresh")
	require.Equal(t, 3, f.iss.JWKSFetches())
}

// A hit applies every time rule Verify applies: exp, nbf and iat, each
// with the leeway. A token cached while valid is refused from the cache
// when the clock reads a time at which Verify would refuse it (the clock
// stepped back), and served again once the clock is back in its span.
func TestCacheHitAppliesEveryTimeRule(t *testing.T) {
	for _, leeway := range []time.Duration{0, 5 * time.Second} {
		tests := []struct {
			name string
			opts func(now time.Time) []cognitotest.TokenOption
		}{
			{"nbf", func(now time.Time) []cognitotest.TokenOption {
				return []cognitotest.TokenOption{cognitotest.WithClaim("nbf", now.Add(time.Minute).Unix())}
			}},
			{"iat", func(now time.Time) []cognitotest.TokenOption {
				return []cognitotest.TokenOption{cognitotest.WithIssuedAt(now.Add(time.Minute))}
			}},
			{"nbf later than iat", func(now time.Time) []cognitotest.TokenOption {
				return []cognitotest.TokenOption{
					cognitotest.WithIssuedAt(now),
					cognitotest.WithClaim("nbf", now.Add(time.Minute).Unix()),
				}
			}},
			{"iat later than nbf", func(now time.Time) []cognitotest.TokenOption {
				return []cognitotest.TokenOption{
					cognitotest.WithClaim("nbf", now.Unix()),
					cognitotest.WithIssuedAt(now.Add(time.Minute)),
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name+" leeway "+leeway.String(), func(t *testing.T) {
				var seen outcomes
				f := newFixture(t, func(c *cognitojwt.Config) {
					c.Leeway = exactLeeway(leeway)
					seen.hook(c)
				})
				start := f.clk.Now()
				token := f.iss.AccessToken(tt.opts(start)...)

				// Valid from start+1m-leeway: verify it two minutes in,
				// then confirm the hit.
				f.clk.Advance(2 * time.Minute)
				seen.check(t, f, token, nil, false)
				seen.check(t, f, token, nil, true)

				// Back to the last instant Verify refuses it.
				f.clk.Advance(-time.Minute - leeway - time.Second)
				seen.check(t, f, token, cognitojwt.ErrNotYetValid, false)

				// The first instant it verifies: the entry is still there.
				f.clk.Advance(time.Second)
				seen.check(t, f, token, nil, true)
			})
		}
	}
}

// TestRefusedTokensAreNotCopied: the verified-token cache gets its copy of
// a token only once the token is proven. A refused token of the largest
// size the verifier takes allocates its decoded header and payload, which
// parsing needs, and the RSA check's few numbers, never a copy of itself:
// not with a bad signature, the last check before the claims; not expired,
// refused after the signature; not from a foreign pool; not malformed at
// its very end; and not through a MultiVerifier, which parses for the pool
// it picks. A copy would add the token's length to what each refusal
// allocates, over the bound.
func TestRefusedTokensAreNotCopied(t *testing.T) {
	f := newFixture(t, nil)
	cfg := f.iss.Config(testClient)
	cfg.Now = f.clk.Now
	m, err := cognitojwt.NewMulti(cfg)
	require.NoError(t, err)
	ctx := context.Background()

	// pad fills a token up to the size limit with one long claim.
	pad := func(mint func(fill string) string) string {
		t.Helper()
		small := mint("")
		fill := strings.Repeat("a", (cognitojwt.DefaultMaxTokenSize-len(small))*3/4-8)
		tok := mint(fill)
		require.LessOrEqual(t, len(tok), cognitojwt.DefaultMaxTokenSize)
		require.Greater(t, len(tok), cognitojwt.DefaultMaxTokenSize*9/10)
		return tok
	}
	valid := pad(func(fill string) string { return f.iss.AccessToken(cognitotest.WithClaim("pad", fill)) })
	dot := strings.LastIndexByte(valid, '.')
	// A letter inside the signature changed: still canonical base64url.
	i := dot + 1 + (len(valid)-dot-1)/2
	flipped := byte('A')
	if valid[i] == 'A' {
		flipped = 'B'
	}
	badSig := valid[:i] + string(flipped) + valid[i+1:]
	expired := pad(func(fill string) string {
		return f.iss.AccessToken(cognitotest.WithClaim("pad", fill), cognitotest.WithExpiresAt(f.clk.Now().Add(-time.Hour)))
	})
	foreign := pad(func(fill string) string {
		claims := f.iss.Claims("access", cognitotest.WithClaim("pad", fill))
		claims["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger"
		return f.iss.Sign(nil, claims)
	})
	badEnd := badSig[:dot-2] + "_" + badSig[dot-1:] // a payload byte past the JSON's end

	for _, c := range []struct {
		name, token string
		want        error
	}{
		{"bad signature", badSig, cognitojwt.ErrInvalidSignature},
		{"expired", expired, cognitojwt.ErrExpired},
		{"foreign issuer", foreign, cognitojwt.ErrWrongIssuer},
		{"malformed at the end", badEnd, cognitojwt.ErrMalformedToken},
	} {
		for _, via := range []struct {
			name string
			v    cognitojwt.TokenVerifier
		}{{"Verifier", f.v}, {"MultiVerifier", m}} {
			t.Run(c.name+"/"+via.name, func(t *testing.T) {
				_, err := via.v.Verify(ctx, c.token)
				requireKind(t, c.want, err)
				perRun := allocatedPerRun(50, func() { _, _ = via.v.Verify(ctx, c.token) })
				// The decoded payload, and 4 KiB for the header, the RSA
				// check and the error.
				limit := float64(len(c.token)*3/4 + 4<<10)
				require.LessOrEqual(t, perRun, limit,
					"refusing a %d-byte token allocated %.0f bytes: a copy of it is made before it is proven", len(c.token), perRun)
			})
		}
	}
	require.Zero(t, cognitojwt.CachedTokens(f.v), "a refused token was cached")

	// The same token, proven, is cached, and a repeat is a hit.
	_, err = f.verify(valid)
	require.NoError(t, err)
	require.Equal(t, 1, cognitojwt.CachedTokens(f.v))
}

// allocatedPerRun reports the heap bytes f allocates per call, averaged
// over runs calls after a first one, on one P as testing.AllocsPerRun
// counts.
func allocatedPerRun(runs int, f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}
