package cognitolocal

import (
	"bytes"
	"context"
	"math/big"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

// srpInitiate starts USER_SRP_AUTH for username with client.
func srpInitiate(t *testing.T, p *Pool, clientID, username string, c *srpTestClient, extra map[string]string) map[string]any {
	t.Helper()
	params := map[string]string{"USERNAME": username, "SRP_A": c.srpA()}
	for k, v := range extra {
		params[k] = v
	}
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": clientID, "AuthParameters": params})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"])
	return out
}

func verifierAnswer(clientID string, responses map[string]string) map[string]any {
	return map[string]any{"ClientId": clientID, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}
}

// srpSignIn runs USER_SRP_AUTH for username and password and returns the
// answer to the proof.
func srpSignIn(t *testing.T, p *Pool, username, password string) (int, map[string]any) {
	t.Helper()
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, username, c, nil)
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), password, time.Now())
	return call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim))
}

func TestSRPSignsIn(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "ALICE", c, nil)
	require.NotContains(t, out, "Session", "the classic SRP challenge carries no session")
	params := out["ChallengeParameters"].(map[string]any)
	require.Equal(t, "alice", params["USER_ID_FOR_SRP"], "the canonical username, not the name typed")
	require.Equal(t, params["USER_ID_FOR_SRP"], params["USERNAME"])
	require.Len(t, params["SALT"], 32)
	require.NotEqual(t, "00", params["SALT"].(string)[:2])

	status, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, c.claim(t, params, testPassword, time.Now())))
	require.Equal(t, http.StatusOK, status, res)
	tok := res["AuthenticationResult"].(map[string]any)
	v, err := p.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	claims, err := v.Verify(context.Background(), tok["AccessToken"].(string))
	require.NoError(t, err)
	require.Equal(t, "alice", claims.Username)
	require.NotEmpty(t, tok["RefreshToken"])
	require.Equal(t, "alice@example.com", payload(t, tok["IdToken"].(string))["email"])
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)

	// The refresh token works as any other sign-in's.
	status, res = call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok["RefreshToken"].(string)}})
	require.Equal(t, http.StatusOK, status, res)
}

func TestSRPWrongPasswordRefused(t *testing.T) {
	p := newPool(t, Config{})
	status, out := srpSignIn(t, p, "alice", "Wrong-pass1")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, codeNotAuthorized, out["__type"])
	require.Equal(t, "Incorrect username or password.", out["message"])
}

func TestSRPClaimIsSingleUse(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	status, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim))
	require.Equal(t, http.StatusOK, status, res)
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), codeNotAuthorized, errBadCredentials.Message)
}

func TestSRPWrongProofEndsTheExchange(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	params := srpInitiate(t, p, DefaultClientID, "alice", c, nil)["ChallengeParameters"].(map[string]any)
	wrong := c.claim(t, params, "Wrong-pass1", time.Now())
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, wrong), codeNotAuthorized, errBadCredentials.Message)
	// A right proof on the same block comes too late: no guessing rounds.
	right := c.claim(t, params, testPassword, time.Now())
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, right), codeNotAuthorized, errBadCredentials.Message)
}

func TestSRPStaleExchangeRefused(t *testing.T) {
	now := time.Now()
	p := newPool(t, Config{Now: func() time.Time { return now }})
	c := newSRPTestClient(t, p.PoolID())
	params := srpInitiate(t, p, DefaultClientID, "alice", c, nil)["ChallengeParameters"].(map[string]any)
	now = now.Add(sessionLifetime)
	claim := c.claim(t, params, testPassword, now)
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), codeNotAuthorized, errBadCredentials.Message)
}

func TestSRPTimestampFarFromClockRefused(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	params := srpInitiate(t, p, DefaultClientID, "alice", c, nil)["ChallengeParameters"].(map[string]any)
	claim := c.claim(t, params, testPassword, time.Now().Add(-srpClockSkew-time.Minute))
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), codeNotAuthorized, errBadCredentials.Message)
}

