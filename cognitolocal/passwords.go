package cognitolocal

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Password policy and storage.

// checkPassword applies the pool's password policy to a password being
// set: every operation that sets one calls it before changing anything.
// The messages are Cognito's.
func (p *Pool) checkPassword(pw string) error {
	return checkPasswordPolicy(p.conf().PasswordPolicy, pw)
}

// errPasswordOuterSpace refuses a password that begins or ends with
// whitespace where no API member's pattern has refused it first: a
// NEW_PASSWORD challenge answer, Managed Login's forms, the Go API.
// Cognito documents the rule ("non-leading, non-trailing space
// characters", developer guide, "Passwords, account recovery, and
// password policies") but not this answer; the message is worded as the
// policy's others.
var errPasswordOuterSpace = apiErr(codeInvalidPassword, "Password did not conform with policy: Password must not begin or end with whitespace")

// outerSpace reports whether pw begins or ends with whitespace as Java's
// \s counts it (passwordLimit).
func outerSpace(pw string) bool {
	const ws = "\t\n\v\f\r "
	return pw != "" && (strings.ContainsRune(ws, rune(pw[0])) || strings.ContainsRune(ws, rune(pw[len(pw)-1])))
}

// passwordSymbols are the characters Cognito counts as symbols; the
// space counts only inside a password (outerSpace).
const passwordSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

func checkPasswordPolicy(pol PasswordPolicy, pw string) error {
	var lower, upper, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	const refused = "Password did not conform with policy: "
	switch {
	case outerSpace(pw):
		return errPasswordOuterSpace
	case utf8.RuneCountInString(pw) < max(pol.MinimumLength, 1):
		return apiErr(codeInvalidPassword, refused+"Password not long enough")
	case len(pw) > 256:
		return apiErr(codeInvalidPassword, refused+"Password too long")
	case pol.RequireLowercase && !lower:
		return apiErr(codeInvalidPassword, refused+"Password must have lowercase characters")
	case pol.RequireUppercase && !upper:
		return apiErr(codeInvalidPassword, refused+"Password must have uppercase characters")
	case pol.RequireNumbers && !digit:
		return apiErr(codeInvalidPassword, refused+"Password must have numeric characters")
	case pol.RequireSymbols && !symbol:
		return apiErr(codeInvalidPassword, refused+"Password must have symbol characters")
	}
	return nil
}

// GeneratePassword returns a random password that satisfies the pool's
// policy, as Cognito generates the temporary password of AdminCreateUser
// when none is given.
func (p *Pool) GeneratePassword() string {
	n := max(p.conf().PasswordPolicy.MinimumLength, 12)
	// Every class once, then random letters and digits.
	return "aA1!" + randomToken(n)[:n-4]
}

// temporaryPasswordExpired reports whether a temporary password set at
// set has outlived the policy's TemporaryPasswordValidityDays.
func (p *Pool) temporaryPasswordExpired(set time.Time) bool {
	days := p.conf().PasswordPolicy.TemporaryPasswordValidityDays
	return !set.IsZero() && days > 0 && !p.now().Before(set.Add(time.Duration(days)*24*time.Hour))
}

// Passwords are kept as PBKDF2-HMAC-SHA256 with a random salt, so a saved
// state file holds no password. The iteration count is modest: this pool
// guards development accounts, and every sign-in of a test pays it.
const pbkdf2Iterations = 4096

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, pw, salt, pbkdf2Iterations, 32)
	if err != nil {
		return "" // unreachable for these parameters; matches no password
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// decoyHash is checked against when the user does not exist.
var decoyHash = sync.OnceValue(func() string { return hashPassword(randomToken(16)) })

func checkPasswordHash(stored, pw string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	want, err2 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, pbkdf2Iterations, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
