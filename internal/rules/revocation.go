package rules

import (
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
)

// Revocation asks a revocation list about claims that passed every other
// check and answers as every verifier of the module must: the list's
// reason picks the refusal (a token refused by subject tells its client
// that a refresh will do). C is the root package's *Claims and R its
// RevocationReason; they are type parameters only because this package
// sits below the root.
type Revocation[C any, R ~uint8] struct {
	list interface{ RevocationReason(C) R }
}

// NewRevocation wraps list, which may be nil: then nothing is refused.
func NewRevocation[C any, R ~uint8](list interface{ RevocationReason(C) R }) Revocation[C, R] {
	return Revocation[C, R]{list: list}
}

// Check returns nil when the list does not refuse c, else an error
// wrapping errs.Revoked.
func (r Revocation[C, R]) Check(c C) error {
	if r.list == nil {
		return nil
	}
	return errs.Revocation(uint8(r.list.RevocationReason(c)))
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
func (r Revocation[C, R]) Empty() bool { return r.list == nil }