func TestSRPTimestampForms(t *testing.T) {
	now := time.Date(2025, time.August, 5, 9, 3, 7, 0, time.UTC)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	for _, tc := range []struct {
		name, ts, code string
	}{
		{"iso", "2025-08-05T09:03:07Z", codeInvalidParameter},
		{"no zone", "Tue Aug 5 09:03:07 2025", codeInvalidParameter},
		{"french", "Mar Aoû 5 09:03:07 UTC 2025", codeInvalidParameter},
		{"hour 24", "Tue Aug 5 24:03:07 UTC 2025", codeInvalidParameter},
		// Parsed, but the signature covers Cognito's own form of the time.
		{"padded day", "Tue Aug 05 09:03:07 UTC 2025", codeNotAuthorized},
		{"wrong weekday", "Wed Aug 5 09:03:07 UTC 2025", codeNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSRPTestClient(t, p.PoolID())
			params := srpInitiate(t, p, DefaultClientID, "alice", c, nil)["ChallengeParameters"].(map[string]any)
			require.Equal(t, "Tue Aug 5 09:03:07 UTC 2025", c.claim(t, params, testPassword, now)["TIMESTAMP"])
			// Sign over the odd form, as a client that writes it would.
			claim := c.claimAt(t, params, testPassword, tc.ts)
			msg := ""
			if tc.code == codeInvalidParameter {
				msg = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
			}
			requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), tc.code, msg)
		})
	}
}

func TestSRPRefusesForbiddenA(t *testing.T) {
	p := newPool(t, Config{})
	n := strings.ToLower(testN)
	for name, a := range map[string]string{
		"N":          n,
		"2N":         twiceN(),
		"zero":       "0",
		"not hex":    "xyz",
		"huge":       strings.Repeat("1", 2000),
		"empty-ish":  " ",
		"leading 0s": "0000" + n,
	} {
		t.Run(name, func(t *testing.T) {
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": a}}, codeInvalidParameter, "")
		})
	}
}

func twiceN() string {
	n, _ := new(big.Int).SetString(testN, 16)
	return n.Lsh(n, 1).Text(16)
}

func TestSRPAcceptsUppercaseAndLeadingZeroA(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": "00" + strings.ToUpper(c.srpA())}})
	require.Equal(t, http.StatusOK, status, out)
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	status, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim))
	require.Equal(t, http.StatusOK, status, res)
}

func TestSRPFlowNotAllowed(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{ClientName: "pw", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": c.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": "02"}}, codeInvalidParameter, "USER_SRP_AUTH is not enabled for the client.")
}

func TestSRPUnknownUserGetsAStableDecoy(t *testing.T) {
	p := newPool(t, Config{})
	c := newSRPTestClient(t, p.PoolID())
	first := srpInitiate(t, p, DefaultClientID, "nobody", c, nil)["ChallengeParameters"].(map[string]any)
	second := srpInitiate(t, p, DefaultClientID, "NOBODY", c, nil)["ChallengeParameters"].(map[string]any)
	require.Equal(t, first["SALT"], second["SALT"])
	require.Equal(t, first["USER_ID_FOR_SRP"], second["USER_ID_FOR_SRP"])
	// Named as a user of this pool (usernames, case ignored) would be:
	// alice's challenge names "alice" (TestUserAuthHidesWhichNamesAreUsers;
	// pools with email sign-in, TestUserAuthHiddenNamesInEmailPools).
	require.Equal(t, "nobody", first["USER_ID_FOR_SRP"])
	require.Equal(t, first["USER_ID_FOR_SRP"], first["USERNAME"])
	claim := c.claim(t, second, testPassword, time.Now())
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, claim), codeNotAuthorized, errBadCredentials.Message)
}

func TestSRPWithClientSecret(t *testing.T) {
	p := newPool(t, Config{})
	app, err := p.CreateAppClient(AppClient{ClientName: "web", GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}})
	require.NoError(t, err)
	c := newSRPTestClient(t, p.PoolID())
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": c.srpA()}}, codeNotAuthorized, errSecretMissing.Message)
	out := srpInitiate(t, p, app.ClientID, "alice", c, map[string]string{"SECRET_HASH": secretHash(app.ClientSecret, "alice", app.ClientID)})
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	// The answer needs its SECRET_HASH too.
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(app.ClientID, claim), codeNotAuthorized, errSecretMissing.Message)

	out = srpInitiate(t, p, app.ClientID, "alice", c, map[string]string{"SECRET_HASH": secretHash(app.ClientSecret, "alice", app.ClientID)})
	claim = c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	claim["SECRET_HASH"] = secretHash(app.ClientSecret, "alice", app.ClientID)
	status, res := call(t, p, "RespondToAuthChallenge", verifierAnswer(app.ClientID, claim))
	require.Equal(t, http.StatusOK, status, res)
}

