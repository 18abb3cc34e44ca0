package cognitolocal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Passwordless sign-in on the Managed Login pages (pages_otp.go).
//
// Developer guide, "Configure authentication methods for managed login"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flows-selection-managedlogin.html):
// with ALLOW_USER_AUTH on the app client, "Amazon Cognito prompts users
// to select a sign-in method from the available options".
// "Things to know about authentication with user pools"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow-things-to-know.html):
// "users can do passwordless and passkey authentication only in managed
// login" (not the classic hosted UI). "Passwordless sign-in with one-time
// passwords" (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html)
// describes the codes, which are the API's EMAIL_OTP and SMS_OTP.
//
// The guide is silent on the pages themselves: their layout, their
// wording, the field names, and what they show for a wrong code, an
// exhausted or expired session, an unknown name or a user with MFA. The
// pages here take the API's rules and messages for each (signincode.go,
// passwordless.go), so that a browser learns no more than an API caller.

// codePool is a pool whose sign-in policy allows codes by email and SMS,
// with alice (an email address) and sam (a phone number, no email).
func codePool(t *testing.T) (*Pool, *mfaClock) {
	t.Helper()
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	_, err := p.CreateUser("sam", testPassword, map[string]string{"phone_number": "+15555550123"})
	require.NoError(t, err)
	return p, clock
}

// askCode posts the sign-in form's code button for username.
func askCode(t *testing.T, p *Pool, username, factor string) *httptest.ResponseRecorder {
	t.Helper()
	return postPage(t, p, "/login", url.Values{"username": {username}, "password": {""}, "factor": {factor}})
}

// codeForm is the code page's form with code filled in.
func codeForm(t *testing.T, body, code string) url.Values {
	t.Helper()
	return url.Values{"session": {hidden(t, body, "session")}, "username": {hidden(t, body, "username")},
		"challenge": {hidden(t, body, "challenge")}, "code": {code}}
}

func TestLoginPageOffersCodesTheClientAndPoolAllow(t *testing.T) {
	p, _ := codePool(t)
	body := page(t, p, "/login", nil).Body.String()
	require.Contains(t, body, `name="factor" value="EMAIL_OTP"`)
	require.Contains(t, body, `name="factor" value="SMS_OTP"`)
	require.Contains(t, body, `name="password"`, "the password stays on offer")

	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	body = page(t, p, "/login", nil).Body.String()
	require.Contains(t, body, `value="EMAIL_OTP"`)
	require.NotContains(t, body, `value="SMS_OTP"`)

	// A client without ALLOW_USER_AUTH is offered passwords only.
	c, ok := p.AppClient(DefaultClientID)
	require.True(t, ok)
	c.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	_, err := p.UpdateAppClient(c)
	require.NoError(t, err)
	require.NotContains(t, page(t, p, "/login", nil).Body.String(), `name="factor"`)
}

func TestLoginPageEmailCodeSignsIn(t *testing.T) {
	p, _ := codePool(t)
	rec := askCode(t, p, "alice", "EMAIL_OTP")
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, "We sent a code to a***@e***")
	require.Contains(t, body, `action="/mfa?`)
	require.NotContains(t, body, "alice@example.com", "only the masked address")
	code := lastSignInCode(t, p, "alice")
	require.Len(t, code, signInCodeDigits)
	require.NotContains(t, body, code)
	form := codeForm(t, body, code)
	require.Equal(t, "EMAIL_OTP", form.Get("challenge"))

	// The page's session is not the API's.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", form.Get("session"), map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}),
		codeNotAuthorized, "")

	status, tok := exchange(p, codeFrom(t, postPage(t, p, "/mfa", form)), verifier)
	require.Equal(t, http.StatusOK, status, tok)
	require.Equal(t, "alice", payload(t, tok["access_token"].(string))["username"])

	// A used code does not sign in again.
	rec = postPage(t, p, "/mfa", form)
	require.Contains(t, rec.Body.String(), errSessionUsed.Message)
	require.Contains(t, rec.Body.String(), `name="password"`, "back to sign-in")
}

