package cognitolocal

import (
	"bytes"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clockPool is a pool on a clock the test moves, with alice's email
// verified so that password resets reach her.
func clockPool(t *testing.T) (*Pool, *time.Time) {
	t.Helper()
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	return p, &now
}

// autoVerify sets the pool's AutoVerifiedAttributes, as UpdateUserPool
// would.
func autoVerify(p *Pool, attrs ...string) {
	s := *p.conf()
	s.AutoVerifiedAttributes = attrs
	p.settings.Store(&s)
}

func forgot(t *testing.T, p *Pool, username string) string {
	t.Helper()
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": username})
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode(username, MessageForgotPassword)
	require.True(t, ok)
	return code
}

func confirmForgot(code, password string) map[string]any {
	return map[string]any{"ClientId": DefaultClientID, "Username": "alice", "ConfirmationCode": code, "Password": password}
}

func TestCodesAreSixDigitsAndDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := newCode()
		require.Regexp(t, regexp.MustCompile(`^[0-9]{6}$`), c)
		seen[c] = true
	}
	assert.Greater(t, len(seen), 190, "codes repeat far more than chance allows")
}

// Quotas in Amazon Cognito, resource quotas: a password-reset code is
// valid for one hour.
func TestForgotPasswordCodeExpiresAfterAnHour(t *testing.T) {
	p, now := clockPool(t)
	code := forgot(t, p, "alice")
	*now = now.Add(time.Hour)
	requireAPIError(t, p, "ConfirmForgotPassword", confirmForgot(code, "N3w-Passw0rd!"), "ExpiredCodeException",
		"Invalid code provided, please request a code again.")
}

// Quotas in Amazon Cognito: a sign-up code is valid for 24 hours.
func TestSignUpCodeLivesADay(t *testing.T) {
	p, now := clockPool(t)
	autoVerify(p, "email")
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "bob@example.com"}}})
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode("bob", MessageSignUp)
	require.True(t, ok)
	*now = now.Add(24*time.Hour - time.Second)
	status, out = call(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "ConfirmationCode": code})
	require.Equal(t, http.StatusOK, status, out)

	status, _ = call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "carol", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "carol@example.com"}}})
	require.Equal(t, http.StatusOK, status)
	code, _ = p.LastCode("carol", MessageSignUp)
	*now = now.Add(24 * time.Hour)
	requireAPIError(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": "carol", "ConfirmationCode": code},
		"ExpiredCodeException", "")
}

