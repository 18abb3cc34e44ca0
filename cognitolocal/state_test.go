package cognitolocal

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateSurvivesRestart(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.AddCustomAttribute("plan", false))
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	kept, revoked := signIn(t, p), signIn(t, p)
	status, _ := call(t, p, "RevokeToken", map[string]any{"Token": revoked.RefreshToken, "ClientId": DefaultClientID})
	require.Equal(t, http.StatusOK, status)
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	for _, secret := range []string{testPassword, kept.RefreshToken, revoked.RefreshToken} {
		require.NotContains(t, buf.String(), secret)
	}

	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(&buf))
	tok, err := q.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, []any{"admin"}, payload(t, tok.AccessToken)["cognito:groups"])
	refresh := func(token string) int {
		return callRaw(t, q, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"REFRESH_TOKEN": token}}).Code
	}
	require.Equal(t, http.StatusOK, refresh(kept.RefreshToken))
	require.Equal(t, http.StatusBadRequest, refresh(revoked.RefreshToken))
	status, _ = call(t, q, "GetUser", map[string]any{"AccessToken": kept.AccessToken})
	require.Equal(t, http.StatusOK, status, "tokens signed before the restart are honoured with the same key")
	got, ok := q.AppClient(c.ClientID)
	require.True(t, ok)
	require.Equal(t, c.ClientSecret, got.ClientSecret)
	require.Equal(t, errImmutableAttr, q.SetUserAttributes("alice", map[string]string{"custom:plan": "x"}))
}

// newPoolEmpty is a pool of the same ID and key with no users.
func newPoolEmpty(t *testing.T) *Pool {
	p, err := New(Config{Key: testKey(t)})
	require.NoError(t, err)
	return p
}

func TestSaveStateDropsExpiredFamilies(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	old := signIn(t, p)
	now = now.Add(defaultRefreshValidity)
	fresh := signIn(t, p)
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	require.NotContains(t, buf.String(), payload(t, old.AccessToken)["origin_jti"])
	require.Contains(t, buf.String(), payload(t, fresh.AccessToken)["origin_jti"])
	require.Equal(t, 1, strings.Count(buf.String(), `"originJti"`))
}

func TestLoadStateRefusesBadDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":     "{",
		"version":      `{"version":3,"poolId":"local_Dev"}`,
		"no version":   `{"poolId":"local_Dev"}`,
		"v2 no pool":   `{"version":2,"pools":[]}`,
		"v2 other":     `{"version":2,"pools":[{"poolId":"us-east-1_X"}]}`,
		"v2 bad key":   `{"version":2,"pools":[{"poolId":"local_Dev","signingKeys":[{"kid":"k","pkcs8":"AAAA"}]}]}`,
		"v2 settings":  `{"version":2,"pools":[{"poolId":"local_Dev","settings":{"name":"x"}}]}`,
		"v2 user":      `{"version":2,"pools":[{"poolId":"local_Dev","users":[{"username":"x","attributes":{}}]}]}`,
		"v2 twice":     `{"version":2,"pools":[{"poolId":"local_Dev","users":[{"username":"x","attributes":{"sub":"1"}},{"username":"X","attributes":{"sub":"2"}}]}]}`,
		"other pool":   `{"version":1,"poolId":"us-east-1_X"}`,
		"user no sub":  `{"version":1,"poolId":"local_Dev","users":[{"username":"x","attributes":{}}]}`,
		"null user":    `{"version":1,"poolId":"local_Dev","users":[null]}`,
		"client no id": `{"version":1,"poolId":"local_Dev","clients":[{}]}`,
		"family":       `{"version":1,"poolId":"local_Dev","refreshTokenFamilies":[{}]}`,
		"null family":  `{"version":1,"poolId":"local_Dev","refreshTokenFamilies":[null]}`,
		"group":        `{"version":1,"poolId":"local_Dev","groups":[{"description":"x"}]}`,
		"null group":   `{"version":1,"poolId":"local_Dev","groups":[null]}`,
		"attribute":    `{"version":1,"poolId":"local_Dev","customAttributes":[{"dataType":"String"}]}`,
		"null attr":    `{"version":1,"poolId":"local_Dev","customAttributes":[null]}`,
	} {
		p := newPool(t, Config{})
		require.Error(t, p.LoadState(strings.NewReader(doc)), name)
		signIn(t, p) // unchanged
	}
}