func TestLoginPageSMSCodeSignsIn(t *testing.T) {
	p, _ := codePool(t)
	body := askCode(t, p, "sam", "SMS_OTP").Body.String()
	require.Contains(t, body, "*******0123. Enter it")
	require.NotContains(t, body, "+15555550123")
	code := lastSignInCode(t, p, "sam")
	codeFrom(t, postPage(t, p, "/mfa", codeForm(t, body, code)))
	msgs := p.Messages(MessageFilter{Username: "sam", Kind: MessageAuthentication})
	require.Len(t, msgs, 1)
	require.Equal(t, MediumSMS, msgs[0].DeliveryMedium)
	require.Equal(t, "+15555550123", msgs[0].Destination)
}

func TestLoginPageWrongCodeAsksAgainThenRunsOut(t *testing.T) {
	p, _ := codePool(t)
	body := askCode(t, p, "alice", "EMAIL_OTP").Body.String()
	code := lastSignInCode(t, p, "alice")
	form := codeForm(t, body, wrongOTP(code))
	for range maxCodeAttempts - 1 {
		rec := postPage(t, p, "/mfa", form)
		require.Contains(t, rec.Body.String(), errMFACode.Message)
		require.Contains(t, rec.Body.String(), `name="code"`, "a wrong code asks again")
		require.NotContains(t, rec.Body.String(), code)
	}
	// The last attempt the API allows ends the session: the right code
	// then signs no one in.
	require.Contains(t, postPage(t, p, "/mfa", form).Body.String(), errMFACode.Message)
	form.Set("code", code)
	rec := postPage(t, p, "/mfa", form)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), errSessionUsed.Message)
	require.Contains(t, rec.Body.String(), `name="password"`)
}

func TestLoginPageCodeExpiresWithItsSession(t *testing.T) {
	p, clock := codePool(t)
	body := askCode(t, p, "alice", "EMAIL_OTP").Body.String()
	form := codeForm(t, body, lastSignInCode(t, p, "alice"))
	clock.now = clock.now.Add(sessionLifetime)
	rec := postPage(t, p, "/mfa", form)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "Invalid session for the user, session is expired.")
}

func TestLoginPageCodeFactorNotAllowed(t *testing.T) {
	p, _ := codePool(t)
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	for _, factor := range []string{"SMS_OTP", "WEB_AUTHN", "PASSWORD_SRP", ""} {
		rec := askCode(t, p, "sam", factor)
		require.Equal(t, http.StatusOK, rec.Code)
		require.Contains(t, rec.Body.String(), errCodeFactorUnavailable.Message, factor)
	}
	requireNoSignInCode(t, p, "sam")

	// EMAIL_OTP, allowed by the pool, is not by a client without USER_AUTH.
	c, _ := p.AppClient(DefaultClientID)
	c.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH"}
	_, err := p.UpdateAppClient(c)
	require.NoError(t, err)
	require.Contains(t, askCode(t, p, "alice", "EMAIL_OTP").Body.String(), errCodeFactorUnavailable.Message)
	requireNoSignInCode(t, p, "alice")

	// An empty name is refused before anything is sent.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	c.ExplicitAuthFlows = []string{"ALLOW_USER_AUTH"}
	_, err = p.UpdateAppClient(c)
	require.NoError(t, err)
	require.Contains(t, askCode(t, p, "", "EMAIL_OTP").Body.String(), "Missing required parameter USERNAME")
}

