package cognitolocal

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lastSignInCode is the newest sign-in code in the outbox for username.
func lastSignInCode(t *testing.T, p *Pool, username string) string {
	t.Helper()
	code, ok := p.LastCode(username, MessageAuthentication)
	require.True(t, ok, "no sign-in code in the outbox")
	return code
}

func TestEmailOTPFirstFactor(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}, out["AvailableChallenges"])
	status, out = call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "EMAIL_OTP"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"])
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "EMAIL", params["CODE_DELIVERY_DELIVERY_MEDIUM"])
	require.Equal(t, "a***@e***", params["CODE_DELIVERY_DESTINATION"])
	code := lastSignInCode(t, p, "alice")
	require.Len(t, code, 8)
	msgs := p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Equal(t, "alice@example.com", msgs[len(msgs)-1].Destination)

	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": wrong}),
		"CodeMismatchException", "Invalid code received for user")
	status, res := call(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)

	// Preferred directly.
	_, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"])
}

func TestEmailOTPCodeExpiresWithItsSession(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	code := lastSignInCode(t, p, "alice")
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}),
		codeNotAuthorized, errSessionInvalid.Message)
}

// A client that names users (LEGACY) offers EMAIL_OTP only to users with
// an email address; one that hides them offers it to every name
// (TestUserAuthHidesWhichNamesAreUsers).
func TestEmailOTPNeedsAnAddress(t *testing.T) {
	p := newPool(t, Config{})
	setExistenceErrors(t, p, existenceLegacy)
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	_, err := p.CreateUser("noemail", testPassword, nil)
	require.NoError(t, err)
	_, out := userAuth(t, p, map[string]string{"USERNAME": "noemail"})
	require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP"}, out["AvailableChallenges"])
}

func TestEmailMFA(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOptional, Email: true, EmailMessage: "Your code: {####}", EmailSubject: "Sign-in code"})
	status, _ := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"EmailMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}}))
	require.Equal(t, http.StatusOK, status)
	status, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"])
	code := lastSignInCode(t, p, "alice")
	require.Len(t, code, 6)
	msgs := p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Equal(t, "Your code: "+code, msgs[len(msgs)-1].Message)
	require.Equal(t, "Sign-in code", msgs[len(msgs)-1].Subject)
	status, res := call(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestSMSMFA(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SMS: true})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+15555550123", "phone_number_verified": "true"}))
	requireAPIError(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"EmailMfaSettings": map[string]bool{"Enabled": true}}), codeInvalidParameter, "")
	status, _ := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"SMSMfaSettings": map[string]bool{"Enabled": true}}))
	require.Equal(t, http.StatusOK, status)
	_, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, "SMS_MFA", out["ChallengeName"])
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "SMS", params["CODE_DELIVERY_DELIVERY_MEDIUM"])
	require.Equal(t, "+*******0123", params["CODE_DELIVERY_DESTINATION"])
	msgs := p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Equal(t, "+15555550123", msgs[len(msgs)-1].Destination)
	status, res := call(t, p, "RespondToAuthChallenge", answer("SMS_MFA", out["Session"], map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": lastSignInCode(t, p, "alice")}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestSelectMFAType(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true, Email: true})
	secret := setUpTOTP(t, p, clock)
	// Two factors, none preferred.
	status, _ := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": false},
		"EmailMfaSettings":         map[string]bool{"Enabled": true}}))
	require.Equal(t, http.StatusOK, status)
	_, out := passwordSignIn(t, p, "alice", testPassword)
	require.Equal(t, "SELECT_MFA_TYPE", out["ChallengeName"])
	require.Equal(t, `["EMAIL_OTP","SOFTWARE_TOKEN_MFA"]`, out["ChallengeParameters"].(map[string]any)["MFAS_CAN_CHOOSE"])
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_MFA_TYPE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "SMS_MFA"}), codeInvalidParameter, "")
	status, out = call(t, p, "RespondToAuthChallenge", answer("SELECT_MFA_TYPE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "SOFTWARE_TOKEN_MFA"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestAdminSignInWithMFA(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	admin, err := p.CreateAppClient(AppClient{ClientName: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	status, out := call(t, p, "AdminInitiateAuth", pool(map[string]any{"ClientId": admin.ClientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	in := answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)})
	in["ClientId"] = admin.ClientID
	// An Admin session is answered by AdminRespondToAuthChallenge only.
	requireAPIError(t, p, "RespondToAuthChallenge", in, codeNotAuthorized, "")
	_, out = call(t, p, "AdminInitiateAuth", pool(map[string]any{"ClientId": admin.ClientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}))
	in["Session"] = out["Session"]
	status, res := call(t, p, "AdminRespondToAuthChallenge", pool(in))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestLegacyClientNamesUnknownUsers(t *testing.T) {
	p := newPool(t, Config{})
	legacy, err := p.CreateAppClient(AppClient{ClientName: "legacy", PreventUserExistenceErrors: "LEGACY",
		ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH"}})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": legacy.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "nobody", "SRP_A": "02"}}, codeUserNotFound, "")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": legacy.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "nobody"}}, codeUserNotFound, "")
}

// Developer guide, "Passwordless sign-in with one-time passwords"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html):
// "When a user correctly enters a code they received in an SMS or email
// message as part of passwordless authentication, in addition to
// authenticating the user, your user pool marks the user's unverified
// email address or phone number attribute as verified. The user status
// also changed from UNCONFIRMED to CONFIRMED, regardless of whether you
// configured your user pool to automatically verify email addresses". A
// wrong code changes neither.
func TestEmailOTPFirstFactorVerifiesAndConfirms(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "ivy", testPassword, map[string]string{"Name": "email", "Value": "ivy@example.com"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Nil(t, out["CodeDeliveryDetails"], "the pool verifies nothing automatically: no sign-up code")
	require.Equal(t, "UNCONFIRMED", attributeOf(t, p, "ivy", "UserStatus"))

	_, out = userAuth(t, p, map[string]string{"USERNAME": "ivy", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"], out)
	code := lastSignInCode(t, p, "ivy")
	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "ivy", "EMAIL_OTP_CODE": wrong}), "CodeMismatchException", "Invalid code received for user")
	require.Equal(t, "UNCONFIRMED", attributeOf(t, p, "ivy", "UserStatus"))
	require.NotEqual(t, "true", attributeOf(t, p, "ivy", "email_verified"))

	status, res := call(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "ivy", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
	require.Equal(t, "CONFIRMED", attributeOf(t, p, "ivy", "UserStatus"))
	require.Equal(t, "true", attributeOf(t, p, "ivy", "email_verified"))
	id := payload(t, res["AuthenticationResult"].(map[string]any)["IdToken"].(string))
	require.Equal(t, true, id["email_verified"])
}

// smsOTPPool is a pool offering SMS_OTP as a first factor, in which
// alice has an unverified phone number.
func smsOTPPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	p := newPool(t, cfg)
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "SMS_OTP"}))
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+15555550123"}))
	return p
}

