package cognitolocal

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"sync"
	"unicode"
)

// Password policy and storage.

// Password policy and storage.

// checkPassword applies the pool's password policy to a password being
// set: every operation that sets one calls it before changing anything.
func (p *Pool) checkPassword(pw string) error { return checkPassword(pw) }

// checkPassword applies Cognito's default password policy: at least 8
// characters with a lowercase and an uppercase letter, a digit and a
// symbol.
func checkPassword(pw string) error {
	var lower, upper, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r):
			symbol = true
		}
	}
	switch {
	case len(pw) < 8:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password not long enough")
	case len(pw) > 256:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password too long")
	case !lower:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have lowercase characters")
	case !upper:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have uppercase characters")
	case !digit:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have numeric characters")
	case !symbol:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have symbol characters")
	}
	return nil
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
