package awstest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

const password = "Correct-Horse-9"

// addCustom declares custom attributes through the SDK.
func (f *fixture) addCustom(t *testing.T, mutable bool, names ...string) {
	t.Helper()
	var schema []types.SchemaAttributeType
	for _, n := range names {
		schema = append(schema, types.SchemaAttributeType{
			Name:              aws.String(n),
			AttributeDataType: types.AttributeDataTypeString,
			Mutable:           aws.Bool(mutable),
		})
	}
	_, err := f.idp.AddCustomAttributes(ctx(t), &cip.AddCustomAttributesInput{UserPoolId: f.poolID(), CustomAttributes: schema})
	require.NoError(t, err)
}

// adminCreate creates a user with the SDK and sets a permanent password,
// as an administrator provisioning accounts does.
func (f *fixture) adminCreate(t *testing.T, username string, kv ...string) {
	t.Helper()
	_, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{
		UserPoolId:        f.poolID(),
		Username:          aws.String(username),
		TemporaryPassword: aws.String("Temp-Password-1"),
		MessageAction:     types.MessageActionTypeSuppress,
		UserAttributes:    attrList(kv...),
	})
	require.NoError(t, err)
	_, err = f.idp.AdminSetUserPassword(ctx(t), &cip.AdminSetUserPasswordInput{
		UserPoolId: f.poolID(), Username: aws.String(username), Password: aws.String(password), Permanent: true,
	})
	require.NoError(t, err)
}

func (f *fixture) adminGet(t *testing.T, username string) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := f.idp.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: f.poolID(), Username: aws.String(username)})
	require.NoError(t, err)
	return out
}

func TestAddCustomAttributesDeclaresThem(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, true, "tenant_id")
	f.adminCreate(t, "alice", "custom:tenant_id", "acme")
	assert.Equal(t, "acme", attrsOf(f.adminGet(t, "alice").UserAttributes)["custom:tenant_id"])
}

func TestAddCustomAttributesRefusesAnExistingName(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, true, "tenant_id")
	_, err := f.idp.AddCustomAttributes(ctx(t), &cip.AddCustomAttributesInput{
		UserPoolId: f.poolID(),
		CustomAttributes: []types.SchemaAttributeType{{
			Name: aws.String("tenant_id"), AttributeDataType: types.AttributeDataTypeString,
		}},
	})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestUndeclaredCustomAttributeIsRefused(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{
		UserPoolId:     f.poolID(),
		Username:       aws.String("alice"),
		MessageAction:  types.MessageActionTypeSuppress,
		UserAttributes: attrList("custom:nowhere", "x"),
	})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestCreateAndDescribeUserPoolClient(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	out, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{
		UserPoolId:                      f.poolID(),
		ClientName:                      aws.String("web"),
		GenerateSecret:                  true,
		ExplicitAuthFlows:               []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes:              []string{"openid", "email"},
		CallbackURLs:                    []string{"http://localhost:3000/cb"},
		LogoutURLs:                      []string{"http://localhost:3000/"},
	})
	require.NoError(t, err)
	created := out.UserPoolClient
	require.NotNil(t, created)
	require.NotEmpty(t, aws.ToString(created.ClientId))
	assert.NotEmpty(t, aws.ToString(created.ClientSecret), "GenerateSecret makes a confidential client")
	assert.Equal(t, f.pool.PoolID(), aws.ToString(created.UserPoolId))

	desc, err := f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: created.ClientId})
	require.NoError(t, err)
	got := desc.UserPoolClient
	assert.Equal(t, "web", aws.ToString(got.ClientName))
	assert.Equal(t, aws.ToString(created.ClientSecret), aws.ToString(got.ClientSecret))
	assert.ElementsMatch(t, []string{"openid", "email"}, got.AllowedOAuthScopes)
	assert.Equal(t, []string{"http://localhost:3000/cb"}, got.CallbackURLs)
	assert.Equal(t, []types.OAuthFlowType{types.OAuthFlowTypeCode}, got.AllowedOAuthFlows)

	// The Go administration API sees the same client.
	c, ok := f.pool.AppClient(aws.ToString(created.ClientId))
	require.True(t, ok)
	assert.Equal(t, aws.ToString(created.ClientSecret), c.ClientSecret)
}