// wrongOTP is an eight-digit code other than code.
func wrongOTP(code string) string {
	if code == "00000000" {
		return "11111111"
	}
	return "00000000"
}

// SMS_OTP, a code by SMS as the first factor of choice-based sign-in.
// API reference, RespondToAuthChallenge
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html):
// a SELECT_CHALLENGE answer {"ANSWER": "SMS_OTP", "USERNAME"} makes the
// pool "send a code for the user to submit in the next challenge
// response", answered {"SMS_OTP_CODE", "USERNAME"}; SMS_OTP is one of
// SignInPolicy.AllowedFirstAuthFactors (SignInPolicyType). The challenge
// parameters are those of SMS_MFA (CODE_DELIVERY_DELIVERY_MEDIUM SMS,
// CODE_DELIVERY_DESTINATION masked). The code has eight digits as
// EMAIL_OTP's; the reference shows no SMS_OTP code, so the length is
// EMAIL_OTP's by analogy. The developer guide, "Passwordless sign-in
// with one-time passwords"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html),
// says the right code "marks the user's unverified email address or
// phone number attribute as verified": an unverified number gets the
// code.
func TestSMSOTPFirstFactor(t *testing.T) {
	rc := &recorder{}
	p := smsOTPPool(t, Config{PreTokenGeneration: rc.trigger})
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP", "SMS_OTP"}, out["AvailableChallenges"])
	status, out = call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "SMS_OTP"}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SMS_OTP", out["ChallengeName"])
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "SMS", params["CODE_DELIVERY_DELIVERY_MEDIUM"])
	require.Equal(t, "+*******0123", params["CODE_DELIVERY_DESTINATION"])
	code := lastSignInCode(t, p, "alice")
	require.Len(t, code, 8)
	msgs := p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Len(t, msgs, 1)
	require.Equal(t, "+15555550123", msgs[0].Destination)
	require.Equal(t, MediumSMS, msgs[0].DeliveryMedium)

	// The code of the other factor's field is no answer.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}),
		codeInvalidParameter, "Missing required parameter SMS_OTP_CODE")
	rec := callRaw(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": wrongOTP(code)}))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, "CodeMismatchException", rec.Header().Get("x-amzn-ErrorType"))
	require.NotContains(t, rec.Body.String(), "0123")
	require.NotContains(t, rec.Body.String(), wrongOTP(code))
	require.NotEqual(t, "true", attributeOf(t, p, "alice", "phone_number_verified"))

	status, res := call(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)
	require.Equal(t, "true", attributeOf(t, p, "alice", "phone_number_verified"))
	id := payload(t, res["AuthenticationResult"].(map[string]any)["IdToken"].(string))
	require.Equal(t, true, id["phone_number_verified"])

	// Preferred directly; the session is answered once.
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": code}), codeNotAuthorized, "")
	status, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SMS_OTP", out["ChallengeName"])
	status, res = call(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": lastSignInCode(t, p, "alice")}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

// The pool's SmsAuthenticationMessage is "the SMS authentication message
// that will be sent to users with the code they must sign in with" (API
// reference, SmsMfaConfigType): it carries the SMS_OTP code too.
func TestSMSOTPUsesTheSMSMessage(t *testing.T) {
	p := smsOTPPool(t, Config{})
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOff, SMS: true, SMSMessage: "Code: {####}", Email: true, EmailSubject: "Sign-in"}))
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"})
	require.Equal(t, "SMS_OTP", out["ChallengeName"], out)
	msgs := p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Equal(t, "Code: "+lastSignInCode(t, p, "alice"), msgs[len(msgs)-1].Message)
	require.Empty(t, msgs[len(msgs)-1].Subject, "an SMS has no subject")
}

