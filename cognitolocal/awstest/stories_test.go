package awstest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// premiumAPI is a service whose /premium route admits PremiumUsers only,
// trusting the pool's access tokens.
func (f *fixture) premiumAPI(t *testing.T) *httptest.Server {
	t.Helper()
	v, err := f.pool.Verifier(localClient, cognitojwt.AccessToken)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/premium", cognitojwt.RequireAnyGroup("PremiumUsers")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	api := httptest.NewServer(cognitojwt.Middleware(v)(mux))
	t.Cleanup(api.Close)
	return api
}

func (f *fixture) call(t *testing.T, api *httptest.Server, path, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, api.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := f.web.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// Story (a): a subscription upgrade reaches the user's next tokens.
func TestStorySubscriptionUpgradeReachesNextRefresh(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, true, "subscription")
	f.adminCreate(t, "alice", "email", "alice@example.com", "custom:subscription", "Free")
	_, err := f.idp.CreateGroup(ctx(t), &cip.CreateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("PremiumUsers")})
	require.NoError(t, err)
	api := f.premiumAPI(t)

	before := f.signIn(t, localClient, "alice", password)
	require.Equal(t, http.StatusForbidden, f.call(t, api, "/premium", aws.ToString(before.AccessToken)))

	// The billing service's webhook, as an administrator.
	_, err = f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), UserAttributes: attrList("custom:subscription", "Premium"),
	})
	require.NoError(t, err)
	_, err = f.idp.AdminAddUserToGroup(ctx(t), &cip.AdminAddUserToGroupInput{UserPoolId: f.poolID(), Username: aws.String("alice"), GroupName: aws.String("PremiumUsers")})
	require.NoError(t, err)

	after, err := f.refresh(t, localClient, aws.ToString(before.RefreshToken))
	require.NoError(t, err)
	id := claimsOf(t, f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(after.IdToken)))
	assert.Equal(t, "Premium", id["custom:subscription"])
	assert.Equal(t, []any{"PremiumUsers"}, id["cognito:groups"])

	assert.Equal(t, http.StatusNoContent, f.call(t, api, "/premium", aws.ToString(after.AccessToken)), "the new token is admitted")
	assert.Equal(t, http.StatusForbidden, f.call(t, api, "/premium", aws.ToString(before.AccessToken)), "the old one is still refused")
}

// Story (b): users edit their own profile only with the admin scope.
func TestStoryUpdateUserAttributesNeedsAdminScope(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)

	narrow := f.codeFlow(t, f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid", "email"), "alice", password)
	_, err := f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(narrow.AccessToken), UserAttributes: attrList("given_name", "Mallory"),
	})
	requireAPIError[*types.NotAuthorizedException](t, err)
	assert.NotContains(t, attrsOf(f.adminGet(t, "alice").UserAttributes), "given_name")

	wide := f.codeFlow(t, f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid", "aws.cognito.signin.user.admin"), "alice", password)
	_, err = f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(wide.AccessToken), UserAttributes: attrList("given_name", "Alice"),
	})
	require.NoError(t, err)
	assert.Equal(t, "Alice", attrsOf(f.adminGet(t, "alice").UserAttributes)["given_name"])
}

// Story (c): signing out everywhere ends every session of the user.
func TestStoryGlobalSignOutEndsEverySession(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com"})
	conf := f.oauthConfig(localClient, "", oauth2.AuthStyleInParams, "openid", "email", "aws.cognito.signin.user.admin")
	web := f.codeFlow(t, conf, "alice", password)
	app := f.signIn(t, localClient, "alice", password)

	_, err := f.idp.GlobalSignOut(ctx(t), &cip.GlobalSignOutInput{AccessToken: app.AccessToken})
	require.NoError(t, err)

	_, err = f.refresh(t, localClient, aws.ToString(app.RefreshToken))
	requireAPIError[*types.NotAuthorizedException](t, err)
	_, err = conf.TokenSource(f.oauthCtx(t), &oauth2.Token{RefreshToken: web.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
	requireOAuthError(t, err, "invalid_grant")

	for _, tok := range []string{aws.ToString(app.AccessToken), web.AccessToken} {
		_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: aws.String(tok)})
		e := requireAPIError[*types.NotAuthorizedException](t, err)
		assert.Equal(t, "Access Token has been revoked", e.ErrorMessage())
	}
	resp, _ := f.userInfo(t, web.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
