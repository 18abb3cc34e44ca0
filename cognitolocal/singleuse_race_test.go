package cognitolocal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Topic suite: every Session and one-time artefact the pool issues is
// spent once, even when several requests bring it at once. Cognito's
// documents say each Session answers one challenge ("Invalid session for
// the user, session can only be used once"), that confirmation, reset and
// verification codes are one-time ("Quotas in Amazon Cognito" gives their
// lives), and RFC 6749 §4.1.2 that an authorization code "MUST NOT be
// used more than once"; they are silent on requests that race. Each test
// below sends one artefact many times at once, for several rounds, and
// fails if more than one request goes on.

// racers is how many requests bring one artefact at once.
const racers = 8

// atOnce runs do racers times at once and returns the answers of the
// ones that succeeded.
func atOnce(t *testing.T, do func() *http.Response) []map[string]any {
	t.Helper()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []map[string]any
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res := do()
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return
			}
			var out map[string]any
			if json.NewDecoder(res.Body).Decode(&out) != nil {
				out = map[string]any{}
			}
			mu.Lock()
			won = append(won, out)
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return won
}

// apiAtOnce sends the operation op with in racers times at once and
// requires exactly one to succeed, whose answer it returns.
func apiAtOnce(t *testing.T, p http.Handler, op string, in any) map[string]any {
	t.Helper()
	won := atOnce(t, func() *http.Response { return callRaw(t, p, op, in).Result() })
	require.Equal(t, 1, len(won), "%s: one of the requests sent at once succeeds", op)
	return won[0]
}

func TestNewPasswordAnsweredAtOnce(t *testing.T) {
	for range 5 {
		p, out := newPasswordPool(t, Config{})
		require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
		res := apiAtOnce(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "Perm-pass1"}))
		require.Contains(t, res, "AuthenticationResult")
	}
}

func TestSelectMFATypeAnsweredAtOnce(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true, Email: true})
	setUpTOTP(t, p, clock)
	status, _ := call(t, p, "AdminSetUserMFAPreference", pool(map[string]any{"Username": "alice",
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": false},
		"EmailMfaSettings":         map[string]bool{"Enabled": true}}))
	require.Equal(t, http.StatusOK, status)
	for range 20 {
		_, out := passwordSignIn(t, p, "alice", testPassword)
		require.Equal(t, "SELECT_MFA_TYPE", out["ChallengeName"])
		res := apiAtOnce(t, p, "RespondToAuthChallenge", answer("SELECT_MFA_TYPE", out["Session"], map[string]string{"USERNAME": "alice", "ANSWER": factorTOTP}))
		require.Equal(t, factorTOTP, res["ChallengeName"])
	}
}

// Each MFA_SETUP step (AssociateSoftwareToken and VerifySoftwareToken
// with the Session, then the answer) takes its Session once.
func TestMFASetupStepsAtOnce(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true, Email: true})
	for i := range 5 {
		name := fmt.Sprintf("bob%d", i)
		_, err := p.CreateUser(name, testPassword, nil)
		require.NoError(t, err)
		_, out := passwordSignIn(t, p, name, testPassword)
		require.Equal(t, "MFA_SETUP", out["ChallengeName"])
		assoc := apiAtOnce(t, p, "AssociateSoftwareToken", map[string]any{"Session": out["Session"]})
		ver := apiAtOnce(t, p, "VerifySoftwareToken", map[string]any{"Session": assoc["Session"], "UserCode": clock.code(t, assoc["SecretCode"].(string))})
		require.Equal(t, "SUCCESS", ver["Status"])
		res := apiAtOnce(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", ver["Session"], map[string]string{"USERNAME": name}))
		require.Contains(t, res, "AuthenticationResult")
	}
}

// An MFA_SETUP answer with an email address sends one code, on one new
// session.
func TestMFASetupWithAnEmailAddressAnsweredAtOnce(t *testing.T) {
	p, _ := newMFAPool(t, MFAConfig{Mode: MFAOn, SoftwareToken: true, Email: true})
	for i := range 5 {
		name := fmt.Sprintf("bob%d", i)
		_, err := p.CreateUser(name, testPassword, nil)
		require.NoError(t, err)
		_, out := passwordSignIn(t, p, name, testPassword)
		require.Equal(t, "MFA_SETUP", out["ChallengeName"])
		res := apiAtOnce(t, p, "RespondToAuthChallenge", answer("MFA_SETUP", out["Session"], map[string]string{"USERNAME": name, "EMAIL": name + "@example.com"}))
		require.Equal(t, factorEmail, res["ChallengeName"])
		require.Len(t, p.Messages(MessageFilter{Username: name, Kind: MessageAuthentication}), 1, "one code sent")
	}
}

