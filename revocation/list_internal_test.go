package revocation

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// The filter only ever sends a lookup to the table: whatever its false
// positives, a listed value is found and an unlisted one is not, through
// every rebuild as the list grows and shrinks.
func TestRevocationFilterNeverDecidesAlone(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	clk := func() time.Time { return now }
	r, err := New(Config{MaxAge: time.Hour, Now: clk})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20_000
	for i := range n {
		r.RevokeJTI(fmt.Sprintf("jti-%d", i))
		if i%1000 == 0 {
			now = now.Add(time.Minute)
		}
	}
	for i := range n {
		if !r.Revoked(&cognitojwt.Claims{JWTID: fmt.Sprintf("jti-%d", i)}) {
			t.Fatalf("jti-%d not revoked", i)
		}
		// The same value under another kind is not listed.
		if r.Revoked(&cognitojwt.Claims{OriginJTI: fmt.Sprintf("jti-%d", i), Subject: fmt.Sprintf("jti-%d", i)}) {
			t.Fatalf("jti-%d revoked as a family or subject", i)
		}
		if r.Revoked(&cognitojwt.Claims{JWTID: fmt.Sprintf("other-%d", i)}) {
			t.Fatalf("other-%d revoked", i)
		}
	}
	// Most entries expire; the filter shrinks with them.
	now = now.Add(time.Hour - 5*time.Minute)
	r.RevokeFamily("f")
	if got := r.Len(); got >= n/2 {
		t.Fatalf("%d entries left, want most expired", got)
	}
	for i := range n {
		id := fmt.Sprintf("jti-%d", i)
		_, listed := r.lookup(r.hasher.id(kindJTI, id, r.hasher.first(kindJTI, id)))
		if r.Revoked(&cognitojwt.Claims{JWTID: id}) != listed {
			t.Fatalf("%s: Revoked disagrees with the list", id)
		}
	}
	if f := r.filter.Load(); len(f.words)*64 > 4*filterBitsPerEntry*r.Len()+128 {
		t.Fatalf("filter of %d bits for %d entries", len(f.words)*64, r.Len())
	}
}

// Revoking one id over and over at later moments keeps one entry, and the
// queue that orders expiry stays within a constant factor of the entries.
func TestRevocationQueueBoundedUnderRepeatedRevocations(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	r, err := New(Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for range 100_000 {
		now = now.Add(time.Millisecond)
		r.RevokeFamily("same")
		r.RevokeSubject("user", now)
	}
	if r.Len() != 2 {
		t.Fatalf("%d entries, want 2", r.Len())
	}
	if q := len(r.queue) - r.head; q > 2*r.Len()+64 {
		t.Fatalf("queue holds %d elements for %d entries", q, r.Len())
	}
}