func TestDescribeUserPoolClientDefaultClient(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	desc, err := f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String(localClient)})
	require.NoError(t, err)
	got := desc.UserPoolClient
	assert.Empty(t, aws.ToString(got.ClientSecret), "the default client is public")
	assert.ElementsMatch(t, []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, got.ExplicitAuthFlows)
	assert.ElementsMatch(t, []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}, got.AllowedOAuthScopes)
	assert.ElementsMatch(t, []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"}, got.CallbackURLs)
	assert.ElementsMatch(t, []string{"http://localhost:8080/", "http://127.0.0.1:8080/"}, got.LogoutURLs)
}

func TestDescribeUserPoolClientUnknownClient(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String("nosuchclient1")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	// ClientIdType's pattern is [\w+]+: an ID with a dash that names no
	// client is a model violation, which the SDK sees as
	// InvalidParameterException, as Cognito answers it.
	_, err = f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String("no-such-client")})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestUnknownUserPoolIsNotFound(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String("eu-west-1_Nowhere"), ClientName: aws.String("x"),
	})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

func TestCreateGroupTwiceIsGroupExists(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	out, err := f.idp.CreateGroup(ctx(t), &cip.CreateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("PremiumUsers"), Description: aws.String("paying")})
	require.NoError(t, err)
	assert.Equal(t, "PremiumUsers", aws.ToString(out.Group.GroupName))
	_, err = f.idp.CreateGroup(ctx(t), &cip.CreateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("PremiumUsers")})
	requireAPIError[*types.GroupExistsException](t, err)
}

func TestAdminCreateUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	out, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{
		UserPoolId:        f.poolID(),
		Username:          aws.String("alice"),
		TemporaryPassword: aws.String("Temp-Password-1"),
		MessageAction:     types.MessageActionTypeSuppress,
		UserAttributes:    attrList("email", "alice@example.com", "email_verified", "true"),
	})
	require.NoError(t, err)
	assert.Equal(t, "alice", aws.ToString(out.User.Username))
	assert.Equal(t, types.UserStatusTypeForceChangePassword, out.User.UserStatus, "a temporary password must be changed")
	assert.True(t, out.User.Enabled)
	attrs := attrsOf(out.User.Attributes)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, attrs["sub"])
	assert.Equal(t, "alice@example.com", attrs["email"])
}

func TestAdminCreateUserTwiceIsUsernameExists(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.adminCreate(t, "alice")
	_, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: f.poolID(), Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress})
	requireAPIError[*types.UsernameExistsException](t, err)
}

func TestAdminSetUserPasswordPermanentConfirms(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.adminCreate(t, "alice")
	assert.Equal(t, types.UserStatusTypeConfirmed, f.adminGet(t, "alice").UserStatus)
	res := f.signIn(t, localClient, "alice", password)
	assert.NotEmpty(t, aws.ToString(res.AccessToken))
}

func TestAdminSetUserPasswordUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminSetUserPassword(ctx(t), &cip.AdminSetUserPasswordInput{
		UserPoolId: f.poolID(), Username: aws.String("nobody"), Password: aws.String(password), Permanent: true,
	})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminGetUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	sub := f.user(t, "alice", password, map[string]string{"email": "alice@example.com"})
	out := f.adminGet(t, "alice")
	assert.Equal(t, "alice", aws.ToString(out.Username))
	assert.True(t, out.Enabled)
	assert.Equal(t, types.UserStatusTypeConfirmed, out.UserStatus)
	attrs := attrsOf(out.UserAttributes)
	assert.Equal(t, sub, attrs["sub"])
	assert.Equal(t, "alice@example.com", attrs["email"])
}

func TestAdminGetUserUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminGetUser(ctx(t), &cip.AdminGetUserInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestListUsersFilters(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com"})
	f.user(t, "bob", password, map[string]string{"email": "bob@example.com"})
	f.user(t, "bert", password, map[string]string{"email": "bert@example.org"})

	all, err := f.idp.ListUsers(ctx(t), &cip.ListUsersInput{UserPoolId: f.poolID()})
	require.NoError(t, err)
	assert.Len(t, all.Users, 3)

	names := func(us []types.UserType) []string {
		var out []string
		for _, u := range us {
			out = append(out, aws.ToString(u.Username))
		}
		return out
	}
	exact, err := f.idp.ListUsers(ctx(t), &cip.ListUsersInput{UserPoolId: f.poolID(), Filter: aws.String(`email = "bob@example.com"`)})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob"}, names(exact.Users))

	prefix, err := f.idp.ListUsers(ctx(t), &cip.ListUsersInput{UserPoolId: f.poolID(), Filter: aws.String(`username ^= "b"`)})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"bob", "bert"}, names(prefix.Users))
}

func TestListUsersBadFilterIsInvalidParameter(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.ListUsers(ctx(t), &cip.ListUsersInput{UserPoolId: f.poolID(), Filter: aws.String(`email contains bob`)})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, true, "subscription")
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true"})
	_, err := f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"),
		UserAttributes: attrList("custom:subscription", "Premium", "given_name", "Alice"),
	})
	require.NoError(t, err)
	attrs := attrsOf(f.adminGet(t, "alice").UserAttributes)
	assert.Equal(t, "Premium", attrs["custom:subscription"])
	assert.Equal(t, "Alice", attrs["given_name"])
	assert.Equal(t, "true", attrs["email_verified"], "an unrelated change keeps the email verified")
}

func TestAdminUpdateUserAttributesEmailChangeUnverifies(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true"})
	_, err := f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), UserAttributes: attrList("email", "alice@example.org"),
	})
	require.NoError(t, err)
	attrs := attrsOf(f.adminGet(t, "alice").UserAttributes)
	assert.Equal(t, "alice@example.org", attrs["email"])
	assert.Equal(t, "false", attrs["email_verified"])

	// An administrator may mark the new address verified in the same call.
	_, err = f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"),
		UserAttributes: attrList("email", "alice@example.net", "email_verified", "true"),
	})
	require.NoError(t, err)
	attrs = attrsOf(f.adminGet(t, "alice").UserAttributes)
	assert.Equal(t, "alice@example.net", attrs["email"])
	assert.Equal(t, "true", attrs["email_verified"])
}

func TestImmutableCustomAttributeCannotChange(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, false, "tenant_id")
	f.adminCreate(t, "alice", "custom:tenant_id", "acme")
	_, err := f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), UserAttributes: attrList("custom:tenant_id", "evil"),
	})
	// Cognito: InvalidParameterException "user.NAME: Attribute cannot be updated."
	requireAPIError[*types.InvalidParameterException](t, err)
	assert.Equal(t, "acme", attrsOf(f.adminGet(t, "alice").UserAttributes)["custom:tenant_id"])
}

func TestCustomAttributeNeedsPrefix(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.addCustom(t, true, "tenant_id")
	f.user(t, "alice", password, nil)
	_, err := f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), UserAttributes: attrList("tenant_id", "acme"),
	})
	requireAPIError[*types.InvalidParameterException](t, err)
}

func TestSubNeverChanges(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	sub := f.user(t, "alice", password, nil)
	_, err := f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), UserAttributes: attrList("sub", "00000000-0000-4000-8000-000000000000"),
	})
	requireAPIError[*types.InvalidParameterException](t, err)
	assert.Equal(t, sub, attrsOf(f.adminGet(t, "alice").UserAttributes)["sub"])
}

func TestAdminUpdateUserAttributesUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("nobody"), UserAttributes: attrList("given_name", "X"),
	})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminDeleteUserAttributes(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"given_name": "Alice", "family_name": "Liddell"})
	_, err := f.idp.AdminDeleteUserAttributes(ctx(t), &cip.AdminDeleteUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), UserAttributeNames: []string{"given_name"},
	})
	require.NoError(t, err)
	attrs := attrsOf(f.adminGet(t, "alice").UserAttributes)
	assert.NotContains(t, attrs, "given_name")
	assert.Equal(t, "Liddell", attrs["family_name"])
}

func TestAdminDeleteUserAttributesUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminDeleteUserAttributes(ctx(t), &cip.AdminDeleteUserAttributesInput{
		UserPoolId: f.poolID(), Username: aws.String("nobody"), UserAttributeNames: []string{"given_name"},
	})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func (f *fixture) groupsOf(t *testing.T, username string) []string {
	t.Helper()
	out, err := f.idp.AdminListGroupsForUser(ctx(t), &cip.AdminListGroupsForUserInput{UserPoolId: f.poolID(), Username: aws.String(username)})
	require.NoError(t, err)
	var names []string
	for _, g := range out.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	return names
}

func TestAdminGroupMembership(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	for _, g := range []string{"admin", "editors"} {
		_, err := f.idp.CreateGroup(ctx(t), &cip.CreateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String(g)})
		require.NoError(t, err)
		_, err = f.idp.AdminAddUserToGroup(ctx(t), &cip.AdminAddUserToGroupInput{UserPoolId: f.poolID(), Username: aws.String("alice"), GroupName: aws.String(g)})
		require.NoError(t, err)
	}
	assert.ElementsMatch(t, []string{"admin", "editors"}, f.groupsOf(t, "alice"))
	c := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(f.signIn(t, localClient, "alice", password).AccessToken))
	assert.ElementsMatch(t, []string{"admin", "editors"}, c.Groups.Slice())

	_, err := f.idp.AdminRemoveUserFromGroup(ctx(t), &cip.AdminRemoveUserFromGroupInput{UserPoolId: f.poolID(), Username: aws.String("alice"), GroupName: aws.String("admin")})
	require.NoError(t, err)
	assert.Equal(t, []string{"editors"}, f.groupsOf(t, "alice"))
	c = f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(f.signIn(t, localClient, "alice", password).AccessToken))
	assert.Equal(t, []string{"editors"}, c.Groups.Slice(), "tokens carry the groups current at issue time")
}

