package awstest

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

const (
	readerRole = "arn:aws:iam::123456789012:role/reader"
	adminRole  = "arn:aws:iam::123456789012:role/admin"
)

func (f *fixture) group(t *testing.T, name, role string, precedence *int32) {
	t.Helper()
	in := &cip.CreateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String(name), Precedence: precedence}
	if role != "" {
		in.RoleArn = aws.String(role)
	}
	_, err := f.idp.CreateGroup(ctx(t), in)
	require.NoError(t, err)
}

func (f *fixture) join(t *testing.T, user, group string) {
	t.Helper()
	_, err := f.idp.AdminAddUserToGroup(ctx(t), &cip.AdminAddUserToGroupInput{UserPoolId: f.poolID(), Username: aws.String(user), GroupName: aws.String(group)})
	require.NoError(t, err)
}

// API reference, GetGroup, UpdateGroup, DeleteGroup; CreateGroup for
// Precedence and RoleArn.
func TestGroupLifecycle(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.group(t, "readers", readerRole, aws.Int32(5))
	got, err := f.idp.GetGroup(ctx(t), &cip.GetGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers")})
	require.NoError(t, err)
	assert.Equal(t, readerRole, aws.ToString(got.Group.RoleArn))
	assert.EqualValues(t, 5, aws.ToInt32(got.Group.Precedence))
	assert.False(t, aws.ToTime(got.Group.CreationDate).IsZero())

	up, err := f.idp.UpdateGroup(ctx(t), &cip.UpdateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers"), Description: aws.String("People who read")})
	require.NoError(t, err)
	assert.Equal(t, "People who read", aws.ToString(up.Group.Description))
	assert.Equal(t, readerRole, aws.ToString(up.Group.RoleArn), "what the update leaves out stays")
	assert.EqualValues(t, 5, aws.ToInt32(up.Group.Precedence))
	up, err = f.idp.UpdateGroup(ctx(t), &cip.UpdateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers"), Precedence: aws.Int32(0)})
	require.NoError(t, err)
	assert.EqualValues(t, 0, aws.ToInt32(up.Group.Precedence))

	_, err = f.idp.UpdateGroup(ctx(t), &cip.UpdateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers"), RoleArn: aws.String("not-an-arn")})
	requireAPIError[*types.InvalidParameterException](t, err)
	_, err = f.idp.UpdateGroup(ctx(t), &cip.UpdateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers"), Precedence: aws.Int32(-1)})
	requireAPIError[*types.InvalidParameterException](t, err)
	_, err = f.idp.UpdateGroup(ctx(t), &cip.UpdateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("nope"), Description: aws.String("x")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.idp.GetGroup(ctx(t), &cip.GetGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("nope")})
	requireAPIError[*types.ResourceNotFoundException](t, err)

	f.user(t, "alice", password, nil)
	f.join(t, "alice", "readers")
	_, err = f.idp.DeleteGroup(ctx(t), &cip.DeleteGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers")})
	require.NoError(t, err)
	assert.Empty(t, f.groupsOf(t, "alice"), "deleting a group ends its memberships")
	access := f.verify(t, localClient, cognitojwt.AccessToken, aws.ToString(f.signIn(t, localClient, "alice", password).AccessToken))
	assert.Empty(t, access.Groups)
	_, err = f.idp.DeleteGroup(ctx(t), &cip.DeleteGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

// API reference, CreateGroup, Precedence: cognito:roles and
// cognito:preferred_role in ID tokens follow the groups' roles and
// precedence.
func TestGroupRolesInIDTokens(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	f.group(t, "readers", readerRole, aws.Int32(10))
	f.group(t, "admins", adminRole, aws.Int32(1))
	f.group(t, "plain", "", nil)
	f.join(t, "alice", "readers")
	f.join(t, "alice", "admins")
	f.join(t, "alice", "plain")
	id := claimsOf(t, f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(f.signIn(t, localClient, "alice", password).IdToken)))
	assert.Equal(t, []any{adminRole, readerRole}, id["cognito:roles"])
	assert.Equal(t, adminRole, id["cognito:preferred_role"])

	_, err := f.idp.UpdateGroup(ctx(t), &cip.UpdateGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("readers"), Precedence: aws.Int32(1)})
	require.NoError(t, err)
	id = claimsOf(t, f.verify(t, localClient, cognitojwt.IDToken, aws.ToString(f.signIn(t, localClient, "alice", password).IdToken)))
	assert.NotContains(t, id, "cognito:preferred_role", "equal precedence, different roles: no preferred role")
	assert.Len(t, id["cognito:roles"], 2)
}

// API reference, ListGroups, ListUsersInGroup, AdminListGroupsForUser:
// Limit 0 to 60 and NextToken.
func TestGroupListsPage(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	for i := range 7 {
		f.group(t, fmt.Sprintf("g%02d", i), "", nil)
	}
	for i := range 5 {
		name := fmt.Sprintf("u%02d", i)
		f.user(t, name, password, nil)
		f.join(t, name, "g00")
	}
	var names []string
	var token *string
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		out, err := f.idp.ListGroups(ctx(t), &cip.ListGroupsInput{UserPoolId: f.poolID(), Limit: aws.Int32(3), NextToken: token})
		require.NoError(t, err)
		assert.LessOrEqual(t, len(out.Groups), 3)
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	assert.Equal(t, []string{"g00", "g01", "g02", "g03", "g04", "g05", "g06"}, names)

	p := cip.NewListUsersInGroupPaginator(f.idp, &cip.ListUsersInGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("g00"), Limit: aws.Int32(2)})
	var members []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		require.NoError(t, err)
		for _, u := range out.Users {
			members = append(members, aws.ToString(u.Username))
		}
	}
	assert.Equal(t, []string{"u00", "u01", "u02", "u03", "u04"}, members)
	_, err := f.idp.ListUsersInGroup(ctx(t), &cip.ListUsersInGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("nope")})
	requireAPIError[*types.ResourceNotFoundException](t, err)

	for i := 1; i < 7; i++ {
		f.join(t, "u00", fmt.Sprintf("g%02d", i))
	}
	first, err := f.idp.AdminListGroupsForUser(ctx(t), &cip.AdminListGroupsForUserInput{UserPoolId: f.poolID(), Username: aws.String("u00"), Limit: aws.Int32(4)})
	require.NoError(t, err)
	require.Len(t, first.Groups, 4)
	require.NotNil(t, first.NextToken)
	rest, err := f.idp.AdminListGroupsForUser(ctx(t), &cip.AdminListGroupsForUserInput{UserPoolId: f.poolID(), Username: aws.String("u00"), NextToken: first.NextToken})
	require.NoError(t, err)
	assert.Len(t, rest.Groups, 3)
	assert.Nil(t, rest.NextToken, "the last page has no token")

	for _, call := range []func() error{
		func() error {
			_, err := f.idp.ListGroups(ctx(t), &cip.ListGroupsInput{UserPoolId: f.poolID(), Limit: aws.Int32(61)})
			return err
		},
		func() error {
			_, err := f.idp.ListUsersInGroup(ctx(t), &cip.ListUsersInGroupInput{UserPoolId: f.poolID(), GroupName: aws.String("g00"), Limit: aws.Int32(61)})
			return err
		},
		func() error {
			_, err := f.idp.AdminListGroupsForUser(ctx(t), &cip.AdminListGroupsForUserInput{UserPoolId: f.poolID(), Username: aws.String("u00"), Limit: aws.Int32(61)})
			return err
		},
		func() error {
			_, err := f.idp.ListUsers(ctx(t), &cip.ListUsersInput{UserPoolId: f.poolID(), Limit: aws.Int32(61)})
			return err
		},
		func() error {
			_, err := f.idp.ListGroups(ctx(t), &cip.ListGroupsInput{UserPoolId: f.poolID(), NextToken: aws.String("made-up")})
			return err
		},
	} {
		requireAPIError[*types.InvalidParameterException](t, call())
	}
}

// API reference, ListUsers: Limit up to 60, PaginationToken.
func TestListUsersPages(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	for i := range 7 {
		f.user(t, fmt.Sprintf("u%02d", i), password, nil)
	}
	p := cip.NewListUsersPaginator(f.idp, &cip.ListUsersInput{UserPoolId: f.poolID(), Limit: aws.Int32(3)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		require.NoError(t, err)
		pages++
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.Username))
		}
	}
	assert.Equal(t, 3, pages)
	assert.Len(t, names, 7)
}
