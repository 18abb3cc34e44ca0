package awstest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// API reference, UpdateUserAttributes and AdminUpdateUserAttributes:
// "To delete an attribute, set its value to an empty string" — here
// through both operations.
func TestBlankAttributeValueDeletesIt(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.user(t, "alice", password, map[string]string{"given_name": "Alice", "family_name": "Liddell", "email": "alice@example.com"})
	access := f.signIn(t, localClient, "alice", password).AccessToken
	_, err := f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: attrList("given_name", "")})
	require.NoError(t, err)
	_, err = f.idp.AdminUpdateUserAttributes(ctx(t), &cip.AdminUpdateUserAttributesInput{UserPoolId: f.poolID(), Username: aws.String("alice"),
		UserAttributes: attrList("family_name", "", "email", "")})
	require.NoError(t, err)
	got := attrsOf(f.adminGet(t, "alice").UserAttributes)
	for _, gone := range []string{"given_name", "family_name", "email", "email_verified"} {
		assert.NotContains(t, got, gone)
	}
	assert.NotEmpty(t, got["sub"])
	_, err = f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: attrList("sub", "")})
	requireAPIError[*types.InvalidParameterException](t, err)
}

// API reference, UpdateUserAttributes: a changed email address the pool
// verifies automatically gets a code (CodeDeliveryDetailsList) and stays
// unverified until VerifyUserAttribute.
func TestChangedEmailGetsAVerificationCode(t *testing.T) {
	f := newFixture(t, cognitolocal.Config{})
	f.autoVerifyEmail(t)
	f.user(t, "alice", password, map[string]string{"email": "alice@example.com", "email_verified": "true"})
	access := f.signIn(t, localClient, "alice", password).AccessToken
	out, err := f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: attrList("email", "new@example.org")})
	require.NoError(t, err)
	require.Len(t, out.CodeDeliveryDetailsList, 1)
	assert.Equal(t, "n***@e***", aws.ToString(out.CodeDeliveryDetailsList[0].Destination))
	assert.Equal(t, "false", attrsOf(f.adminGet(t, "alice").UserAttributes)["email_verified"])
	msgs := f.pool.Messages(cognitolocal.MessageFilter{Username: "alice", Kind: cognitolocal.MessageUpdateUserAttribute})
	require.Len(t, msgs, 1)
	assert.Equal(t, "new@example.org", msgs[0].Destination)
	_, err = f.idp.VerifyUserAttribute(ctx(t), &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String(msgs[0].Code)})
	require.NoError(t, err)
	assert.Equal(t, "true", attrsOf(f.adminGet(t, "alice").UserAttributes)["email_verified"])

	out, err = f.idp.UpdateUserAttributes(ctx(t), &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: attrList("given_name", "Alice")})
	require.NoError(t, err)
	assert.Empty(t, out.CodeDeliveryDetailsList, "no address changed")
}