func TestAdminAddUserToGroupUnknownGroup(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	_, err := f.idp.AdminAddUserToGroup(ctx(t), &cip.AdminAddUserToGroupInput{UserPoolId: f.poolID(), Username: aws.String("alice"), GroupName: aws.String("nope")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

func TestAdminRemoveUserFromGroupUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	require.NoError(t, f.pool.CreateGroup("admin"))
	_, err := f.idp.AdminRemoveUserFromGroup(ctx(t), &cip.AdminRemoveUserFromGroupInput{UserPoolId: f.poolID(), Username: aws.String("nobody"), GroupName: aws.String("admin")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminListGroupsForUserUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminListGroupsForUser(ctx(t), &cip.AdminListGroupsForUserInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminDisableUserRefusesSignIn(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	_, err := f.idp.AdminDisableUser(ctx(t), &cip.AdminDisableUserInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.False(t, f.adminGet(t, "alice").Enabled)
	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password},
	})
	e := requireAPIError[*types.NotAuthorizedException](t, err)
	assert.Equal(t, "User is disabled.", e.ErrorMessage())

	_, err = f.idp.AdminEnableUser(ctx(t), &cip.AdminEnableUserInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.True(t, f.adminGet(t, "alice").Enabled)
	f.signIn(t, localClient, "alice", password)
}

func TestAdminDisableUserUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminDisableUser(ctx(t), &cip.AdminDisableUserInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminEnableUserUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminEnableUser(ctx(t), &cip.AdminEnableUserInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminUserGlobalSignOutEndsRefreshTokens(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	first := f.signIn(t, localClient, "alice", password)
	second := f.signIn(t, localClient, "alice", password)
	_, err := f.idp.AdminUserGlobalSignOut(ctx(t), &cip.AdminUserGlobalSignOutInput{UserPoolId: f.poolID(), Username: aws.String("alice")})
	require.NoError(t, err)
	for _, res := range []*types.AuthenticationResultType{first, second} {
		_, err = f.refresh(t, localClient, aws.ToString(res.RefreshToken))
		requireAPIError[*types.NotAuthorizedException](t, err)
		_, err = f.idp.GetUser(ctx(t), &cip.GetUserInput{AccessToken: res.AccessToken})
		e := requireAPIError[*types.NotAuthorizedException](t, err)
		assert.Equal(t, "Access Token has been revoked", e.ErrorMessage())
	}
	// Signing in again starts a new, valid session.
	res := f.signIn(t, localClient, "alice", password)
	_, err = f.refresh(t, localClient, aws.ToString(res.RefreshToken))
	require.NoError(t, err)
}

func TestAdminUserGlobalSignOutUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminUserGlobalSignOut(ctx(t), &cip.AdminUserGlobalSignOutInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

func TestAdminConfirmSignUp(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.SignUp(ctx(t), &cip.SignUpInput{ClientId: aws.String(localClient), Username: aws.String("carol"), Password: aws.String(password)})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeUnconfirmed, f.adminGet(t, "carol").UserStatus)

	_, err = f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": password},
	})
	requireAPIError[*types.UserNotConfirmedException](t, err)

	_, err = f.idp.AdminConfirmSignUp(ctx(t), &cip.AdminConfirmSignUpInput{UserPoolId: f.poolID(), Username: aws.String("carol")})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeConfirmed, f.adminGet(t, "carol").UserStatus)
	f.signIn(t, localClient, "carol", password)

	// A confirmed user cannot be confirmed again.
	_, err = f.idp.AdminConfirmSignUp(ctx(t), &cip.AdminConfirmSignUpInput{UserPoolId: f.poolID(), Username: aws.String("carol")})
	requireAPIError[*types.NotAuthorizedException](t, err)
}

func TestAdminConfirmSignUpUnknownUser(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminConfirmSignUp(ctx(t), &cip.AdminConfirmSignUpInput{UserPoolId: f.poolID(), Username: aws.String("nobody")})
	requireAPIError[*types.UserNotFoundException](t, err)
}

// A real pool answers a temporary password with the NEW_PASSWORD_REQUIRED
// challenge, which the local pool does not emulate: it refuses the
// sign-in, never issues tokens, and says what to do instead.
func TestTemporaryPasswordAsksForANewPassword(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{
		UserPoolId: f.poolID(), Username: aws.String("alice"), TemporaryPassword: aws.String("Temp-Password-1"),
		MessageAction: types.MessageActionTypeSuppress,
	})
	require.NoError(t, err)
	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(localClient),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Temp-Password-1"},
	})
	require.NoError(t, err)
	// A temporary password issues no tokens: Cognito answers the
	// NEW_PASSWORD_REQUIRED challenge with a session to answer it with.
	assert.Equal(t, types.ChallengeNameTypeNewPasswordRequired, out.ChallengeName)
	assert.Nil(t, out.AuthenticationResult)
	require.NotEmpty(t, aws.ToString(out.Session))

	_, err = f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		Session:            aws.String("not-the-session"),
		ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "New-Password-1"},
	})
	requireAPIError[*types.NotAuthorizedException](t, err)

	done, err := f.idp.RespondToAuthChallenge(ctx(t), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(localClient), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		Session:            out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "New-Password-1"},
	})
	require.NoError(t, err)
	require.NotNil(t, done.AuthenticationResult)
	assert.NotEmpty(t, aws.ToString(done.AuthenticationResult.AccessToken))
}
