package cognitojwt_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

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
