package cognitolocal

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func userAuth(t *testing.T, p *Pool, params map[string]string) (int, map[string]any) {
	t.Helper()
	return call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID, "AuthParameters": params})
}

func TestUserAuthPreferredPassword(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.NotEmpty(t, out["AuthenticationResult"].(map[string]any)["AccessToken"])
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)

	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wrong-pass1"}},
		codeNotAuthorized, errBadCredentials.Message)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD"}},
		codeInvalidParameter, "Missing required parameter PASSWORD")
}

func TestUserAuthPreferredSRP(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA()})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"])
	require.NotEmpty(t, out["Session"], "choice-based sign-in carries a session through SRP")
	in := verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now()))
	in["Session"] = out["Session"]
	status, res := call(t, p, "RespondToAuthChallenge", in)
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

// selectChallenge starts USER_AUTH for username with no preference,
// requires SELECT_CHALLENGE offering want, and returns its session.
func selectChallenge(t *testing.T, p *Pool, username string, want ...any) any {
	t.Helper()
	status, out := userAuth(t, p, map[string]string{"USERNAME": username})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	require.Equal(t, want, out["AvailableChallenges"])
	return out["Session"]
}

func TestUserAuthSelectChallenge(t *testing.T) {
	p := newPool(t, Config{})
	session := selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP")

	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "EMAIL_OTP"}),
		codeInvalidParameter, "")
	status, res := call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}),
		codeNotAuthorized, errSessionUsed.Message)

	// An unavailable preference falls back to the choice.
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	// SRP through the choice.
	c := newSRPTestClient(t, p.PoolID())
	status, res = call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD_SRP", "SRP_A": c.srpA()}))
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, "PASSWORD_VERIFIER", res["ChallengeName"])
}

func TestUserAuthSelectChallengeSessionExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	_, out := userAuth(t, p, map[string]string{"USERNAME": "alice"})
	now = now.Add(sessionLifetime)
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}),
		codeNotAuthorized, errSessionInvalid.Message)
}

func TestUserAuthUnknownUserLooksLikeAnyOther(t *testing.T) {
	p := newPool(t, Config{})
	status, out := userAuth(t, p, map[string]string{"USERNAME": "nobody"})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SELECT_CHALLENGE", out["ChallengeName"])
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": "nobody", "ANSWER": "PASSWORD", "PASSWORD": testPassword}),
		codeNotAuthorized, errBadCredentials.Message)
}

