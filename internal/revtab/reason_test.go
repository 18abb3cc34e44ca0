package revtab

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// claims carries the ids given (an empty one is a claim the token lacks)
// and iat in Unix seconds.
func claims(jti, family, subject string, iat int64) *cognitojwt.Claims {
	return &cognitojwt.Claims{JWTID: jti, OriginJTI: family, Subject: subject, IssuedAt: time.Unix(iat, 0)}
}

// A token is refused by its jti first, then its family, then its subject,
// whose cut-off refuses the tokens of earlier seconds only; an id listed
// under one kind refuses nothing under another, and a token without ids,
// no token and an empty set refuse nothing.
func TestReasonRefusesByEachKind(t *testing.T) {
	forLayouts(t, func(t *testing.T, newSet func() lookupSet) {
		s := newSet()
		const cut = 1_750_000_000
		if got := s.reason("j", "f", "s", cut-1); got != cognitojwt.NotRevoked {
			t.Fatalf("an empty set: %v", got)
		}
		s.put(JTI, "j", 0, false)
		s.put(Family, "f", 0, false)
		s.put(Subject, "s", cut, false)
		for _, tc := range []struct {
			jti, family, subject string
			iat                  int64
			want                 cognitojwt.RevocationReason
		}{
			{"j", "f", "s", cut - 1, cognitojwt.RevokedToken},
			{"x", "f", "s", cut - 1, cognitojwt.RevokedFamily},
			{"", "f", "", cut + 1, cognitojwt.RevokedFamily},
			{"x", "x", "s", cut - 1, cognitojwt.RevokedSubject},
			{"", "", "s", -1, cognitojwt.RevokedSubject},
			{"x", "x", "s", cut, cognitojwt.NotRevoked},
			{"x", "x", "s", cut + 1, cognitojwt.NotRevoked},
			{"x", "x", "x", cut - 1, cognitojwt.NotRevoked},
			{"f", "s", "j", cut - 1, cognitojwt.NotRevoked},
			{"s", "j", "f", cut - 1, cognitojwt.NotRevoked},
			{"", "", "", cut - 1, cognitojwt.NotRevoked},
		} {
			if got := s.reason(tc.jti, tc.family, tc.subject, tc.iat); got != tc.want {
				t.Errorf("%+v: %v, want %v", tc, got, tc.want)
			}
		}
	})
	var s Set[narrow]
	put(&s, narrowOf, JTI, "j", 0, false)
	if got := s.Reason(nil); got != cognitojwt.NotRevoked {
		t.Fatalf("no claims: %v", got)
	}
}

// The filter only sends a lookup to the tables: ids whose bits are set
// but that have no entry (a false positive) are not refused.
func TestReasonFilterNeverDecidesAlone(t *testing.T) {
	var s Set[narrow]
	put(&s, narrowOf, Subject, "listed", 10, false)
	h := s.Hasher()
	for i := range 100 {
		id := fmt.Sprint("unlisted-", i)
		for k := range Kind(Kinds) {
			s.Filter().Set(h.Tag(k, id))
		}
		if got := s.Reason(claims(id, id, id, 0)); got != cognitojwt.NotRevoked {
			t.Fatalf("%s: %v on its filter bits alone", id, got)
		}
	}
}

// A slot matches on the id's second hash as well as its tag: an entry
// under the tag of a token's id but another second hash (what a collision
// of tags leaves in a table) refuses nothing, of any kind, and the
// token's own entry put beside it refuses it.
func TestReasonSlotMatchesOnBothHashes(t *testing.T) {
	forLayouts(t, func(t *testing.T, newSet func() lookupSet) {
		s := newSet()
		const cut = 1_750_000_000
		for k := range Kind(Kinds) {
			s.put(k, "victim", cut, true)
		}
		if got := s.reason("victim", "victim", "victim", cut-3600); got != cognitojwt.NotRevoked {
			t.Fatalf("a tag without its second hash refuses a token: %v", got)
		}
		for _, tc := range []struct {
			kind Kind
			want cognitojwt.RevocationReason
		}{{Subject, cognitojwt.RevokedSubject}, {Family, cognitojwt.RevokedFamily}, {JTI, cognitojwt.RevokedToken}} {
			s.put(tc.kind, "victim", cut, false)
			if got := s.reason("victim", "victim", "victim", cut-3600); got != tc.want {
				t.Fatalf("kind %d's own entry beside the impostor: %v, want %v", tc.kind, got, tc.want)
			}
		}
	})
}

// A subject's slot is told apart from others under its tag whatever their
// cut-offs and whichever slot comes first: one that would let the token
// pass does not hide the subject's own, which refuses it (a lookup that
// skips the second hash on a passing cut-off may do so only when the slot
// is the only one under the tag), and one that would refuse it refuses
// nothing while the subject's own lets it pass.
func TestReasonSubjectCutoffOfAnotherSlotUnderTheTag(t *testing.T) {
	const now = 1_750_000_000
	forLayouts(t, func(t *testing.T, newSet func() lookupSet) {
		for _, impostorRefuses := range []bool{false, true} {
			for _, impostorFirst := range []bool{false, true} {
				s := newSet()
				cut, impostorCut := int64(now-60), int64(now-3600) // the subject's own refuses iat < cut
				want := cognitojwt.RevokedSubject
				if impostorRefuses {
					cut, impostorCut, want = now-3600, now+3600, cognitojwt.NotRevoked
				}
				if impostorFirst {
					s.put(Subject, "victim", impostorCut, true)
				}
				s.put(Subject, "victim", cut, false)
				if !impostorFirst {
					s.put(Subject, "victim", impostorCut, true)
				}
				if got := s.reason("", "", "victim", now-600); got != want {
					t.Fatalf("impostor refuses %v, first %v: %v, want %v", impostorRefuses, impostorFirst, got, want)
				}
			}
		}
	})
}
