package rules

import (
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
)

// Revocation asks a revocation list about claims that passed every other
// check and answers as every verifier of the module must: the list's
// reason when it can give one (a token refused by subject tells its
// client that a refresh will do), else its yes or no. C is the root
// package's *Claims and R its RevocationReason; they are type parameters
// only because this package sits below the root.
type Revocation[C any, R ~uint8] struct {
	list    interface{ Revoked(C) bool }
	reasons interface{ RevocationReason(C) R }
}

// NewRevocation wraps list, which may be nil: then nothing is refused.
func NewRevocation[C any, R ~uint8](list interface{ Revoked(C) bool }) Revocation[C, R] {
	r := Revocation[C, R]{list: list}
	r.reasons, _ = list.(interface{ RevocationReason(C) R })
	return r
}

// Check returns nil when the list does not refuse c, else an error
// wrapping errs.Revoked.
func (r Revocation[C, R]) Check(c C) error {
	if r.reasons != nil {
		return errs.Revocation(uint8(r.reasons.RevocationReason(c)))
	}
	if r.list != nil && r.list.Revoked(c) {
		return errs.RevokedListed
	}
	return nil
}

// SubjectCutoff is the instant a subject cut-off at t refuses tokens
// issued before: t truncated to the second. iat counts whole seconds, so
// a token issued in the cut-off's own second, as the refresh that follows
// a refusal may well be, passes; every revocation list of the module
// compares iat < SubjectCutoff(t).
func SubjectCutoff(t time.Time) time.Time {
	return t.Truncate(time.Second)
}

// Empty reports that no list was given, so that Check refuses nothing
// and a caller may skip making claims for it.
func (r Revocation[C, R]) Empty() bool { return r.list == nil }