func TestSRPExchangeBelongsToItsClient(t *testing.T) {
	p := newPool(t, Config{})
	other, err := p.CreateAppClient(AppClient{ClientName: "other", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}})
	require.NoError(t, err)
	c := newSRPTestClient(t, p.PoolID())
	out := srpInitiate(t, p, DefaultClientID, "alice", c, nil)
	claim := c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, time.Now())
	requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(other.ClientID, claim), codeNotAuthorized, errBadCredentials.Message)
}

func TestSRPMissingAnswerParameters(t *testing.T) {
	p := newPool(t, Config{})
	for _, name := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		r := map[string]string{"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": "x", "PASSWORD_CLAIM_SIGNATURE": "x", "TIMESTAMP": "x"}
		delete(r, name)
		requireAPIError(t, p, "RespondToAuthChallenge", verifierAnswer(DefaultClientID, r), codeInvalidParameter, "Missing required parameter "+name)
	}
}

func TestSRPTemporaryPasswordAsksForANewOne(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.SetUserPassword("alice", "Temp-pass1", false))
	status, out := srpSignIn(t, p, "alice", "Temp-pass1")
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
	status, res := call(t, p, "RespondToAuthChallenge", respond(out["Session"], map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Perm-pass2"}))
	require.Equal(t, http.StatusOK, status, res)
	// The new password works by SRP at once.
	status, out = srpSignIn(t, p, "alice", "Perm-pass2")
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

func TestSRPUnconfirmedAndDisabledUsers(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword})
	require.Equal(t, http.StatusOK, status)
	status, out := srpSignIn(t, p, "bob", testPassword)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, codeUserNotConfirmed, out["__type"])
	require.NoError(t, p.DisableUser("alice"))
	_, out = srpSignIn(t, p, "alice", testPassword)
	require.Equal(t, errUserDisabled.Message, out["message"])
}

// A state saved before the pool kept SRP verifiers (testdata/state-v1.json,
// written by the previous release): alice has a password hash and no
// verifier.
func TestSRPForUsersFromOlderState(t *testing.T) {
	doc, err := os.ReadFile("testdata/state-v1.json")
	require.NoError(t, err)
	require.NotContains(t, string(doc), `"srp"`)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	q, err := New(Config{Key: testKey(t), Now: clock})
	require.NoError(t, err)
	require.NoError(t, q.LoadState(bytes.NewReader(doc)))
	// That release's default client had no SRP: add one that has.
	app, err := q.CreateAppClient(AppClient{ClientID: "srpclient", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}})
	require.NoError(t, err)

	c := newSRPTestClient(t, q.PoolID())
	requireAPIError(t, q, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": c.srpA()}}, codeNotAuthorized, errSRPUnavailable.Message)
	// A wrong password derives nothing.
	_, err = q.SignIn(context.Background(), DefaultClientID, "alice", "Wrong-pass1")
	require.Error(t, err)
	requireAPIError(t, q, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": app.ClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": c.srpA()}}, codeNotAuthorized, errSRPUnavailable.Message)
	// One password sign-in, and SRP works from then on, across a save.
	_, err = q.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, q.SaveState(&buf))
	r, err := New(Config{Key: testKey(t), Now: clock})
	require.NoError(t, err)
	require.NoError(t, r.LoadState(&buf))
	out := srpInitiate(t, r, app.ClientID, "alice", c, nil)
	status, res := call(t, r, "RespondToAuthChallenge", verifierAnswer(app.ClientID, c.claim(t, out["ChallengeParameters"].(map[string]any), testPassword, now)))
	require.Equal(t, http.StatusOK, status, res)
}
