// Package errs holds the error type every verifier of the module returns,
// and the sentinels that rules below the root package decide. The root
// package exports the sentinels under their public names.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Sentinels decided by the shared rules and key sources; see the root
// package's ErrKeysUnavailable, ErrCanceled, ErrExpired, ErrNotYetValid
// and ErrWrongClient.
var (
	KeysUnavailable = errors.New("cognitojwt: signing keys unavailable")
	Canceled        = errors.New("cognitojwt: request canceled")
	Expired         = errors.New("cognitojwt: token expired")
	NotYetValid     = errors.New("cognitojwt: token not yet valid")
	WrongClient     = errors.New("cognitojwt: wrong client")
	Revoked         = errors.New("cognitojwt: token revoked")
	// InsufficientScope is the root package's ErrInsufficientScope: the
	// kind of every guard's refusal, built here because the guards live
	// in package authz, which the root cannot import.
	InsufficientScope = errors.New("cognitojwt: insufficient scope")
)

// The refusals of package authz's guards, each naming what was missing by
// kind only: the client learns whether to ask for another group, scope or
// claim, never which values the route wants or the token holds. The root
// package's ErrorStatus gives each its own description.
var (
	PolicyRefused = New(InsufficientScope, "policy refused the token")
	NotInGroup    = New(InsufficientScope, "user is in none of the required groups")
	MissingScope  = New(InsufficientScope, "token lacks a required scope")
	MissingClaim  = New(InsufficientScope, "token lacks a required claim value")
)

// StaleToken refines Revoked for a token issued before its subject's
// revocation: the root package's ErrorCode still reports "revoked", and
// ErrorStatus tells the client that a new token will do, so that an RFC
// 6750 client refreshes rather than signs its user out.
var StaleToken = fmt.Errorf("%w", Revoked)

// The refusals of a revocation list, one per reason.
var (
	RevokedListed  = New(Revoked, "the revocation list refuses it")
	RevokedToken   = New(Revoked, "its jti is revoked")
	RevokedFamily  = New(Revoked, "its refresh token (origin_jti) is revoked")
	RevokedSubject = New(StaleToken, "issued before its subject's cut-off")
)

// Revocation returns the refusal for reason, numbered as the root
// package's RevocationReason: nil for NotRevoked (0), and the plain
// listed refusal for a reason it does not know.
func Revocation(reason uint8) error {
	switch reason {
	case 0:
		return nil
	case 1:
		return RevokedToken
	case 2:
		return RevokedFamily
	case 3:
		return RevokedSubject
	default:
		return RevokedListed
	}
}

// Error wraps a sentinel with detail for logs. Only this module builds
// one, so its detail is known to hold no token bytes, claim values or key
// ids and may be logged. Errors of constant detail are built once, so
// that failing fast costs no formatting.
type Error struct {
	Kind   error
	Detail string
	// Cause is wrapped besides Kind when set: ctx.Err() for ErrCanceled.
	Cause error
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Detail }

// Unwrap returns Kind, and Cause when there is one.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

// Is reports whether target is Kind, so that errors.Is answers the usual
// question without Unwrap's slice: the middleware asks it of every
// request that carries no token. Other targets are found through Unwrap.
func (e *Error) Is(target error) bool { return e.Kind == target }

// New returns an Error of kind with a constant detail.
func New(kind error, detail string) error { return &Error{Kind: kind, Detail: detail} }

// Newf returns an Error of kind with a formatted detail.
func Newf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// ContextEnded is Canceled wrapping the context's error; where says where
// the caller was when its context ended.
func ContextEnded(where string, ctxErr error) error {
	return &Error{Kind: Canceled, Detail: "context ended " + where + ": " + ctxErr.Error(), Cause: ctxErr}
}

// Unavailable is KeysUnavailable with its cause and a hint for
// Retry-After.
type Unavailable struct {
	Err   error
	After time.Duration
}

func (e *Unavailable) Error() string { return KeysUnavailable.Error() + ": " + e.Err.Error() }

// Unwrap returns KeysUnavailable.
func (e *Unavailable) Unwrap() error { return KeysUnavailable }

// RetryAfter is how long the caller should wait before the key source
// will try again.
func (e *Unavailable) RetryAfter() time.Duration { return e.After }
