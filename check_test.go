package cognitojwt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// TestCheckDecidesAsVerify: Check refuses every token Verify refuses, with
// the same error, whether the cache knows the token or not, and with the
// cache off.
func TestCheckDecidesAsVerify(t *testing.T) {
	for _, size := range []int{0, -1} {
		f := newFixture(t, func(c *cognitojwt.Config) { c.CacheSize = size })
		good := f.iss.AccessToken()
		parts := strings.Split(good, ".")
		tokens := map[string]string{
			"valid":         good,
			"empty":         "",
			"malformed":     parts[0] + "." + parts[1],
			"bad signature": parts[0] + "." + parts[1] + "." + strings.Split(f.iss.AccessToken(), ".")[2],
			"wrong client":  f.iss.AccessToken(cognitotest.WithClientID("other")),
			"ID token":      f.iss.IDToken(),
			"unknown key":   f.iss.AccessToken(cognitotest.WithKey(spareKey())),
			"expired":       f.iss.AccessToken(cognitotest.WithIssuedAt(f.clk.Now().Add(-2*time.Hour)), cognitotest.WithLifetime(time.Hour)),
		}
		for name, tok := range tokens {
			_, want := f.verify(tok)
			for range 2 { // the second time, a valid token is a cache hit
				got := f.v.Check(context.Background(), tok)
				require.Equal(t, cognitojwt.ErrorCode(want), cognitojwt.ErrorCode(got), "%s (cache size %d)", name, size)
				require.Equal(t, want == nil, got == nil, name)
			}
		}
	}
}

// TestCheckOnAHitAllocatesNothing: a cached token's answer needs no
// claims when there is no revocation list, and still sees time pass and
// the list when there is one.
func TestCheckOnAHitAllocatesNothing(t *testing.T) {
	revoked := &revokeAfter{}
	rec := newHookRecorder()
	f := newFixture(t, nil)
	tok := f.iss.AccessToken(cognitotest.WithLifetime(time.Hour))
	_, err := f.verify(tok)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if f.v.Check(context.Background(), tok) != nil {
			t.Fatal("the cached token is refused")
		}
	})
	require.Zero(t, allocs)
	f.clk.Advance(2 * time.Hour)
	requireKind(t, cognitojwt.ErrExpired, f.v.Check(context.Background(), tok))

	f = newFixture(t, func(c *cognitojwt.Config) {
		c.Revocations = revoked
		c.Hooks = rec.hooks()
	})
	tok = f.iss.AccessToken()
	require.NoError(t, f.v.Check(context.Background(), tok))
	require.NoError(t, f.v.Check(context.Background(), tok))
	revoked.on.Store(true)
	requireKind(t, cognitojwt.ErrRevoked, f.v.Check(context.Background(), tok))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Len(t, rec.verifies, 3)
	require.False(t, rec.verifies[0].CacheHit)
	require.True(t, rec.verifies[1].CacheHit)
	require.True(t, rec.verifies[2].CacheHit)
	requireKind(t, cognitojwt.ErrRevoked, rec.verifies[2].Err)
}
