package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// MFA_SETUP beyond TOTP. The API reference (RespondToAuthChallenge,
// ChallengeName, MFA_SETUP) says the challenge lists the pool's MFA types
// in MFAS_CAN_SETUP and that "To set up SMS or email MFA, collect a
// phone_number or email attribute for the user. Then restart the
// authentication flow". Amplify JS v6 also sets up email inside the
// challenge (its CONTINUE_SIGN_IN_WITH_EMAIL_SETUP step): it answers
// MFA_SETUP with ChallengeResponses {USERNAME, EMAIL} and expects
// EMAIL_OTP back, answered with EMAIL_OTP_CODE. The documentation names
// no error for a refused set-up answer: those tests assert the
// InvalidParameterException the pool chose, and say so.

// adminUser reads a user as AdminGetUser answers: its attributes by
// name and the whole answer.
func adminUser(t *testing.T, p *Pool, username string) (map[string]string, map[string]any) {
	t.Helper()
	status, out := call(t, p, "AdminGetUser", pool(map[string]any{"Username": username}))
	require.Equal(t, http.StatusOK, status, out)
	attrs := map[string]string{}
	for _, a := range out["UserAttributes"].([]any) {
		m := a.(map[string]any)
		attrs[m["Name"].(string)] = m["Value"].(string)
	}
	return attrs, out
}

// emailSetupPool is a pool requiring MFA with TOTP and email, and bob,
// who has no email address and so no factor.
func emailSetupPool(t *testing.T) (*Pool, *mfaClock) {
	t.Helper()
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true, Email: true})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	return p, clock
}

// mfaSetupChallenge signs bob in up to MFA_SETUP and returns its session.
func mfaSetupChallenge(t *testing.T, p *Pool) any {
	t.Helper()
	status, out := passwordSignIn(t, p, "bob", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	return out["Session"]
}

func TestMFASetupListsThePoolsFactors(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true, SMS: true, Email: true})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	_, out := passwordSignIn(t, p, "bob", testPassword)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	require.Equal(t, `["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]`, out["ChallengeParameters"].(map[string]any)["MFAS_CAN_SETUP"])
}

