package cognitolocal

import (
	"math/big"
	"net/http"
	"testing"
)

// FuzzSRPInputs feeds the pool's readers of SRP_A and TIMESTAMP, and a
// whole PASSWORD_VERIFIER answer, arbitrary strings: each answers a
// value or a refusal, never a panic, and a timestamp the reader accepts
// is one it writes back unchanged once its day is unpadded.
func FuzzSRPInputs(f *testing.F) {
	for _, s := range []string{"02", "Tue Aug 5 09:03:07 UTC 2025", "Tue Aug 05 09:03:07 GMT 2025", "0", "zz", srpGroupHex, "Mon Feb 30 23:59:59 UTC 9999"} {
		f.Add(s)
	}
	p, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := p.CreateUser("alice", testPassword, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, ok := parseSRPA(s); ok && a.Cmp(new(big.Int)) < 0 {
			t.Fatalf("negative A from %q", s)
		}
		if ts, ok := parseSRPTimestamp(s); ok {
			if _, ok := parseSRPTimestamp(formatSRPTimestamp(ts)); !ok {
				t.Fatalf("the pool cannot read its own form of %q", s)
			}
		}
		rec := callRaw(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, map[string]string{
			"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": s, "PASSWORD_CLAIM_SIGNATURE": s, "TIMESTAMP": s,
		}))
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("an answer of %q was taken: %d", s, rec.Code)
		}
	})
}
