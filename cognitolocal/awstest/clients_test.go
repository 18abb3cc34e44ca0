package awstest

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// API reference, UpdateUserPoolClient: the settings given replace the
// client's; those left out return to their defaults.
func TestUpdateUserPoolClient(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	created, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String("app"),
		GenerateSecret:    true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		ReadAttributes:    []string{"email"}})
	require.NoError(t, err)
	id := created.UserPoolClient.ClientId
	up, err := f.idp.UpdateUserPoolClient(ctx(t), &cip.UpdateUserPoolClientInput{UserPoolId: f.poolID(), ClientId: id, ClientName: aws.String("renamed"),
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled, EnableTokenRevocation: aws.Bool(false)})
	require.NoError(t, err)
	c := up.UserPoolClient
	assert.Equal(t, "renamed", aws.ToString(c.ClientName))
	assert.Equal(t, aws.ToString(created.UserPoolClient.ClientSecret), aws.ToString(c.ClientSecret), "the secret stays")
	assert.Equal(t, aws.ToTime(created.UserPoolClient.CreationDate), aws.ToTime(c.CreationDate))
	assert.ElementsMatch(t, []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}, c.ExplicitAuthFlows,
		"flows left out return to the default")
	assert.Empty(t, c.ReadAttributes)
	assert.Equal(t, types.PreventUserExistenceErrorTypesEnabled, c.PreventUserExistenceErrors)
	assert.False(t, aws.ToBool(c.EnableTokenRevocation))

	described, err := f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: id})
	require.NoError(t, err)
	assert.Equal(t, "renamed", aws.ToString(described.UserPoolClient.ClientName))

	_, err = f.idp.UpdateUserPoolClient(ctx(t), &cip.UpdateUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String("nope"), ClientName: aws.String("x")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.idp.UpdateUserPoolClient(ctx(t), &cip.UpdateUserPoolClientInput{UserPoolId: f.poolID(), ClientId: id, ClientName: aws.String("x"),
		AllowedOAuthScopes: []string{"orders/read"}})
	requireAPIError[*types.ScopeDoesNotExistException](t, err)
}

// API reference, RevokeToken: a client with EnableTokenRevocation false
// answers UnsupportedOperationException.
func TestRevokeTokenNeedsRevocationEnabled(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, nil)
	out, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String("norevoke"),
		ExplicitAuthFlows:     []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		EnableTokenRevocation: aws.Bool(false)})
	require.NoError(t, err)
	assert.False(t, aws.ToBool(out.UserPoolClient.EnableTokenRevocation))
	client := aws.ToString(out.UserPoolClient.ClientId)
	res := f.signIn(t, client, "alice", password)
	_, err = f.idp.RevokeToken(ctx(t), &cip.RevokeTokenInput{ClientId: aws.String(client), Token: res.RefreshToken})
	requireAPIError[*types.UnsupportedOperationException](t, err)
	_, err = f.refresh(t, client, aws.ToString(res.RefreshToken))
	require.NoError(t, err, "the refused revocation revoked nothing")

	def, err := f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String(localClient)})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(def.UserPoolClient.EnableTokenRevocation), "on by default")
}

// API reference, ListUserPoolClients (MaxResults 1 to 60) and
// DeleteUserPoolClient.
func TestListAndDeleteUserPoolClients(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	for i := range 4 {
		_, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String(fmt.Sprintf("c%d", i)),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		require.NoError(t, err)
	}
	p := cip.NewListUserPoolClientsPaginator(f.idp, &cip.ListUserPoolClientsInput{UserPoolId: f.poolID(), MaxResults: aws.Int32(2)})
	names := map[string]string{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		require.NoError(t, err)
		pages++
		for _, c := range out.UserPoolClients {
			names[aws.ToString(c.ClientName)] = aws.ToString(c.ClientId)
			assert.Equal(t, f.pool.PoolID(), aws.ToString(c.UserPoolId))
		}
	}
	assert.Equal(t, 3, pages)
	assert.Len(t, names, 5, "the four and local-client")
	for _, max := range []int32{0, 61} {
		_, err := f.idp.ListUserPoolClients(ctx(t), &cip.ListUserPoolClientsInput{UserPoolId: f.poolID(), MaxResults: aws.Int32(max)})
		requireAPIError[*types.InvalidParameterException](t, err)
	}

	f.user(t, "alice", password, nil)
	res := f.signIn(t, names["c0"], "alice", password)
	_, err := f.idp.DeleteUserPoolClient(ctx(t), &cip.DeleteUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String(names["c0"])})
	require.NoError(t, err)
	_, err = f.idp.DescribeUserPoolClient(ctx(t), &cip.DescribeUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String(names["c0"])})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.refresh(t, names["c0"], aws.ToString(res.RefreshToken))
	require.Error(t, err, "the deleted client's refresh tokens no longer refresh")
	_, err = f.idp.DeleteUserPoolClient(ctx(t), &cip.DeleteUserPoolClientInput{UserPoolId: f.poolID(), ClientId: aws.String(names["c0"])})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}