// EmailMfaConfiguration's Message is "the template for the email
// messages that your user pool sends to users with codes for MFA and
// sign-in with email OTPs" (API reference, EmailMfaConfigType): the
// eight-digit EMAIL_OTP first-factor code comes in it too, as the
// six-digit MFA code does (TestEmailMFA), under its Subject ("the
// subject of the email messages that your user pool sends to users with
// codes for MFA and email OTP sign-in"). Without them, the default text
// and no subject.
func TestEmailOTPUsesTheEmailMFAMessage(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"], out)
	msgs := p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Equal(t, "Your sign-in code is "+lastSignInCode(t, p, "alice")+".", msgs[len(msgs)-1].Message)
	require.Empty(t, msgs[len(msgs)-1].Subject)

	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOff, Email: true, EmailMessage: "Sign in with {####} ({####})", EmailSubject: "Sign-in"}))
	_, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"], out)
	code := lastSignInCode(t, p, "alice")
	require.Len(t, code, signInCodeDigits)
	msgs = p.Messages(MessageFilter{Username: "alice", Kind: MessageAuthentication})
	require.Equal(t, "Sign in with "+code+" ("+code+")", msgs[len(msgs)-1].Message)
	require.Equal(t, "Sign-in", msgs[len(msgs)-1].Subject)
	status, res := call(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

// A wrong code leaves the session to maxCodeAttempts tries, then ends
// it; the session, and the code with it, lives AuthSessionValidity, as
// EMAIL_OTP's.
func TestSMSOTPAttemptsAndExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := smsOTPPool(t, Config{Now: func() time.Time { return now }})
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"})
	code := lastSignInCode(t, p, "alice")
	for range maxCodeAttempts {
		requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": wrongOTP(code)}),
			"CodeMismatchException", "Invalid code received for user")
	}
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": code}), codeNotAuthorized, "")

	_, out = userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"})
	code = lastSignInCode(t, p, "alice")
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": code}),
		codeNotAuthorized, errSessionInvalid.Message)
}

// SMS_OTP is offered only where it can be used: the pool must allow it
// and the user must have a phone number. Unavailable, a preference for it
// is not followed (SELECT_CHALLENGE answers, without it) and an ANSWER
// naming it is refused, as for EMAIL_OTP; no code is sent. Cognito
// documents no error for this case (the API reference says only that
// ANSWER "must be one of the challenge types in the AvailableChallenges
// response parameter"). This holds for a client that names users
// (LEGACY); one that hides them offers every name the same factors
// (TestUserAuthHidesWhichNamesAreUsers).
func TestSMSOTPNeedsAPhoneNumberAndThePool(t *testing.T) {
	p := smsOTPPool(t, Config{})
	setExistenceErrors(t, p, existenceLegacy)
	_, err := p.CreateUser("nophone", testPassword, map[string]string{"email": "np@example.com"})
	require.NoError(t, err)
	status, out := userAuth(t, p, map[string]string{"USERNAME": "nophone", "PREFERRED_CHALLENGE": "SMS_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP"}, out["AvailableChallenges"])
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "nophone", "ANSWER": "SMS_OTP"}),
		codeInvalidParameter, "ANSWER must be one of the AvailableChallenges.")
	requireNoSignInCode(t, p, "nophone")

	// A pool allowing EMAIL_OTP only offers no SMS code to alice.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP")
	// Both allowed, both listed.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP")
	selectChallenge(t, p, "nophone", "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP")
	requireNoSignInCode(t, p, "alice")
}