func TestMFASetupWithAnEmailAddress(t *testing.T) {
	p, _ := emailSetupPool(t)
	session := mfaSetupChallenge(t, p)

	status, out := call(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob", "EMAIL": "bob@example.com"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "EMAIL", params["CODE_DELIVERY_DELIVERY_MEDIUM"])
	require.Equal(t, "b***@e***", params["CODE_DELIVERY_DESTINATION"])
	require.Equal(t, "bob", params["USER_ID_FOR_SRP"])
	require.NotEqual(t, session, out["Session"])
	msgs := p.Messages(MessageFilter{Username: "bob", Kind: MessageAuthentication})
	require.Len(t, msgs, 1)
	require.Equal(t, "bob@example.com", msgs[0].Destination, "the code goes to the address given")
	require.Regexp(t, `^[0-9]{6}$`, msgs[0].Code)
	// The set-up session is spent once the code is sent.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob", "EMAIL": "bob@example.com"}),
		codeNotAuthorized, errSessionUsed.Message)

	// Until the code comes back, the address is not bob's.
	wrong := "000000"
	if msgs[0].Code == wrong {
		wrong = "111111"
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": wrong}),
		"CodeMismatchException", errMFACode.Message)
	attrs, _ := adminUser(t, p, "bob")
	require.NotContains(t, attrs, "email")

	status, res := call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": msgs[0].Code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")

	// The address is bob's, verified by the code ("When a user completes
	// their first MFA, Amazon Cognito marks their email address or phone
	// number as verified", developer guide, "SMS and email message MFA"),
	// and email MFA is his factor.
	attrs, user := adminUser(t, p, "bob")
	require.Equal(t, "bob@example.com", attrs["email"])
	require.Equal(t, "true", attrs["email_verified"])
	require.Equal(t, []any{factorEmail}, user["UserMFASettingList"])
	require.Equal(t, factorEmail, user["PreferredMfaSetting"])

	// The next sign-in asks for an emailed code straight away.
	_, out = passwordSignIn(t, p, "bob", testPassword)
	require.Equal(t, factorEmail, out["ChallengeName"])
	code, ok := p.LastCode("bob", MessageAuthentication)
	require.True(t, ok)
	status, res = call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestMFASetupWithAnEmailAddressThroughAdminSignIn(t *testing.T) {
	p, _ := emailSetupPool(t)
	admin, err := p.CreateAppClient(AppClient{ClientName: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	status, out := call(t, p, "AdminInitiateAuth", pool(map[string]any{"ClientId": admin.ClientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": testPassword}}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	in := answer("MFA_SETUP", out["Session"], map[string]string{"USERNAME": "bob", "EMAIL": "bob@example.com"})
	in["ClientId"] = admin.ClientID
	// An Admin session is answered by AdminRespondToAuthChallenge only.
	requireAPIError(t, p, "RespondToAuthChallenge", in, codeNotAuthorized, "")
	_, out = call(t, p, "AdminInitiateAuth", pool(map[string]any{"ClientId": admin.ClientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": testPassword}}))
	in["Session"] = out["Session"]
	status, out = call(t, p, "AdminRespondToAuthChallenge", pool(in))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
	code, ok := p.LastCode("bob", MessageAuthentication)
	require.True(t, ok)
	in = answer(factorEmail, out["Session"], map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code})
	in["ClientId"] = admin.ClientID
	status, res := call(t, p, "AdminRespondToAuthChallenge", pool(in))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

// The documentation names no error for these answers (see the top of
// this file): the pool answers InvalidParameterException and keeps the
// set-up session, so the user can try again.
func TestMFASetupWithAnEmailAddressRefusals(t *testing.T) {
	p, _ := emailSetupPool(t)
	session := mfaSetupChallenge(t, p)
	for _, bad := range []string{"", "not-an-address", "Bob <bob@example.com>", "bob@example.com, eve@example.com"} {
		requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob", "EMAIL": bad}),
			codeInvalidParameter, errBadEmail.Message)
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob", "PHONE_NUMBER": "+15555550100"}),
		codeInvalidParameter, errSetupSMS.Message)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob"}),
		codeInvalidParameter, errSetupNothing.Message)
	require.Empty(t, p.Messages(MessageFilter{Username: "bob", Kind: MessageAuthentication}), "no code sent for a refused answer")
	status, out := call(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob", "EMAIL": "bob@example.com"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorEmail, out["ChallengeName"])
}

func TestMFASetupWithAnEmailAddressNeedsEmailMFA(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	session := mfaSetupChallenge(t, p)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", session, map[string]string{"USERNAME": "bob", "EMAIL": "bob@example.com"}),
		codeInvalidParameter, errSetupNoEmail.Message)
	require.Empty(t, p.Messages(MessageFilter{Username: "bob", Kind: MessageAuthentication}))
}

// The EMAIL_OTP session of a set-up lives and ends as any challenge's
// (three wrong codes, the session lifetime), and an ended one leaves the
// user as before: no email address, no factor.
func TestMFASetupEmailCodeRefusals(t *testing.T) {
	p, clock := emailSetupPool(t)
	startCode := func() (any, string) {
		t.Helper()
		status, out := call(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", mfaSetupChallenge(t, p), map[string]string{"USERNAME": "bob", "EMAIL": "bob@example.com"}))
		require.Equal(t, http.StatusOK, status, out)
		code, ok := p.LastCode("bob", MessageAuthentication)
		require.True(t, ok)
		return out["Session"], code
	}
	wrongFor := func(code string) string {
		if code == "000000" {
			return "111111"
		}
		return "000000"
	}

	session, code := startCode()
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, session, map[string]string{"USERNAME": "bob"}), codeInvalidParameter, "")
	for range maxCodeAttempts {
		requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, session, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": wrongFor(code)}),
			"CodeMismatchException", "")
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, session, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code}), codeNotAuthorized, "")

	session, code = startCode()
	clock.now = clock.now.Add(sessionLifetime + time.Second)
	requireAPIError(t, p, "RespondToAuthChallenge", answer(factorEmail, session, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": code}),
		codeNotAuthorized, errSessionInvalid.Message)

	attrs, user := adminUser(t, p, "bob")
	require.NotContains(t, attrs, "email")
	require.Empty(t, user["UserMFASettingList"])
	_, out := passwordSignIn(t, p, "bob", testPassword)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"], "still no factor")
}

// SMS MFA is set up as the API reference says: with a phone_number
// attribute and a new sign-in, which then answers SMS_MFA without any
// preference set ("SMS and email message MFA require no additional
// configuration after your user adds an email address or phone number
// to their profile", developer guide, "SMS and email message MFA").
func TestRequiredMFAWithAPhoneNumberAddedAfterMFASetup(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true, SMS: true})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	_, out := passwordSignIn(t, p, "bob", testPassword)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	require.Equal(t, `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`, out["ChallengeParameters"].(map[string]any)["MFAS_CAN_SETUP"])
	requireAPIError(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", out["Session"], map[string]string{"USERNAME": "bob", "PHONE_NUMBER": "+15555550100"}),
		codeInvalidParameter, errSetupSMS.Message)

	status, res := call(t, p, "AdminUpdateUserAttributes", pool(map[string]any{"Username": "bob",
		"UserAttributes": []map[string]string{{"Name": "phone_number", "Value": "+15555550100"}}}))
	require.Equal(t, http.StatusOK, status, res)
	_, out = passwordSignIn(t, p, "bob", testPassword)
	require.Equal(t, factorSMS, out["ChallengeName"])
	require.Equal(t, "SMS", out["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DELIVERY_MEDIUM"])
	code, ok := p.LastCode("bob", MessageAuthentication)
	require.True(t, ok)
	attrs, _ := adminUser(t, p, "bob")
	require.Equal(t, "false", attrs["phone_number_verified"])
	status, res = call(t, p, "RespondToAuthChallenge", answer(factorSMS, out["Session"], map[string]string{"USERNAME": "bob", "SMS_MFA_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
	// "When a user completes their first MFA, Amazon Cognito marks their
	// email address or phone number as verified" (developer guide, "SMS
	// and email message MFA").
	attrs, _ = adminUser(t, p, "bob")
	require.Equal(t, "true", attrs["phone_number_verified"])
}

// A code verifies only the address it went to: one changed while the
// code was on its way stays unverified.
func TestMFACodeVerifiesOnlyTheAddressItWentTo(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, Email: true})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"email_verified": "false"}))
	_, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, factorEmail, out["ChallengeName"])
	code, ok := p.LastCode("alice", MessageAuthentication)
	require.True(t, ok)
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"email": "alice@example.org"}))
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	attrs, _ := adminUser(t, p, "alice")
	require.Equal(t, "false", attrs["email_verified"])

	_, out = passwordSignIn(t, p, "alice", testPassword)
	code, _ = p.LastCode("alice", MessageAuthentication)
	status, res = call(t, p, "RespondToAuthChallenge", answer(factorEmail, out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	attrs, _ = adminUser(t, p, "alice")
	require.Equal(t, "true", attrs["email_verified"], "the address the code went to")
}

// The same for email: a user with an email address in a pool that
// requires MFA with email signs in with an emailed code, no MFA_SETUP;
// with MFA optional, only a user who turned email MFA on does.
func TestRequiredMFAUsesTheEmailAddress(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, Email: true})
	_, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, factorEmail, out["ChallengeName"])
	require.Equal(t, "a***@e***", out["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DESTINATION"])

	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, Email: true}))
	status, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}
