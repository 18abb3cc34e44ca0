package awstest

import (
	"bufio"
	"context"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// The pool operations with the AWS SDK for Go v2, each on its success path
// and its main errors. Each test cites the API Reference page it follows:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html

// createPool creates a pool with the SDK and returns it.
func (f *fixture) createPool(t *testing.T, in *cip.CreateUserPoolInput) *types.UserPoolType {
	t.Helper()
	out, err := f.idp.CreateUserPool(ctx(t), in)
	require.NoError(t, err)
	require.NotNil(t, out.UserPool)
	return out.UserPool
}

// API_CreateUserPool: the answer is the UserPoolType; its Id has
// Cognito's form, REGION_ and letters and digits, the region being the
// one the request was signed for (the fixture's client signs for
// eu-west-1).
func TestCreateUserPool(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	up := f.createPool(t, &cip.CreateUserPoolInput{
		PoolName:               aws.String("shop"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		DeletionProtection:     types.DeletionProtectionTypeActive,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireNumbers: true,
		}},
	})
	require.Regexp(t, `^eu-west-1_[0-9A-Za-z]{9}$`, aws.ToString(up.Id))
	require.Equal(t, "shop", aws.ToString(up.Name))
	require.Equal(t, "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/"+aws.ToString(up.Id), aws.ToString(up.Arn))
	require.Equal(t, types.DeletionProtectionTypeActive, up.DeletionProtection)
	require.Equal(t, []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}, up.UsernameAttributes)
	require.EqualValues(t, 10, aws.ToInt32(up.Policies.PasswordPolicy.MinimumLength))
	require.False(t, up.Policies.PasswordPolicy.RequireSymbols, "a policy given replaces the default whole")
	// Dates are epoch-second numbers, which the SDK decodes.
	require.WithinDuration(t, time.Now(), aws.ToTime(up.CreationDate), time.Hour)
	require.True(t, aws.ToBool(up.UsernameConfiguration.CaseSensitive), "UsernameConfigurationType: true is the default")
}

// API_CreateUserPool, Errors: InvalidParameterException for parameters
// out of their bounds (PoolName's pattern, MinimumLength 6 to 99).
func TestCreateUserPoolRefusals(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	_, err := f.idp.CreateUserPool(ctx(t), &cip.CreateUserPoolInput{PoolName: aws.String("a/b")})
	requireAPIError[*types.InvalidParameterException](t, err)
	_, err = f.idp.CreateUserPool(ctx(t), &cip.CreateUserPoolInput{PoolName: aws.String("x"),
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(5)}}})
	requireAPIError[*types.InvalidParameterException](t, err)
	_, err = f.idp.CreateUserPool(ctx(t), &cip.CreateUserPoolInput{PoolName: aws.String("x"),
		AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	requireAPIError[*types.InvalidParameterException](t, err)
}

// API_DescribeUserPool: the pool's UserPoolType; an unknown ID is
// ResourceNotFoundException.
func TestDescribeUserPool(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	id := f.createPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("d")}).Id
	out, err := f.idp.DescribeUserPool(ctx(t), &cip.DescribeUserPoolInput{UserPoolId: id})
	require.NoError(t, err)
	require.Equal(t, "d", aws.ToString(out.UserPool.Name))
	require.NotEmpty(t, out.UserPool.SchemaAttributes)
	_, err = f.idp.DescribeUserPool(ctx(t), &cip.DescribeUserPoolInput{UserPoolId: aws.String("eu-west-1_nothere00")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

// API_ListUserPools: MaxResults is required, 1 to 60; NextToken pages;
// the SDK's paginator walks every page.
func TestListUserPools(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	for _, name := range []string{"a", "b", "c"} {
		f.createPool(t, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
	}
	var names []string
	pages := cip.NewListUserPoolsPaginator(f.idp, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx(t))
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.UserPools), 2)
		for _, p := range page.UserPools {
			names = append(names, aws.ToString(p.Name))
		}
	}
	require.Equal(t, []string{cognitolocal.DefaultPoolID, "a", "b", "c"}, names)
	_, err := f.idp.ListUserPools(ctx(t), &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
	requireAPIError[*types.InvalidParameterException](t, err)
}

// API_UpdateUserPool: "If you don't provide a value for an attribute,
// Amazon Cognito sets it to its default value."
func TestUpdateUserPoolResetsOmittedSettings(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	id := f.createPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("u"),
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true},
		MfaConfiguration:      types.UserPoolMfaTypeOptional,
		SmsConfiguration:      &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::000000000000:role/sms")},
	}).Id
	_, err := f.idp.UpdateUserPool(ctx(t), &cip.UpdateUserPoolInput{UserPoolId: id, DeletionProtection: types.DeletionProtectionTypeActive})
	require.NoError(t, err)
	out, err := f.idp.DescribeUserPool(ctx(t), &cip.DescribeUserPoolInput{UserPoolId: id})
	require.NoError(t, err)
	require.False(t, out.UserPool.AdminCreateUserConfig.AllowAdminCreateUserOnly)
	require.Equal(t, types.UserPoolMfaTypeOff, out.UserPool.MfaConfiguration)
	require.Equal(t, types.DeletionProtectionTypeActive, out.UserPool.DeletionProtection)
	_, err = f.idp.UpdateUserPool(ctx(t), &cip.UpdateUserPoolInput{UserPoolId: aws.String("eu-west-1_nothere00")})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

