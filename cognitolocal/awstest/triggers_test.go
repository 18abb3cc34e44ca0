package awstest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// recorder is a pre-token-generation trigger that keeps the events it
// was sent and answers with respond.
type recorder struct {
	mu      sync.Mutex
	events  []events.CognitoEventUserPoolsPreTokenGenV2_0
	respond func(*events.CognitoEventUserPoolsPreTokenGenV2_0) error
}

func (r *recorder) trigger(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	if r.respond != nil {
		if err := r.respond(&ev); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

func (r *recorder) sources() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		out = append(out, ev.TriggerSource)
	}
	return out
}

func (r *recorder) last() events.CognitoEventUserPoolsPreTokenGenV2_0 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[len(r.events)-1]
}

func TestTriggerEventAsCognitoBuildsIt(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, cognitolocal.Config{PreTokenGeneration: rec.trigger})
	f.addCustom(t, true, "department")
	sub := f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "custom:department": "sales"})
	require.NoError(t, f.pool.CreateGroup("staff"))
	require.NoError(t, f.pool.AddUserToGroup("alice", "staff"))

	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password},
		ClientMetadata: map[string]string{"origin": "mobile"},
	})
	require.NoError(t, err)
	ev := rec.last()
	assert.Equal(t, "TokenGeneration_Authentication", ev.TriggerSource)
	assert.Equal(t, f.pool.PoolID(), ev.UserPoolID)
	assert.Equal(t, "alice", ev.UserName)
	assert.Equal(t, localClient, ev.CallerContext.ClientID)
	assert.Equal(t, sub, ev.Request.UserAttributes["sub"])
	assert.Equal(t, "sales", ev.Request.UserAttributes["custom:department"])
	assert.Equal(t, []string{"staff"}, ev.Request.GroupConfiguration.GroupsToOverride)
	assert.Contains(t, ev.Request.Scopes, "aws.cognito.signin.user.admin")
	assert.Equal(t, "mobile", ev.Request.ClientMetadata["origin"])

	_, err = f.refresh(t, localClient, aws.ToString(out.AuthenticationResult.RefreshToken))
	require.NoError(t, err)
	assert.Equal(t, "TokenGeneration_RefreshTokens", rec.last().TriggerSource)

	f.codeFlow(t, f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid"), "alice", password)
	assert.Equal(t, "TokenGeneration_HostedAuth", rec.last().TriggerSource)
}

func TestTriggerChangesTokensByCognitosRules(t *testing.T) {
	rec := &recorder{respond: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) error {
		d := &ev.Response.ClaimsAndScopeOverrideDetails
		d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{
			"department": ev.Request.UserAttributes["custom:department"],
			"level":      3,
			"roles":      []any{"a", "b"},
		}
		d.AccessTokenGeneration.ScopesToAdd = []string{"orders/read"}
		d.AccessTokenGeneration.ScopesToSuppress = []string{"aws.cognito.signin.user.admin"}
		d.IDTokenGeneration.ClaimsToSuppress = []string{"email"}
		d.GroupOverrideDetails.GroupsToOverride = []string{"vip"}
		return nil
	}}
	f := newFixture(t, cognitolocal.Config{PreTokenGeneration: rec.trigger})
	f.addCustom(t, true, "department")
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "custom:department": "sales"})
	res := f.signIn(t, localClient, "alice", password)

	access := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(res.AccessToken))
	ac := claimsOf(t, access)
	assert.Equal(t, "sales", ac["department"])
	assert.EqualValues(t, 3, ac["level"], "claims keep their JSON type")
	assert.Equal(t, []any{"a", "b"}, ac["roles"])
	assert.Contains(t, access.Scopes.Slice(), "orders/read")
	assert.NotContains(t, access.Scopes.Slice(), "aws.cognito.signin.user.admin")
	assert.Equal(t, []string{"vip"}, access.Groups.Slice())

	ic := claimsOf(t, f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(res.IdToken)))
	assert.NotContains(t, ic, "email")
	assert.NotContains(t, ic, "department", "access-token claims stay out of the ID token")
	assert.Equal(t, []any{"vip"}, ic["cognito:groups"])
}

func TestTriggerCannotChangeProtectedClaims(t *testing.T) {
	rec := &recorder{respond: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) error {
		d := &ev.Response.ClaimsAndScopeOverrideDetails
		d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"sub": "someone-else", "iss": "https://evil.example", "token_use": "id"}
		d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"aud": "other-client", "cognito:username": "root"}
		return nil
	}}
	f := newFixture(t, cognitolocal.Config{PreTokenGeneration: rec.trigger})
	sub := f.user(t, "alice", password, nil)
	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password},
	})
	if err != nil {
		// Refused outright: as an invalid trigger response.
		requireAPIError[*types.InvalidLambdaResponseException](t, err)
		return
	}
	access := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(out.AuthenticationResult.AccessToken))
	assert.Equal(t, sub, access.Subject)
	assert.Equal(t, f.pool.Issuer(), access.Issuer)
	id := claimsOf(t, f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(out.AuthenticationResult.IdToken)))
	assert.Equal(t, localClient, id["aud"])
	assert.Equal(t, "alice", id["cognito:username"])
}

func TestTriggerErrorFailsSignIn(t *testing.T) {
	rec := &recorder{respond: func(*events.CognitoEventUserPoolsPreTokenGenV2_0) error {
		return errors.New("directory unavailable")
	}}
	f := newFixture(t, cognitolocal.Config{PreTokenGeneration: rec.trigger})
	f.user(t, "alice", password, nil)
	_, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password},
	})
	e := requireAPIError[*types.UserLambdaValidationException](t, err)
	assert.Contains(t, e.ErrorMessage(), "PreTokenGeneration failed")
}

func TestTriggerV3RunsForClientCredentials(t *testing.T) {
	for _, tc := range []struct {
		version string
		runs    bool
	}{{"V2_0", false}, {"V3_0", true}} {
		t.Run(tc.version, func(t *testing.T) {
			rec := &recorder{respond: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) error {
				ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tenant": "acme"}
				return nil
			}}
			f := newFixture(t, cognitolocal.Config{PreTokenGeneration: rec.trigger, TriggerVersion: tc.version})
			c := f.confidential(t, "client_credentials")
			cc := &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: f.pool.Endpoint() + "/oauth2/token",
				Scopes: []string{"orders/read"}, AuthStyle: oauth2.AuthStyleInHeader}
			tok, err := cc.Token(f.oauthCtx(t))
			require.NoError(t, err)
			ac := claimsOf(t, f.verify(t, c.ClientID, cognitojwt.AccessToken, tok.AccessToken))
			if !tc.runs {
				assert.Empty(t, rec.sources(), "V2_0 does not run for machine tokens")
				assert.NotContains(t, ac, "tenant")
				return
			}
			assert.True(t, slices.Contains(rec.sources(), "TokenGeneration_ClientCredentials"), "sources %v", rec.sources())
			assert.Equal(t, "acme", ac["tenant"])
		})
	}
}
