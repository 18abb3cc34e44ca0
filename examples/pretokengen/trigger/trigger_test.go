package trigger_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/examples/pretokengen/trigger"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The event as Cognito sends it to Lambda, trimmed to what matters.
const signInEvent = `{
  "version": "2",
  "triggerSource": "TokenGeneration_Authentication",
  "region": "eu-west-1",
  "userPoolId": "eu-west-1_Example",
  "userName": "ada",
  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
  "request": {
    "userAttributes": {"sub": "a1b2c3", "email": "ada@example.com", "birthdate": "1990-12-10", "custom:department": "engineering"},
    "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
    "scopes": ["aws.cognito.signin.user.admin"]
  },
  "response": {"claimsAndScopeOverrideDetails": null}
}`

func TestAddProfileClaimsAnswersWhatCognitoReads(t *testing.T) {
	var ev events.CognitoEventUserPoolsPreTokenGenV2_0
	require.NoError(t, json.Unmarshal([]byte(signInEvent), &ev))
	out, err := trigger.AddProfileClaims(context.Background(), ev)
	require.NoError(t, err)

	raw, err := json.Marshal(out)
	require.NoError(t, err)
	var answer struct {
		Response struct {
			ClaimsAndScopeOverrideDetails struct {
				AccessTokenGeneration struct {
					ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
				} `json:"accessTokenGeneration"`
				IDTokenGeneration struct {
					ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
				} `json:"idTokenGeneration"`
			} `json:"claimsAndScopeOverrideDetails"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(raw, &answer))
	d := answer.Response.ClaimsAndScopeOverrideDetails
	assert.Equal(t, map[string]any{"birthdate": "1990-12-10", "department": "engineering"}, d.AccessTokenGeneration.ClaimsToAddOrOverride)
	assert.Empty(t, d.IDTokenGeneration.ClaimsToAddOrOverride, "the ID token has the attributes already")
}

func TestAddProfileClaimsAddsNothingForAbsentAttributes(t *testing.T) {
	var ev events.CognitoEventUserPoolsPreTokenGenV2_0
	ev.Request.UserAttributes = map[string]string{"sub": "a1b2c3", "birthdate": ""}
	out, err := trigger.AddProfileClaims(context.Background(), ev)
	require.NoError(t, err)
	assert.Nil(t, out.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride)
}

// localPool serves a local user pool whose pre-token-generation trigger is
// the handler, and counts the UserInfo calls it answers.
func localPool(t *testing.T) (*cognitolocal.Pool, *atomic.Int64) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	pool, err := cognitolocal.New(cognitolocal.Config{
		BaseURL:            "http://" + srv.Listener.Addr().String(),
		PreTokenGeneration: trigger.AddProfileClaims,
	})
	require.NoError(t, err)
	var userInfo atomic.Int64
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.URL.Path, "/oauth2/userInfo") {
			userInfo.Add(1)
		}
		pool.ServeHTTP(w, r)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	require.NoError(t, pool.AddCustomAttribute("department", true))
	return pool, &userInfo
}

// adultsOnly is the API: a route for adults, decided from the access
// token's birthdate claim alone.
func adultsOnly(t *testing.T, pool *cognitolocal.Pool) *httptest.Server {
	t.Helper()
	v, err := pool.Verifier(cognitolocal.DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("GET /drinks", authz.Authorize(authz.AgeAtLeast(18))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		department, _ := c.Get("department")
		_ = json.NewEncoder(w).Encode(map[string]any{"served": c.Username, "department": department})
	})))
	api := httptest.NewServer(cognitojwt.Middleware(v)(mux))
	t.Cleanup(api.Close)
	return api
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// birthdate returns the birthdate of someone who is years old today.
func birthdate(years int) string {
	return time.Now().AddDate(-years, 0, -1).Format(time.DateOnly)
}

func TestAgeGateDecidesFromTheAccessTokenAlone(t *testing.T) {
	pool, userInfo := localPool(t)
	api := adultsOnly(t, pool)
	const password = "Correct-Horse-9"
	_, err := pool.CreateUser("ada", password, map[string]string{"birthdate": birthdate(30), "custom:department": "engineering"})
	require.NoError(t, err)
	_, err = pool.CreateUser("kim", password, map[string]string{"birthdate": birthdate(17)})
	require.NoError(t, err)
	_, err = pool.CreateUser("lee", password, nil)
	require.NoError(t, err)

	signIn := func(username string) string {
		tokens, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, username, password)
		require.NoError(t, err)
		return tokens.AccessToken
	}

	status, body := get(t, api.URL+"/drinks", signIn("ada"))
	assert.Equal(t, http.StatusOK, status, "an adult is served")
	assert.Equal(t, map[string]any{"served": "ada", "department": "engineering"}, body)

	status, _ = get(t, api.URL+"/drinks", signIn("kim"))
	assert.Equal(t, http.StatusForbidden, status, "a minor is refused")

	status, _ = get(t, api.URL+"/drinks", signIn("lee"))
	assert.Equal(t, http.StatusForbidden, status, "no birthdate, no drinks")

	assert.Zero(t, userInfo.Load(), "the API decided without calling UserInfo")
}

func TestWithoutTheTriggerAccessTokensCarryNoBirthdate(t *testing.T) {
	srv, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	api := adultsOnly(t, srv.Pool)
	_, err = srv.CreateUser("ada", "Correct-Horse-9", map[string]string{"birthdate": birthdate(30)})
	require.NoError(t, err)
	tokens, err := srv.SignIn(context.Background(), cognitolocal.DefaultClientID, "ada", "Correct-Horse-9")
	require.NoError(t, err)
	status, _ := get(t, api.URL+"/drinks", tokens.AccessToken)
	assert.Equal(t, http.StatusForbidden, status, "as with a real pool: the attribute is in the ID token only")
}
