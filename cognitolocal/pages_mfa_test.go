package cognitolocal

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"
)

func TestLoginPageAsksForTheTOTPCode(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "authenticator app")
	require.Contains(t, body, `name="code"`)
	require.Contains(t, body, `action="/mfa?`)
	session := hidden(t, body, "session")

	form := url.Values{"session": {session}, "username": {"alice"}, "challenge": {factorTOTP}, "code": {"000000"}}
	if clock.code(t, secret) == "000000" {
		form.Set("code", "111111")
	}
	rec = postPage(t, p, "/mfa", form)
	require.Contains(t, rec.Body.String(), "Invalid code received for user")
	require.Contains(t, rec.Body.String(), `name="code"`, "a wrong code asks again")

	// The page's session is not the API's.
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorTOTP, session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}),
		codeNotAuthorized, "")

	form.Set("code", clock.code(t, secret))
	status, tok := exchange(p, codeFrom(t, postPage(t, p, "/mfa", form)), verifier)
	require.Equal(t, http.StatusOK, status, tok)
	require.Equal(t, "alice", payload(t, tok["access_token"].(string))["username"])
}

func TestLoginPageMFASessionExpires(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	session := hidden(t, rec.Body.String(), "session")
	clock.now = clock.now.Add(sessionLifetime)
	rec = postPage(t, p, "/mfa", url.Values{"session": {session}, "username": {"alice"}, "challenge": {factorTOTP}, "code": {clock.code(t, secret)}})
	require.Contains(t, rec.Body.String(), "Invalid session for the user, session is expired.")
	require.Contains(t, rec.Body.String(), `name="password"`, "back to sign-in")
}

func TestLoginPageSetsUpTOTPWhenMFAIsRequired(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true})
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, `src="data:image/png;base64,`)
	m := regexp.MustCompile(`id="secretCode">([A-Z2-7]+)<`).FindStringSubmatch(body)
	require.NotNil(t, m, "the secret as text")
	secret := m[1]
	session := hidden(t, body, "session")

	rec = postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"alice"}, "code": {"12"}})
	require.Contains(t, rec.Body.String(), "Code mismatch and fail enable Software Token MFA")
	require.Contains(t, rec.Body.String(), secret, "the same secret again")
	session = hidden(t, rec.Body.String(), "session")

	code, err := totp.GenerateCode(secret, clock.now)
	require.NoError(t, err)
	status, tok := exchange(p, codeFrom(t, postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"alice"}, "code": {code}})), verifier)
	require.Equal(t, http.StatusOK, status, tok)

	// The next sign-in asks for a code of that secret.
	clock.now = clock.now.Add(time.Minute)
	rec = postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	require.Contains(t, rec.Body.String(), "authenticator app")
	next, err := totp.GenerateCode(secret, clock.now)
	require.NoError(t, err)
	codeFrom(t, postPage(t, p, "/mfa", url.Values{"session": {hidden(t, rec.Body.String(), "session")}, "username": {"alice"}, "challenge": {factorTOTP}, "code": {next}}))
}

func TestLoginPageMFARequiredButNothingToSetUp(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SMS: true})
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	require.Contains(t, rec.Body.String(), "MFA is required, but no MFA method can be set up here")
}

func TestLoginPageEmailCodeAndChoice(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true, Email: true})
	setUpTOTP(t, p, clock)
	status, _ := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": false}, "EmailMfaSettings": map[string]bool{"Enabled": true}}))
	require.Equal(t, http.StatusOK, status)
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	body := rec.Body.String()
	require.Contains(t, body, `name="mfa" value="EMAIL_OTP"`)
	require.Contains(t, body, `name="mfa" value="SOFTWARE_TOKEN_MFA"`)
	rec = postPage(t, p, "/selectMfa", url.Values{"session": {hidden(t, body, "session")}, "username": {"alice"}, "mfa": {"EMAIL_OTP"}})
	body = rec.Body.String()
	require.Contains(t, body, "We sent a code to a***@e***")
	code := lastSignInCode(t, p, "alice")
	codeFrom(t, postPage(t, p, "/mfa", url.Values{"session": {hidden(t, body, "session")}, "username": {"alice"}, "challenge": {"EMAIL_OTP"}, "code": {code}}))
}

func TestLoginPageNewPassword(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.SetUserPassword("alice", "Temp-pass1", false))
	rec := postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {"Temp-pass1"}})
	body := rec.Body.String()
	require.Contains(t, body, "Change your password")
	session := hidden(t, body, "session")
	rec = postPage(t, p, "/newPassword", url.Values{"session": {session}, "username": {"alice"}, "password": {"weak"}})
	require.Contains(t, rec.Body.String(), "Password did not conform with policy")
	rec = postPage(t, p, "/newPassword", url.Values{"session": {session}, "username": {"alice"}, "password": {"Perm-pass2"}})
	codeFrom(t, rec)
	rec = postPage(t, p, "/newPassword", url.Values{"session": {session}, "username": {"alice"}, "password": {"Perm-pass3"}})
	require.Contains(t, rec.Body.String(), "session can only be used once")
	codeFrom(t, postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {"Perm-pass2"}}))
}

func TestMFAPageRefusesAnUnknownChallenge(t *testing.T) {
	p := newPool(t, Config{})
	rec := postPage(t, p, "/mfa", url.Values{"session": {"x"}, "username": {"alice"}, "challenge": {"CUSTOM_CHALLENGE"}, "code": {"1"}})
	require.Contains(t, rec.Body.String(), "Invalid session for the user.")
}

// The MFA code page of a confidential client signs in without a
// SECRET_HASH, which the browser cannot compute; the client proves its
// secret at the token endpoint (openAnsweredSession).
func TestLoginPageMFAForAClientWithASecret(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOptional, Email: true})
	status, res := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"EmailMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}}))
	require.Equal(t, http.StatusOK, status, res)
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", scopeAdmin}, CallbackURLs: []string{callback}})
	require.NoError(t, err)
	extra := url.Values{"client_id": {c.ClientID}}
	body := postPageAs(t, p, "/login", extra, url.Values{"username": {"alice"}, "password": {testPassword}}).Body.String()
	require.Contains(t, body, "We sent a code to a***@e***")
	code := codeFrom(t, postPageAs(t, p, "/mfa", extra, url.Values{"session": {hidden(t, body, "session")}, "username": {"alice"},
		"challenge": {"EMAIL_OTP"}, "code": {lastSignInCode(t, p, "alice")}}))
	status, tok := postToken(p, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}},
		c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status, tok)
}