func TestLoginPageCodeCrossOriginRefused(t *testing.T) {
	p, _ := codePool(t)
	r := httptest.NewRequest(http.MethodPost, "/login?"+authorizeParams().Encode(),
		strings.NewReader(url.Values{"username": {"alice"}, "factor": {"EMAIL_OTP"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "https://evil.example")
	require.Equal(t, http.StatusForbidden, serve(p, r).Code)
	requireNoSignInCode(t, p, "alice")
}

// Passwordless sign-in and MFA: "If a user has MFA configured,
// passwordless sign-in options will not be available" (passwordless.go).
func TestLoginPageCodeRefusedToUsersWithMFA(t *testing.T) {
	p, clock := codePool(t)
	setUpTOTP(t, p, clock) // alice has TOTP on.

	// A client that names users refuses before sending a code.
	setExistenceErrors(t, p, existenceLegacy)
	rec := askCode(t, p, "alice", "EMAIL_OTP")
	require.Contains(t, rec.Body.String(), errPasswordlessWithMFA.Message)
	require.Contains(t, rec.Body.String(), `name="password"`)
	requireNoSignInCode(t, p, "alice")

	// One that hides users sends it, and refuses after the right code,
	// as the API does (answerCode): a wrong one tells nothing.
	setExistenceErrors(t, p, existenceEnabled)
	body := askCode(t, p, "alice", "EMAIL_OTP").Body.String()
	code := lastSignInCode(t, p, "alice")
	require.Contains(t, postPage(t, p, "/mfa", codeForm(t, body, wrongOTP(code))).Body.String(), errMFACode.Message)
	rec = postPage(t, p, "/mfa", codeForm(t, body, code))
	require.Equal(t, http.StatusOK, rec.Code, "no redirect with a code")
	require.Contains(t, rec.Body.String(), errPasswordlessWithMFA.Message)

	// The password still signs in, then asks for the TOTP code.
	rec = postPage(t, p, "/login", url.Values{"username": {"alice"}, "password": {testPassword}})
	require.Contains(t, rec.Body.String(), "authenticator app")
}

func TestLoginPageNoCodesWhileMFAIsRequired(t *testing.T) {
	p, _ := codePool(t)
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOn, SoftwareToken: true}))
	require.NotContains(t, page(t, p, "/login", nil).Body.String(), `name="factor"`)
	rec := askCode(t, p, "alice", "EMAIL_OTP")
	require.Contains(t, rec.Body.String(), errPasswordlessWithMFA.Message)
	requireNoSignInCode(t, p, "alice")
}

// maskedShape reduces the masked destination a code page shows to its
// shape: each run of stars, letters or digits to one of each.
func maskedShape(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`We sent a code to ([^ ]+)\. Enter it`).FindStringSubmatch(body)
	require.NotNil(t, m, "no masked destination on the page")
	return regexp.MustCompile(`[a-z]`).ReplaceAllString(regexp.MustCompile(`[0-9]`).ReplaceAllString(m[1], "9"), "a")
}

// Developer guide, "Managing user existence error responses"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
// with PreventUserExistenceErrors ENABLED the pool answers an unknown
// name as it would a user; LEGACY says "User does not exist.".
func TestLoginPageCodeUnknownUserEnabled(t *testing.T) {
	p, _ := codePool(t)
	for _, factor := range []string{"EMAIL_OTP", "SMS_OTP"} {
		known, who := askCode(t, p, "alice", factor).Body.String(), "alice"
		if factor == "SMS_OTP" {
			known, who = askCode(t, p, "sam", factor).Body.String(), "sam"
		}
		unknown := askCode(t, p, "nobody", factor).Body.String()
		require.NotContains(t, unknown, "User does not exist")
		require.Equal(t, maskedShape(t, known), maskedShape(t, unknown), factor)
		require.Equal(t, hidden(t, known, "challenge"), hidden(t, unknown, "challenge"))
		require.Empty(t, p.Messages(MessageFilter{Username: "nobody"}), "nothing is sent")

		// Every code is wrong, as a user's wrong code is, and asked again.
		form := codeForm(t, unknown, lastSignInCode(t, p, who))
		rec := postPage(t, p, "/mfa", form)
		require.Contains(t, rec.Body.String(), errMFACode.Message)
		require.Contains(t, rec.Body.String(), `name="code"`)
	}
	// A user with no address for the factor answers as an unknown name.
	sent := len(p.Messages(MessageFilter{Username: "sam"}))
	body := askCode(t, p, "sam", "EMAIL_OTP").Body.String()
	require.Contains(t, body, `name="code"`)
	require.Len(t, p.Messages(MessageFilter{Username: "sam"}), sent, "no email to sam, who has no address")
}

