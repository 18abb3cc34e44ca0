package rules

import (
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
)

// Revocation asks a revocation list about claims that passed every other
// check and answers as every verifier of the module must: the list's
// reason picks the refusal (a token refused by subject tells its client
// that a refresh will do). C is the root package's *Claims, R its
// RevocationReason and K its RevocationKey; they are type parameters only
// because this package sits below the root.
type Revocation[C any, R ~uint8, K any] struct {
	list interface{ RevocationReason(C) R }
	// keyed is list when it also makes keys (KeyedRevocationList), so
	// that a cache hit need not hash the token's ids again.
	keyed interface {
		RevocationKey(C) K
		RevocationReasonKeyed(C, *K) R
	}
}

// NewRevocation wraps list, which may be nil: then nothing is refused.
func NewRevocation[C any, R ~uint8, K any](list interface{ RevocationReason(C) R }) Revocation[C, R, K] {
	r := Revocation[C, R, K]{list: list}
	if k, ok := list.(interface {
		RevocationKey(C) K
		RevocationReasonKeyed(C, *K) R
	}); ok {
		r.keyed = k
	}
	return r
}

// Check returns nil when the list does not refuse c, else an error
// wrapping errs.Revoked.
func (r Revocation[C, R, K]) Check(c C) error {
	if r.list == nil {
		return nil
	}
	return errs.Revocation(uint8(r.list.RevocationReason(c)))
}

// Key returns the list's key for c, the zero K when it makes none.
func (r Revocation[C, R, K]) Key(c C) K {
	if r.keyed == nil {
		var zero K
		return zero
	}
	return r.keyed.RevocationKey(c)
}

// CheckKeyed is Check for claims whose key, made by Key, is k: a list
// that makes keys reads the hashes k holds rather than computing them.
func (r Revocation[C, R, K]) CheckKeyed(c C, k *K) error {
	if r.keyed == nil {
		return r.Check(c)
	}
	return errs.Revocation(uint8(r.keyed.RevocationReasonKeyed(c, k)))
}

// SubjectCutoff is the instant a subject cut-off at t refuses tokens
// issued before: t truncated to the second. iat counts whole seconds, so
// a token issued in the cut-off's own second, as the refresh that follows
// a refusal may well be, passes; every revocation list of the module
// compares iat < SubjectCutoff(t).
func SubjectCutoff(t time.Time) time.Time {
	return t.Truncate(time.Second)
}

// SubjectCutoffUnix is SubjectCutoff for a cut-off in Unix nanoseconds,
// in Unix seconds: a token is refused when iat.Unix() is less. It rounds
// down, before 1970 as after, as Truncate does; comparing whole seconds
// is the same rule, since iat < t for a whole second t exactly when
// iat's own second is before t's.
func SubjectCutoffUnix(nanos int64) int64 {
	sec := nanos / 1e9
	if nanos%1e9 < 0 {
		sec--
	}
	return sec
}

// Empty reports that no list was given, so that Check refuses nothing
// and a caller may skip making claims for it.
func (r Revocation[C, R, K]) Empty() bool { return r.list == nil }