func TestSelectChallengeAnsweredAtOnce(t *testing.T) {
	p := newPool(t, Config{})
	for range 20 {
		session := selectChallenge(t, p, "alice", "PASSWORD", "PASSWORD_SRP")
		res := apiAtOnce(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}))
		require.Contains(t, res, "AuthenticationResult")
	}
}

// PASSWORD_VERIFIER: the SRP exchange the SECRET_BLOCK names takes one
// proof.
func TestPasswordVerifierAnsweredAtOnce(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{})
	for range 5 {
		c := newSRPTestClient(t, p.PoolID())
		out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
		claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now)
		res := apiAtOnce(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim))
		require.Contains(t, res, "AuthenticationResult")
	}
}

// DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER each take their Session
// once.
func TestDeviceChallengesAnsweredAtOnce(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{})
	trackDevices(t, p, true, false, MFAConfig{})
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	_, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, clock.now)))
	require.Contains(t, res, "AuthenticationResult", res)
	d, _ := confirmNewDevice(t, p, res, "laptop")
	for range 5 {
		clock.now = clock.now.Add(time.Minute)
		status, out := srpSignInOnDevice(t, p, d, clock.now)
		require.Equal(t, http.StatusOK, status, out)
		require.Equal(t, "DEVICE_SRP_AUTH", out["ChallengeName"])
		c := newSRPTestClient(t, p.PoolID())
		c.poolName = d.group
		next := apiAtOnce(t, p, "RespondToAuthChallenge", answer("DEVICE_SRP_AUTH", out["Session"],
			map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": c.srpA()}))
		require.Equal(t, "DEVICE_PASSWORD_VERIFIER", next["ChallengeName"])
		params := next["ChallengeParameters"].(map[string]any)
		params["USER_ID_FOR_SRP"] = d.key
		claim := c.claim(t, params, d.password, clock.now)
		claim["DEVICE_KEY"] = d.key
		res := apiAtOnce(t, p, "RespondToAuthChallenge", answer("DEVICE_PASSWORD_VERIFIER", next["Session"], claim))
		require.Contains(t, res, "AuthenticationResult")
	}
}

func TestConfirmSignUpCodeUsedAtOnce(t *testing.T) {
	p := newPool(t, Config{})
	autoVerify(p, "email")
	for i := range 5 {
		name := fmt.Sprintf("bob%d", i)
		status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": name, "Password": testPassword,
			"UserAttributes": []map[string]string{{"Name": "email", "Value": name + "@example.com"}}})
		require.Equal(t, http.StatusOK, status, out)
		code, ok := p.LastCode(name, MessageSignUp)
		require.True(t, ok)
		apiAtOnce(t, p, "ConfirmSignUp", map[string]any{"ClientId": DefaultClientID, "Username": name, "ConfirmationCode": code})
	}
}

func TestConfirmForgotPasswordCodeUsedAtOnce(t *testing.T) {
	p, now := clockPool(t)
	for i := range 5 {
		*now = now.Add(time.Hour) // the losers' tries count against the hourly limit
		code := forgot(t, p, "alice")
		apiAtOnce(t, p, "ConfirmForgotPassword", confirmForgot(code, fmt.Sprintf("N3w-Passw0rd!%d", i)))
	}
}

func TestVerifyUserAttributeCodeUsedAtOnce(t *testing.T) {
	p, now := clockPool(t)
	for i := range 5 {
		*now = now.Add(time.Hour) // the losers' tries count against the hourly limit
		require.NoError(t, p.SetUserAttributes("alice", map[string]string{"email": fmt.Sprintf("alice%d@example.com", i), "email_verified": "false"}))
		access := signIn(t, p).AccessToken
		status, out := call(t, p, "GetUserAttributeVerificationCode", map[string]any{"AccessToken": access, "AttributeName": "email"})
		require.Equal(t, http.StatusOK, status, out)
		code, ok := p.LastCode("alice", MessageVerifyUserAttribute)
		require.True(t, ok)
		apiAtOnce(t, p, "VerifyUserAttribute", map[string]any{"AccessToken": access, "AttributeName": "email", "Code": code})
	}
}

// RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more
// than once"; the token endpoint gives tokens for it once.
func TestAuthorizationCodeRedeemedAtOnce(t *testing.T) {
	p := newPool(t, Config{})
	for range 5 {
		code := codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword))
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {DefaultClientID},
			"code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}}
		won := atOnce(t, func() *http.Response {
			r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return serve(p, r).Result()
		})
		require.Equal(t, 1, len(won), "an authorization code redeemed at once gives tokens once")
		require.NotEmpty(t, won[0]["access_token"])
	}
}