// API_DeleteUserPool, and CreateUserPool's DeletionProtection: a protected
// pool is not deleted (InvalidParameterException) until protection is
// inactive.
func TestDeleteUserPool(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	id := f.createPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("p"), DeletionProtection: types.DeletionProtectionTypeActive}).Id
	_, err := f.idp.DeleteUserPool(ctx(t), &cip.DeleteUserPoolInput{UserPoolId: id})
	requireAPIError[*types.InvalidParameterException](t, err)
	_, err = f.idp.UpdateUserPool(ctx(t), &cip.UpdateUserPoolInput{UserPoolId: id, DeletionProtection: types.DeletionProtectionTypeInactive})
	require.NoError(t, err)
	_, err = f.idp.DeleteUserPool(ctx(t), &cip.DeleteUserPoolInput{UserPoolId: id})
	require.NoError(t, err)
	_, err = f.idp.DeleteUserPool(ctx(t), &cip.DeleteUserPoolInput{UserPoolId: id})
	requireAPIError[*types.ResourceNotFoundException](t, err)
}

// A pool created with the SDK is a pool of its own: its own issuer and
// keys; a client and a user made with the SDK sign in, and a Verifier
// trusting that issuer accepts the token, fetching the keys over HTTP.
func TestCreatedPoolIssuesItsOwnTokens(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	id := aws.ToString(f.createPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("own"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}}).Id)
	client, err := f.idp.CreateUserPoolClient(ctx(t), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(id), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	require.NoError(t, err)
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	_, err = f.idp.AdminCreateUser(ctx(t), &cip.AdminCreateUserInput{UserPoolId: aws.String(id), Username: aws.String("erin@example.com"),
		MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	_, err = f.idp.AdminSetUserPassword(ctx(t), &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(id), Username: aws.String("erin@example.com"),
		Password: aws.String("Passw0rd!"), Permanent: true})
	require.NoError(t, err)
	tokens := f.signIn(t, clientID, "erin@example.com", "Passw0rd!")
	v, err := cognitojwt.New(cognitojwt.Config{Issuer: f.pool.Endpoint() + "/" + id, ClientIDs: []string{clientID}, TokenUse: cognitojwt.AccessToken})
	require.NoError(t, err)
	claims, err := v.Verify(ctx(t), aws.ToString(tokens.AccessToken))
	require.NoError(t, err)
	require.Regexp(t, `^[0-9a-f-]{36}$`, claims.Username, "the username of an email-username pool is the sub")
	// The default pool's verifier refuses it.
	other, err := f.pool.Verifier(clientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	_, err = other.Verify(ctx(t), aws.ToString(tokens.AccessToken))
	require.Error(t, err)
}

// A pool is created in the region the request was signed for.
func TestCreateUserPoolInTheSigningRegion(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	idp := cip.NewFromConfig(aws.Config{
		Region:      "ap-southeast-2",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:  f.sdk,
	}, func(o *cip.Options) { o.BaseEndpoint = aws.String(f.pool.Endpoint()); o.RetryMaxAttempts = 1 })
	out, err := idp.CreateUserPool(ctx(t), &cip.CreateUserPoolInput{PoolName: aws.String("sydney")})
	require.NoError(t, err)
	require.Regexp(t, `^ap-southeast-2_`, aws.ToString(out.UserPool.Id))
}

// TestEmulatorDocListsEverySDKOperation keeps the operations table of
// docs/emulator.md complete as the SDK grows: every operation of the
// Cognito client has a row (TestEmulatorDocListsEveryOperation, in
// cognitolocal, checks the rows against the pool's dispatch table).
func TestEmulatorDocListsEverySDKOperation(t *testing.T) {
	doc, err := os.Open("../../docs/emulator.md")
	require.NoError(t, err)
	defer doc.Close()
	row := regexp.MustCompile("^\\| `(\\w+)` \\| (supported|partly|not) \\|")
	rows := map[string]bool{}
	sc := bufio.NewScanner(doc)
	for sc.Scan() {
		if m := row.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			rows[m[1]] = true
		}
	}
	require.NoError(t, sc.Err())
	ctxType := reflect.TypeFor[context.Context]()
	client := reflect.TypeFor[*cip.Client]()
	var ops int
	for i := range client.NumMethod() {
		m := client.Method(i)
		// An operation: (ctx, *NameInput, ...func(*Options)) (*NameOutput, error).
		if m.Type.NumIn() != 4 || m.Type.In(1) != ctxType || m.Type.In(2).Elem().Name() != m.Name+"Input" {
			continue
		}
		ops++
		if !rows[m.Name] {
			t.Errorf("docs/emulator.md: add the row \"| `%s` | not | |\" to the operations table (in alphabetical order): the AWS SDK has the operation", m.Name)
		}
	}
	require.Greater(t, ops, 100, "the SDK's operations were found")
}
