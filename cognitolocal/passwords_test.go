package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPasswordPolicy(t *testing.T) {
	p := newPool(t, Config{})
	for _, pw := range []string{"Sh0rt!", "alllower1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol12"} {
		_, err := p.CreateUser("u"+pw, pw, nil)
		var e *Error
		require.ErrorAs(t, err, &e, pw)
		require.Equal(t, codeInvalidPassword, e.Code)
		require.NotContains(t, e.Error(), pw)
	}
}

// Where no API member's pattern refuses it first (the Go API, a
// NEW_PASSWORD challenge answer, whose ChallengeResponses the model does
// not type, and Managed Login's forms), a password with whitespace at
// either end is refused by the policy: the developer guide allows
// "non-leading, non-trailing space characters" only ("Passwords, account
// recovery, and password policies",
// https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html).
// Cognito documents no answer for these paths; the pool answers
// InvalidPasswordException, never naming the password.
func TestPasswordPolicyRefusesOuterWhitespace(t *testing.T) {
	p := newPool(t, Config{})
	for _, pw := range []string{" " + testPassword, testPassword + " ", "\t" + testPassword, testPassword + "\r\n"} {
		_, err := p.CreateUser("spacey", pw, nil)
		var e *Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, errPasswordOuterSpace, e)
		require.NotContains(t, e.Error(), testPassword)
	}
	_, err := p.CreateUser("inner", "Inner spac3", nil)
	require.NoError(t, err, "a space inside counts as a symbol")

	// NEW_PASSWORD: refused, and the temporary password still stands.
	status, out := call(t, p, "AdminCreateUser", pool(map[string]any{"Username": "temp", "TemporaryPassword": "Temp-Passw0rd", "MessageAction": "SUPPRESS"}))
	require.Equal(t, http.StatusOK, status, out)
	_, out = passwordSignIn(t, p, "temp", "Temp-Passw0rd")
	require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"], out)
	rec := callRaw(t, p, "RespondToAuthChallenge", answer("NEW_PASSWORD_REQUIRED", out["Session"], map[string]string{"USERNAME": "temp", "NEW_PASSWORD": "N3w-Passw0rd "}))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, codeInvalidPassword, rec.Header().Get("x-amzn-ErrorType"))
	require.Contains(t, rec.Body.String(), errPasswordOuterSpace.Message)
	require.NotContains(t, rec.Body.String(), "N3w-Passw0rd")
	require.Equal(t, "FORCE_CHANGE_PASSWORD", attributeOf(t, p, "temp", "UserStatus"))
	_, out = passwordSignIn(t, p, "temp", "Temp-Passw0rd")
	status, out = call(t, p, "RespondToAuthChallenge", answer("NEW_PASSWORD_REQUIRED", out["Session"], map[string]string{"USERNAME": "temp", "NEW_PASSWORD": "N3w Passw0rd"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}