// A username the pool does not know gets the answer a user with a phone
// number would, the same masked number each time, and no message; no
// code answers it (developer guide, "Managing user existence error
// responses": with PreventUserExistenceErrors ENABLED the pool hides
// which users exist).
func TestSMSOTPUnknownUserLooksReal(t *testing.T) {
	p := smsOTPPool(t, Config{})
	selectChallenge(t, p, "nobody", "PASSWORD", "PASSWORD_SRP", "SMS_OTP")
	var dests []any
	for range 2 {
		status, out := userAuth(t, p, map[string]string{"USERNAME": "nobody", "PREFERRED_CHALLENGE": "SMS_OTP"})
		require.Equal(t, http.StatusOK, status, out)
		require.Equal(t, "SMS_OTP", out["ChallengeName"])
		params := out["ChallengeParameters"].(map[string]any)
		require.Equal(t, "SMS", params["CODE_DELIVERY_DELIVERY_MEDIUM"])
		require.Regexp(t, `^\+\*{7}[0-9]{4}$`, params["CODE_DELIVERY_DESTINATION"])
		dests = append(dests, params["CODE_DELIVERY_DESTINATION"])
		requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "nobody", "SMS_OTP_CODE": "12345678"}),
			"CodeMismatchException", "Invalid code received for user")
	}
	require.Equal(t, dests[0], dests[1])
	// EMAIL_OTP's decoy likewise takes no code.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP"}))
	_, out := userAuth(t, p, map[string]string{"USERNAME": "nobody", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, "EMAIL_OTP", out["ChallengeName"], out)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "nobody", "EMAIL_OTP_CODE": "12345678"}),
		"CodeMismatchException", "Invalid code received for user")
	require.Empty(t, p.Messages(MessageFilter{Kind: MessageAuthentication}))
}

// A pool that ignores case (the default) sends a user's code to one
// address whatever case the name is typed in, so an unknown name's made-up
// destination must not change with the case either: asking for "Nobody"
// and "nobody" would otherwise tell an unknown name from a user's.
func TestOTPDecoyDestinationIgnoresCase(t *testing.T) {
	p, _ := existencePool(t)
	for _, factor := range []string{"EMAIL_OTP", "SMS_OTP"} {
		for _, names := range [][2]string{{"both", "BoTh"}, {"nobody", "NoBody"}, {"none", "NONE"}} {
			var dests []any
			for _, name := range names {
				status, out := userAuth(t, p, map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": factor})
				require.Equal(t, http.StatusOK, status, out)
				require.Equal(t, factor, out["ChallengeName"], out)
				dests = append(dests, out["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DESTINATION"])
			}
			require.Equal(t, dests[0], dests[1], "%s %v", factor, names)
		}
	}
}

// A disabled user is sent no code. A client that names users (LEGACY)
// says why; one that hides them answers as for an unknown name, a
// challenge no code passes: "User is disabled." would tell the name
// apart to a caller who has no secret of the user's, where the password
// flows say it only after the right password. Cognito documents
// neither answer for this factor.
func TestSMSOTPDisabledUserRefused(t *testing.T) {
	p := smsOTPPool(t, Config{})
	require.NoError(t, p.DisableUser("alice"))
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SMS_OTP", out["ChallengeName"])
	require.NotEqual(t, "+*******0123", out["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DESTINATION"], "not the user's number")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SMS_OTP", out["Session"], map[string]string{"USERNAME": "alice", "SMS_OTP_CODE": "12345678"}),
		"CodeMismatchException", "Invalid code received for user")
	requireNoSignInCode(t, p, "alice")

	setExistenceErrors(t, p, existenceLegacy)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"}}, codeNotAuthorized, errUserDisabled.Message)
	requireNoSignInCode(t, p, "alice")
}
