package cognitolocal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"time"
)

// Verification codes: what SignUp, ForgotPassword,
// GetUserAttributeVerificationCode and AdminResetUserPassword send and
// the Confirm and Verify operations take. Their validity is Cognito's
// ("Quotas in Amazon Cognito", resource quotas:
// https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html):
// a sign-up code lives 24 hours, an attribute verification code 24
// hours, a password reset code 1 hour.

// Code purposes: what a pending code confirms.
const (
	purposeSignUp = "signup"
	purposeForgot = "forgot"
	// purposeAttribute is followed by the attribute name: email or
	// phone_number.
	purposeAttribute = "attribute:"
)

// Validity of the codes, by purpose.
const (
	signUpCodeValidity    = 24 * time.Hour
	attributeCodeValidity = 24 * time.Hour
	forgotCodeValidity    = time.Hour
)

// pendingCode is a code sent and not yet used. Only a digest is kept, so
// the state file holds no usable code (the outbox does: it is what a
// user's mailbox would hold).
type pendingCode struct {
	Digest  string    `json:"digest"`
	Expires time.Time `json:"expires"`
	// Attribute is the attribute the code went to (email or
	// phone_number): confirming the code verifies it.
	Attribute string `json:"attribute,omitempty"`
}

// attemptWindow counts a user's requests of one kind in the hour since
// the first of them.
type attemptWindow struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// Per-user hourly limits. The quotas page gives ResendConfirmationCode 5,
// ConfirmSignUp 15, ForgotPassword and ConfirmForgotPassword 5 to 20 (the
// pool takes the lower bound), VerifyUserAttribute 15; it is silent on
// GetUserAttributeVerificationCode, which takes ResendConfirmationCode's
// 5. The pool counts every request that sends a code, and only the
// failed attempts of the operations that check one, so that a user who
// types the right code is never refused.
const (
	limitResend       = 5
	limitConfirmSign  = 15
	limitForgot       = 5
	limitConfirmForgt = 5
	limitVerifyAttr   = 15
	limitSendAttrCode = 5
	limitWindow       = time.Hour
)

// Code errors, with Cognito's messages.
var (
	errCodeMismatch = apiErr("CodeMismatchException", "Invalid verification code provided, please try again.")
	errCodeExpired  = apiErr("ExpiredCodeException", "Invalid code provided, please request a code again.")
	errLimitCode    = apiErr("LimitExceededException", "Attempt limit exceeded, please try after some time.")
)

// newCode returns six random decimal digits, uniform.
func newCode() string {
	return fmt.Sprintf("%06d", randIntn(1_000_000))
}

// issueCodeLocked makes a new code for purpose, replacing any pending
// one (the older code stops working, as in Cognito a resent code
// replaces the first), and returns it.
func (p *Pool) issueCodeLocked(u *user, purpose string, validity time.Duration, attribute string) string {
	code := newCode()
	if u.Codes == nil {
		u.Codes = map[string]*pendingCode{}
	}
	u.Codes[purpose] = &pendingCode{Digest: digest(code), Expires: p.now().Add(validity), Attribute: attribute}
	return code
}

// sendCodeLocked issues a code for purpose, delivers it to d as a
// message of kind, and returns the delivery details.
func (p *Pool) sendCodeLocked(u *user, purpose string, validity time.Duration, kind MessageKind, d destination) *codeDeliveryDetails {
	code := p.issueCodeLocked(u, purpose, validity, d.attribute)
	return p.deliverLocked(u, kind, d, code, verificationText(code))
}

// useCodeLocked checks code against u's pending code for purpose and, if
// it matches, consumes it: codes are single use. A user who failed more
// than limit times in the hour is refused even the right code, with
// LimitExceededException; no code, or an expired one, is
// ExpiredCodeException.
func (p *Pool) useCodeLocked(u *user, purpose, code string, op string, limit int) (*pendingCode, error) {
	if p.overLimitLocked(u, op, limit) {
		return nil, errLimitCode
	}
	pc := u.Codes[purpose]
	if pc == nil || !p.now().Before(pc.Expires) {
		p.countLocked(u, op)
		delete(u.Codes, purpose)
		return nil, errCodeExpired
	}
	if subtle.ConstantTimeCompare([]byte(digest(code)), []byte(pc.Digest)) != 1 {
		p.countLocked(u, op)
		return nil, errCodeMismatch
	}
	delete(u.Codes, purpose)
	return pc, nil
}

// overLimitLocked reports whether u already made limit requests of op in
// the current window.
func (p *Pool) overLimitLocked(u *user, op string, limit int) bool {
	w := u.Attempts[op]
	if w == nil || !p.now().Before(w.Start.Add(limitWindow)) {
		return false
	}
	return w.Count >= limit
}

// countLocked counts a request of op, opening a new window when the last
// one is over.
func (p *Pool) countLocked(u *user, op string) {
	now := p.now()
	if u.Attempts == nil {
		u.Attempts = map[string]*attemptWindow{}
	}
	w := u.Attempts[op]
	if w == nil || !now.Before(w.Start.Add(limitWindow)) {
		w = &attemptWindow{Start: now}
		u.Attempts[op] = w
	}
	w.Count++
}

// limitSendLocked counts a request that sends a code and refuses it past
// limit.
func (p *Pool) limitSendLocked(u *user, op string, limit int) error {
	if p.overLimitLocked(u, op, limit) {
		return errLimitCode
	}
	p.countLocked(u, op)
	return nil
}

// Password characters for generated temporary passwords; the symbols are
// among those Cognito's policy counts.
const (
	pwLower   = "abcdefghijkmnopqrstuvwxyz"
	pwUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	pwDigits  = "23456789"
	pwSymbols = "!#%&*+-=?@^_"
)

// temporaryPassword generates a password that satisfies any policy the
// pool can have: at least length characters with every character class.
func temporaryPassword(length int) string {
	length = max(length, 12)
	classes := []string{pwLower, pwUpper, pwDigits, pwSymbols}
	all := pwLower + pwUpper + pwDigits + pwSymbols
	b := make([]byte, length)
	for i := range b {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		b[i] = set[randIntn(len(set))]
	}
	// Shuffle, so the classes are not always in the first places.
	for i := len(b) - 1; i > 0; i-- {
		j := randIntn(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// randIntn returns a random int in [0, n). The modulo bias of 64 random
// bits is below 2^-40 for the small n used here.
func randIntn(n int) int {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return int(binary.BigEndian.Uint64(b[:]) % uint64(n))
}

// cloneCodes and cloneAttempts copy a user's codes and counters, so that
// a saved copy is not changed under the encoder.
func cloneCodes(m map[string]*pendingCode) map[string]*pendingCode {
	if m == nil {
		return nil
	}
	out := make(map[string]*pendingCode, len(m))
	for k, v := range m {
		c := *v
		out[k] = &c
	}
	return out
}

func cloneAttempts(m map[string]*attemptWindow) map[string]*attemptWindow {
	if m == nil {
		return nil
	}
	out := make(map[string]*attemptWindow, len(m))
	for k, v := range m {
		w := *v
		out[k] = &w
	}
	return out
}
