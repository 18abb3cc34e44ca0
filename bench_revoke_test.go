package cognitojwt_test

import (
	"context"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// benchList returns a list of n entries, a third of each kind, none of
// which matches the benchmark tokens; with ownSubject, also an earlier
// cut-off on c's subject (a user whose account changed, presenting a
// refreshed token: the list finds the entry and lets the token pass).
func benchList(b *testing.B, n int, c *cognitojwt.Claims, ownSubject bool) *revocation.List {
	b.Helper()
	l, err := revocation.New(revocation.Config{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := range n {
		switch i % 3 {
		case 0:
			l.RevokeJTI(uuid())
		case 1:
			l.RevokeFamily(uuid())
		default:
			l.RevokeSubject(uuid(), now)
		}
	}
	if ownSubject {
		l.RevokeSubject(c.Subject, c.IssuedAt.Add(-time.Hour))
	}
	return l
}

// benchClaims returns the JWKS server, a benchmark token and its claims.
func benchClaims(b *testing.B) (*cognitotest.Issuer, string, *cognitojwt.Claims) {
	b.Helper()
	jwks := benchJWKS(b)
	tok := benchTokens(b, 1)[0].raw
	claims, err := newBenchVerifier(b, jwks, -1).Verify(context.Background(), tok)
	if err != nil {
		b.Fatal(err)
	}
	return jwks, tok, claims
}

// BenchmarkVerifyRepeatedRevocations is BenchmarkVerifyRepeated, a cache
// hit, with a revocation list configured: none, empty, 1,000,000 entries
// that do not match the token, and the same plus a cut-off on the token's
// own subject. The difference from "none" is the list's cost on the hot
// path; the revocation package's BenchmarkRevocationReason times the
// list alone.
func BenchmarkVerifyRepeatedRevocations(b *testing.B) {
	jwks, tok, claims := benchClaims(b)
	cases := []struct {
		name       string
		entries    int
		ownSubject bool
	}{{"none", -1, false}, {"empty", 0, false}, {"1M", 1_000_000, false}, {"1M+own-subject", 1_000_000, true}}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			cfg := cognitojwt.Config{
				UserPoolID: benchPoolID,
				ClientIDs:  []string{benchClientID},
				JWKSURL:    jwks.JWKSURL(),
			}
			if tc.entries >= 0 {
				cfg.Revocations = benchList(b, tc.entries, claims, tc.ownSubject)
			}
			v, err := cognitojwt.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			runRepeated(b, v, tok)
		})
	}
}
