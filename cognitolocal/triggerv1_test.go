package cognitolocal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// The V1_0 trigger customises the ID token only. Developer guide, "Pre
// token generation Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html):
// "With the Basic features of the version one or V1_0 pre token
// generation trigger event, you can customize the identity (ID) token";
// "Amazon Cognito sends a V1_0 event as a request to your function with
// data that it would write to the ID token. A V2_0 or V3_0 event is a
// single request with the data that Amazon Cognito would write to both
// the identity and access tokens." The guide does not say whether a
// V1_0 group override reaches the access token's cognito:groups; the
// pool keeps it to the ID token, as the rest of the V1_0 response.

// everything answers with changes to both tokens, the scopes and the
// groups: a V1_0 trigger must see only its ID-token part applied.
func everything(ev *event) error {
	d := &ev.Response.ClaimsAndScopeOverrideDetails
	d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tier": "gold"}
	d.IDTokenGeneration.ClaimsToSuppress = []string{"email"}
	d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tier": "gold"}
	d.AccessTokenGeneration.ScopesToAdd = []string{"orders/read"}
	d.GroupOverrideDetails.GroupsToOverride = []string{"viewers"}
	return nil
}

func TestTriggerV1ChangesTheIDTokenOnly(t *testing.T) {
	rc := &recorder{respond: everything}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger, TriggerVersion: "V1_0"})
	tok := signIn(t, p)
	ev := rc.last(t)
	require.Equal(t, "1", ev.Version)
	require.Nil(t, ev.Request.Scopes, "the V1_0 event carries no scopes")
	require.Equal(t, "alice@example.com", ev.Request.UserAttributes["email"])
	require.Equal(t, []string{"admin"}, ev.Request.GroupConfiguration.GroupsToOverride)

	id, access := payload(t, tok.IDToken), payload(t, tok.AccessToken)
	require.Equal(t, "gold", id["tier"])
	require.NotContains(t, id, "email")
	require.Equal(t, []any{"viewers"}, id["cognito:groups"])
	require.NotContains(t, access, "tier")
	require.Equal(t, scopeAdmin, access["scope"])
	require.Equal(t, []any{"admin"}, access["cognito:groups"])
}

// The same trigger as V2_0 changes both tokens: the difference is the
// version's, not the trigger's.
func TestTriggerV2ChangesBothTokens(t *testing.T) {
	p := newPool(t, Config{PreTokenGeneration: (&recorder{respond: everything}).trigger})
	tok := signIn(t, p)
	access := payload(t, tok.AccessToken)
	require.Equal(t, "gold", access["tier"])
	require.Equal(t, scopeAdmin+" orders/read", access["scope"])
	require.Equal(t, []any{"viewers"}, access["cognito:groups"])
}

// As V2_0, V1_0 runs for user sign-ins, not client credentials (only
// V3_0 does).
func TestTriggerV1SkipsClientCredentials(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger, TriggerVersion: "V1_0"})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	status, _ := postToken(p, url.Values{"grant_type": {"client_credentials"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, rc.events)
}

// The V1_0 response's claimsToAddOrOverride holds strings (the guide
// lists the "ability to pass complex data types" among what V2_0 adds);
// the unmodifiable claims and the change limit hold as for V2_0. Each
// refusal fails the sign-in with InvalidLambdaResponseException.
func TestTriggerV1Refusals(t *testing.T) {
	for name, respond := range map[string]func(*event) error{
		"not a string": func(ev *event) error {
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"level": 3}
			return nil
		},
		"unmodifiable": func(ev *event) error {
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"aud": "x"}
			return nil
		},
		"unmodifiable suppressed": func(ev *event) error {
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToSuppress = []string{"sub"}
			return nil
		},
		"too many": func(ev *event) error {
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToSuppress = make([]string, maxClaimChanges+1)
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := newPool(t, Config{PreTokenGeneration: (&recorder{respond: respond}).trigger, TriggerVersion: "V1_0"})
			requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
				"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeInvalidLambdaResp, "")
		})
	}
}

// A pool whose LambdaConfig names its function with LambdaVersion V1_0
// (API reference, PreTokenGenerationVersionConfigType) runs the mapped
// trigger as V1_0; over HTTP the event and the answer have the V1_0
// shape: no scopes, and response.claimsOverrideDetails with string
// claims, as a V1_0 function reads and writes them.
func TestPreTokenGenerationLambdaV1OverHTTP(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:v1"
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = nil
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		got["response"] = map[string]any{"claimsOverrideDetails": map[string]any{
			"claimsToAddOrOverride": map[string]any{"tier": "gold"},
			"groupOverrideDetails":  map[string]any{"groupsToOverride": []string{"viewers"}},
		}}
		_ = json.NewEncoder(w).Encode(got)
	}))
	defer srv.Close()
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{
		"PreTokenGenerationConfig": map[string]string{"LambdaArn": arn, "LambdaVersion": "V1_0"},
	}})
	_, err := p.CreateUser("nina", testPassword, nil)
	require.NoError(t, err)
	p.Service().SetLambda(arn, HTTPTrigger(srv.URL))
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "nina", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "1", got["version"])
	require.NotContains(t, got["request"], "scopes")
	require.Contains(t, got["request"], "groupConfiguration")
	res := out["AuthenticationResult"].(map[string]any)
	id, access := payload(t, res["IdToken"].(string)), payload(t, res["AccessToken"].(string))
	require.Equal(t, "gold", id["tier"])
	require.Equal(t, []any{"viewers"}, id["cognito:groups"])
	require.NotContains(t, access, "tier")
}

// LambdaConfig.PreTokenGeneration is "the legacy configuration of a pre
// token generation Lambda trigger" (API reference, LambdaConfigType); the
// reference does not name its version, but the field predates V2_0, and
// the pool reads it as LambdaVersion V1_0 (DescribeUserPool shows that),
// so its trigger gets the V1_0 event.
func TestLegacyPreTokenGenerationIsV1(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:legacy"
	rc := &recorder{respond: everything}
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{"PreTokenGeneration": arn}})
	_, err := p.CreateUser("lee", testPassword, map[string]string{"email": "lee@example.com"})
	require.NoError(t, err)
	p.Service().SetLambda(arn, Trigger(rc.trigger))
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "lee", testPassword))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "1", rc.last(t).Version)
	res := out["AuthenticationResult"].(map[string]any)
	require.Equal(t, "gold", payload(t, res["IdToken"].(string))["tier"])
	require.NotContains(t, payload(t, res["AccessToken"].(string)), "tier")
}

// A V1_0 answer over HTTP with a claim that is not a string is refused
// as the Go trigger's is, not taken for a broken answer.
func TestHTTPTriggerV1NonStringClaimRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"1","response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"level":3}}}}`))
	}))
	defer srv.Close()
	p := newPool(t, Config{PreTokenGeneration: HTTPTrigger(srv.URL), TriggerVersion: "V1_0"})
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeInvalidLambdaResp, "")
}
