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
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// premiumAPI is a service whose /premium route admits PremiumUsers only,
// trusting the pool's access tokens.
func (f *fixture) premiumAPI(t *testing.T) *httptest.Server {
	t.Helper()
	v, err := f.pool.Verifier(localClient, cognitojwt.AccessToken)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/premium", authz.RequireAnyGroup("PremiumUsers")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// The seed story: a user who forgot her password resets it with the
// code from the outbox, signs in, changes her password, and her old
// refresh tokens stop working where Cognito says they do.
//
// Where that is: "Ending user sessions with token revocation"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/token-revocation.html)
// lists RevokeToken, the revocation endpoint, GlobalSignOut and
// AdminUserGlobalSignOut as the ways refresh tokens end; the API
// reference of ForgotPassword, ConfirmForgotPassword and ChangePassword
// says nothing of tokens. So a password reset or change leaves refresh
// tokens working, and the app that wants the other devices signed out
// calls GlobalSignOut, as the story does.
func TestStoryForgottenPasswordThenChangeThenSignOut(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true"})
	phone := f.signIn(t, localClient, "alice", password) // an old session on another device

	// "Forgot your password?"
	sent, err := f.idp.ForgotPassword(ctx(t), &cip.ForgotPasswordInput{ClientId: aws.String(localClient), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, "a***@e***", aws.ToString(sent.CodeDeliveryDetails.Destination))
	code := f.code(t, "alice", cognitolocal.MessageForgotPassword) // what she reads in her mailbox
	_, err = f.idp.ConfirmForgotPassword(ctx(t), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(localClient),
		Username: aws.String("alice"), ConfirmationCode: aws.String(code), Password: aws.String(newPassword)})
	require.NoError(t, err)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password}})
	requireAPIError[*types.NotAuthorizedException](t, err)

	laptop := f.signIn(t, localClient, "alice", newPassword)
	_, err = f.refresh(t, localClient, aws.ToString(phone.RefreshToken))
	require.NoError(t, err, "a password reset ends no refresh token")

	const third = "Correct-Staple-42"
	_, err = f.idp.ChangePassword(ctx(t), &cip.ChangePasswordInput{AccessToken: laptop.AccessToken,
		PreviousPassword: aws.String(newPassword), ProposedPassword: aws.String(third)})
	require.NoError(t, err)
	_, err = f.refresh(t, localClient, aws.ToString(laptop.RefreshToken))
	require.NoError(t, err, "a password change ends no refresh token")
	_, err = f.refresh(t, localClient, aws.ToString(phone.RefreshToken))
	require.NoError(t, err)

	// Signing out everywhere is what ends them.
	_, err = f.idp.GlobalSignOut(ctx(t), &cip.GlobalSignOutInput{AccessToken: laptop.AccessToken})
	require.NoError(t, err)
	for _, old := range []*types.AuthenticationResultType{phone, laptop} {
		_, err = f.refresh(t, localClient, aws.ToString(old.RefreshToken))
		e := requireAPIError[*types.NotAuthorizedException](t, err)
		assert.Equal(t, "Refresh Token has been revoked", e.ErrorMessage())
		_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: old.AccessToken})
		e = requireAPIError[*types.NotAuthorizedException](t, err)
		assert.Equal(t, "Access Token has been revoked", e.ErrorMessage())
	}
	f.signIn(t, localClient, "alice", third)
	assert.Len(t, f.pool.Messages(cognitolocal.MessageFilter{Username: "alice"}), 1, "one message: the reset code")
}