func TestLoginPageCodeUnknownUserLegacy(t *testing.T) {
	p, _ := codePool(t)
	setExistenceErrors(t, p, existenceLegacy)
	rec := askCode(t, p, "nobody", "EMAIL_OTP")
	require.Contains(t, rec.Body.String(), errUserNotFound.Message)
	require.Contains(t, rec.Body.String(), `name="password"`)
	// A user without an email address is told so, as the API tells a
	// client that names users.
	require.Contains(t, askCode(t, p, "sam", "EMAIL_OTP").Body.String(), "The user has no email")
	requireNoSignInCode(t, p, "sam")
	// A disabled user is named disabled.
	require.NoError(t, p.DisableUser("alice"))
	require.Contains(t, askCode(t, p, "alice", "EMAIL_OTP").Body.String(), errUserDisabled.Message)
	requireNoSignInCode(t, p, "alice")
}

// "Passwordless sign-in with one-time passwords": the right code confirms
// an UNCONFIRMED user and verifies the address, on the pages as in the
// API (answerCode).
func TestLoginPageCodeConfirmsAndVerifies(t *testing.T) {
	p, _ := codePool(t)
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "ivy", testPassword, map[string]string{"Name": "email", "Value": "ivy@example.com"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "UNCONFIRMED", attributeOf(t, p, "ivy", "UserStatus"))
	body := askCode(t, p, "ivy", "EMAIL_OTP").Body.String()
	codeFrom(t, postPage(t, p, "/mfa", codeForm(t, body, lastSignInCode(t, p, "ivy"))))
	require.Equal(t, "CONFIRMED", attributeOf(t, p, "ivy", "UserStatus"))
	require.Equal(t, "true", attributeOf(t, p, "ivy", "email_verified"))
}

// A disabled user, under a client that hides users, gets the code page
// an unknown name gets, with nothing sent (otpFactor).
func TestLoginPageCodeDisabledUserEnabled(t *testing.T) {
	p, _ := codePool(t)
	require.NoError(t, p.DisableUser("alice"))
	body := askCode(t, p, "alice", "EMAIL_OTP").Body.String()
	require.NotContains(t, body, errUserDisabled.Message)
	require.Contains(t, body, `name="code"`)
	requireNoSignInCode(t, p, "alice")
	require.Contains(t, postPage(t, p, "/mfa", codeForm(t, body, "12345678")).Body.String(), errMFACode.Message)
}

// A confidential client's pages sign in without a SECRET_HASH, which the
// browser cannot compute: the client proves its secret at the token
// endpoint. This holds for the MFA code page as for the sign-in code's.
func TestLoginPageCodeForAClientWithASecret(t *testing.T) {
	p, _ := codePool(t)
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", scopeAdmin}, CallbackURLs: []string{callback}})
	require.NoError(t, err)
	extra := url.Values{"client_id": {c.ClientID}}
	body := postPageAs(t, p, "/login", extra, url.Values{"username": {"alice"}, "factor": {"EMAIL_OTP"}}).Body.String()
	code := codeFrom(t, postPageAs(t, p, "/mfa", extra, codeForm(t, body, lastSignInCode(t, p, "alice"))))

	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}}
	status, _ := postToken(p, form, c.ClientID, "not-the-secret")
	require.Equal(t, http.StatusUnauthorized, status, "the secret is checked at the token endpoint")
	body = postPageAs(t, p, "/login", extra, url.Values{"username": {"alice"}, "factor": {"EMAIL_OTP"}}).Body.String()
	code = codeFrom(t, postPageAs(t, p, "/mfa", extra, codeForm(t, body, lastSignInCode(t, p, "alice"))))
	form.Set("code", code)
	status, tok := postToken(p, form, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status, tok)
}