func TestCodesAreSingleUse(t *testing.T) {
	p, _ := clockPool(t)
	code := forgot(t, p, "alice")
	status, out := call(t, p, "ConfirmForgotPassword", confirmForgot(code, "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "ConfirmForgotPassword", confirmForgot(code, "Oth3r-Passw0rd!"), "ExpiredCodeException", "")
}

func TestANewCodeReplacesTheOld(t *testing.T) {
	p, _ := clockPool(t)
	first := forgot(t, p, "alice")
	second := forgot(t, p, "alice")
	if first == second {
		t.Skip("the two random codes are equal (one chance in a million)")
	}
	requireAPIError(t, p, "ConfirmForgotPassword", confirmForgot(first, "N3w-Passw0rd!"), "CodeMismatchException",
		"Invalid verification code provided, please try again.")
	status, out := call(t, p, "ConfirmForgotPassword", confirmForgot(second, "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
}

// Quotas in Amazon Cognito: ConfirmForgotPassword is limited per user per
// hour (5 to 20; the pool takes 5 failures); past it even the right code
// is refused until the hour is over.
func TestRepeatedWrongCodesHitTheLimit(t *testing.T) {
	p, now := clockPool(t)
	code := forgot(t, p, "alice")
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	for range limitConfirmForgt {
		requireAPIError(t, p, "ConfirmForgotPassword", confirmForgot(wrong, "N3w-Passw0rd!"), "CodeMismatchException", "")
	}
	requireAPIError(t, p, "ConfirmForgotPassword", confirmForgot(code, "N3w-Passw0rd!"), "LimitExceededException",
		"Attempt limit exceeded, please try after some time.")
	// An hour later the code has expired too; a new one works.
	*now = now.Add(limitWindow)
	status, out := call(t, p, "ConfirmForgotPassword", confirmForgot(forgot(t, p, "alice"), "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
}

// Quotas in Amazon Cognito: ForgotPassword is limited per user per hour.
func TestForgotPasswordRequestsAreLimited(t *testing.T) {
	p, now := clockPool(t)
	for range limitForgot {
		forgot(t, p, "alice")
	}
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"}, "LimitExceededException", "")
	*now = now.Add(limitWindow)
	forgot(t, p, "alice")
}

func TestCodesAndLimitsSurviveARestart(t *testing.T) {
	p, now := clockPool(t)
	code := forgot(t, p, "alice")
	requireAPIError(t, p, "ConfirmForgotPassword", confirmForgot("999999x", "N3w-Passw0rd!"), "CodeMismatchException", "")
	p.mu.Lock()
	kept := p.userNamed("alice").Codes[purposeForgot].Digest
	p.mu.Unlock()
	assert.Equal(t, digest(code), kept, "a pending code is kept as a digest")
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))

	q := newPool(t, Config{Now: func() time.Time { return *now }})
	require.NoError(t, q.LoadState(&buf))
	got, ok := q.LastCode("alice", MessageForgotPassword)
	require.True(t, ok, "the outbox is saved")
	assert.Equal(t, code, got)
	status, out := call(t, q, "ConfirmForgotPassword", confirmForgot(code, "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
	q.mu.Lock()
	failures := q.userNamed("alice").Attempts["ConfirmForgotPassword"].Count
	q.mu.Unlock()
	assert.Equal(t, 1, failures, "the failure before the restart still counts")
}

func TestTemporaryPasswordsSatisfyThePolicy(t *testing.T) {
	for range 300 {
		pw := temporaryPassword(8)
		require.Len(t, pw, 12)
		require.NoError(t, checkPasswordPolicy(DefaultPasswordPolicy(), pw), pw)
	}
	assert.Len(t, temporaryPassword(20), 20)
}

// API reference, SignUp: with no AutoVerifiedAttributes (the API's
// default), no code is sent and an administrator confirms the user.
func TestSignUpWithoutAutoVerificationSendsNoCode(t *testing.T) {
	p, _ := clockPool(t)
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "bob@example.com"}}})
	require.Equal(t, http.StatusOK, status, out)
	assert.NotContains(t, out, "CodeDeliveryDetails")
	assert.Empty(t, p.Messages(MessageFilter{}))
	requireAPIError(t, p, "ResendConfirmationCode", map[string]any{"ClientId": DefaultClientID, "Username": "bob"}, codeInvalidParameter,
		"Cannot resend codes. Auto verification not turned on.")
}

// "Verifying contact information at sign-up": a pool that verifies both
// sends the code by SMS when the user has a phone number.
func TestSignUpCodePrefersThePhone(t *testing.T) {
	p, _ := clockPool(t)
	autoVerify(p, "email", "phone_number")
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "bob@example.com"}, {"Name": "phone_number", "Value": "+12065550123"}}})
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, map[string]any{"Destination": "+*******0123", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}, out["CodeDeliveryDetails"])
	code, _ := p.LastCode("bob", MessageSignUp)
	status, out = call(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "ConfirmationCode": code})
	require.Equal(t, http.StatusOK, status, out)
	p.mu.Lock()
	attrs := p.userNamed("bob").Attributes
	assert.Equal(t, "true", attrs["phone_number_verified"])
	assert.NotEqual(t, "true", attrs["email_verified"], "only the attribute the code went to is verified")
	p.mu.Unlock()
}
