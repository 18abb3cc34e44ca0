package cognitolocal

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// Managed Login "prompts users to set up MFA when you set MFA to be
// required" and, with several factors, to "choose and set up an MFA
// factor" (developer guide, "Adding MFA to a user pool"; "Email MFA").

func TestLoginPageSetsUpEmailMFA(t *testing.T) {
	p, _ := emailSetupPool(t)
	rec := postPage(t, p, "/login", url.Values{"username": {"bob"}, "password": {testPassword}})
	body := rec.Body.String()
	require.Contains(t, body, "Set up a sign-in method")
	require.Contains(t, body, `action="/mfaSetup?`)
	require.Contains(t, body, `name="mfa" value="SOFTWARE_TOKEN_MFA"`)
	require.Contains(t, body, `name="mfa" value="EMAIL_OTP"`)
	session := hidden(t, body, "session")

	rec = postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"bob"}, "mfa": {factorEmail}})
	body = rec.Body.String()
	require.Contains(t, body, `name="email"`)
	rec = postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"bob"}, "email": {"not-an-address"}})
	require.Contains(t, rec.Body.String(), "Invalid email address format.")
	require.Contains(t, rec.Body.String(), `name="email"`, "the address is asked again")

	rec = postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"bob"}, "email": {"bob@example.com"}})
	body = rec.Body.String()
	require.Contains(t, body, "We sent a code to b***@e***")
	require.Contains(t, body, `action="/mfa?`)
	code := lastSignInCode(t, p, "bob")
	status, tok := exchange(p, codeFrom(t, postPage(t, p, "/mfa", url.Values{"session": {hidden(t, body, "session")}, "username": {"bob"},
		"challenge": {factorEmail}, "code": {code}})), verifier)
	require.Equal(t, http.StatusOK, status, tok)
	attrs, _ := adminUser(t, p, "bob")
	require.Equal(t, "bob@example.com", attrs["email"])

	// The next sign-in asks for an emailed code.
	rec = postPage(t, p, "/login", url.Values{"username": {"bob"}, "password": {testPassword}})
	require.Contains(t, rec.Body.String(), "We sent a code to b***@e***")
}

func TestLoginPageSetUpChoiceOfTOTP(t *testing.T) {
	p, _ := emailSetupPool(t)
	rec := postPage(t, p, "/login", url.Values{"username": {"bob"}, "password": {testPassword}})
	session := hidden(t, rec.Body.String(), "session")
	// A factor the challenge does not offer shows the choice again.
	rec = postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"bob"}, "mfa": {factorSMS}})
	require.Contains(t, rec.Body.String(), "Set up a sign-in method")
	rec = postPage(t, p, "/mfaSetup", url.Values{"session": {session}, "username": {"bob"}, "mfa": {factorTOTP}})
	require.Contains(t, rec.Body.String(), `id="secretCode"`)
	require.NotEqual(t, session, hidden(t, rec.Body.String(), "session"), "AssociateSoftwareToken's new session")
}

func TestLoginPageEmailOnlyMFASetup(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, Email: true})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	rec := postPage(t, p, "/login", url.Values{"username": {"bob"}, "password": {testPassword}})
	require.Contains(t, rec.Body.String(), `name="email"`, "straight to the address")
	require.NotContains(t, rec.Body.String(), `name="mfa"`)
}

func TestLoginPageMFASetupSessionExpires(t *testing.T) {
	p, clock := emailSetupPool(t)
	rec := postPage(t, p, "/login", url.Values{"username": {"bob"}, "password": {testPassword}})
	session := hidden(t, rec.Body.String(), "session")
	clock.now = clock.now.Add(sessionLifetime)
	for _, form := range []url.Values{{"mfa": {factorEmail}}, {"email": {"bob@example.com"}}} {
		form.Set("session", session)
		form.Set("username", "bob")
		rec = postPage(t, p, "/mfaSetup", form)
		require.Contains(t, rec.Body.String(), "Invalid session for the user, session is expired.")
		require.Contains(t, rec.Body.String(), `name="password"`, "back to sign-in")
	}
	require.Empty(t, p.Messages(MessageFilter{Username: "bob", Kind: MessageAuthentication}))
}
