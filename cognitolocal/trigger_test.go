package cognitolocal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

type event = events.CognitoEventUserPoolsPreTokenGenV2_0

// recorderOf is a trigger of events E that records its events and
// answers with respond.
type recorderOf[E any] struct {
	mu      sync.Mutex
	events  []E
	respond func(*E) error
}

// recorder records pre-token-generation events.
type recorder = recorderOf[event]

func (rc *recorderOf[E]) trigger(_ context.Context, ev E) (E, error) {
	rc.mu.Lock()
	rc.events = append(rc.events, ev)
	rc.mu.Unlock()
	if rc.respond == nil {
		return ev, nil
	}
	err := rc.respond(&ev)
	return ev, err
}

func (rc *recorderOf[E]) all() []E {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]E{}, rc.events...)
}

func (rc *recorderOf[E]) last(t *testing.T) E {
	t.Helper()
	all := rc.all()
	require.NotEmpty(t, all)
	return all[len(all)-1]
}

// department is the trigger of the seed story: birthdate and the
// department attribute go into the access token.
func department(ev *event) error {
	ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{
		"birthdate":  ev.Request.UserAttributes["birthdate"],
		"department": ev.Request.UserAttributes["custom:department"],
		"level":      3,
	}
	return nil
}

func TestTriggerAddsClaimsToAccessToken(t *testing.T) {
	rc := &recorder{respond: department}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"birthdate": "1990-04-01", "custom:department": "sales"}))
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.NoError(t, err)
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}, "ClientMetadata": map[string]string{"k": "v"}})
	require.Equal(t, http.StatusOK, status)
	access := payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))
	require.Equal(t, "1990-04-01", access["birthdate"])
	require.Equal(t, "sales", access["department"])
	require.EqualValues(t, 3, access["level"])

	ev := rc.last(t)
	require.Equal(t, "2", ev.Version)
	require.Equal(t, sourceAuthentication, ev.TriggerSource)
	require.Equal(t, "local_Dev", ev.UserPoolID)
	require.Equal(t, "local", ev.Region)
	require.Equal(t, "alice", ev.UserName)
	require.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	require.Equal(t, "sales", ev.Request.UserAttributes["custom:department"])
	require.Equal(t, "CONFIRMED", ev.Request.UserAttributes["cognito:user_status"])
	require.NotEmpty(t, ev.Request.UserAttributes["sub"])
	require.Equal(t, []string{"admin"}, ev.Request.GroupConfiguration.GroupsToOverride)
	require.Equal(t, []string{scopeAdmin}, ev.Request.Scopes)
	require.Equal(t, map[string]string{"k": "v"}, ev.Request.ClientMetadata)
}

func TestTriggerSources(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger, TriggerVersion: "V3_0"})
	tok := signIn(t, p)
	require.Equal(t, sourceAuthentication, rc.last(t).TriggerSource)
	require.Equal(t, "3", rc.last(t).Version)
	status, _ := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, sourceRefresh, rc.last(t).TriggerSource)
	status, _ = exchange(p, codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword)), verifier)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, sourceHostedAuth, rc.last(t).TriggerSource)
	require.Equal(t, []string{"openid", "email", scopeAdmin}, rc.last(t).Request.Scopes)

	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	status, _ = postToken(p, url.Values{"grant_type": {"client_credentials"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status)
	ev := rc.last(t)
	require.Equal(t, sourceClientCredentials, ev.TriggerSource)
	require.Empty(t, ev.UserName)
	require.Equal(t, []string{"orders/read"}, ev.Request.Scopes)
}

func TestTriggerV2SkipsClientCredentials(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	status, _ := postToken(p, url.Values{"grant_type": {"client_credentials"}}, c.ClientID, c.ClientSecret)
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, rc.events)
}

func TestTriggerSuppressesClaimsAndScopes(t *testing.T) {
	rc := &recorder{respond: func(ev *event) error {
		d := &ev.Response.ClaimsAndScopeOverrideDetails
		d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tier": "gold", "gone": "x"}
		d.AccessTokenGeneration.ClaimsToSuppress = []string{"gone", "username"}
		d.AccessTokenGeneration.ScopesToAdd = []string{"orders/read", "drop/me"}
		d.AccessTokenGeneration.ScopesToSuppress = []string{"drop/me"}
		d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"custom:tenant_id": "override", "tags": []string{"a", "b"}}
		d.IDTokenGeneration.ClaimsToSuppress = []string{"email"}
		return nil
	}}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	tok := signIn(t, p)
	access, id := payload(t, tok.AccessToken), payload(t, tok.IDToken)
	require.Equal(t, "gold", access["tier"])
	require.NotContains(t, access, "gone", "suppression wins over addition")
	require.NotContains(t, access, "username")
	require.Equal(t, scopeAdmin+" orders/read", access["scope"])
	require.Equal(t, "override", id["custom:tenant_id"])
	require.Equal(t, []any{"a", "b"}, id["tags"])
	require.NotContains(t, id, "email")
}

func TestTriggerGroupOverride(t *testing.T) {
	rc := &recorder{respond: func(ev *event) error {
		ev.Response.ClaimsAndScopeOverrideDetails.GroupOverrideDetails.GroupsToOverride = []string{"viewers"}
		return nil
	}}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	tok := signIn(t, p)
	require.Equal(t, []any{"viewers"}, payload(t, tok.AccessToken)["cognito:groups"])
	require.Equal(t, []any{"viewers"}, payload(t, tok.IDToken)["cognito:groups"])
}

func TestTriggerUnmodifiableClaimRefused(t *testing.T) {
	for _, claim := range unmodifiableClaims {
		for _, suppress := range []bool{false, true} {
			rc := &recorder{respond: func(ev *event) error {
				g := &ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
				if suppress {
					g.ClaimsToSuppress = []string{claim}
				} else {
					g.ClaimsToAddOrOverride = map[string]any{claim: "x"}
				}
				return nil
			}}
			p := newPool(t, Config{PreTokenGeneration: rc.trigger})
			_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
			var e *Error
			require.ErrorAs(t, err, &e, claim)
			require.Equal(t, codeInvalidLambdaResp, e.Code, claim)
		}
	}
}

func TestTriggerErrorFailsSignIn(t *testing.T) {
	rc := &recorder{respond: func(*event) error { return errors.New("department service down") }}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}},
		codeUserLambdaValidate, "PreTokenGeneration failed with error department service down.")
	// No family was started: the failed sign-in left no refresh token.
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Empty(t, p.families)
}

func TestTriggerErrorFailsCodeExchange(t *testing.T) {
	rc := &recorder{respond: func(*event) error { return errors.New("no") }}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	status, out := exchange(p, codeFrom(t, signInForm(t, p, authorizeParams(), "alice", testPassword)), verifier)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_request", out["error"])
}

func TestTriggerPanicFailsSignIn(t *testing.T) {
	rc := &recorder{respond: func(*event) error { panic("boom") }}
	p := newPool(t, Config{PreTokenGeneration: rc.trigger})
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, codeUserLambdaValidate, e.Code)
}

func TestTriggerEventRegionFromPoolID(t *testing.T) {
	rc := &recorder{}
	p := newPool(t, Config{PoolID: "eu-west-1_Abc", PreTokenGeneration: rc.trigger})
	signIn(t, p)
	require.Equal(t, "eu-west-1", rc.last(t).Region)
}

func TestTriggerVersionValidated(t *testing.T) {
	_, err := New(Config{TriggerVersion: "V4_0", Key: testKey(t)})
	require.ErrorContains(t, err, "TriggerVersion")
}
