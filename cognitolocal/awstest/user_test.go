package awstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// claimsOf returns every claim of verified claims.
func claimsOf(t *testing.T, c *cognitojwt.Claims) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, c.Decode(&m))
	return m
}

func TestSignUp(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	out, err := f.idp.SignUp(ctx(t), &cip.SignUpInput{
		ClientId: aws.String(localClient), Username: aws.String("dave"), Password: aws.String(password),
		UserAttributes: attrList("email", "dave@example.com"),
	})
	require.NoError(t, err)
	assert.False(t, out.UserConfirmed, "a sign-up waits for confirmation")
	got := f.adminGet(t, "dave")
	assert.Equal(t, aws.ToString(out.UserSub), attrsOf(got.UserAttributes)["sub"])
	assert.Equal(t, "dave@example.com", attrsOf(got.UserAttributes)["email"])
}

// A password may not begin or end with whitespace (API reference,
// SignUp Password: pattern [\S]+; developer guide, "Passwords, account
// recovery, and password policies": only "non-leading, non-trailing
// space characters" count), and the SDK does not check it itself: the
// pool answers InvalidParameterException as Cognito does, without the
// password. A space inside is allowed.
func TestSignUpPasswordWithOuterSpaceRefused(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.SignUp(ctx(t), &cip.SignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"), Password: aws.String(password + " ")})
	e := requireAPIError[*types.InvalidParameterException](t, err)
	assert.Contains(t, e.ErrorMessage(), "Value at 'password'")
	assert.NotContains(t, e.ErrorMessage(), password)
	_, err = f.idp.SignUp(ctx(t), &cip.SignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"), Password: aws.String("Inner spac3!")})
	require.NoError(t, err)
}

func TestSignUpTwiceIsUsernameExists(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "dave", password, nil)
	_, err := f.idp.SignUp(ctx(t), &cip.SignUpInput{ClientId: aws.String(localClient), Username: aws.String("dave"), Password: aws.String(password)})
	requireAPIError[*types.UsernameExistsException](t, err)
}

func TestInitiateAuthIssuesCognitoShapedTokens(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, true, "tenant_id")
	sub := f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true", "custom:tenant_id": "acme"})
	require.NoError(t, f.pool.CreateGroup("admin"))
	require.NoError(t, f.pool.AddUserToGroup("alice", "admin"))

	res := f.signIn(t, localClient, "alice", password)
	assert.Equal(t, "Bearer", aws.ToString(res.TokenType))
	assert.EqualValues(t, 3600, res.ExpiresIn)
	require.NotEmpty(t, aws.ToString(res.RefreshToken))

	access := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(res.AccessToken))
	assert.Equal(t, sub, access.Subject)
	assert.Equal(t, "alice", access.Username)
	assert.Equal(t, localClient, access.ClientID)
	assert.Equal(t, f.pool.Issuer(), access.Issuer)
	assert.Equal(t, []string{"admin"}, access.Groups.Slice())
	assert.Contains(t, access.Scopes.Slice(), "aws.cognito.signin.user.admin")
	assert.NotEmpty(t, access.JWTID)
	assert.NotEmpty(t, access.OriginJTI)
	assert.NotEmpty(t, access.EventID)
	assert.False(t, access.AuthTime.IsZero())
	assert.Equal(t, 2, access.Version)
	ac := claimsOf(t, access)
	for _, absent := range []string{"aud", "email", "email_verified", "custom:tenant_id", "cognito:username"} {
		assert.NotContains(t, ac, absent, "Cognito's access tokens carry no %s", absent)
	}

	id := f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(res.IdToken))
	ic := claimsOf(t, id)
	assert.Equal(t, localClient, ic["aud"])
	assert.Equal(t, "alice", ic["cognito:username"])
	assert.Equal(t, "alice@example.com", ic["email"])
	assert.Equal(t, true, ic["email_verified"], "email_verified is a boolean in ID tokens")
	assert.Equal(t, "acme", ic["custom:tenant_id"])
	assert.Equal(t, access.OriginJTI, id.OriginJTI, "one sign-in, one token family")
	assert.Equal(t, access.EventID, id.EventID)
	assert.NotEqual(t, access.JWTID, id.JWTID)
}

