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

func scopes(kv ...string) []types.ResourceServerScopeType {
	var out []types.ResourceServerScopeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.ResourceServerScopeType{ScopeName: aws.String(kv[i]), ScopeDescription: aws.String(kv[i+1])})
	}
	return out
}

// API reference, CreateResourceServer, DescribeResourceServer,
// UpdateResourceServer, DeleteResourceServer; CreateUserPoolClient:
// ScopeDoesNotExistException for a scope no resource server defines.
func TestResourceServerLifecycle(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	client := func(scope string) error {
		_, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: f.poolID(), ClientName: aws.String("m2m"),
			GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{scope}})
		return err
	}
	requireAPIError[*types.ScopeDoesNotExistException](t, client("https://api.example.com/orders.read"))

	created, err := f.idp.CreateResourceServer(ctx(t), &cip.CreateResourceServerInput{UserPoolId: f.poolID(),
		Identifier: aws.String("https://api.example.com"), Name: aws.String("Orders API"), Scopes: scopes("orders.read", "Read orders")})
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com", aws.ToString(created.ResourceServer.Identifier))
	require.NoError(t, client("https://api.example.com/orders.read"))
	requireAPIError[*types.ScopeDoesNotExistException](t, client("https://api.example.com/orders.write"))

	got, err := f.idp.DescribeResourceServer(ctx(t), &cip.DescribeResourceServerInput{UserPoolId: f.poolID(), Identifier: aws.String("https://api.example.com")})
	require.NoError(t, err)
	assert.Equal(t, "Orders API", aws.ToString(got.ResourceServer.Name))
	require.Len(t, got.ResourceServer.Scopes, 1)
	assert.Equal(t, "Read orders", aws.ToString(got.ResourceServer.Scopes[0].ScopeDescription))

	_, err = f.idp.UpdateResourceServer(ctx(t), &cip.UpdateResourceServerInput{UserPoolId: f.poolID(),
		Identifier: aws.String("https://api.example.com"), Name: aws.String("Orders"), Scopes: scopes("orders.write", "Write orders")})
	require.NoError(t, err)
	require.NoError(t, client("https://api.example.com/orders.write"))
	requireAPIError[*types.ScopeDoesNotExistException](t, client("https://api.example.com/orders.read"))

	_, err = f.idp.CreateResourceServer(ctx(t), &cip.CreateResourceServerInput{UserPoolId: f.poolID(),
		Identifier: aws.String("bad"), Name: aws.String("Bad"), Scopes: scopes("a/b", "slash")})
	requireAPIError[*types.InvalidParameterException](t, err)

	_, err = f.idp.DeleteResourceServer(ctx(t), &cip.DeleteResourceServerInput{UserPoolId: f.poolID(), Identifier: aws.String("https://api.example.com")})
	require.NoError(t, err)
	_, err = f.idp.DescribeResourceServer(ctx(t), &cip.DescribeResourceServerInput{UserPoolId: f.poolID(), Identifier: aws.String("https://api.example.com")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.idp.UpdateResourceServer(ctx(t), &cip.UpdateResourceServerInput{UserPoolId: f.poolID(), Identifier: aws.String("https://api.example.com"), Name: aws.String("x")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
	_, err = f.idp.DeleteResourceServer(ctx(t), &cip.DeleteResourceServerInput{UserPoolId: f.poolID(), Identifier: aws.String("https://api.example.com")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

// API reference, ListResourceServers: MaxResults 1 to 50.
func TestListResourceServersPages(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	for i := range 5 {
		_, err := f.idp.CreateResourceServer(ctx(t), &cip.CreateResourceServerInput{UserPoolId: f.poolID(),
			Identifier: aws.String(fmt.Sprintf("api%d", i)), Name: aws.String("API")})
		require.NoError(t, err)
	}
	p := cip.NewListResourceServersPaginator(f.idp, &cip.ListResourceServersInput{UserPoolId: f.poolID(), MaxResults: aws.Int32(2)})
	var ids []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		require.NoError(t, err)
		for _, rs := range out.ResourceServers {
			ids = append(ids, aws.ToString(rs.Identifier))
		}
	}
	assert.Equal(t, []string{"api0", "api1", "api2", "api3", "api4"}, ids)
	_, err := f.idp.ListResourceServers(ctx(t), &cip.ListResourceServersInput{UserPoolId: f.poolID(), MaxResults: aws.Int32(51)})
	requireAPIError[*types.InvalidParameterException](t, err)
}