func TestUserAuthNeedsTheClientToAllowIt(t *testing.T) {
	p := newPool(t, Config{})
	app, err := p.CreateAppClient(AppClient{ClientName: "srp-only", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice"}}, codeInvalidParameter, "USER_AUTH flow not enabled for this client")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeInvalidParameter, "USER_PASSWORD_AUTH flow not enabled for this client")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{}}, codeInvalidParameter, "Missing required parameter USERNAME")
}

func TestUserAuthPasswordThenMFA(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
	require.Contains(t, res, "AuthenticationResult")
}

func TestFirstAuthFactorsNeedPassword(t *testing.T) {
	p := newPool(t, Config{})
	require.Error(t, p.SetFirstAuthFactors([]string{"EMAIL_OTP"}))
	require.Error(t, p.SetFirstAuthFactors([]string{"PASSWORD", "WEB_AUTHN"}))
	require.Equal(t, []string{"PASSWORD"}, p.FirstAuthFactors())
	// SignInPolicyType: AllowedFirstAuthFactors of PASSWORD, EMAIL_OTP,
	// SMS_OTP and WEB_AUTHN; the pool runs the first three.
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	require.Equal(t, []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}, p.FirstAuthFactors())
	require.Error(t, p.SetFirstAuthFactors([]string{"SMS_OTP"}))
}

// setExistenceErrors sets the default client's PreventUserExistenceErrors.
func setExistenceErrors(t *testing.T, p *Pool, mode string) {
	t.Helper()
	c, ok := p.AppClient(DefaultClientID)
	require.True(t, ok)
	c.PreventUserExistenceErrors = mode
	_, err := p.UpdateAppClient(c)
	require.NoError(t, err)
}

// existencePool is an OPTIONAL-MFA pool offering every first factor it
// runs, with a user of each shape: none without an email address or phone
// number, one of each, one with both, off with both but disabled, and
// alice, with an email address and TOTP on (who may not sign in without
// a password).
func existencePool(t *testing.T) (*Pool, *mfaClock) {
	t.Helper()
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	setUpTOTP(t, p, clock)
	for name, attrs := range map[string]map[string]string{
		"none":  nil,
		"email": {"email": "em@example.net"},
		"phone": {"phone_number": "+447700900123"},
		"both":  {"email": "bo@example.org", "phone_number": "+15555550199"},
		"off":   {"email": "of@example.org", "phone_number": "+15555550198"},
	} {
		_, err := p.CreateUser(name, testPassword, attrs)
		require.NoError(t, err)
	}
	require.NoError(t, p.DisableUser("off"))
	return p, clock
}

// userAuthObservation is what a caller without the user's mailbox or
// password sees of a USER_AUTH sign-in of a name: each step's challenge,
// parameters and error, with masked destinations reduced to their shape
// once checked stable, and the name each step answers with checked to be
// the one typed, in lower case (the pool ignores case; its users are
// stored so). now is the pool's clock, for the SRP step.
func userAuthObservation(t *testing.T, p *Pool, name string, now time.Time) []string {
	t.Helper()
	var seen []string
	note := func(step string, status int, out map[string]any) map[string]any {
		t.Helper()
		if status != http.StatusOK {
			seen = append(seen, step+" error "+fmt.Sprint(out["__type"], ": ", out["message"]))
			return nil
		}
		params, _ := out["ChallengeParameters"].(map[string]any)
		keys := make([]string, 0, len(params))
		for k, v := range params {
			switch k {
			case "USERNAME", "USER_ID_FOR_SRP":
				require.Equal(t, strings.ToLower(name), v, "a plain pool answers with the name asked for, as stored")
			case "SALT", "SRP_B", "SECRET_BLOCK":
				require.NotEmpty(t, v)
			case "CODE_DELIVERY_DESTINATION":
				require.Regexp(t, `^(\S\*\*\*@\S\*\*\*|\+\*+[0-9]{4})$`, v)
				if strings.Contains(v.(string), "@") {
					k += "=email-shaped"
				} else {
					k += "=phone-shaped"
				}
			case "CODE_DELIVERY_DELIVERY_MEDIUM":
				k += "=" + v.(string)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		seen = append(seen, fmt.Sprint(step, " ", out["ChallengeName"], " ", out["AvailableChallenges"], " ", keys, " session:", out["Session"] != nil))
		return out
	}
	guess := func() string {
		if code, ok := p.LastCode(name, MessageAuthentication); ok {
			return wrongOTP(code)
		}
		return "12345678"
	}
	status, out := userAuth(t, p, map[string]string{"USERNAME": name})
	if note("initiate", status, out) == nil {
		return seen
	}
	status, res := call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": name, "ANSWER": "PASSWORD", "PASSWORD": "Wrong-passw0rd"}))
	note("wrong password", status, res)
	c := newSRPTestClient(t, p.PoolID())
	status, res = userAuth(t, p, map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA()})
	if res = note("prefer PASSWORD_SRP", status, res); res != nil {
		in := verifierAnswer(DefaultClientID, c.claim(t, res["ChallengeParameters"].(map[string]any), "Wrong-passw0rd", now))
		in["Session"] = res["Session"]
		status, res = call(t, p, "RespondToAuthChallenge", in)
		note("wrong SRP proof", status, res)
	}
	for _, factor := range []string{"EMAIL_OTP", "SMS_OTP"} {
		field := factor + "_CODE"
		var dests []any
		_, out := userAuth(t, p, map[string]string{"USERNAME": name})
		status, res := call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", out["Session"], map[string]string{"USERNAME": name, "ANSWER": factor}))
		if res = note("select "+factor, status, res); res != nil {
			dests = append(dests, res["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DESTINATION"])
			status, res = call(t, p, "RespondToAuthChallenge", answer(factor, res["Session"], map[string]string{"USERNAME": name, field: guess()}))
			note("wrong "+factor+" code", status, res)
		}
		status, res = userAuth(t, p, map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": factor})
		if res = note("prefer "+factor, status, res); res != nil && res["ChallengeName"] == factor {
			dests = append(dests, res["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DESTINATION"])
			status, res = call(t, p, "RespondToAuthChallenge", answer(factor, res["Session"], map[string]string{"USERNAME": name, field: guess()}))
			note("wrong "+factor+" code", status, res)
		}
		if len(dests) == 2 {
			require.Equal(t, dests[0], dests[1], "%s: the same destination each time", name)
		}
	}
	return seen
}

// Developer guide, "Managing user existence error responses"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
// with PreventUserExistenceErrors ENABLED the client "doesn't disclose
// the nonexistence of a user account", and for choice-based sign-in
// (USER_AUTH) an unknown name is answered with challenge types the pool
// allows, picked at random. Cognito does not say what it offers a user
// who lacks an email address or phone number; offering users only what
// they can use would tell them from unknown names, and a random pick
// would tell unknown names from users, whose offer does not change. The
// pool offers every name the same factors, in the same order, and a
// factor a user cannot use answers as it does for an unknown name: a
// stable made-up destination, no message, and a wrong code whatever is
// sent. The table compares every step of each user's sign-in with an
// unknown name's.
//
// With LEGACY the guide documents UserNotFoundException for an unknown
// name; users are offered the factors they can use (the guide is silent
// on that too; a code the pool cannot deliver is not offered).
func TestUserAuthHidesWhichNamesAreUsers(t *testing.T) {
	p, clock := existencePool(t)
	unknown := userAuthObservation(t, p, "nobody", clock.now)
	require.Contains(t, unknown[0], "[PASSWORD PASSWORD_SRP EMAIL_OTP SMS_OTP]")
	require.Contains(t, strings.Join(unknown, "\n"), "wrong EMAIL_OTP code error CodeMismatchException")
	require.Contains(t, strings.Join(unknown, "\n"), "wrong SRP proof error NotAuthorizedException: Incorrect username or password.")
	for _, name := range []string{"none", "email", "phone", "both", "off", "alice"} {
		require.Equal(t, unknown, userAuthObservation(t, p, name, clock.now), name)
	}
	// Typed in another case, a user and an unknown name answer alike.
	require.Equal(t, userAuthObservation(t, p, "NOBODY", clock.now), userAuthObservation(t, p, "BOTH", clock.now))
	for _, name := range []string{"none", "off", "nobody"} {
		requireNoSignInCode(t, p, name)
	}
	// Codes went only to addresses users have.
	for name, prefix := range map[string]string{"email": "em@", "phone": "+44"} {
		msgs := p.Messages(MessageFilter{Username: name, Kind: MessageAuthentication})
		require.NotEmpty(t, msgs, name)
		for _, m := range msgs {
			require.True(t, strings.HasPrefix(m.Destination, prefix), name)
		}
	}

	setExistenceErrors(t, p, existenceLegacy)
	for name, want := range map[string][]any{
		"none":  {"PASSWORD", "PASSWORD_SRP"},
		"email": {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"},
		"phone": {"PASSWORD", "PASSWORD_SRP", "SMS_OTP"},
		"both":  {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"},
		"off":   {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"},
		"alice": {"PASSWORD", "PASSWORD_SRP"},
	} {
		selectChallenge(t, p, name, want...)
	}
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "nobody"}}, codeUserNotFound, "User does not exist.")
}

// A user who must pass MFA, offered a code by a client that hides users,
// gets it; the right code is refused (passwordless.go) and says why,
// echoing nothing of the code.
func TestUserAuthHiddenMFAUserRefusedAfterTheCode(t *testing.T) {
	p, _ := existencePool(t)
	status, out := userAuth(t, p, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	code := lastSignInCode(t, p, "alice")
	rec := callRaw(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code}))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, codeInvalidParameter, rec.Header().Get("x-amzn-ErrorType"))
	require.Contains(t, rec.Body.String(), errPasswordlessWithMFA.Message)
	require.NotContains(t, rec.Body.String(), code)
}

// In a pool that signs in with email addresses a user's USERNAME is the
// UUID that is their username; an unknown address gets a stable UUID of
// its own, the one its SRP challenge names, and its code goes, so the
// answer says, to the address asked for.
func TestUserAuthHiddenNamesInEmailPools(t *testing.T) {
	p, err := New(Config{Key: testKey(t), UsernameAttributes: []string{"email"}})
	require.NoError(t, err)
	require.NoError(t, p.SetFirstAuthFactors([]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}))
	_, err = p.CreateUser("jane@example.com", testPassword, nil)
	require.NoError(t, err)
	uuid := `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
	var names []any
	for _, name := range []string{"jane@example.com", "john@example.com", "john@example.com"} {
		status, out := userAuth(t, p, map[string]string{"USERNAME": name})
		require.Equal(t, http.StatusOK, status, out)
		require.Equal(t, []any{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}, out["AvailableChallenges"])
		names = append(names, out["ChallengeParameters"].(map[string]any)["USERNAME"])
		require.Regexp(t, uuid, names[len(names)-1])
		status, out = userAuth(t, p, map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"})
		require.Equal(t, http.StatusOK, status, out)
		require.Equal(t, names[len(names)-1], out["ChallengeParameters"].(map[string]any)["USERNAME"])
		require.Equal(t, name[:1]+"***@e***", out["ChallengeParameters"].(map[string]any)["CODE_DELIVERY_DESTINATION"])
		// The UUID answers the challenge, as a user's does.
		requireAPIError(t, p, "RespondToAuthChallenge", answer("EMAIL_OTP", out["Session"], map[string]string{"USERNAME": names[len(names)-1].(string), "EMAIL_OTP_CODE": "12345678"}),
			"CodeMismatchException", "Invalid code received for user")
	}
	require.NotEqual(t, names[0], names[1])
	require.Equal(t, names[1], names[2])
	c := newSRPTestClient(t, p.PoolID())
	status, out := userAuth(t, p, map[string]string{"USERNAME": "john@example.com", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.srpA()})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, names[1], out["ChallengeParameters"].(map[string]any)["USER_ID_FOR_SRP"])
}
