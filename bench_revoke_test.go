package cognitojwt_test

import (
	"context"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// revocationEntries fills list with n entries, a third of each kind, none
// of which matches the benchmark tokens.
func revocationEntries(list *cognitojwt.Revocations, n int) {
	now := time.Now()
	for i := range n {
		switch i % 3 {
		case 0:
			list.RevokeJTI(uuid())
		case 1:
			list.RevokeFamily(uuid())
		default:
			list.RevokeSubject(uuid(), now)
		}
	}
}

// revocationCases are the lists the revocation benchmarks run against:
// none configured, an empty list, 100,000 entries that do not match the
// token, and the same plus an earlier cut-off on the token's own subject
// (a user whose account changed, presenting a refreshed token: the one
// case that takes the list's lock).
var revocationCases = []struct {
	name string
	list func(c *cognitojwt.Claims) *cognitojwt.Revocations
}{
	{"none", func(*cognitojwt.Claims) *cognitojwt.Revocations { return nil }},
	{"empty", func(*cognitojwt.Claims) *cognitojwt.Revocations { return cognitojwt.NewRevocations() }},
	{"100k", func(*cognitojwt.Claims) *cognitojwt.Revocations {
		l := cognitojwt.NewRevocations()
		revocationEntries(l, 100_000)
		return l
	}},
	{"100k+own-subject", func(c *cognitojwt.Claims) *cognitojwt.Revocations {
		l := cognitojwt.NewRevocations()
		revocationEntries(l, 100_000)
		l.RevokeSubject(c.Subject, c.IssuedAt.Add(-time.Hour))
		return l
	}},
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

// BenchmarkRevocationCheck is what the list adds to every verification,
// cache hits included: the call Verify makes, on a real token's claims.
func BenchmarkRevocationCheck(b *testing.B) {
	_, _, claims := benchClaims(b)
	for _, rc := range revocationCases[1:] {
		b.Run(rc.name, func(b *testing.B) {
			var list cognitojwt.RevocationReasoner = rc.list(claims)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for range b.N {
				if list.RevocationReason(claims) != cognitojwt.NotRevoked {
					b.Fatal("revoked")
				}
			}
			cpu.report(b)
		})
	}
}

// BenchmarkVerifyRepeatedRevocations is BenchmarkVerifyRepeated, a cache
// hit, with each revocation list configured: the difference from "none"
// is the list's cost on the hot path.
func BenchmarkVerifyRepeatedRevocations(b *testing.B) {
	jwks, tok, claims := benchClaims(b)
	for _, rc := range revocationCases {
		b.Run(rc.name, func(b *testing.B) {
			cfg := cognitojwt.Config{
				UserPoolID: benchPoolID,
				ClientIDs:  []string{benchClientID},
				JWKSURL:    jwks.JWKSURL(),
			}
			if l := rc.list(claims); l != nil {
				cfg.Revocations = l
			}
			v, err := cognitojwt.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			runRepeated(b, v, tok)
		})
	}
}

// BenchmarkRevocationsMemory reports the live heap a list of 100,000
// entries (a third of each kind, 36-character ids) takes per entry, after
// the ids themselves are garbage: the list keeps hashes, not strings. One
// op is one revocation.
func BenchmarkRevocationsMemory(b *testing.B) {
	const n = 100_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid()
	}
	var bytes, entries float64
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += n {
		b.StopTimer()
		before := liveHeap()
		list := cognitojwt.NewRevocations()
		now := time.Now()
		b.StartTimer()
		for i, id := range ids[:min(n, b.N-done)] {
			switch i % 3 {
			case 0:
				list.RevokeJTI(id)
			case 1:
				list.RevokeFamily(id)
			default:
				list.RevokeSubject(id, now)
			}
		}
		b.StopTimer()
		after := liveHeap()
		if list.Len() == n {
			bytes += float64(int64(after) - int64(before))
			entries += n
		}
		b.StartTimer()
	}
	if entries > 0 {
		b.ReportMetric(bytes/entries, "B/entry")
	}
}