// Sign-ins, updates, user operations and saves at once: the race
// detector watches the pool's locking.
func TestConcurrentUse(t *testing.T) {
	p := newPool(t, Config{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
			if !assert.NoError(t, err) {
				return
			}
			assert.NoError(t, p.SetUserAttributes("alice", map[string]string{"name": strconv.Itoa(i)}))
			_, err = p.getUser(context.Background(), &accessTokenInput{AccessToken: tok.AccessToken})
			assert.NoError(t, err)
			assert.NoError(t, p.SaveState(io.Discard))
		}()
	}
	wg.Wait()
}

func TestOnChangeAfterStateChanges(t *testing.T) {
	var changes int
	var saved bytes.Buffer
	var p *Pool
	p = newPool(t, Config{OnChange: func() {
		changes++
		saved.Reset()
		require.NoError(t, p.SaveState(&saved))
	}})
	tok := signIn(t, p) // Go administration: no call
	require.Zero(t, changes)
	call(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken})
	require.Zero(t, changes, "reads change nothing")
	requireAPIError(t, p, "AdminGetUser", pool(map[string]any{"Username": "nobody"}), codeUserNotFound, "")
	requireAPIError(t, p, "AdminDisableUser", pool(map[string]any{"Username": "nobody"}), codeUserNotFound, "")
	require.Zero(t, changes, "failures change nothing")
	call(t, p, "AdminUpdateUserAttributes", pool(map[string]any{"Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}}))
	require.Equal(t, 1, changes)
	require.Contains(t, saved.String(), `"name": "Alice"`)
	call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	require.Equal(t, 2, changes, "a sign-in starts a refresh-token family")
	require.Equal(t, http.StatusOK, revokeForm(p, url.Values{"token": {tok.RefreshToken}, "client_id": {DefaultClientID}}).Code)
	require.Equal(t, 3, changes)
}

func TestStateKeepsMFAAndSignInSettings(t *testing.T) {
	p, clock := newMFAPool(t, MFAConfig{Mode: MFAOptional, SoftwareToken: true})
	secret := setUpTOTP(t, p, clock)
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	q, err := New(Config{Key: testKey(t), Now: clock.Now})
	require.NoError(t, err)
	require.NoError(t, q.LoadState(&buf))
	require.Equal(t, p.MFAConfig(), q.MFAConfig())
	_, out := passwordSignIn(t, q, "alice", testPassword)
	require.Equal(t, factorTOTP, out["ChallengeName"])
	status, res := call(t, q, "RespondToAuthChallenge", answer(factorTOTP, out["Session"], map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": clock.code(t, secret)}))
	require.Equal(t, http.StatusOK, status, res)
}

// A state file written before pools could be created (format 1, saved by
// the previous release into testdata/state-v1.json) loads unchanged:
// users sign in with their passwords, groups, custom attributes and
// clients are back, and the refresh token it holds still refreshes.
func TestStateFormat1Loads(t *testing.T) {
	doc, err := os.ReadFile("testdata/state-v1.json")
	require.NoError(t, err)
	refreshToken, err := os.ReadFile("testdata/state-v1.refresh-token")
	require.NoError(t, err)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // the day after it was saved
	for name, load := range map[string]func(*Pool) error{
		"pool":    func(p *Pool) error { return p.LoadState(bytes.NewReader(doc)) },
		"service": func(p *Pool) error { return p.Service().LoadState(bytes.NewReader(doc)) },
	} {
		p, err := New(Config{Key: testKey(t), Now: func() time.Time { return now }})
		require.NoError(t, err)
		require.NoError(t, load(p), name)
		tok, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
		require.NoError(t, err, name)
		require.Equal(t, []any{"admin"}, payload(t, tok.AccessToken)["cognito:groups"])
		require.Equal(t, "acme", payload(t, tok.IDToken)["custom:tenant"])
		_, err = p.SignIn(context.Background(), DefaultClientID, "bob", testPassword)
		require.NoError(t, err, "usernames stay case insensitive")
		require.Equal(t, errImmutableAttr, p.SetUserAttributes("alice", map[string]string{"custom:tenant": "x"}))
		c, ok := p.AppClient("confidential0000000000000a")
		require.True(t, ok)
		require.Equal(t, "s3cret-s3cret-s3cret-s3cret", c.ClientSecret)
		status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"REFRESH_TOKEN": strings.TrimSpace(string(refreshToken))}})
		require.Equal(t, http.StatusOK, status, out)
		require.Len(t, p.Service().Pools(), 1)
	}
}

// Every pool of a service is saved with its settings and keys: a pool
// created over the API comes back after a restart with its ID, settings,
// users and signing key, so the tokens it issued still verify.
func TestServiceStateKeepsEveryPool(t *testing.T) {
	a := newPool(t, Config{})
	b, client := apiPool(t, a, map[string]any{"UsernameAttributes": []string{"email"},
		"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 10}}})
	_, err := b.CreateUser("olga@example.com", "longenough", nil)
	require.NoError(t, err)
	status, out := call(t, a, "InitiateAuth", passwordAuth(client, "olga@example.com", "longenough"))
	require.Equal(t, http.StatusOK, status, out)
	access := out["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	var buf bytes.Buffer
	require.NoError(t, a.Service().SaveState(&buf))
	require.Contains(t, buf.String(), `"version": 2`)

	restarted, err := New(Config{Key: testKey(t)})
	require.NoError(t, err)
	require.NoError(t, restarted.Service().LoadState(&buf))
	b2, ok := restarted.Service().Pool(b.PoolID())
	require.True(t, ok)
	require.Equal(t, b.SigningKeys()[0].KeyID, b2.SigningKeys()[0].KeyID)
	status, out = call(t, restarted, "GetUser", map[string]any{"AccessToken": access})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, 10, b2.conf().PasswordPolicy.MinimumLength)
	require.Equal(t, []string{"email"}, b2.conf().UsernameAttributes)
	_, err = b2.CreateUser("pat@example.com", "short", nil)
	require.Equal(t, codeInvalidPassword, err.(*Error).Code)
	_, ok = restarted.Service().Pool(DefaultPoolID)
	require.True(t, ok)
	// A refused document leaves the service as it was.
	require.Error(t, restarted.Service().LoadState(strings.NewReader(`{"version":2,"pools":[{"poolId":"eu-west-1_New000000"}]}`)))
	require.Len(t, restarted.Service().Pools(), 2)
}

// An old state file's clients were written before PreventUserExistenceErrors
// was kept, when every client answered unknown users as wrong passwords:
// they keep answering so.
func TestStateFormat1ClientsKeepHidingUsers(t *testing.T) {
	doc, err := os.ReadFile("testdata/state-v1.json")
	require.NoError(t, err)
	p, err := New(Config{Key: testKey(t)})
	require.NoError(t, err)
	require.NoError(t, p.LoadState(bytes.NewReader(doc)))
	c, ok := p.AppClient("confidential0000000000000a")
	require.True(t, ok)
	assert.Equal(t, existenceEnabled, c.PreventUserExistenceErrors)
	assert.False(t, c.TokenRevocationDisabled)
}

// Resource servers, client settings, pending codes and the outbox are
// saved with the pool.
func TestStateKeepsResourceServersClientSettingsAndOutbox(t *testing.T) {
	p, now := clockPool(t)
	c, err := p.CreateAppClient(AppClient{ClientName: "m2m", GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"},
		AllowedOAuthScopes: []string{"orders/read"}, TokenRevocationDisabled: true, PreventUserExistenceErrors: existenceEnabled})
	require.NoError(t, err)
	code := forgot(t, p, "alice")
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))

	q := newPool(t, Config{Now: func() time.Time { return *now }})
	require.NoError(t, q.DeleteResourceServer("orders"))
	require.NoError(t, q.LoadState(&buf))
	rs, ok := q.ResourceServer("orders")
	require.True(t, ok)
	assert.Len(t, rs.Scopes, 2)
	got, ok := q.AppClient(c.ClientID)
	require.True(t, ok)
	assert.True(t, got.TokenRevocationDisabled)
	assert.Equal(t, existenceEnabled, got.PreventUserExistenceErrors)
	last, ok := q.LastCode("alice", MessageForgotPassword)
	require.True(t, ok)
	assert.Equal(t, code, last)
	status, out := call(t, q, "ConfirmForgotPassword", confirmForgot(code, "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
}