func TestInitiateAuthWrongPassword(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	_, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "wrong"},
	})
	e := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "Incorrect username or password.", e.ErrorMessage())
	assert.NotContains(t, err.Error(), "wrong", "the password is never echoed")
}

// Cognito answers an unknown user as a wrong password when the client
// prevents user-existence errors, and UserNotFoundException otherwise.
func TestInitiateAuthUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	desc, err := f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String(localClient)})
	require.NoError(t, err)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "nobody", "PASSWORD": password},
	})
	if desc.UserPoolClient.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled {
		e := requireAPIError[*types.NotAuthorizedException](t, err)
		assert.Equal(t, "Incorrect username or password.", e.ErrorMessage())
	} else {
		requireAPIError[*types.UserNotFoundException](t, err)
	}
}

func TestInitiateAuthFlowNotAllowedForClient(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	c, err := f.pool.CreateAppClient(cognitolocal.AppClient{ClientName: "code-only", AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{callback}})
	require.NoError(t, err)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(c.ClientID),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password},
	})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestRefreshTokenAuthKeepsTheFamily(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	first := f.signIn(t, localClient, "alice", password)
	again, err := f.refresh(t, localClient, aws.ToString(first.RefreshToken))
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(again.RefreshToken), "without rotation the refresh token is not reissued")

	before := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(first.AccessToken))
	after := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(again.AccessToken))
	assert.Equal(t, before.OriginJTI, after.OriginJTI)
	assert.Equal(t, before.AuthTime, after.AuthTime)
	assert.NotEqual(t, before.JWTID, after.JWTID)
	id := f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(again.IdToken))
	assert.Equal(t, before.OriginJTI, id.OriginJTI)
}

func TestRefreshTokenAuthGarbageToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.refresh(t, localClient, "not-a-refresh-token")
	requireAPIError[*types.NotAuthorizedException](t, err)
}

func TestGetUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	sub := f.user(t, "alice", password, map[string]string{"email": "alice@example.com"})
	res := f.signIn(t, localClient, "alice", password)
	out, err := f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	assert.Equal(t, "alice", aws.ToString(out.Username))
	attrs := attrsOf(out.UserAttributes)
	assert.Equal(t, sub, attrs["sub"])
	assert.Equal(t, "alice@example.com", attrs["email"])
}

func TestGetUserRefusesAnIDToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	res := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: res.IdToken})
	requireAPIError[*types.NotAuthorizedException](t, err)
}

func TestUpdateUserAttributesWithOwnAccessToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	res := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{
		AccessToken: res.AccessToken, UserAttributes: attrList("given_name", "Alice", "locale", "en-GB"),
	})
	require.NoError(t, err)
	out, err := f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	assert.Equal(t, "Alice", attrsOf(out.UserAttributes)["given_name"])
	assert.Equal(t, "en-GB", attrsOf(out.UserAttributes)["locale"])
}

func TestUpdateUserAttributesImmutableAttribute(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, false, "tenant_id")
	f.adminCreate(t, "alice", "custom:tenant_id", "acme")
	res := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{
		AccessToken: res.AccessToken, UserAttributes: attrList("custom:tenant_id", "evil"),
	})
	// Cognito: InvalidParameterException "user.NAME: Attribute cannot be updated."
	requireAPIError[*types.InvalidParameterException](t, err)
	assert.Equal(t, "acme", attrsOf(f.adminGet(t, "alice").UserAttributes)["custom:tenant_id"])
}

func TestDeleteUserAttributes(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"given_name": "Alice"})
	res := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.DeleteUserAttributes(ctx(t), &cip.DeleteUserAttributesInput{AccessToken: res.AccessToken, UserAttributeNames: []string{"given_name"}})
	require.NoError(t, err)
	assert.NotContains(t, attrsOf(f.adminGet(t, "alice").UserAttributes), "given_name")
}

func TestDeleteUserAttributesRevokedToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"given_name": "Alice"})
	res := f.signIn(t, localClient, "alice", password)
	require.NoError(t, f.pool.GlobalSignOut("alice"))
	_, err := f.idp.DeleteUserAttributes(ctx(t), &cip.DeleteUserAttributesInput{AccessToken: res.AccessToken, UserAttributeNames: []string{"given_name"}})
	requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "Alice", attrsOf(f.adminGet(t, "alice").UserAttributes)["given_name"])
}

func TestGlobalSignOutWithOwnAccessToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	res := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.GlobalSignOut(ctx(t), &cip.GlobalSignOutInput{AccessToken: res.AccessToken})
	require.NoError(t, err)
	_, err = f.refresh(t, localClient, aws.ToString(res.RefreshToken))
	requireAPIError[*types.NotAuthorizedException](t, err)

	// The signed-out token cannot sign out again.
	_, err = f.idp.GlobalSignOut(ctx(t), &cip.GlobalSignOutInput{AccessToken: res.AccessToken})
	requireAPIError[*types.NotAuthorizedException](t, err)
}

func TestRevokeTokenEndsOneFamily(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	phone := f.signIn(t, localClient, "alice", password)
	laptop := f.signIn(t, localClient, "alice", password)
	refreshed, err := f.refresh(t, localClient, aws.ToString(phone.RefreshToken))
	require.NoError(t, err)

	_, err = f.idp.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: aws.String(localClient), Token: phone.RefreshToken})
	require.NoError(t, err)

	_, err = f.refresh(t, localClient, aws.ToString(phone.RefreshToken))
	requireAPIError[*types.NotAuthorizedException](t, err)
	for _, tok := range []*string{phone.AccessToken, refreshed.AccessToken} {
		_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: tok})
		e := requireAPIError[*types.NotAuthorizedException](t, err)
		assert.Equal(t, "Access Token has been revoked", e.ErrorMessage())
	}

	// The other sign-in is untouched.
	_, err = f.refresh(t, localClient, aws.ToString(laptop.RefreshToken))
	require.NoError(t, err)
	_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: laptop.AccessToken})
	require.NoError(t, err)
}

func TestRevokeTokenRefusesAnAccessToken(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	res := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: aws.String(localClient), Token: res.AccessToken})
	requireAPIError[*types.UnsupportedTokenTypeException](t, err)
}

// clock is a settable clock for the pool.
type clock struct{ now atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.now.Store(time.Now().UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) advance(d time.Duration) { c.now.Add(int64(d)) }

func TestGetUserExpiredAccessToken(t *testing.T) {
	clk := newClock()
	f := newFixture(t, cognitolocal.Config{Now: clk.Now})
	f.user(t, "alice", password, nil)
	res := f.signIn(t, localClient, "alice", password)
	clk.advance(time.Hour + time.Minute)
	_, err := f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: res.AccessToken})
	e := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "Access Token has expired", e.ErrorMessage())

	// The refresh token, good for 30 days, gets a fresh one.
	again, err := f.refresh(t, localClient, aws.ToString(res.RefreshToken))
	require.NoError(t, err)
	_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: again.AccessToken})
	require.NoError(t, err)
}

func TestRefreshTokenExpires(t *testing.T) {
	clk := newClock()
	f := newFixture(t, cognitolocal.Config{Now: clk.Now})
	f.user(t, "alice", password, nil)
	res := f.signIn(t, localClient, "alice", password)
	clk.advance(30*24*time.Hour + time.Minute)
	_, err := f.refresh(t, localClient, aws.ToString(res.RefreshToken))
	e := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "Refresh Token has expired", e.ErrorMessage())
}

// secretHash is Cognito's SECRET_HASH: HMAC-SHA256 keyed with the client
// secret over username + client ID, in standard base64.
func secretHash(secret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestInitiateAuthConfidentialClientNeedsSecretHash(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	out, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{
		UserPoolId: f.poolID(), ClientName: aws.String("server"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	require.NoError(t, err)
	id, secret := aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)

	params := map[string]string{"USERNAME": "alice", "PASSWORD": password}
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(id), AuthParameters: params})
	e := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "Client is configured for secret but secret was not received", e.ErrorMessage())

	params["SECRET_HASH"] = secretHash("not-the-secret", "alice", id)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(id), AuthParameters: params})
	requireAPIError[*types.NotAuthorizedException](t, err)

	params["SECRET_HASH"] = secretHash(secret, "alice", id)
	ok, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(id), AuthParameters: params})
	require.NoError(t, err)
	assert.Equal(t, id, f.verify(t, id, cognitojwt.AccessToken, aws.ToString(ok.AuthenticationResult.AccessToken)).ClientID)
}
